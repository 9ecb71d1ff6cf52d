"""Information governance pages: a child's access history and unusual access."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safeguard.children.service import EXPORTED, PRINTED
from safeguard.config import Settings
from safeguard.governance.service import access_history, unusual_access, window
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.query import query_date
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

ACTIONS = {"read": "Read", "write": "Wrote", "refused": "Refused", "break_glass": "Break-glass",
           PRINTED: "Printed", EXPORTED: "Exported as a PDF"}


@router.get("/governance/access/{person_id}", response_class=HTMLResponse)
def access_page(request: Request, session: SessionDep, principal: UserDep,
                person_id: int) -> HTMLResponse:
    history = access_history(session, principal=principal, person_id=person_id)
    return render(request, "governance/access.html", {"history": history, "actions": ACTIONS,
                                                      "nav": "governance"},
                  principal=principal)


@router.get("/governance/unusual", response_class=HTMLResponse)
def unusual_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                 date_from: str = "", date_to: str = "") -> HTMLResponse:
    settings: Settings = request.app.state.settings
    start, end = query_date(date_from), query_date(date_to)
    errors = {name: "Enter a date like 2026-11-27" for name, text, parsed in
              (("date_from", date_from, start), ("date_to", date_to, end))
              if text.strip() and parsed is None}
    since, until = window(now, date_from=start, date_to=end,
                          days=settings.governance.window_days)
    report = unusual_access(session, principal=principal, since=since, until=until,
                            settings=settings.governance)
    return render(request, "governance/unusual.html", {
        "report": report, "actions": ACTIONS, "field_errors": errors, "nav": "governance",
        "query": {"date_from": date_from.strip(), "date_to": date_to.strip()},
    }, principal=principal)
