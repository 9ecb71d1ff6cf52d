"""The forensics queue's JSON: the backlog's figures and forecast, for the police only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from safeguard.forensics.queue import (
    MAX_EXTRA_EXAMINERS,
    backlog,
    backlog_document,
    require_police,
)
from safeguard.web.deps import NowDep, PrincipalDep, RulesDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["forensics"])


@router.get("/forensics/backlog",
            responses={403: {"description": "not the police"}})
def api_backlog(session: SessionDep, principal: PrincipalDep, now: NowDep, rules: RulesDep,
                extra_examiners: int = Query(0, ge=0, le=MAX_EXTRA_EXAMINERS)
                ) -> dict[str, Any]:
    """Devices waiting by priority (oldest and median age, breaches), the rates of the last
    90 days, when the backlog clears, whether each clock is met, the examiners needed, and the
    queue's length month by month with its projection (as `safeguard forensics backlog`)."""
    require_police(principal)
    return backlog_document(backlog(session, now=now, settings=rules.forensics,
                                    extra_examiners=extra_examiners))
