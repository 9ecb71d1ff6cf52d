"""Recording a police incident: its place, its people (resolved), its risk and its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.config import ClockSettings
from safeguard.db import UTCDateTime, table_of
from safeguard.events.fields import CHILD_ROLES
from safeguard.events.schemas import IncidentEvent
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.models import Person
from safeguard.people.service import (
    address_label,
    age_on,
    children_at_address,
    describe_record,
    link_record,
    person_name,
    school_agency_for_urn,
    school_of,
    undated_at_address,
    upsert_address,
)
from safeguard.rules.incidents import ChildFact, IncidentFacts, ResidentFact
from safeguard.rules.quality import Gap, identifier_conflict_gaps
from safeguard.rules.risk import assess_dash
from safeguard.workdays import LONDON

# Roles that say the person lives at the incident address, so later incidents find them there.
RESIDENT_ROLES = ("victim", "child_normally_resident")


@dataclass(frozen=True)
class RecordedIncident:
    incident_id: int
    facts: IncidentFacts
    # What recording it found missing or in conflict besides what the rules read from the
    # facts (an identifier another person holds).
    gaps: tuple[Gap, ...] = ()


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
    gaps: list[Gap] = []
    involved: list[dict[str, object]] = []  # incident_people rows, written in one statement
    # Listed children whose record awaits review as a possible match: (their index in
    # `involved` and `children`, the persons they may be, the officer's record).
    pending: list[tuple[int, int, tuple[int, ...], str]] = []
    for number, person_in in enumerate(data.people, start=1):
        source_id = person_in.source_id or f"{data.source_id}#{number}"
        linked = link_record(
            session, fields=person_in, source=data.source, source_id=source_id,
            event_id=event_id,
            address_id=address.id if person_in.role in RESIDENT_ROLES else None,
            school_urn=None, recorded_at=recorded_at,
            # The incident's event is new, so a record id made from its id is too.
            none_stored=person_in.source_id is None,
        )
        person = linked.person
        gaps += identifier_conflict_gaps(linked.identifier_conflicts, owner=AgencyKind.POLICE,
                                         subject_person_id=person.id,
                                         record=f"police record {source_id}")
        listed.append(person.id)
        is_child = person_in.role in CHILD_ROLES or (
            person.dob is not None and age_on(person.dob, on) < 18)
        if is_child and linked.possible_person_ids:
            pending.append((len(involved), len(children), linked.possible_person_ids,
                            source_id))
        involved.append({"person_id": person.id, "role": person_in.role,
                         "recorded_by_officer": True, "found_from": None})
        if is_child:
            children.append(_child_fact(session, person, person_in.role, True, None, on))
        elif person_in.role == "victim":
            victims.append(person.id)
        else:
            adults.append(person.id)

    residents = children_at_address(session, address_id=address.id, on=on, exclude=listed)
    found = {resident.person.id: resident for resident in residents}
    for involved_at, child_at, possible, source_id in pending:
        # A listed child whose record may be a child found at the address is that child for
        # this incident's duties until a reviewer says otherwise: one child, one set of
        # duties, and the child counted as recorded by the officer.
        known = next((person_id for person_id in possible if person_id in found), None)
        if known is None:
            continue
        resident = found.pop(known)
        role = str(involved[involved_at]["role"])
        involved[involved_at] = {
            "person_id": known, "role": role, "recorded_by_officer": True,
            "found_from": f"the officer's record {source_id} is a possible match of this "
                          f"child, awaiting review ({describe_record(resident.record)} places "
                          "the child here)"}
        children[child_at] = _child_fact(session, resident.person, role, True, None, on)
    for resident in residents:
        if resident.person.id not in found:
            continue
        found_from = describe_record(resident.record)
        involved.append({"person_id": resident.person.id, "role": "child_normally_resident",
                         "recorded_by_officer": False, "found_from": found_from})
        children.append(_child_fact(session, resident.person, "child_normally_resident", False,
                                    found_from, on))
    undated = tuple(ResidentFact(person.id, person_name(person), describe_record(record))
                    for person, record in undated_at_address(
                        session, address_id=address.id,
                        exclude=[*listed, *(c.person_id for c in children)]))
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
        child_voice=data.child_voice, residents_of_unknown_age=undated,
    )
    return RecordedIncident(incident_id, facts, tuple(gaps))


def _child_fact(
    session: Session, person: Person, role: str, by_officer: bool, found_from: str | None,
    on: date,
) -> ChildFact:
    on_record = school_of(session, person_id=person.id)
    school = on_record.school if on_record else None
    agency_id = school.agency_id if school else (
        school_agency_for_urn(session, urn=on_record.urn) if on_record else None)
    return ChildFact(
        person_id=person.id, name=person_name(person),
        dob=person.dob.isoformat() if person.dob else None, role=role,
        recorded_by_officer=by_officer, found_from=found_from,
        school_agency_id=agency_id, school_name=school.name if school else None,
        school_urn=on_record.urn if on_record else None,
        school_lead=(school.dsl_name or school.dsl_email) if school else None,
        age=age_on(person.dob, on) if person.dob else None,
    )


def previous_incident(
    session: Session, *, person_id: int, kind: str, before: datetime, excluding: int,
) -> tuple[str, datetime, str | None] | None:
    """The person's latest incident of this kind before a time: (reference, occurred_at,
    risk level). One indexed row, not the person's whole history."""
    row = session.connection().execute(_PREVIOUS, {
        "person_id": person_id, "kind": kind, "before": before, "excluding": excluding}).first()
    return (row[0], row[1], row[2]) if row else None
