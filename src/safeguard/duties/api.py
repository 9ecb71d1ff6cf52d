"""JSON API over duties."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
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
    # A duty's reason names the child: listing duties reads personal data.
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({d.subject_person_id for d in duties}), why="API duty list")
    return duties_out(session, duties, now=now)


@router.get("/{duty_id}", response_model=DutyOut)
def api_get_duty(duty_id: int, session: SessionDep, principal: PrincipalDep,
                 now: NowDep) -> DutyOut:
    duty = get_duty(session, duty_id=duty_id, principal=principal)
    audit(session, principal=principal, action="read", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id, why="API duty read")
    return duties_out(session, [duty], now=now)[0]


@router.post("/{duty_id}/discharge", response_model=DutyOut)
def api_discharge(duty_id: int, body: DischargeIn, session: SessionDep,
                  principal: PrincipalDep, now: NowDep) -> DutyOut:
    """Discharge a duty: acknowledge a share, record a decision, referral or review."""
    duty = discharge(session, duty_id=duty_id, principal=principal, now=now,
                     outcome=body.outcome, note=body.note)
    audit(session, principal=principal, action="write", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id, why="API discharge")
    return duties_out(session, [duty], now=now)[0]
