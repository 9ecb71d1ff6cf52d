"""The incident list: police incidents by date, kind, risk and area, those with children.

Whoever may open an incident (children.service.incident_view) may list it: the police every
incident, another agency those it owns or partners a duty from. The list names no person
(a reference, a kind, a risk level, a postcode and how many children), and is audited as
a read all the same: filters and postcodes describe people's homes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import get_args

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.duties.models import Duty
from safeguard.events.fields import IncidentKind, RiskLevel
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.models import Address, Person
from safeguard.people.service import years_before
from safeguard.workdays import LONDON

KINDS: tuple[str, ...] = get_args(IncidentKind)
RISKS: tuple[str, ...] = get_args(RiskLevel)
CHILD_ROLES = ("child_present", "child_normally_resident")
INCIDENT_LIMIT = 100


@dataclass(frozen=True)
class IncidentFilters:
    start: date | None = None  # London days, both ends included
    end: date | None = None
    kind: str | None = None
    risk: str | None = None
    area: str | None = None  # a postcode, its sector ("NN1 3") or district ("NN1")
    with_children: bool = False

    def words(self) -> str:
        parts = [f"{name} {value}" for name, value in (
            ("from", self.start), ("to", self.end), ("kind", self.kind), ("risk", self.risk),
            ("area", self.area)) if value]
        return ", ".join(parts + (["with children"] if self.with_children else [])) or "none"


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    postcode: str | None
    children: int


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LONDON)


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.agency_id == "police":
        return Incident.id.is_not(None)
    return exists().where(Duty.event_id == Incident.event_id,
                          or_(Duty.owner_agency_id == principal.agency_id,
                              Duty.partner_agency_id == principal.agency_id))


def _is_child(on: ColumnElement[date] | date) -> ColumnElement[bool]:
    return or_(IncidentPerson.role.in_(CHILD_ROLES), Person.dob > on)


def list_incidents(session: Session, *, principal: Principal, filters: IncidentFilters,
                   now: datetime, limit: int = INCIDENT_LIMIT) -> list[IncidentRow]:
    """The principal's incidents matching the filters, newest first, at most ``limit``."""
    audit(session, principal=principal, action="read", entity="incident", entity_id="list",
          why=f"listed incidents (filters: {filters.words()})")
    statement = select(Incident, Address.postcode).join(
        Address, Address.id == Incident.address_id).where(_visible(principal))
    if filters.start:
        statement = statement.where(Incident.occurred_at >= _day_start(filters.start))
    if filters.end:
        statement = statement.where(
            Incident.occurred_at < _day_start(filters.end + timedelta(days=1)))
    if filters.kind:
        statement = statement.where(Incident.kind == filters.kind)
    if filters.risk:
        statement = statement.where(Incident.risk_level == filters.risk)
    if filters.area:
        area = filters.area
        statement = statement.where(Address.postcode.startswith(
            area if " " in area or len(area) > 4 else f"{area} ", autoescape=True)
            | (Address.postcode == area))
    # A child: a child's role at the incident, or under 18 today.
    cutoff = years_before(now.astimezone(LONDON).date(), 18)
    children = and_(IncidentPerson.incident_id == Incident.id,
                    Person.id == IncidentPerson.person_id, _is_child(cutoff))
    if filters.with_children:
        statement = statement.where(exists().where(children))
    rows = session.execute(statement.order_by(Incident.occurred_at.desc(), Incident.id.desc())
                           .limit(limit)).all()
    counts: dict[int, int] = {incident_id: count for incident_id, count in session.execute(
        select(IncidentPerson.incident_id, func.count(func.distinct(IncidentPerson.person_id)))
        .join(Person, Person.id == IncidentPerson.person_id)
        .where(IncidentPerson.incident_id.in_([row[0].id for row in rows]), _is_child(cutoff))
        .group_by(IncidentPerson.incident_id))}
    return [IncidentRow(incident, postcode, counts.get(incident.id, 0))
            for incident, postcode in rows]
