"""Find anyone (/search, and the box in every page's header) and the incident list."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safeguard.search.incidents import KINDS, RISKS, IncidentFilters, list_incidents
from safeguard.search.service import SEARCH_LIMIT, search
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                q: str = "") -> HTMLResponse:
    found = search(session, principal=principal, query=q, now=now)
    ctx: dict[str, Any] = {"q": found.query, "found": found, "limit": SEARCH_LIMIT,
                           "nav": "search"}
    if is_htmx(request):
        return render(request, "search/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "search/search.html", ctx, principal=principal)


def _day(text: str) -> date | None:
    """A filter's date, or None for none or one that is no date (or none incidents have:
    the clocks work between 1900 and 2100, events.fields)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and 1900 <= day.year < 2100 else None


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                   start: str = "", end: str = "", kind: str = "", risk: str = "",
                   area: str = "", children: str = "") -> HTMLResponse:
    filters = IncidentFilters(
        start=_day(start), end=_day(end), kind=kind if kind in KINDS else None,
        risk=risk if risk in RISKS else None,
        area=" ".join(area.upper().split())[:8] or None, with_children=children == "yes")
    rows = list_incidents(session, principal=principal, filters=filters, now=now)
    return render(request, "search/incidents.html", {
        "rows": rows, "filters": filters, "kinds": KINDS, "risks": RISKS, "nav": "incident-list",
        "bad_dates": [name for name, text, day in (("start", start, filters.start),
                                                   ("end", end, filters.end))
                      if text and day is None],
    }, principal=principal)
