"""JSON API over duties."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from safeguard.duties.schemas import DischargeIn, DutyOut, duties_out
from safeguard.duties.service import DutyFilter, discharge, get_duty, list_duties
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/duties", tags=["duties"])

StatusQuery = Literal["open", "breached", "discharged", "undischarged"]


@router.get("", response_model=list[DutyOut])
def api_list_duties(
    session: SessionDep, principal: PrincipalDep, now: NowDep,
    status: Annotated[StatusQuery | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DutyOut]:
    """Duties the caller's agency owns or is partner in, by due time."""
    duties, _ = list_duties(session, principal=principal, now=now, limit=limit, offset=offset,
                            filters=DutyFilter(status=status, kind=kind, overdue=overdue))
    return duties_out(session, duties, now=now)


@router.get("/{duty_id}", response_model=DutyOut)
def api_get_duty(duty_id: int, session: SessionDep, principal: PrincipalDep,
                 now: NowDep) -> DutyOut:
    return duties_out(session, [get_duty(session, duty_id=duty_id, principal=principal)],
                      now=now)[0]


@router.post("/{duty_id}/discharge", response_model=DutyOut)
def api_discharge(duty_id: int, body: DischargeIn, session: SessionDep,
                  principal: PrincipalDep, now: NowDep) -> DutyOut:
    """Discharge a duty: acknowledge a share, record a decision, referral or review."""
    duty = discharge(session, duty_id=duty_id, principal=principal, now=now,
                     outcome=body.outcome, note=body.note)
    return duties_out(session, [duty], now=now)[0]
