"""Duties: obligations with an owner and a clock, and their append-only history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class DutyStatus(StrEnum):
    OPEN = "open"
    BREACHED = "breached"  # past due and not discharged: still to be done
    DISCHARGED = "discharged"


OPEN, BREACHED, DISCHARGED = DutyStatus.OPEN, DutyStatus.BREACHED, DutyStatus.DISCHARGED
STATUSES = tuple(status.value for status in DutyStatus)
# The outcome a duty is closed with when it turns out to repeat another (two records of one
# child merged): closed, not deleted, with the duty it repeats named in its history.
DUPLICATE = "duplicate"
# A child has one strategy discussion at a time (open or breached: a breached one is still to
# be held). The rules raise none while one is open, but two transactions at once cannot see
# each other's, so the database refuses the second (migration 0004).
_ONE_OPEN_STRATEGY_DISCUSSION = text("kind = 'strategy_discussion' AND status <> 'discharged'")
ONE_OPEN_STRATEGY_DISCUSSION = "uq_duties_open_strategy_discussion"


class Duty(Base):
    __tablename__ = "duties"
    __table_args__ = (
        # The worker's breach sweep and the duties page both read "undischarged by due time".
        Index("ix_duties_status_due_at", "status", "due_at"),
        Index("ix_duties_owner_status_due", "owner_agency_id", "status", "due_at"),
        # Measures count a kind's duties falling due month by month, by outcome (home visits
        # due, less those a new plan brought forward), from the index alone.
        Index("ix_duties_kind_due_at", "kind", "due_at", "outcome"),
        Index(ONE_OPEN_STRATEGY_DISCUSSION, "subject_person_id", unique=True,
              postgresql_where=_ONE_OPEN_STRATEGY_DISCUSSION,
              sqlite_where=_ONE_OPEN_STRATEGY_DISCUSSION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    owner_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    # Set when only a role within the owning agency may act (e.g. a supervisor's review).
    owner_role: Mapped[str | None] = mapped_column(String(32))
    # The other agency in the duty: the recipient of a share, the school of a notice.
    partner_agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # None only for a duty about an event that names nobody (a data-quality task).
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    parent_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    rule_name: Mapped[str] = mapped_column(String(80))
    rule_version: Mapped[str] = mapped_column(String(20))
    # One duty per rule, event, kind and person however often the rules are re-run.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to: Mapped[str | None] = mapped_column(String(120))
    # 0 = not escalated; 1 = first level (the owning team's supervisor); 2 = second level.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Agencies taking part besides owner and partner (a strategy discussion's police and health)
    # and the facts that raised the duty, each a short plain-English line.
    participants: Mapped[list[str] | None] = mapped_column(JSON)
    evidence: Mapped[list[str] | None] = mapped_column(JSON)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(60))
    discharge_note: Mapped[str | None] = mapped_column(Text)


class DutyTransition(Base):
    """Every change to a duty, who made it and why. Nothing about a duty is ever deleted."""

    __tablename__ = "duty_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # created | breached | escalated | discharged | evidence_added | closed_as_duplicate |
    # claimed | assigned | reassigned (duties.assignment)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class DutyHolder(Base):
    """Who holds an undischarged duty now: one person or one team of the owning agency (a
    row of its own, so intake's writes of duties are untouched and a duty nobody has taken
    has no row). Each change is also a transition in the duty's history."""

    __tablename__ = "duty_holders"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)",
                                      name="one_holder"),)

    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    # The principal who assigned it (the holder themselves when they claimed it).
    by: Mapped[str] = mapped_column(String(200))


class Notification(Base):
    """Outbox of messages to people in a role at an agency (escalations to supervisors)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_agency_role", "agency_id", "role", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(32))
    duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
