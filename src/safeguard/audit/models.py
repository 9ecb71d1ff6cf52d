"""The append-only audit trail of every read and write of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One read or write. Database triggers (see the migration) refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_person_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))  # "user:amy", "api_key:3", "system:worker"
    agency_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # read | write
    entity: Mapped[str] = mapped_column(String(32))  # person | incident | duty | event | share
    entity_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    why: Mapped[str] = mapped_column(Text)


class AuditSeal(Base):
    """The hash chain over ``audit_log``: one row per entry, in the order the sealer
    (:func:`safeguard.audit.chain.seal`) reached it. Kept apart from the entries so that
    ``audit_log`` stays strictly insert-only: sealing adds rows here, it never updates one
    there. ``seq`` is the primary key, so two sealers can never give two entries one place
    in the chain (the loser's transaction fails and seals nothing)."""

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_log.id"), unique=True)
    # SHA-256 (hex) of the previous seal's hash and this entry's fields: see chain.py.
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
