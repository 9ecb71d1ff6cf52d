"""Work queues, holders and assignments as the JSON API shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from safeguard.access.names import Names
from safeguard.duties.assignment import Assigned, Holder, holders
from safeguard.duties.models import BREACHED, Duty
from safeguard.duties.schemas import DutyOut, duties_out
from safeguard.work.service import Load

MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing


class HolderOut(BaseModel):
    user_id: int | None
    team_id: int | None
    name: str


class WorkItemOut(DutyOut):
    breached: bool
    holder: HolderOut | None


class AssignIn(BaseModel):
    """One of `to_user_id` and `to_team_id`; a reason when taking the duty from its holder."""

    to_user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    to_team_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    reason: str | None = Field(default=None, max_length=2000)


class AssignedOut(BaseModel):
    duty_id: int
    action: str
    holder: HolderOut
    previous: HolderOut | None
    by: str
    by_name: str
    reason: str | None
    at: datetime


class LoadOut(BaseModel):
    holder: str  # user-<id> | team-<id> | nobody
    kind: str
    name: str
    open: int
    due_today: int
    breached: int


def holder_out(holder: Holder | None) -> HolderOut | None:
    return None if holder is None else HolderOut(user_id=holder.user_id, team_id=holder.team_id,
                                                 name=holder.name)


def work_out(session: Session, duties: Sequence[Duty], *, now: datetime) -> list[WorkItemOut]:
    held = holders(session, [d.id for d in duties])
    return [WorkItemOut(**out.model_dump(), breached=duty.status == BREACHED or out.overdue,
                        holder=holder_out(held.get(duty.id)))
            for duty, out in zip(duties, duties_out(session, duties, now=now), strict=True)]


def assigned_out(session: Session, done: Assigned) -> AssignedOut:
    holder = holder_out(done.holder)
    assert holder is not None
    return AssignedOut(duty_id=done.duty_id, action=done.action, holder=holder,
                       previous=holder_out(done.previous), by=done.by,
                       by_name=Names(session).actor(done.by), reason=done.reason, at=done.at)


def loads_out(loads: Sequence[Load]) -> list[LoadOut]:
    return [LoadOut(holder=load.key, kind=load.kind, name=load.name, open=load.open,
                    due_today=load.due_today, breached=load.breached) for load in loads]
