"""JSON API: recording a strategy discussion (the same event as `POST /api/v1/events` and the
import take) and reading one back (the agencies in it only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Response
from pydantic import BaseModel

from safeguard.events.service import CONFLICT, DUPLICATE
from safeguard.events.strategy import StrategyDiscussionEvent
from safeguard.intake.service import accept_event
from safeguard.strategy.service import discussion_of_event, read_discussion
from safeguard.web.deps import NowDep, PrincipalDep, RulesDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["strategy discussions"])


class RecordedOut(BaseModel):
    event_id: int
    outcome: str
    discussion_id: int | None
    duty_ids: list[int]


class AttendeeOut(BaseModel):
    name: str
    role: str
    agency: str


class InformationOut(BaseModel):
    agency: str
    summary: str


class ActionOut(BaseModel):
    text: str
    owner_agency: str
    owner_name: str | None
    due_on: date
    duty_id: int | None
    status: str | None


class DiscussionOut(BaseModel):
    id: int
    reference: str
    person_id: int
    held_at: datetime
    decision: str
    reasons: str
    discharged_duty_id: int | None
    warnings: list[str]
    attendees: list[AttendeeOut]
    information: list[InformationOut]
    actions: list[ActionOut]


@router.post("/strategy-discussions", status_code=201, response_model=RecordedOut,
             responses={200: {"description": "already recorded (identical repeat)"},
                        403: {"description": "only children's social care record them"},
                        409: {"description": "source_id already used with other content"},
                        422: {"description": "invalid: field and reason"}})
def api_record_discussion(
    data: Annotated[StrategyDiscussionEvent, Body(description="as in docs/events.md")],
    session: SessionDep, principal: PrincipalDep, ctx: RulesDep, now: NowDep,
    response: Response,
) -> RecordedOut:
    """A strategy discussion as held (docs/events.md, `strategy_discussion`)."""
    accepted = accept_event(session, data=data, raw=data.model_dump(mode="json",
                                                                    exclude_unset=True),
                            via="api", principal=principal, ctx=ctx, now=now)
    if accepted.outcome == CONFLICT:
        raise HTTPException(409, f"strategy discussion {data.source_id} was already recorded "
                                 "with different content")
    if accepted.outcome == DUPLICATE:  # the same event again: the discussion it recorded
        response.status_code = 200
        accepted.discussion_id = discussion_of_event(session, event_id=accepted.event_id)
    return RecordedOut(event_id=accepted.event_id, outcome=accepted.outcome,
                       discussion_id=accepted.discussion_id, duty_ids=accepted.duty_ids)


@router.get("/strategy-discussions/{discussion_id}", response_model=DiscussionOut,
            responses={404: {"description": "no such discussion, or the agency was not in it"}})
def api_discussion(discussion_id: int, session: SessionDep, principal: PrincipalDep
                   ) -> DiscussionOut:
    view = read_discussion(session, discussion_id=discussion_id, principal=principal,
                           why="read the strategy discussion (API)")
    held = view.discussion
    return DiscussionOut(
        id=held.id, reference=held.reference, person_id=held.person_id, held_at=held.held_at,
        decision=held.decision, reasons=held.reasons, discharged_duty_id=held.duty_id,
        warnings=list(held.warnings or []),
        attendees=[AttendeeOut(name=a.name, role=a.role, agency=a.agency_id)
                   for a in view.attendees],
        information=[InformationOut(agency=i.agency_id, summary=i.summary)
                     for i in view.information],
        actions=[ActionOut(text=a.action.text, owner_agency=a.action.owner_agency_id,
                           owner_name=a.action.owner_name, due_on=a.action.due_on,
                           duty_id=a.action.duty_id,
                           status=a.duty.status if a.duty else None) for a in view.actions])
