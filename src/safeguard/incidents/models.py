"""Police incidents and the people in them, resolved to known persons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime


class Incident(Base):
    __tablename__ = "incidents"
    # The incident list (search.incidents) pages newest first.
    __table_args__ = (Index("ix_incidents_address_occurred", "address_id", "occurred_at"),
                      Index("ix_incidents_occurred_at", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id"))
    officer: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    child_voice: Mapped[str | None] = mapped_column(Text)
    dash_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dash_yes_count: Mapped[int | None] = mapped_column(Integer)
    # The level from the checklist alone, the officer's judgement, and the level that stands.
    actuarial_risk: Mapped[str | None] = mapped_column(String(10))
    professional_judgement: Mapped[str | None] = mapped_column(String(10))
    risk_level: Mapped[str | None] = mapped_column(String(10))
    # False for historical imports, which are kept as history but raise no duties.
    live: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def dash_not_known(self) -> int:
        """DASH questions answered "not known" (checklists stored as true/false had none)."""
        return sum(1 for answer in (self.dash_answers or {}).values() if answer == "not_known")


class IncidentPerson(Base):
    __tablename__ = "incident_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # False when the officer did not list this person and the product found them in another
    # agency's records at the address; `found_from` then says which record.
    recorded_by_officer: Mapped[bool] = mapped_column(Boolean, default=True)
    found_from: Mapped[str | None] = mapped_column(String(300))
