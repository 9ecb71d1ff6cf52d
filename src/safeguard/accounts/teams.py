"""Teams: named groups of an agency's users to which duties are assigned (the MASH police
team, the duty team). Made and staffed by the agency's administrators (or the command line),
each change audited like a change to a user; a member must be a user of the team's agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safeguard.access.models import Team, TeamMember, User
from safeguard.access.service import Principal
from safeguard.accounts.service import _check_agency, _scope
from safeguard.audit.service import record as audit
from safeguard.errors import Conflict, Invalid, NotFound

NAME_MAX = 100


def create_team(session: Session, *, principal: Principal, agency_id: str, name: str,
                now: datetime) -> Team:
    agency = _check_agency(session, principal, agency_id.strip())
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise Invalid(f"give the team a name (1 to {NAME_MAX} characters)")
    if session.scalar(select(Team.id).where(Team.agency_id == agency,
                                            Team.name == name)) is not None:
        raise Conflict(f"there is already a team called {name}")
    team = Team(agency_id=agency, name=name, created_at=now)
    session.add(team)
    session.flush()
    audit(session, principal=principal, action="write", entity="team", entity_id=team.id,
          why=f"team {name} made at {agency}")
    return team


def team_by_id(session: Session, *, principal: Principal, team_id: int) -> Team:
    """A team the principal manages; another agency's is "not found" (no hint it exists)."""
    scope = _scope(principal)
    team = session.get(Team, team_id)
    if team is None or (scope is not None and team.agency_id != scope):
        raise NotFound("no such team in your agency")
    return team


def list_teams(session: Session, *, principal: Principal) -> list[Team]:
    scope = _scope(principal)
    query = select(Team).order_by(Team.agency_id, Team.name)
    if scope is not None:
        query = query.where(Team.agency_id == scope)
    return list(session.scalars(query))


def members(session: Session, *, team_id: int) -> list[User]:
    return list(session.scalars(
        select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id).order_by(User.display_name, User.id)))


def _member(session: Session, team: Team, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.agency_id != team.agency_id:
        raise Invalid("choose a user of the team's own agency")
    return user


def add_member(session: Session, *, principal: Principal, team_id: int, user_id: int,
               now: datetime) -> User:
    team = team_by_id(session, principal=principal, team_id=team_id)
    user = _member(session, team, user_id)
    if session.get(TeamMember, (team.id, user.id)) is None:
        session.add(TeamMember(team_id=team.id, user_id=user.id, added_at=now))
        session.flush()
        audit(session, principal=principal, action="write", entity="team", entity_id=team.id,
              why=f"user {user.username} added to team {team.name}")
    return user


def remove_member(session: Session, *, principal: Principal, team_id: int, user_id: int
                  ) -> User:
    """The user leaves the team; duties they hold stay theirs until someone reassigns them."""
    team = team_by_id(session, principal=principal, team_id=team_id)
    user = _member(session, team, user_id)
    removed = session.execute(delete(TeamMember).where(TeamMember.team_id == team.id,
                                                       TeamMember.user_id == user.id))
    if getattr(removed, "rowcount", 0):
        audit(session, principal=principal, action="write", entity="team", entity_id=team.id,
              why=f"user {user.username} removed from team {team.name}")
    return user
