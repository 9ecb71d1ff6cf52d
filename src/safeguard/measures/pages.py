"""The sharing measures page: time to acknowledge per receiving agency (a table, always)."""

from __future__ import annotations

from datetime import time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safeguard.measures.service import duration_words, percent_words, time_to_acknowledge
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.query import query_date
from safeguard.web.render import render
from safeguard.workdays import local_to_utc

router = APIRouter(include_in_schema=False)


@router.get("/measures/sharing", response_class=HTMLResponse)
def sharing_measures(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                     date_from: str = "", date_to: str = "") -> HTMLResponse:
    """Aggregates only, no personal data: every signed-in user may see them."""
    start, end = query_date(date_from), query_date(date_to)
    errors = {name: "Enter a date like 2026-11-27" for name, text, parsed in
              (("date_from", date_from, start), ("date_to", date_to, end))
              if text.strip() and parsed is None}
    measures = time_to_acknowledge(
        session, now=now, since=local_to_utc(start, time(0)) if start else None,
        until=local_to_utc(end + timedelta(days=1), time(0)) if end else None)
    longest = max((m.p90.total_seconds() for m in measures if m.p90), default=0.0)
    rows = [{
        "m": m, "median": duration_words(m.median), "p90": duration_words(m.p90),
        "max": duration_words(m.max), "within": percent_words(m.within_deadline),
        # Bar length for the optional chart: the p90 relative to the longest p90.
        "bar": round(100 * m.p90.total_seconds() / longest) if m.p90 and longest else 0,
    } for m in measures]
    return render(request, "measures/sharing.html", {
        "rows": rows, "query": {"date_from": date_from.strip(), "date_to": date_to.strip()},
        "field_errors": errors, "nav": "inbox",
    }, principal=principal)
