"""JSON API over work: the caller's queues, the supervision view, claiming and assigning."""

from __future__ import annotations

from fastapi import APIRouter

from safeguard.duties.assignment import claim_duty
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep
from safeguard.work.schemas import (
    AssignedOut,
    AssignIn,
    LoadOut,
    WorkItemOut,
    assigned_out,
    loads_out,
    work_out,
)
from safeguard.work.service import assign_and_tell, held_by, my_work, supervision, team_work

router = APIRouter(tags=["work"])


@router.get("/api/v1/work", response_model=list[WorkItemOut])
def api_my_work(session: SessionDep, principal: PrincipalDep, now: NowDep
                ) -> list[WorkItemOut]:
    """The undischarged duties the signed-in user holds, due soonest first (a user's only:
    an API key holds no work)."""
    return work_out(session, my_work(session, principal=principal), now=now)


@router.get("/api/v1/work/team", response_model=list[WorkItemOut])
def api_team_work(session: SessionDep, principal: PrincipalDep, now: NowDep
                  ) -> list[WorkItemOut]:
    """The undischarged duties the user's teams hold, and those their teammates hold."""
    return work_out(session, team_work(session, principal=principal).duties, now=now)


@router.get("/api/v1/work/supervision", response_model=list[LoadOut])
def api_supervision(session: SessionDep, principal: PrincipalDep, now: NowDep
                    ) -> list[LoadOut]:
    """Per person and team of the agency, and for duties nobody holds: open, due today,
    breached (supervisors and managers)."""
    return loads_out(supervision(session, principal=principal, now=now))


@router.get("/api/v1/work/supervision/duties", response_model=list[WorkItemOut])
def api_held_by(holder: str, session: SessionDep, principal: PrincipalDep, now: NowDep
                ) -> list[WorkItemOut]:
    """One holder's undischarged duties: `holder` is user-<id>, team-<id> or nobody."""
    return work_out(session, held_by(session, principal=principal, holder=holder), now=now)


@router.post("/api/v1/duties/{duty_id}/claim", response_model=AssignedOut)
def api_claim(duty_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
              ) -> AssignedOut:
    """The signed-in user takes a duty nobody or one of their teams holds."""
    return assigned_out(session, claim_duty(session, duty_id=duty_id, by=principal, now=now))


@router.post("/api/v1/duties/{duty_id}/assign", response_model=AssignedOut)
def api_assign(duty_id: int, body: AssignIn, session: SessionDep, principal: PrincipalDep,
               now: NowDep) -> AssignedOut:
    """Give a duty to a person or team of its owning agency (a supervisor's or manager's, or
    a user's to themselves); a reason is needed to take it from its holder."""
    done = assign_and_tell(session, duty_id=duty_id, by=principal, now=now,
                           to_user_id=body.to_user_id, to_team_id=body.to_team_id,
                           reason=body.reason)
    return assigned_out(session, done)
