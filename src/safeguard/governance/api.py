"""JSON API for information governance: the same as the pages, for that role only."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from safeguard.config import Settings
from safeguard.governance.service import (
    ActorTally,
    HourOfReads,
    access_history,
    unusual_access,
    window,
)
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/governance", tags=["governance"])


class AccessOut(BaseModel):
    id: int
    at: datetime
    actor: str
    agency_id: str | None
    action: str  # read | write | refused | break_glass | print | export
    entity: str
    entity_id: str
    person_id: int | None
    why: str


class AccessHistoryOut(BaseModel):
    person_id: int
    person_ids: list[int]  # with the people merged into them
    entries: list[AccessOut]  # newest first
    more: bool


class ActorTallyOut(BaseModel):
    actor: str
    agency_id: str | None
    count: int
    first_hour: datetime
    last_hour: datetime


class HourOfReadsOut(BaseModel):
    actor: str
    agency_id: str | None
    hour: datetime
    reads: int


class UnusualAccessOut(BaseModel):
    since: datetime
    until: datetime
    reads_per_hour: int
    day_starts_hour: int
    day_ends_hour: int
    high_volume: list[HourOfReadsOut]
    refusals: list[ActorTallyOut]
    out_of_hours: list[ActorTallyOut]
    break_glass: list[AccessOut]


def _tally(t: ActorTally) -> ActorTallyOut:
    return ActorTallyOut(actor=t.actor, agency_id=t.agency_id, count=t.count,
                         first_hour=t.first, last_hour=t.last)


def _hour(h: HourOfReads) -> HourOfReadsOut:
    return HourOfReadsOut(actor=h.actor, agency_id=h.agency_id, hour=h.hour, reads=h.reads)


@router.get("/access/{person_id}", response_model=AccessHistoryOut)
def access(session: SessionDep, principal: PrincipalDep, person_id: int) -> AccessHistoryOut:
    """Every read, write and refusal about a person: who, which agency, when and why."""
    history = access_history(session, principal=principal, person_id=person_id)
    return AccessHistoryOut(
        person_id=history.person_id, person_ids=history.person_ids, more=history.more,
        entries=[AccessOut.model_validate(e, from_attributes=True) for e in history.entries])


@router.get("/unusual", response_model=UnusualAccessOut)
def unusual(request: Request, session: SessionDep, principal: PrincipalDep, now: NowDep,
            date_from: date | None = None, date_to: date | None = None) -> UnusualAccessOut:
    """High volume of reads in an hour, refusals, out-of-hours access and break-glass, over
    London days `date_from`..`date_to` (default: the configured number of days to now)."""
    settings: Settings = request.app.state.settings
    since, until = window(now, date_from=date_from, date_to=date_to,
                          days=settings.governance.window_days)
    report = unusual_access(session, principal=principal, since=since, until=until,
                            settings=settings.governance)
    return UnusualAccessOut(
        since=report.since, until=report.until, reads_per_hour=report.reads_per_hour,
        day_starts_hour=report.day_starts_hour, day_ends_hour=report.day_ends_hour,
        high_volume=[_hour(h) for h in report.high_volume],
        refusals=[_tally(t) for t in report.refusals],
        out_of_hours=[_tally(t) for t in report.out_of_hours],
        break_glass=[AccessOut.model_validate(e, from_attributes=True)
                     for e in report.break_glass])
