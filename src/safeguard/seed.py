"""Reference data every install needs (the partner agencies), the demo's sign-ins, and the
demo's history of partners acting on their duties."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, Role, Team, User
from safeguard.access.service import (
    SYSTEM,
    Principal,
    ensure_agency,
    ensure_core_agencies,
    ensure_user,
    principal_for_user,
)
from safeguard.accounts.teams import add_member, create_team
from safeguard.casework.service import discharge
from safeguard.concerns.models import Concern
from safeguard.db import utcnow
from safeguard.duties.assignment import assign_duty
from safeguard.duties.models import DISCHARGED, Duty, DutyHolder
from safeguard.duties.service import mark_breaches
from safeguard.incidents.models import Incident
from safeguard.people.models import School
from safeguard.rules.catalogue import kind_of
from safeguard.rules.context import RuleContext
from safeguard.rules.custody import CUSTODY_KINDS
from safeguard.rules.forensics import DEVICE_EXAMINATION, DEVICE_TRIAGE
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.kinds import Side
from safeguard.rules.missing import RETURN_HOME_INTERVIEW


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    agency_id: str
    roles: str
    job: str


DEMO_USERS = (
    # The MASH's researchers (review and merge possible matches) are its police officer and
    # children's social care duty worker; information governance reviews break-glass use.
    DemoUser("mash.officer", "DC Priya Patel", "police", "practitioner mash_researcher",
             "police MASH officer"),
    DemoUser("police.supervisor", "DS Tom Reid", "police", "practitioner supervisor",
             "police supervisor"),
    DemoUser("csc.worker", "Sam Okafor", "childrens_social_care",
             "practitioner mash_researcher", "children's social care duty worker"),
    DemoUser("csc.supervisor", "Helen Price", "childrens_social_care",
             "practitioner supervisor", "children's social care team manager"),
    DemoUser("health.visitor", "Grace Mensah", "health", "practitioner", "health visitor"),
    DemoUser("police.ig", "Anna Novak", "police", "information_governance",
             "police information governance (break-glass review)"),
    DemoUser("police.admin", "Pat Morgan", "police", "admin",
             "police administrator (users and API keys)"),
    # The public protection unit: the only users who see the register of sex offenders.
    DemoUser("ppu.officer", "DC Sam Shah", "police", "practitioner public_protection",
             "offender manager, public protection unit"),
    DemoUser("ppu.supervisor", "DS Ruth Kerr", "police",
             "practitioner supervisor public_protection",
             "public protection unit supervisor"),
)
# The demo's teams and who is in them: the duties each agency's supervisor gives out.
DEMO_TEAMS = (("police", "MASH police team", ("mash.officer", "police.supervisor")),
              ("childrens_social_care", "CSC duty team", ("csc.worker", "csc.supervisor")))
SCHOOL_DSL = DemoUser("school.dsl", "Jo Clarke", "", "practitioner",
                      "school designated safeguarding lead")


def busiest_school(session: Session) -> str | None:
    """The school with the most duties, so the demo's school lead has something to see."""
    agency = session.scalar(
        select(Duty.partner_agency_id).where(Duty.partner_agency_id.like("school-%"))
        .group_by(Duty.partner_agency_id).order_by(func.count().desc(), Duty.partner_agency_id)
        .limit(1))
    return agency.removeprefix("school-") if agency else None


def seed_reference_data(session: Session) -> None:
    ensure_core_agencies(session)


def seed_demo_users(session: Session, *, password: str, school_urn: str | None = None
                    ) -> list[DemoUser]:
    """Create the demo sign-ins; the school lead belongs to the given (or first) school."""
    ensure_core_agencies(session)
    users = list(DEMO_USERS)
    school = session.get(School, school_urn) if school_urn else session.scalar(
        select(School).order_by(School.urn).limit(1))
    if school is not None:
        users.append(DemoUser(SCHOOL_DSL.username, SCHOOL_DSL.display_name, school.agency_id,
                              SCHOOL_DSL.roles, f"{SCHOOL_DSL.job}, {school.name}"))
    for user in users:
        ensure_agency(session, agency_id=user.agency_id, name=user.agency_id, kind=user.agency_id)
        ensure_user(session, username=user.username, display_name=user.display_name,
                    agency_id=user.agency_id, roles=user.roles, password=password)
    seed_demo_teams(session, now=utcnow())
    return users


def seed_demo_teams(session: Session, *, now: datetime) -> None:
    """The MASH police team and the CSC duty team, with their demo members (made once)."""
    for agency, name, usernames in DEMO_TEAMS:
        team = session.scalar(select(Team).where(Team.agency_id == agency, Team.name == name))
        if team is None:
            team = create_team(session, principal=SYSTEM, agency_id=agency, name=name, now=now)
        for user_id in session.scalars(select(User.id).where(User.username.in_(usernames))):
            add_member(session, principal=SYSTEM, team_id=team.id, user_id=user_id, now=now)


def hand_out_demo_work(session: Session, *, now: datetime, per_team: int = 6,
                       per_person: int = 3) -> int:
    """Each demo team's supervisor gives the team the undischarged duties due soonest that
    nobody holds, and its first member a few, so the work queues have something in them."""
    given = 0
    for agency, name, (member, supervisor, *_) in DEMO_TEAMS:
        team = session.scalar(select(Team).where(Team.agency_id == agency, Team.name == name))
        people = {u.username: u for u in session.scalars(
            select(User).where(User.username.in_((member, supervisor))))}
        if team is None or len(people) < 2:
            continue
        by = principal_for_user(session, user=people[supervisor])
        duty_ids = list(session.scalars(
            select(Duty.id).outerjoin(DutyHolder, DutyHolder.duty_id == Duty.id)
            .where(Duty.owner_agency_id == agency, Duty.owner_role.is_(None),
                   Duty.status != DISCHARGED, DutyHolder.duty_id.is_(None))
            .order_by(Duty.due_at, Duty.id).limit(per_team + per_person)))
        for n, duty_id in enumerate(duty_ids):
            to_person = n >= per_team
            assign_duty(session, duty_id=duty_id, by=by, now=now,
                        to_user_id=people[member].id if to_person else None,
                        to_team_id=None if to_person else team.id)
            given += 1
    return given


# Of the demo's duties already due when it starts, the share its agencies meet in time; the
# rest breach, as some do (an assumption: enough of each to see both on the pages).
IN_TIME = 0.85
HISTORY_NOTE = "Synthetic demo history: done in time by the agency that owed it."
# A meeting that missed its clock is still held, days late, more often than not (an
# assumption): of the strategy discussions and return interviews not held in time, this share
# is held late (after breaching and escalating at its deadline); the others stay breached.
HELD_LATE = 0.6
LATE_NOTE = "Synthetic demo history: done late, after escalation, by the agency that owed it."
HELD_LATE_KINDS = (STRATEGY_DISCUSSION.name, RETURN_HOME_INTERVIEW.name)
# Outcomes that end a duty without starting another (a section 47 enquiry would).
# Duties the county's own events discharge (a detention's clocks and a seized device's triage
# and examination, by their steps): done here as well, the custody board or the queue would
# show a child or a device waiting whose duty was done.
BY_THEIR_OWN_EVENTS = (*CUSTODY_KINDS, DEVICE_TRIAGE.name, DEVICE_EXAMINATION.name)
_QUIET_OUTCOMES = {"referral_decision": ("social_work_assessment", "early_help",
                                         "no_further_action"),
                   "strategy_discussion": ("early_help", "no_further_action")}


def _acting_for(agency: Agency) -> Principal:
    """The agency as the demo's history acts for it (named so in every duty's history)."""
    return Principal("system", 0, "demo-history", "Synthetic demo history", agency.id,
                     agency.name, agency.kind, frozenset({"practitioner", "supervisor"}))


def act_on_past_duties(session: Session, *, now: datetime, seed: int, ctx: RuleContext,
                       in_time: float = IN_TIME, held_late: float = HELD_LATE) -> int:
    """The demo's county is a year of history, and incidents of its last weeks raise duties
    whose clocks ran out before the demo started: left alone, the demo would open with most
    of them breached. A partnership meets most deadlines, so each duty already due is, with
    probability ``in_time``, discharged before its deadline by the agency that owed it (a
    share acknowledged by its partner), at a time between its clock's start and its due time.
    Of the strategy discussions and return interviews not held in time, ``held_late`` are
    held late: breached and escalated at their deadline, then discharged between it and
    ``now``. The others are left to breach when the worker runs. Deterministic for a seed;
    returns how many were discharged."""
    rng = random.Random(seed)
    # A custody record's steps are its own history (synth.custody): its duties are left
    # to what the steps did.
    due = list(session.scalars(select(Duty).where(Duty.status != DISCHARGED,
                                                  Duty.due_at < now,
                                                  Duty.kind.not_in(BY_THEIR_OWN_EVENTS))
                               .order_by(Duty.due_at, Duty.id)))
    events = sorted({duty.event_id for duty in due})
    started = dict(session.execute(select(Incident.event_id, Incident.recorded_at)
                                   .where(Incident.event_id.in_(events))).all())
    started |= dict(session.execute(select(Concern.event_id, Concern.recorded_at)
                                    .where(Concern.event_id.in_(events))).all())
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    done = 0
    for duty in due:
        kind = kind_of(duty.kind)
        if kind.owner_role == Role.PUBLIC_PROTECTION:
            continue  # the register's history is in its own events (visits, notifications)
        if rng.random() < in_time:
            start = min(started.get(duty.event_id, duty.created_at), duty.due_at)
            when = start + (duty.due_at - start) * rng.uniform(0.15, 0.85)
            note = HISTORY_NOTE
        elif duty.kind in HELD_LATE_KINDS and rng.random() < held_late:
            mark_breaches(session, now=duty.due_at + timedelta(seconds=1), only=[duty.id])
            when = duty.due_at + (now - duty.due_at) * rng.uniform(0.1, 0.6)
            note = LATE_NOTE
        else:
            continue
        agency = duty.partner_agency_id if kind.discharged_by is Side.PARTNER else \
            duty.owner_agency_id
        outcomes = _QUIET_OUTCOMES.get(
            duty.kind, tuple(o.name for o in kind.outcomes_for(kind.discharged_by)))
        discharge(session, duty_id=duty.id, principal=_acting_for(agencies[agency or ""]),
                  now=when, ctx=ctx, outcome=rng.choice(outcomes) if outcomes else None,
                  note=note)
        done += 1
    return done
