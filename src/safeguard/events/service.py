"""Storing events exactly as they arrived, once each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.events.models import Event

NEW = "new"
DUPLICATE = "duplicate"
CONFLICT = "conflict"


@dataclass(frozen=True)
class Stored:
    event: Event
    outcome: str  # new | duplicate | conflict


def payload_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    existing = session.scalar(
        select(Event).where(Event.source == source, Event.source_id == source_id)
    )
    if existing is not None:
        return Stored(existing, DUPLICATE if existing.payload_hash == digest else CONFLICT)
    event = Event(
        event_type=event_type,
        source=source,
        source_id=source_id,
        payload=payload,
        payload_hash=digest,
        occurred_at=occurred_at,
        received_via=via,
        actor=actor,
    )
    session.add(event)
    session.flush()
    return Stored(event, NEW)


def get_event(session: Session, *, event_id: int) -> Event | None:
    return session.get(Event, event_id)
