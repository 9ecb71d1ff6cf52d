"""The public protection unit's pages: the caseload board, capacity and one offender.

Police public protection unit only (offenders.access.require_unit): anyone else is refused
and the refusal audited, whatever their agency or role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from safeguard.config import Settings
from safeguard.offenders.access import require_unit
from safeguard.offenders.board import BOARD_LIMIT, board, managers, offender_page
from safeguard.offenders.capacity import capacity
from safeguard.offenders.chart import staffing_chart
from safeguard.rules.catalogue import KINDS
from safeguard.rules.offenders import RISK_WORDS
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)
RISK_COLOURS = {"very_high": "red", "high": "orange", "medium": "yellow", "low": "grey"}
SECTIONS = (("board", "Caseload board", "/offenders"),
            ("capacity", "Capacity", "/offenders/capacity"))


def _sections(active: str) -> list[dict[str, Any]]:
    return [{"text": text, "href": href, "active": key == active}
            for key, text, href in SECTIONS]


def _common(active: str) -> dict[str, Any]:
    return {"nav": "offenders", "sections": _sections(active), "risk_words": RISK_WORDS,
            "risk_colours": RISK_COLOURS}


@router.get("/offenders", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
               manager: str = "", overdue: str = "") -> HTMLResponse:
    require_unit(principal)
    settings: Settings = request.app.state.settings
    figures = capacity(session, now=now, settings=settings.offenders)
    rows, total = board(session, principal=principal, now=now, manager=manager.strip() or None,
                        overdue_only=overdue == "1")
    return render(request, "offenders/board.html", {
        **_common("board"), "figures": figures, "rows": rows, "total": total,
        "limit": BOARD_LIMIT, "now": now,
        "manager_items": [{"value": "", "text": "All managers"}] + [
            {"value": m, "text": m, "selected": m == manager.strip()}
            for m in managers(session, now=now)],
        "query": {"manager": manager.strip(), "overdue": overdue == "1"},
    }, principal=principal)


@router.get("/offenders/capacity", response_class=HTMLResponse)
def capacity_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep
                  ) -> HTMLResponse:
    require_unit(principal)
    settings: Settings = request.app.state.settings
    figures = capacity(session, now=now, settings=settings.offenders)
    return render(request, "offenders/capacity.html", {
        **_common("capacity"), "figures": figures,
        "chart": staffing_chart(figures.months, figures.officers),
    }, principal=principal)


@router.get("/offenders/{registration_id}", response_class=HTMLResponse)
def offender(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
             registration_id: int) -> HTMLResponse:
    page = offender_page(session, principal=principal, registration_id=registration_id)
    return render(request, "offenders/detail.html", {
        **_common("board"), "page": page, "reg": page.registration, "now": now,
        "kinds": KINDS,
        "timeline": _timeline(page.registration.registered_at, page),
    }, principal=principal)


def _timeline(registered_at: datetime, page: Any) -> list[dict[str, Any]]:
    """Everything on the registration, newest first."""
    items: list[dict[str, Any]] = [{"label": "Registered", "datetime": registered_at,
                                    "text": page.registration.conviction}]
    items += [{"label": "Assessment", "datetime": a.at, "text": a.changes}
              for a in page.assessments]
    items += [{"label": "Home visit" if v.home_visit else "Visit", "datetime": v.visited_at,
               "byline": v.by, "text": (v.concerns or "No concerns recorded.")
               + (f" Children present: {v.children_present}." if v.children_present else "")}
              for v in page.visits]
    items += [{"label": f"Notification: {n.kind.replace('_', ' ')}", "datetime": n.notified_at,
               "text": f"Notified {n.days_late} day{'s' if n.days_late != 1 else ''} late."
               if n.days_late else "Notified in time."} for n in page.notifications]
    items += [{"label": f"Child linked: {c.name}", "datetime": c.found_at,
               "text": c.found_from} for c in page.children]
    return sorted(items, key=lambda item: item["datetime"], reverse=True)
