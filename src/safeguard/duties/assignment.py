"""Who holds a duty: a person or a team of the owning agency. A user claims a duty for
themselves; a supervisor or manager assigns one to a colleague or a team; taking a duty from
whoever holds it (a reassignment) needs a reason. Every change is a transition in the duty's
history and an audit entry, and `assign_duty` is the one function that makes it, so whatever
must follow an assignment (telling the new holder) is called beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Role, Team, TeamMember, User
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.duties.models import DISCHARGED, Duty, DutyHolder, DutyTransition
from safeguard.duties.service import get_duty
from safeguard.errors import Conflict, Forbidden, Invalid

MANAGING_ROLES = (Role.SUPERVISOR.value, Role.SENIOR_MANAGER.value)
REASON_MAX = 2000


@dataclass(frozen=True)
class Holder:
    """A duty's holder as shown: a person or a team, by name."""

    user_id: int | None
    team_id: int | None
    name: str

    @property
    def key(self) -> str:
        """How a form names a holder: "user-5" or "team-2"."""
        return f"user-{self.user_id}" if self.user_id is not None else f"team-{self.team_id}"


@dataclass(frozen=True)
class Assigned:
    """What an assignment did: enough for whatever is told of it (the new holder, the kind)."""

    duty_id: int
    kind: str
    action: str  # claimed | assigned | reassigned
    holder: Holder
    previous: Holder | None
    by: str
    reason: str | None
    at: datetime


def manages(principal: Principal) -> bool:
    return any(principal.has_role(role) for role in MANAGING_ROLES)


def acts_for_owner(principal: Principal, duty: Duty) -> bool:
    """A person of the owning agency, with the role the duty asks if it asks one."""
    return (principal.kind == "user" and principal.agency_id == duty.owner_agency_id
            and (duty.owner_role is None or principal.has_role(duty.owner_role)))


def may_hold(duty: Duty, user: User) -> bool:
    """Only an active user of the owning agency, with the role the duty asks if it asks one."""
    return (user.active and user.agency_id == duty.owner_agency_id
            and (duty.owner_role is None or duty.owner_role in user.roles.split()))


def holders(session: Session, duty_ids: list[int]) -> dict[int, Holder]:
    """The holder of each of these duties that has one."""
    if not duty_ids:
        return {}
    rows = session.execute(
        select(DutyHolder.duty_id, DutyHolder.user_id, DutyHolder.team_id, User.display_name,
               Team.name)
        .outerjoin(User, User.id == DutyHolder.user_id)
        .outerjoin(Team, Team.id == DutyHolder.team_id)
        .where(DutyHolder.duty_id.in_(duty_ids)))
    return {duty_id: Holder(user_id, team_id, person or team or "")
            for duty_id, user_id, team_id, person, team in rows}


def team_ids_of(session: Session, *, user_id: int) -> list[int]:
    return list(session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id)
                                .order_by(TeamMember.team_id)))


def choices(session: Session, *, duty: Duty) -> list[Holder]:
    """Whom a duty may be given to: the owning agency's teams, then its users who may hold it."""
    teams = session.scalars(select(Team).where(Team.agency_id == duty.owner_agency_id)
                            .order_by(Team.name))
    users = session.scalars(select(User).where(User.agency_id == duty.owner_agency_id,
                                               User.active.is_(True))
                            .order_by(User.display_name, User.id))
    return [*(Holder(None, t.id, t.name) for t in teams),
            *(Holder(u.id, None, u.display_name) for u in users if may_hold(duty, u))]


def _target(session: Session, duty: Duty, to_user_id: int | None, to_team_id: int | None
            ) -> Holder:
    if (to_user_id is None) == (to_team_id is None):
        raise Invalid("assign the duty to one person or one team")
    if to_user_id is not None:
        user = session.get(User, to_user_id)
        if user is None or not may_hold(duty, user):
            raise Invalid("only a user of the owning agency who may act on the duty can "
                          "hold it")
        return Holder(user.id, None, user.display_name)
    team = session.get(Team, to_team_id)
    if team is None or team.agency_id != duty.owner_agency_id:
        raise Invalid("only a team of the owning agency can hold the duty")
    return Holder(None, team.id, team.name)


def assign_duty(
    session: Session, *, duty_id: int, by: Principal, now: datetime,
    to_user_id: int | None = None, to_team_id: int | None = None, reason: str | None = None,
) -> Assigned:
    """Give an undischarged duty to a person or a team of its owning agency.

    A user may take a duty for themselves (claim it) when nobody or one of their teams holds
    it; giving it to anyone else is for a supervisor or manager. Taking it from the person or
    team holding it is a reassignment and needs a reason. Returns what was done; assigning
    a duty to its present holder changes nothing (and records nothing).
    """
    duty = get_duty(session, duty_id=duty_id, principal=by)
    if by.agency_id != duty.owner_agency_id:
        raise Forbidden(f"only {duty.owner_agency_id} assigns duty {duty_id}")
    if duty.status == DISCHARGED:
        raise Conflict(f"duty {duty_id} was discharged at {duty.discharged_at}: nobody "
                       "holds it now")
    target = _target(session, duty, to_user_id, to_team_id)
    for_self = by.kind == "user" and target.user_id == by.id
    if not for_self and not manages(by):
        raise Forbidden("only a supervisor or manager assigns a duty to someone else")
    # The duty's row is locked first (PostgreSQL), so two claims at once queue here and the
    # second sees the first's holder instead of inserting a second row.
    session.execute(select(Duty.id).where(Duty.id == duty.id).with_for_update())
    row = session.get(DutyHolder, duty.id, populate_existing=True)
    previous = holders(session, [duty.id]).get(duty.id) if row is not None else None
    if previous is not None and previous.key == target.key:
        return Assigned(duty.id, duty.kind, "unchanged", target, previous, by.actor, None, now)
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > REASON_MAX:
        raise Invalid(f"the reason must be {REASON_MAX} characters or fewer")
    if reason is not None and any(ord(c) < 32 for c in reason):
        raise Invalid("the reason must not hold control characters")
    from_team = previous is not None and previous.team_id is not None and for_self and (
        previous.team_id in team_ids_of(session, user_id=by.id))
    if previous is None or from_team:
        action = "claimed" if for_self else "assigned"
    else:
        action = "reassigned"
        if reason is None:
            raise Invalid(f"give a reason for taking the duty from {previous.name}")
    if row is None:
        session.add(DutyHolder(duty_id=duty.id, user_id=target.user_id,
                               team_id=target.team_id, since=now, by=by.actor))
    else:
        row.user_id, row.team_id, row.since, row.by = target.user_id, target.team_id, now, by.actor
    words = _words(action, target, previous)
    note = f"{words}: {reason}" if reason else words
    session.add(DutyTransition(duty_id=duty.id, at=now, action=action, from_status=duty.status,
                               to_status=duty.status, actor=by.actor, note=note))
    audit(session, principal=by, action="write", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id, why=f"duty {note[0].lower()}{note[1:]}")
    session.flush()
    return Assigned(duty.id, duty.kind, action, target, previous, by.actor, reason, now)


def _words(action: str, target: Holder, previous: Holder | None) -> str:
    if action == "claimed":
        return f"Claimed by {target.name}" + (f" from {previous.name}" if previous else "")
    return f"{action.capitalize()} to {target.name}" + (
        f" from {previous.name}" if previous else "")


def claim_duty(session: Session, *, duty_id: int, by: Principal, now: datetime) -> Assigned:
    """The signed-in user takes the duty: one nobody holds, or one a team of theirs holds. A
    duty another person or team holds is theirs until a supervisor reassigns it."""
    if by.kind != "user":
        raise Forbidden("only a person claims a duty")
    held = holders(session, [duty_id]).get(duty_id)
    if held is not None and held.user_id != by.id and (
            held.team_id not in team_ids_of(session, user_id=by.id)):
        get_duty(session, duty_id=duty_id, principal=by)  # "not found" before "held by"
        raise Conflict(f"{held.name} holds this duty: a supervisor may reassign it")
    return assign_duty(session, duty_id=duty_id, by=by, now=now, to_user_id=by.id)
