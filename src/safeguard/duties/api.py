"""JSON API over duties."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from safeguard.casework.service import discharge
from safeguard.duties.schemas import DischargeIn, DutyKindOut, DutyOut, duties_out, kinds_out
from safeguard.duties.service import DutyFilter, list_duties, view_duty
from safeguard.web.deps import NowDep, PrincipalDep, RulesDep, SessionDep

router = APIRouter(prefix="/api/v1/duties", tags=["duties"])

StatusQuery = Literal["open", "breached", "discharged", "undischarged"]
HeldQuery = Literal["me", "teams", "nobody"]


@router.get("", response_model=list[DutyOut])
def api_list_duties(
    session: SessionDep, principal: PrincipalDep, now: NowDep,
    status: Annotated[StatusQuery | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
    overdue: bool = False,
    held: Annotated[HeldQuery | None, Query(
        description="who holds it: `me` or `teams` (a signed-in person's own, or their "
                    "teams'), or `nobody`")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DutyOut]:
    """Duties the caller's agency owns or is partner in, by due time."""
    # "Mine" is a person's: an API key holds no duty, so it is refused `me` and `teams`.
    held_for = principal.id if principal.kind == "user" else None
    # A duty's reason names the child: listing duties reads personal data (audited).
    duties, _ = list_duties(session, principal=principal, now=now, limit=limit, offset=offset,
                            filters=DutyFilter(status=status, kind=kind, overdue=overdue,
                                               held=held, held_for=held_for),
                            why="API duty list")
    return duties_out(session, duties, now=now)


@router.get("/kinds", response_model=list[DutyKindOut])
def api_duty_kinds(principal: PrincipalDep) -> list[DutyKindOut]:
    """Every kind of duty as declared: owner, partner, clock, who discharges it and with
    which outcomes, what a share of it carries."""
    return kinds_out()


@router.get("/{duty_id}", response_model=DutyOut)
def api_get_duty(duty_id: int, session: SessionDep, principal: PrincipalDep,
                 now: NowDep) -> DutyOut:
    duty = view_duty(session, duty_id=duty_id, principal=principal, why="API duty read")
    return duties_out(session, [duty], now=now)[0]


@router.post("/{duty_id}/discharge", response_model=DutyOut)
def api_discharge(duty_id: int, body: DischargeIn, session: SessionDep,
                  principal: PrincipalDep, now: NowDep, ctx: RulesDep) -> DutyOut:
    """Discharge a duty: acknowledge a share, record a decision, referral or review (the
    outcomes each kind takes are listed at /api/v1/duties/kinds). An agency that receives
    shares by webhook acknowledges them only by signed acknowledgement
    (`POST /api/v1/shares/{id}/acknowledgement`): its API keys get 403 here for a share."""
    duty = discharge(session, duty_id=duty_id, principal=principal, now=now, ctx=ctx,
                     outcome=body.outcome, note=body.note)
    return duties_out(session, [duty], now=now)[0]
