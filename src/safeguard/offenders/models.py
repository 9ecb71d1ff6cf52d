"""The register of sex offenders a force manages: registrations, their assessments, visits,
notifications, and the children found near each offender."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime


class OffenderRegistration(Base):
    """One offender's registration, with the plan and clocks as they stand now (the history
    is in the assessments, visits and notifications)."""

    __tablename__ = "offender_registrations"
    __table_args__ = (
        # The caseload board and the capacity figures read registrations by manager.
        Index("ix_offender_registrations_manager", "offender_manager", "ended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    reference: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # Where the offender lives; None for no fixed abode.
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_ends: Mapped[date | None] = mapped_column(Date)
    # Set once the registration has ended (a notification after it is refused).
    ended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    conviction: Mapped[str] = mapped_column(String(200))
    mappa_category: Mapped[int] = mapped_column(Integer)
    mappa_level: Mapped[int] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(String(16))
    offender_manager: Mapped[str] = mapped_column(String(100))
    visit_every_days: Mapped[int | None] = mapped_column(Integer)
    last_home_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The open duties on the registration's clocks, and their deadlines (indexed: the board
    # and the capacity figures count what is overdue and due soon).
    visit_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
    next_visit_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    notification_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
    next_notification_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class OffenderAssessment(Base):
    __tablename__ = "offender_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("offender_registrations.id"),
                                                 index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    reference: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What changed, in words ("risk high -> very high; visits every 28 -> 14 days").
    changes: Mapped[str] = mapped_column(Text)


class OffenderVisit(Base):
    __tablename__ = "offender_visits"
    __table_args__ = (
        # The capacity figures count visits by month over the last year.
        Index("ix_offender_visits_visited_at", "visited_at", "home_visit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("offender_registrations.id"),
                                                 index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    reference: Mapped[str] = mapped_column(String(128))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(100))
    home_visit: Mapped[bool] = mapped_column(Boolean)
    children_present: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    concerns: Mapped[str | None] = mapped_column(Text)


class OffenderNotification(Base):
    __tablename__ = "offender_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("offender_registrations.id"),
                                                 index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    reference: Mapped[str] = mapped_column(String(128))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    days_late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OffenderChild(Base):
    """A child found near an offender, once per registration, and where they were found."""

    __tablename__ = "offender_children"
    __table_args__ = (UniqueConstraint("registration_id", "person_id",
                                       name="uq_offender_children"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("offender_registrations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    found_from: Mapped[str] = mapped_column(Text)
    # The share with children's social care it raised.
    share_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
