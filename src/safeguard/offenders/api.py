"""JSON API of the register: the unit's capacity figures (aggregates), for the public
protection unit's keys and users only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from safeguard.config import Settings
from safeguard.offenders.access import require_unit
from safeguard.offenders.capacity import capacity
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/offenders", tags=["offenders"])


@router.get("/capacity")
def capacity_figures(request: Request, session: SessionDep, principal: PrincipalDep,
                     now: NowDep) -> dict[str, Any]:
    """Caseloads per offender manager against the target, visits overdue and due in 30 and
    90 days, and home visits due, made and projected per month with the officers they need,
    as `safeguard offenders capacity --json` prints them."""
    require_unit(principal)
    settings: Settings = request.app.state.settings
    return capacity(session, now=now, settings=settings.offenders).as_json()
