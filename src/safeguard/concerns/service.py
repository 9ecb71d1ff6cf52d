"""Storing concerns and reading a child's concerns back.

Recording a concern goes through intake (the one path every event takes); the concern form
(concerns/pages.py) calls intake directly, as every page sits above every service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.concerns.models import Concern
from safeguard.errors import NotFound
from safeguard.events.schemas import ConcernEvent


def record_concern(session: Session, *, event_id: int, person_id: int, agency_id: str,
                   data: ConcernEvent, recorded_at: datetime) -> Concern:
    concern = Concern(event_id=event_id, person_id=person_id, agency_id=agency_id,
                      kind=data.kind, occurred_at=data.occurred_at, recorded_at=recorded_at,
                      summary=data.summary, raised_by=data.raised_by)
    session.add(concern)
    session.flush()
    return concern


def concerns_about(session: Session, *, person_id: int, since: datetime | None = None,
                   exclude_event_id: int | None = None) -> list[Concern]:
    """The child's concerns, newest first (those since a time, if given)."""
    query = select(Concern).where(Concern.person_id == person_id)
    if since is not None:
        query = query.where(Concern.occurred_at >= since)
    if exclude_event_id is not None:
        query = query.where(Concern.event_id != exclude_event_id)
    return list(session.scalars(query.order_by(Concern.occurred_at.desc(), Concern.id.desc())))


def concern_for_agency(session: Session, *, concern_id: int, principal: Principal) -> Concern:
    """A concern as its raising agency sees it; other agencies see it in the chronology."""
    concern = session.get(Concern, concern_id)
    if concern is None or concern.agency_id != principal.agency_id:
        raise NotFound(f"concern {concern_id} not found")
    return concern


def concern_of_event(session: Session, *, event_id: int) -> int | None:
    """The concern an event recorded (a repeated form finds the concern it first made)."""
    return session.scalar(select(Concern.id).where(Concern.event_id == event_id))
