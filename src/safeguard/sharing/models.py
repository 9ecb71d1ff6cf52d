"""Shares of information with a partner agency: what, why, with whom, and its acknowledgement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
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
    # First opened by someone at the receiving agency (each open is also in the audit trail).
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by: Mapped[str | None] = mapped_column(String(200))


class WebhookEndpoint(Base):
    """Where a partner agency's own system receives its shares, and the secret that signs them.

    The secret lives only in the database (set by an administrator), never in code or config
    files in the repository.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    # During a rollover (`safeguard webhook rotate`) the secret before the current one still
    # signs and verifies until retired or until previous_valid_until.
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
# Not to be sent: the share's duty was closed as a duplicate of another (two records of one
# child merged), so the partner hears of the child once. Restored if the merge is undone.
WITHDRAWN = "withdrawn"


class Delivery(Base):
    """The outbox: one row per share per endpoint, written in the share's own transaction."""

    __tablename__ = "deliveries"
    # The worker's question: "which pending deliveries are due now?"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    # Sent with every attempt so the partner can drop repeats: exactly-once on their side.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A claim is a lease: a worker killed mid-delivery leaves a lease that simply expires.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
