"""Email notifications: each person's choices, the outbox, and the marks that make a
time-driven email (due soon, the daily digest) go once."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class Reason(StrEnum):
    """Why an email is sent; each person chooses which of them they receive."""

    ASSIGNED = "assigned"  # a duty was assigned to you
    # Of a duty you (or your team) hold; of one nobody holds, to those who may act on it.
    DUE_SOON = "due_soon"  # a duty is about to breach
    BREACHED = "breached"  # a duty breached
    # A breach escalated to your role (supervisor, senior manager), or of a duty you hold.
    ESCALATED = "escalated"
    DIGEST = "digest"  # once a day: what is open, due today and breached


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # every attempt failed
    EXPIRED = "expired"  # unsent for longer than it is worth sending (no server configured)


class NotificationPreference(Base):
    """A person's choice of emails; no row means the defaults (every reason on)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    assigned: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    due_soon: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    breached: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    escalated: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Email(Base):
    """The outbox: one row per message, written in the transaction of what caused it and
    sent by the worker. The body is stored as sent: a link and a duty kind's title, never
    a child's details."""

    __tablename__ = "emails"
    # The worker's question: "which pending emails are due now?"
    __table_args__ = (Index("ix_emails_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(16))
    duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"), index=True)
    # One email per cause and person however often the cause is seen again.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A claim is a lease: a worker killed mid-send leaves a lease that simply expires.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DutyAlert(Base):
    """A duty already warned of (due soon): the key makes the warning once per duty, whichever
    worker sees it first."""

    __tablename__ = "duty_alerts"

    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestRun(Base):
    """A London day whose digests have been queued: one worker's pass claims the day."""

    __tablename__ = "digest_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
