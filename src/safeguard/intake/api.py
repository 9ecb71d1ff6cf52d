"""JSON API for recording events: one at a time, or a JSON Lines batch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from safeguard.config import Settings
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.events.service import CONFLICT, DUPLICATE
from safeguard.intake.bulk import bulk_load
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext, accept_event
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep


async def get_intake(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.rules
    return ctx


IntakeDep = Annotated[IntakeContext, Depends(get_intake)]

router = APIRouter(prefix="/api/v1", tags=["events"])


class AcceptedOut(BaseModel):
    event_id: int
    outcome: str
    incident_id: int | None
    duty_ids: list[int]
    # The shares with partner agencies the event made (each a delivery a partner can expect).
    share_ids: list[int]


@router.post("/events", status_code=201, response_model=AcceptedOut,
             responses={200: {"description": "already recorded (identical repeat)"},
                        409: {"description": "source_id already used with other content"},
                        422: {"description": "invalid event: field and reason per problem"}})
def api_record_event(
    payload: Annotated[dict[str, Any], Body(description="one event, as in docs/events.md")],
    session: SessionDep, principal: PrincipalDep, ctx: IntakeDep, now: NowDep,
) -> Any:
    try:
        data = EVENT_ADAPTER.validate_python(payload)
    except ValidationError as error:
        raise HTTPException(422, [{"field": f, "reason": r}
                                  for f, r in describe_errors(error)]) from error
    accepted = accept_event(session, data=data, raw=payload, via="api", principal=principal,
                            ctx=ctx, now=now)
    if accepted.outcome == CONFLICT:
        raise HTTPException(409, f"{data.source} event {data.source_id} was already recorded "
                                 "with different content")
    body = AcceptedOut(event_id=accepted.event_id, outcome=accepted.outcome,
                       incident_id=accepted.incident_id, duty_ids=accepted.duty_ids,
                       share_ids=accepted.share_ids)
    status = 200 if accepted.outcome == DUPLICATE else 201
    return JSONResponse(body.model_dump(), status_code=status)


@router.post("/imports", responses={200: {"description": "import summary with rejects"}})
async def api_import(
    request: Request, principal: PrincipalDep, ctx: IntakeDep, session: SessionDep,
    bulk: Annotated[bool, Query(description=(
        "link the body's person records in one batch together with the store's (the bulk "
        "load, docs/events.md); other events then go one at a time"))] = False,
) -> Any:
    """A JSON Lines body (Content-Type: application/x-ndjson). Each line lands or is reported
    (a line that is not UTF-8 too, by its number). At most `SAFEGUARD_MAX_IMPORT_LINES` lines
    (413 beyond). `?bulk=true`: the bulk load of person records, validated, audited and
    reported alike; sent again after a failure, it carries on where it stopped."""
    # Already read in full, before the request's transaction began (web.bodies).
    lines = (await request.body()).splitlines()
    settings: Settings = request.app.state.settings
    if len(lines) > settings.max_import_lines:
        raise HTTPException(413, f"{len(lines)} lines: at most {settings.max_import_lines} "
                                 "are accepted in one import; send the rest in another")
    factory: sessionmaker[Session] = request.app.state.session_factory
    # The import commits in batches of its own, off the event loop. End the request's
    # transaction first: on SQLite its write lock would otherwise block every batch.
    session.commit()
    load = bulk_load if bulk else import_lines
    summary = await run_in_threadpool(load, factory, lines, principal=principal, ctx=ctx,
                                      via="api")
    return JSONResponse(summary.as_dict(), status_code=200 if not summary.rejects else 207)
