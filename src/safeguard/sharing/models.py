"""Shares of information with a partner agency: what, why, with whom, and its acknowledgement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow

SAFEGUARDING_BASIS = (
    "Safeguarding a child from neglect or harm: UK GDPR Art. 6(1)(e) and 9(2)(g); "
    "DPA 2018 Sch. 1 para 18 and Sch. 8 para 4"
)


class Share(Base):
    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_to_agency_ack", "to_agency_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    subject_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    lawful_basis: Mapped[str] = mapped_column(Text, default=SAFEGUARDING_BASIS)
    purpose: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
