"""A strategy discussion as held: when, who took part for which agency, what each agency
shared, the decision and why, and the actions agreed (each a duty with an owner and a clock).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class StrategyDiscussion(Base):
    __tablename__ = "strategy_discussions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event that recorded it (stored as it arrived, like every event).
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The strategy-discussion duty it discharged; None when none was open (a discussion held
    # on a concern no rule saw, or loaded as history).
    duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"), unique=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text)
    # The agency that recorded it (social care convenes) and who, when.
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))
    # What the record lacks that Working Together asks for (police or social care absent).
    warnings: Mapped[list[str] | None] = mapped_column(JSON)


class Attendee(Base):
    __tablename__ = "strategy_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("strategy_discussions.id"),
                                               index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))


class SharedInformation(Base):
    """What one agency brought to the discussion."""

    __tablename__ = "strategy_information"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("strategy_discussions.id"),
                                               index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    summary: Mapped[str] = mapped_column(Text)


class StrategyAction(Base):
    """An agreed action; its clock, status and escalation are its duty's."""

    __tablename__ = "strategy_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("strategy_discussions.id"),
                                               index=True)
    duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
