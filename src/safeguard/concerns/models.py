"""Concerns any agency raises about a child: a school noticing bruising, a health visitor's
worry, a missing episode from a care home. They are events like any other."""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime
from safeguard.events.fields import ConcernKind

# One list: the import format's (events.schemas) is the definition.
CONCERN_KINDS: tuple[str, ...] = get_args(ConcernKind)


class Concern(Base):
    __tablename__ = "concerns"
    # The joint-assessment rule asks "which agencies raised concerns about this child lately".
    __table_args__ = (Index("ix_concerns_person_occurred", "person_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(String(200))
