"""Custody pages: the board of children in custody now and one detention's timeline.

The board's filters are a plain GET form (bookmarkable, no JavaScript needed); with htmx the
results swap in place and refresh every minute, so the clocks stay live on a suite's screen.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from safeguard.access.service import Principal
from safeguard.custody.board import (
    STAGES,
    DetentionView,
    board,
    figures,
    require_board,
    suites,
    view_detention,
)
from safeguard.duties.presenters import is_overdue, relative_due
from safeguard.duties.service import may_see
from safeguard.errors import Invalid
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.intake.service import accept_event
from safeguard.rules.catalogue import KINDS
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
# The board's figures look back this far.
FIGURES_DAYS = 30

STEP_WORDS = {
    "parent_informed": "Parent or responsible person told",
    "appropriate_adult_requested": "Appropriate adult requested",
    "appropriate_adult_arrived": "Appropriate adult arrived",
    "review": "Detention reviewed (PACE s40)",
    "extension_authorised": "Continued detention authorised",
    "charged": "Charged", "bail_granted": "Bail granted", "bail_refused": "Bail refused",
    "transfer_requested": "Local authority accommodation requested",
    "la_response": "Council's answer", "transferred": "Moved to local authority accommodation",
    "certificate": "Custody officer's certificate (PACE s38(6))", "released": "Released",
    "taken_to_court": "Taken to court",
}


@router.get("/custody", response_class=HTMLResponse)
def custody_board(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                  suite: str = "", stage: str = "", overdue: str = "") -> HTMLResponse:
    require_board(principal)
    known = suites(session)
    suite = suite if suite in known else ""
    stage = stage if stage in dict(STAGES) else ""
    rows = board(session, principal=principal, now=now, suite=suite, stage=stage,
                 overdue_only=bool(overdue))
    query = urlencode({k: v for k, v in (("suite", suite), ("stage", stage),
                                         ("overdue", "1" if overdue else "")) if v})
    ctx: dict[str, Any] = {
        "rows": [(row, relative_due(row.next_duty, now) if row.next_duty else "",
                  KINDS[row.next_duty.kind].title if row.next_duty else "") for row in rows],
        "suites": known, "suite": suite, "stages": STAGES, "stage": stage,
        "overdue": bool(overdue), "refresh_url": "/custody" + (f"?{query}" if query else ""),
        "htmx": is_htmx(request), "now": now, "nav": "custody",
        "figures": figures(session, since=now - timedelta(days=FIGURES_DAYS), until=now)}
    template = "custody/_board.html" if ctx["htmx"] else "custody/board.html"
    return render(request, template, ctx, principal=principal)


@router.get("/custody/{detention_id}", response_class=HTMLResponse)
def detention_page(request: Request, detention_id: int, session: SessionDep,
                   principal: UserDep, now: NowDep, recorded: str = "") -> HTMLResponse:
    view = view_detention(session, principal=principal, detention_id=detention_id)
    return _detention(request, view, principal, now, recorded=recorded)


def _detention(request: Request, view: DetentionView, principal: Principal, now: Any, *,
               recorded: str = "", form: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    duties = [(duty, KINDS[duty.kind].title, relative_due(duty, now), is_overdue(duty, now),
               KINDS[duty.kind].outcome_words.get(duty.outcome or "", duty.outcome or ""),
               may_see(principal, duty)) for duty in view.duties]
    return render(request, "custody/detention.html", {
        "view": view, "duties": duties, "step_words": STEP_WORDS, "now": now,
        "steps": _steps_for(principal, view), "recorded": STEP_WORDS.get(recorded, ""),
        "form": form or {}, "field_errors": errors or {},
        "errors": [{"text": text, "href": f"#{name}"} for name, text in (errors or {}).items()],
        "nav": "custody"}, principal=principal, status_code=status_code)


def _steps_for(principal: Principal, view: DetentionView) -> list[tuple[str, str]]:
    """The steps the principal's agency records on this page: the police every step but the
    council's answer, the council only its answer (once a transfer is asked for)."""
    if view.detention.ended_step is not None and view.detention.ended_step != "bail_granted":
        return []
    if principal.records_for("police"):
        return [(step, words) for step, words in STEP_WORDS.items() if step != "la_response"]
    if principal.records_for("childrens_social_care") and \
            view.detention.transfer_requested_at is not None:
        return [("la_response", STEP_WORDS["la_response"])]
    return []


STEP_FIELDS = ("step", "details", "inspector", "accommodation", "offered", "reason",
               "explanation")


@router.post("/custody/{detention_id}/steps", dependencies=[CsrfDep], response_model=None)
def record_step(
    request: Request, detention_id: int, session: SessionDep, principal: UserDep,
    now: NowDep, ctx: RulesDep, step: Annotated[str, Form()] = "",
    details: Annotated[str, Form()] = "", inspector: Annotated[str, Form()] = "",
    accommodation: Annotated[str, Form()] = "", offered: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "", explanation: Annotated[str, Form()] = "",
) -> Response:
    """A step recorded on the page, now: the same event, checks and duties as by API."""
    view = view_detention(session, principal=principal, detention_id=detention_id)
    form = dict(zip(STEP_FIELDS, (step, details, inspector, accommodation, offered, reason,
                                  explanation), strict=True))
    allowed = dict(_steps_for(principal, view))
    if step not in allowed:
        return _detention(request, view, principal, now, form=form, status_code=422,
                          errors={"step": "Select a step your agency records"})
    # Only the fields the step takes: the form shows them all.
    takes = {"review": "inspector", "transfer_requested": "accommodation",
             "la_response": "offered", "certificate": "reason"}
    payload: dict[str, Any] = {
        "event": "custody_update", "source": principal.agency_id,
        "source_id": f"WEB-{view.detention.reference}-{secrets.token_hex(4)}",
        "detention": view.detention.reference, "at": now.isoformat(), "step": step}
    if details.strip():
        payload["details"] = details
    if step in takes and form[takes[step]].strip():
        payload[takes[step]] = form[takes[step]]
    if step == "certificate" and explanation.strip():
        payload["explanation"] = explanation
    errors: dict[str, str] = {}
    try:
        data = EVENT_ADAPTER.validate_python(payload)
    except ValidationError as error:
        for path, why in describe_errors(error):
            errors.setdefault(path if path in STEP_FIELDS else takes.get(step, "step"),
                              why[:1].upper() + why[1:])
        return _detention(request, view, principal, now, form=form, errors=errors,
                          status_code=422)
    try:
        # A refused step leaves nothing behind: the stored event goes with the savepoint.
        with session.begin_nested():
            accept_event(session, data=data, raw=payload, via="form", principal=principal,
                         ctx=ctx, now=now)
    except Invalid as refused:
        text = str(refused).removeprefix("step: ")
        return _detention(request, view, principal, now, form=form, status_code=422,
                          errors={"step": text[:1].upper() + text[1:]})
    return RedirectResponse(f"/custody/{detention_id}?recorded={step}", status_code=303)
