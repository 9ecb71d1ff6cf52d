"""Custody pages: the board of children in custody now and one detention's timeline.

The board's filters are a plain GET form (bookmarkable, no JavaScript needed); with htmx the
results swap in place and refresh every minute, so the clocks stay live on a suite's screen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safeguard.custody.board import STAGES, board, require_board, suites, view_detention
from safeguard.duties.presenters import is_overdue, relative_due
from safeguard.rules.catalogue import KINDS
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

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
        "htmx": is_htmx(request), "now": now, "nav": "custody"}
    template = "custody/_board.html" if ctx["htmx"] else "custody/board.html"
    return render(request, template, ctx, principal=principal)


@router.get("/custody/{detention_id}", response_class=HTMLResponse)
def detention_page(request: Request, detention_id: int, session: SessionDep,
                   principal: UserDep, now: NowDep) -> HTMLResponse:
    view = view_detention(session, principal=principal, detention_id=detention_id)
    duties = [(duty, KINDS[duty.kind].title, relative_due(duty, now), is_overdue(duty, now),
               KINDS[duty.kind].outcome_words.get(duty.outcome or "", duty.outcome or ""))
              for duty in view.duties]
    return render(request, "custody/detention.html", {
        "view": view, "duties": duties, "step_words": STEP_WORDS, "now": now,
        "nav": "custody"}, principal=principal)
