"""Missing pages: an episode with its timeline, the children missing now, and the SSDA903
missing module as CSV for the council's annual return."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.service import may_see_person
from safeguard.duties.presenters import duty_rows
from safeguard.duties.service import may_see
from safeguard.errors import Forbidden, NotFound
from safeguard.missing.views import episode_view, missing_now, ssda903_missing
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

# The live list is for the two agencies that act while a child is missing.
LIVE_LIST_AGENCIES = (AgencyKind.POLICE.value, AgencyKind.CHILDRENS_SOCIAL_CARE.value)
ENTRY_LABELS = {"report": "Reported missing", "update": "Update", "return": "Returned",
                "interview": "Return home interview",
                "still_missing": "Still missing: strategy discussion check",
                "school_check": "Still missing: school day check"}
RISK_COLOURS = {"high": "red", "medium": "purple", "low": "blue", "no_apparent_risk": "grey"}


def _indicators(indicators: list[str]) -> str:
    return ", ".join(INDICATOR_WORDS.get(i, i) for i in indicators)


def _require_live_list(principal: Principal) -> None:
    if principal.agency_id not in LIVE_LIST_AGENCIES:
        raise Forbidden("the children missing now are listed for the police and children's "
                        "social care")


@router.get("/missing", response_class=HTMLResponse)
def missing_now_page(request: Request, session: SessionDep, principal: UserDep,
                     now: NowDep) -> HTMLResponse:
    _require_live_list(principal)
    rows = missing_now(session, now=now)
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({r.episode.person_id for r in rows}),
                why="viewed the children missing now")
    return render(request, "missing/now.html", {
        "rows": rows, "risk_words": RISK_WORDS, "risk_colours": RISK_COLOURS,
        "may_export": principal.agency_id == AgencyKind.CHILDRENS_SOCIAL_CARE.value,
        # The latest collection year that has begun: it ends 31 March.
        "export_year": now.year + (1 if now.month >= 4 else 0),
        "nav": "missing"}, principal=principal)


@router.get("/missing/ssda903.csv")
def ssda903_export(session: SessionDep, principal: UserDep, year: int) -> Response:
    """The collection year ending 31 March `year`."""
    if principal.agency_id != AgencyKind.CHILDRENS_SOCIAL_CARE.value:
        raise Forbidden("the SSDA903 return is children's social care's")
    if not 2000 <= year <= 2100:
        raise NotFound(f"no SSDA903 year {year}")
    columns, rows = ssda903_missing(session, year=year)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    audit(session, principal=principal, action="read", entity="missing_export",
          entity_id=year, person_id=None,
          why=f"exported the SSDA903 missing module for {year - 1}-{year % 100:02d} "
              f"({len(rows)} episodes)")
    return Response(out.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ssda903-missing-{year}.csv"'})


@router.get("/missing/{episode_id}", response_class=HTMLResponse)
def episode_page(request: Request, episode_id: int, session: SessionDep, principal: UserDep,
                 now: NowDep) -> HTMLResponse:
    view = episode_view(session, episode_id=episode_id)
    if not may_see_person(session, principal=principal, person_id=view.person.id, now=now):
        raise NotFound(f"missing episode {episode_id} not found")
    audit(session, principal=principal, action="read", entity="missing_episode",
          entity_id=episode_id, person_id=view.person.id, why="viewed the missing episode")
    episode = view.episode
    seen = session.execute(
        select(AuditEntry.actor, AuditEntry.agency_id, AuditEntry.at)
        .where(AuditEntry.entity == "missing_episode", AuditEntry.entity_id == str(episode.id),
               AuditEntry.action == "read")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)).all()
    duties = [d for d in view.duties if may_see(principal, d)]
    timeline: list[dict[str, Any]] = [{
        "label": ENTRY_LABELS.get(e.kind, e.kind) + (
            f" — risk {RISK_WORDS.get(e.risk, e.risk)}" if e.risk else ""),
        "datetime": e.at, "byline": e.by,
        "text": " ".join(part for part in (
            e.note or "",
            f"Exploitation indicators: {_indicators(e.indicators)}." if e.indicators else "")
            if part) or None,
    } for e in reversed(view.entries)]
    return render(request, "missing/episode.html", {
        "view": view, "episode": episode, "timeline": timeline,
        "duty_rows": duty_rows(session, duties, now=now), "seen": seen,
        "risk_words": RISK_WORDS, "risk_colours": RISK_COLOURS,
        "indicators": [INDICATOR_WORDS.get(i, i) for i in episode.exploitation_indicators],
        "hours": ((episode.returned_at or now) - episode.last_seen_at).total_seconds() / 3600,
        "nav": "missing"}, principal=principal)
