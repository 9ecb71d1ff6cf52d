"""Storing concerns and reading a child's concerns back.

Recording a concern goes through intake (the one path every event takes). The concern form
lives here, before intake in the order of areas, so intake registers itself as the way a
concern is submitted (`on_submit`), the same way later areas hook into duties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class Submitted:
    outcome: str  # new | duplicate | conflict
    concern_id: int | None
    duty_ids: list[int]


# (session, data, raw, via, principal, now, intake context) -> Submitted
Submitter = Callable[[Session, ConcernEvent, dict[str, Any], str, Principal, datetime, Any],
                     Submitted]
_submitters: list[Submitter] = []


def on_submit(submitter: Submitter) -> None:
    if submitter not in _submitters:
        _submitters.append(submitter)


def submit(session: Session, *, data: ConcernEvent, raw: dict[str, Any], via: str,
           principal: Principal, now: datetime, ctx: Any) -> Submitted:
    if not _submitters:
        raise RuntimeError("no concern submitter registered: import safeguard.intake.service")
    return _submitters[0](session, data, raw, via, principal, now, ctx)
