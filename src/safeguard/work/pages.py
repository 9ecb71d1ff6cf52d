"""Work pages: My work, My team's work, and a supervisor's view of who holds what and what
is breaching. Tables fit a phone: below tablet width each row stacks into a card
(`app-responsive-table`, each cell labelled by its column)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.duties.assignment import Holder, holders, team_ids_of
from safeguard.duties.models import BREACHED, Duty
from safeguard.duties.presenters import DutyRow, duty_rows
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import render
from safeguard.work.service import held_by, my_work, parse_holder, supervision, team_work

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class WorkRow:
    row: DutyRow
    holder: Holder | None
    breached: bool
    claimable: bool


def work_rows(session: Session, duties: list[Duty], *, principal: Principal, now: datetime
              ) -> list[WorkRow]:
    held = holders(session, [d.id for d in duties])
    mine = set(team_ids_of(session, user_id=principal.id))
    return [WorkRow(row, held.get(row.duty.id), row.duty.status == BREACHED or row.overdue,
                    claimable=(h := held.get(row.duty.id)) is not None and h.team_id in mine)
            for row in duty_rows(session, duties, now=now)]


def _counts(rows: list[WorkRow]) -> dict[str, int]:
    return {"total": len(rows), "breached": sum(r.breached for r in rows)}


@router.get("/work", response_class=HTMLResponse)
def my_work_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                 claimed: str = "") -> HTMLResponse:
    rows = work_rows(session, my_work(session, principal=principal), principal=principal,
                     now=now)
    claimed_row = next((r for r in rows if str(r.row.duty.id) == claimed), None)
    return render(request, "work/mine.html", {
        "rows": rows, **_counts(rows), "claimed": claimed_row, "nav": "work",
        "tab": "mine"}, principal=principal)


@router.get("/work/team", response_class=HTMLResponse)
def team_work_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                   claimed: str = "") -> HTMLResponse:
    work = team_work(session, principal=principal)
    rows = work_rows(session, work.duties, principal=principal, now=now)
    return render(request, "work/team.html", {
        "rows": rows, **_counts(rows), "teams": work.teams, "claimed": claimed.isdigit(),
        "nav": "work", "tab": "team"}, principal=principal)


@router.get("/work/supervision", response_class=HTMLResponse)
def supervision_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                     holder: str = "") -> HTMLResponse:
    loads = supervision(session, principal=principal, now=now)
    ctx: dict[str, Any] = {"loads": loads, "nav": "work", "tab": "supervision",
                           "chosen": None, "rows": []}
    if holder:
        parse_holder(holder)  # a malformed holder is a 422, not an empty list
        ctx["chosen"] = next((load for load in loads if load.key == holder), None)
        if ctx["chosen"] is not None:
            ctx["rows"] = work_rows(session, held_by(session, principal=principal,
                                                     holder=holder),
                                    principal=principal, now=now)
    return render(request, "work/supervision.html", ctx, principal=principal)
