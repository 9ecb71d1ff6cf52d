"""Case notes: what a practitioner writes about a child, with who else may read it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class Visibility(StrEnum):
    """Who may read a note besides its author's agency."""

    AGENCY = "agency"  # the author's agency only
    MASH = "mash"  # the MASH partners: police, children's social care, health
    ALL = "all"  # every agency that may see the child


VISIBILITY_WORDS = {
    Visibility.AGENCY: "Our agency only",
    Visibility.MASH: "Shared with the MASH partners (police, children’s social care, health)",
    Visibility.ALL: "All agencies that may see the child",
}


class CaseNote(Base):
    __tablename__ = "case_notes"
    # The chronology reads a child's notes, newest first.
    __table_args__ = (Index("ix_case_notes_person_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    visibility: Mapped[str] = mapped_column(String(16))
    # When what the note records happened (a visit, a call), and when it was written.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
