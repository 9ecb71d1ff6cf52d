"""Reference data every install needs (the partner agencies) and the demo's sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.access.service import ensure_agency, ensure_core_agencies, ensure_user
from safeguard.duties.models import Duty
from safeguard.people.models import School


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
)
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
    return users
