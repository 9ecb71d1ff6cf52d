"""Break-glass access: sight of a child without a relationship, for a stated reason and a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class BreakGlass(Base):
    """One person's emergency access to one child, until it expires; kept for review by the
    agency's information-governance role (never deleted: the review is the point)."""

    __tablename__ = "break_glass"
    # Visibility asks "does this user hold a live grant for this person?" on every read.
    __table_args__ = (Index("ix_break_glass_user_person", "user_id", "person_id", "expires_at"),
                      Index("ix_break_glass_agency_granted", "agency_id", "granted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)
