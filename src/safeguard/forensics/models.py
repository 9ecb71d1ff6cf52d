"""The digital forensics unit's queue: seized devices and every step of their examination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime

# Where a device is: waiting (submitted, not yet triaged or started), triaged, started, or
# ended (completed, or returned unexamined).
WAITING, TRIAGED, STARTED = "waiting", "triaged", "started"
COMPLETED, RETURNED = "completed", "returned_unexamined"
STAGES = (WAITING, TRIAGED, STARTED, COMPLETED, RETURNED)
ENDED = (COMPLETED, RETURNED)
WAITING_ONLY = text("ended_at IS NULL")
ENDED_ONLY = text("ended_at IS NOT NULL")


class Device(Base):
    """A seized device submitted for examination: its priority (which only rises), its
    clocks (indexed, as every deadline is), and where its examination has got to."""

    __tablename__ = "forensic_devices"
    __table_args__ = (
        # The queue: devices not yet ended, by priority then age, in the index's own order
        # (its pages, counts and median ages read it alone). Partial, so the ended devices,
        # most of a unit's history, take no room in it.
        Index("ix_forensic_devices_waiting", "priority", "submitted_at", "id",
              postgresql_where=WAITING_ONLY, sqlite_where=WAITING_ONLY),
        # The last 90 days' completions, and the queue's length month by month. Partial too,
        # so no planner takes it for the waiting devices ("ended_at IS NULL").
        Index("ix_forensic_devices_ended_at", "ended_at",
              postgresql_where=ENDED_ONLY, sqlite_where=ENDED_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    exhibit: Mapped[str] = mapped_column(String(128), unique=True)
    case_reference: Mapped[str] = mapped_column(String(100))
    device: Mapped[str] = mapped_column(String(16))
    offence: Mapped[str] = mapped_column(String(32))
    officer: Mapped[str | None] = mapped_column(String(200))
    seized_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    suspect_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    # Where the suspect lives, which partner records may place a child at.
    suspect_address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"),
                                                           index=True)
    officer_says_access: Mapped[bool] = mapped_column(Boolean, default=False)
    threat_to_life: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer)
    priority_reason: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(24), default=WAITING)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triage_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    complete_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The most recent findings' counts (triage's, then the completed examination's).
    category_a: Mapped[int] = mapped_column(Integer, default=0)
    category_b: Mapped[int] = mapped_column(Integer, default=0)
    category_c: Mapped[int] = mapped_column(Integer, default=0)
    new_images: Mapped[int] = mapped_column(Integer, default=0)
    triage_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))
    examination_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))


class DeviceStep(Base):
    """A device's timeline: its submission, each examination step, each rise in priority
    and why. Nothing in it is changed once written."""

    __tablename__ = "forensic_device_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("forensic_devices.id"), index=True)
    # The event that brought it: a submission, a step, or a child's record (a rise).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # submitted | triage | started | completed | returned_unexamined | priority_raised
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    examiner: Mapped[str | None] = mapped_column(String(200))
    # Counts by category, new images, and the persons identified as victims.
    findings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
