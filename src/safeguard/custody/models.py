"""Detentions in police custody and each step of them, as the custody record sent them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime


class Detention(Base):
    __tablename__ = "custody_detentions"
    __table_args__ = (
        # The custody board reads "children in custody now" per suite.
        Index("ix_custody_detentions_board", "child", "ended_at", "custody_suite"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    # The custody record number (the detention event's source_id).
    reference: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    custody_suite: Mapped[str] = mapped_column(String(200))
    offence: Mapped[str] = mapped_column(String(200))
    officer: Mapped[str | None] = mapped_column(String(200))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    authorised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How the detainee's age was known: date_of_birth (on the day of arrival), stated, or
    # unknown (treated as a child); and whether they were a child, which decides every duty.
    dob: Mapped[date | None] = mapped_column(Date)
    age: Mapped[int | None] = mapped_column(Integer)
    age_basis: Mapped[str] = mapped_column(String(16))
    child: Mapped[bool] = mapped_column(Boolean)
    # What the steps established (the state the order of steps is checked against).
    aa_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    charged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bail_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transfer_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accommodation: Mapped[str | None] = mapped_column(String(16))
    ended_step: Mapped[str | None] = mapped_column(String(32))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The next review and the limit, kept for the board ("what is due next").
    next_review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    limit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DetentionStep(Base):
    __tablename__ = "custody_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("custody_detentions.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(64))
    details: Mapped[str | None] = mapped_column(Text)
    # A review's inspector; a certificate's explanation, in the custody officer's words.
    inspector: Mapped[str | None] = mapped_column(String(200))
    explanation: Mapped[str | None] = mapped_column(Text)
    # The step's coded facts: accommodation, offered, reason.
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
