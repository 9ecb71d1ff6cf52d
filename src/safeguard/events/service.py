"""Storing events exactly as they arrived, once each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from safeguard.db import table_of, utcnow
from safeguard.events.models import Event

NEW = "new"
DUPLICATE = "duplicate"
CONFLICT = "conflict"


@dataclass(frozen=True)
class Stored:
    event_id: int
    outcome: str  # new | duplicate | conflict


# Built once with parameters: every event arriving runs both.
_STORED = select(Event.id, Event.payload_hash).where(
    Event.source == bindparam("source"), Event.source_id == bindparam("source_id"))
_INSERT_EVENT = insert(table_of(Event)).returning(table_of(Event).c.id)


# What json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False) makes,
# without building an encoder for each payload (a bulk load hashes a million).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL.encode(payload).encode()).hexdigest()


def store_event(
    session: Session,
    *,
    event_type: str,
    source: str,
    source_id: str,
    payload: dict[str, Any],
    occurred_at: datetime | None,
    via: str,
    actor: str,
) -> Stored:
    """Keep the event once: a repeat with the same content is a no-op, other content a conflict.

    Amending an event in place would rewrite history the duties were based on, so a changed
    payload under an existing (source, source_id) is refused and reported, never applied.
    """
    digest = payload_hash(payload)
    connection = session.connection()
    existing = connection.execute(_STORED, {"source": source, "source_id": source_id}).first()
    if existing is not None:
        return Stored(existing.id, DUPLICATE if existing.payload_hash == digest else CONFLICT)
    event_id = connection.execute(_INSERT_EVENT, {
        "event_type": event_type, "source": source, "source_id": source_id,
        "payload": payload, "payload_hash": digest, "occurred_at": occurred_at,
        "received_at": utcnow(), "received_via": via, "actor": actor}).scalar_one()
    return Stored(event_id, NEW)
