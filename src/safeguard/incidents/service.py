"""Recording a police incident: its place, its people (resolved), its risk and its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from safeguard.config import ClockSettings
from safeguard.db import UTCDateTime, table_of
from safeguard.events.schemas import CHILD_ROLES, IncidentEvent
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.models import Person
from safeguard.people.service import (
    address_label,
    age_on,
    children_at_address,
    describe_record,
    link_record,
    person_name,
    school_of,
    upsert_address,
)
from safeguard.rules.incidents import ChildFact, IncidentFacts
from safeguard.rules.risk import assess_dash
from safeguard.workdays import LONDON

# Roles that say the person lives at the incident address, so later incidents find them there.
RESIDENT_ROLES = ("victim", "child_normally_resident")


@dataclass(frozen=True)
class RecordedIncident:
    incident_id: int
    facts: IncidentFacts


# Built once with parameters: intake runs these for every incident, and building a
# statement costs more than running it.
_INSERT_INCIDENT = insert(table_of(Incident)).returning(table_of(Incident).c.id)
_INSERT_INVOLVED = insert(table_of(IncidentPerson))
_AT_HOUSEHOLD = select(func.count(Incident.id)).where(
    Incident.address_id == bindparam("address_id"), Incident.kind == bindparam("kind"),
    Incident.occurred_at > bindparam("since", type_=UTCDateTime()),
    Incident.occurred_at <= bindparam("until", type_=UTCDateTime()))
_PREVIOUS = (
    select(Incident.reference, Incident.occurred_at, Incident.risk_level)
    .join(IncidentPerson, IncidentPerson.incident_id == Incident.id)
    .where(IncidentPerson.person_id == bindparam("person_id"),
           Incident.kind == bindparam("kind"), Incident.id != bindparam("excluding"),
           Incident.occurred_at < bindparam("before", type_=UTCDateTime()))
    .order_by(Incident.occurred_at.desc(), Incident.id.desc()).limit(1))


def record_incident(
    session: Session,
    *,
    event_id: int,
    data: IncidentEvent,
    recorded_at: datetime,
    live: bool,
    clocks: ClockSettings,
) -> RecordedIncident:
    address = upsert_address(session, address=data.address)
    risk = None
    if data.dash is not None:
        risk = assess_dash(yes_count=data.dash.yes_count,
                           judgement=data.dash.professional_judgement, clocks=clocks,
                           not_known=data.dash.not_known_count)
    # Written as a row (nothing here reads it back as an object); the address it refers to
    # may still be a pending object.
    session.flush()
    connection = session.connection()
    incident_id = connection.execute(_INSERT_INCIDENT, {
        "event_id": event_id, "reference": data.source_id, "kind": data.kind,
        "occurred_at": data.occurred_at, "recorded_at": recorded_at, "address_id": address.id,
        "officer": data.officer, "summary": data.summary, "child_voice": data.child_voice,
        "dash_answers": data.dash.answers if data.dash else None,
        "dash_yes_count": risk.yes_count if risk else None,
        "actuarial_risk": risk.actuarial if risk else None,
        "professional_judgement": data.dash.professional_judgement if data.dash else None,
        "risk_level": risk.level if risk else None, "live": live,
    }).scalar_one()

    on = data.occurred_at.astimezone(LONDON).date()
    children: list[ChildFact] = []
    victims: list[int] = []
    adults: list[int] = []
    listed: list[int] = []
    involved: list[dict[str, object]] = []  # incident_people rows, written in one statement
    for number, person_in in enumerate(data.people, start=1):
        person = link_record(
            session, fields=person_in, source=data.source,
            source_id=person_in.source_id or f"{data.source_id}#{number}", event_id=event_id,
            address_id=address.id if person_in.role in RESIDENT_ROLES else None,
            school_urn=None, recorded_at=recorded_at,
            # The incident's event is new, so a record id made from its id is too.
            none_stored=person_in.source_id is None,
        ).person
        listed.append(person.id)
        involved.append({"person_id": person.id, "role": person_in.role,
                         "recorded_by_officer": True, "found_from": None})
        is_child = person_in.role in CHILD_ROLES or (
            person.dob is not None and age_on(person.dob, on) < 18)
        if is_child:
            children.append(_child_fact(session, person, person_in.role, True, None))
        elif person_in.role == "victim":
            victims.append(person.id)
        else:
            adults.append(person.id)

    for resident in children_at_address(session, address_id=address.id, on=on, exclude=listed):
        found_from = describe_record(resident.record)
        involved.append({"person_id": resident.person.id, "role": "child_normally_resident",
                         "recorded_by_officer": False, "found_from": found_from})
        children.append(_child_fact(session, resident.person, "child_normally_resident", False,
                                    found_from))
    session.flush()  # the people's pending rows, which incident_people refers to
    connection = session.connection()
    if involved:
        connection.execute(_INSERT_INVOLVED, [{"incident_id": incident_id, **row}
                                              for row in involved])

    window_start = data.occurred_at - timedelta(days=clocks.repeat_window_days)
    at_household = connection.execute(_AT_HOUSEHOLD, {
        "address_id": address.id, "kind": data.kind, "since": window_start,
        "until": data.occurred_at}).scalar() or 0
    facts = IncidentFacts(
        event_id=event_id, reference=data.source_id, kind=data.kind,
        occurred_at=data.occurred_at, recorded_at=recorded_at,
        address_label=address_label(address), risk=risk,
        # A duty about a victim must still have a subject if the officer recorded no victim.
        victim_person_ids=tuple(victims or adults[:1] or listed[:1]),
        children=tuple(children), household_incidents_in_window=at_household,
        child_voice=data.child_voice,
    )
    return RecordedIncident(incident_id, facts)


def _child_fact(
    session: Session, person: Person, role: str, by_officer: bool, found_from: str | None
) -> ChildFact:
    school = school_of(session, person_id=person.id)
    return ChildFact(
        person_id=person.id, name=person_name(person),
        dob=person.dob.isoformat() if person.dob else None, role=role,
        recorded_by_officer=by_officer, found_from=found_from,
        school_agency_id=school.agency_id if school else None,
        school_name=school.name if school else None,
    )


def previous_incident(
    session: Session, *, person_id: int, kind: str, before: datetime, excluding: int,
) -> tuple[str, datetime, str | None] | None:
    """The person's latest incident of this kind before a time: (reference, occurred_at,
    risk level). One indexed row, not the person's whole history."""
    row = session.connection().execute(_PREVIOUS, {
        "person_id": person_id, "kind": kind, "before": before, "excluding": excluding}).first()
    return (row[0], row[1], row[2]) if row else None
