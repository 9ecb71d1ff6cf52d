"""Work queues: the duties a user holds ("My work"), the duties their teams hold and their
teammates hold ("My team's work"), and a supervisor's view of who holds what and what is
breaching. Undischarged duties only, due soonest first; the reading of a list that names
children is audited, as the duties list's is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Team, TeamMember, User
from safeguard.access.service import Principal
from safeguard.accounts.teams import members
from safeguard.audit.service import record_many
from safeguard.duties.assignment import Assigned, assign_duty, manages, team_ids_of
from safeguard.duties.models import BREACHED, OPEN, Duty, DutyHolder
from safeguard.duties.service import visible_to
from safeguard.errors import Forbidden, Invalid
from safeguard.notify.models import Reason
from safeguard.notify.service import enqueue_duty_email
from safeguard.workdays import LONDON

LIMIT = 500
HolderKind = Literal["user", "team", "nobody"]


def _person(principal: Principal) -> int:
    if principal.kind != "user":
        raise Forbidden("only a signed-in person has work of their own")
    return principal.id


def _undischarged(principal: Principal) -> ColumnElement[bool]:
    return and_(Duty.status.in_((OPEN, BREACHED)), Duty.owner_agency_id == principal.agency_id,
                visible_to(principal))


def _listed(session: Session, principal: Principal, where: ColumnElement[bool], why: str
            ) -> list[Duty]:
    duties = list(session.scalars(
        select(Duty).join(DutyHolder, DutyHolder.duty_id == Duty.id, isouter=True)
        .where(_undischarged(principal), where)
        .order_by(Duty.due_at, Duty.id).limit(LIMIT)))
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({d.subject_person_id for d in duties
                                   if d.subject_person_id is not None}), why=why)
    return duties


def my_work(session: Session, *, principal: Principal) -> list[Duty]:
    """The undischarged duties the user holds, due soonest first."""
    return _listed(session, principal, DutyHolder.user_id == _person(principal),
                   "listed in My work")


@dataclass(frozen=True)
class TeamWork:
    teams: list[Team]
    duties: list[Duty]


def team_work(session: Session, *, principal: Principal) -> TeamWork:
    """The undischarged duties the user's teams hold, and those their teammates hold."""
    team_ids = team_ids_of(session, user_id=_person(principal))
    teams = list(session.scalars(select(Team).where(Team.id.in_(team_ids))
                                 .order_by(Team.name))) if team_ids else []
    if not teams:
        return TeamWork([], [])
    mates = select(TeamMember.user_id).where(TeamMember.team_id.in_(team_ids))
    return TeamWork(teams, _listed(
        session, principal, or_(DutyHolder.team_id.in_(team_ids),
                                DutyHolder.user_id.in_(mates)), "listed in My team's work"))


@dataclass(frozen=True)
class Load:
    """What one holder (a person, a team, or nobody) has: undischarged, due today (and not
    yet overdue), breached (past due, or marked so by the worker)."""

    kind: HolderKind
    id: int | None
    name: str
    open: int
    due_today: int
    breached: int

    @property
    def key(self) -> str:
        return "nobody" if self.kind == "nobody" else f"{self.kind}-{self.id}"


def _end_of_today(now: datetime) -> datetime:
    today = now.astimezone(LONDON).date()
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=LONDON)


def _require_manager(principal: Principal) -> None:
    if not manages(principal):
        raise Forbidden("only a supervisor or manager sees who holds what")


def supervision(session: Session, *, principal: Principal, now: datetime) -> list[Load]:
    """Per person and team of the agency (and the duties nobody holds): how many undischarged
    duties, how many due today, how many breached. Counts only: no child is named."""
    _require_manager(principal)
    end = _end_of_today(now)
    overdue = or_(Duty.status == BREACHED, Duty.due_at < now)
    rows = session.execute(
        select(DutyHolder.user_id, DutyHolder.team_id, func.count(),
               func.sum(case((and_(Duty.due_at >= now, Duty.due_at < end,
                                   Duty.status == OPEN), 1), else_=0)),
               func.sum(case((overdue, 1), else_=0)))
        .select_from(Duty).join(DutyHolder, DutyHolder.duty_id == Duty.id, isouter=True)
        .where(_undischarged(principal))
        .group_by(DutyHolder.user_id, DutyHolder.team_id)).all()
    counts = {(user_id, team_id): (n, int(today or 0), int(late or 0))
              for user_id, team_id, n, today, late in rows}
    teams = session.scalars(select(Team).where(Team.agency_id == principal.agency_id)
                            .order_by(Team.name))
    people = session.execute(select(User.id, User.display_name).where(User.id.in_(
        [user_id for user_id, _ in counts if user_id is not None]))
        .order_by(User.display_name, User.id)).all()
    loads = [Load("team", t.id, t.name, *counts.get((None, t.id), (0, 0, 0))) for t in teams]
    loads += [Load("user", user_id, name, *counts[(user_id, None)]) for user_id, name in people]
    loads.append(Load("nobody", None, "Nobody yet", *counts.get((None, None), (0, 0, 0))))
    return loads


def parse_holder(text: str) -> tuple[HolderKind, int | None]:
    """"user-5", "team-2" or "nobody" (a form's or a link's way of naming a holder)."""
    if text == "nobody":
        return "nobody", None
    kind, _, number = text.partition("-")
    if kind in ("user", "team") and number.isdigit() and len(number) < 10:
        return ("user" if kind == "user" else "team"), int(number)
    raise Invalid("a holder is user-<id>, team-<id> or nobody")


def held_by(session: Session, *, principal: Principal, holder: str) -> list[Duty]:
    """A supervisor's look at one holder's undischarged duties (from the supervision view)."""
    _require_manager(principal)
    kind, number = parse_holder(holder)
    where = (DutyHolder.duty_id.is_(None) if kind == "nobody"
             else DutyHolder.user_id == number if kind == "user" else DutyHolder.team_id == number)
    return _listed(session, principal, where, "listed in the supervision view")


def assign_and_tell(
    session: Session, *, duty_id: int, by: Principal, now: datetime,
    to_user_id: int | None = None, to_team_id: int | None = None, reason: str | None = None,
) -> Assigned:
    """Assign a duty (duties.assignment.assign_duty) and email whoever now holds it — the
    person, or each member of the team — if they chose to be told; never the person who gave
    it (a claim tells nobody). In the caller's transaction, so no email goes for an
    assignment that was rolled back."""
    done = assign_duty(session, duty_id=duty_id, by=by, now=now, to_user_id=to_user_id,
                       to_team_id=to_team_id, reason=reason)
    if done.action == "claimed" or done.previous == done.holder:
        return done
    told = ([done.holder.user_id] if done.holder.user_id is not None else
            [user.id for user in members(session, team_id=done.holder.team_id or 0)])
    duty = session.get(Duty, duty_id)
    for user_id in told:
        if duty is not None and not (by.kind == "user" and user_id == by.id):
            enqueue_duty_email(session, user_id=user_id, duty=duty, reason=Reason.ASSIGNED,
                               now=now)
    return done
