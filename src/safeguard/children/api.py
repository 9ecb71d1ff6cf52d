"""JSON API: a child's whole picture, and incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.access.names import Names
from safeguard.children.service import HouseholdView, child_view, incident_view
from safeguard.duties.schemas import DutyOut, duties_out
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep
from safeguard.workdays import LONDON

router = APIRouter(prefix="/api/v1", tags=["children"])


class RecordOut(BaseModel):
    source: str  # the agency whose record it is
    source_name: str
    source_id: str
    given_name: str | None
    family_name: str | None
    dob: date | None
    address: str | None
    school_urn: str | None
    linked_by: str


class ChronologyOut(BaseModel):
    at: datetime
    label: str
    byline: str
    detail: str
    # The agency and the person (or system) an entry names, where it names one, by id and name.
    agency: str | None
    agency_name: str | None
    actor: str | None
    actor_name: str | None


class HouseholdMemberOut(BaseModel):
    person_id: int
    name: str
    dob: date | None
    current: bool
    agencies: list[str]
    first_recorded: datetime
    last_recorded: datetime


class HouseholdOut(BaseModel):
    address: str
    uprn: str | None
    current: bool
    first_seen: datetime
    last_seen: datetime
    members: list[HouseholdMemberOut]


class PersonOut(BaseModel):
    id: int
    name: str
    dob: date | None
    sex: str | None
    identifiers: dict[str, str]
    school: str | None
    records: list[RecordOut]
    household: list[dict[str, Any]]  # everyone at any of the addresses, once (see households)
    households: list[HouseholdOut]
    duties: list[DutyOut]
    chronology: list[ChronologyOut]


@router.get("/persons/{person_id}", response_model=PersonOut)
def api_person(person_id: int, session: SessionDep, principal: PrincipalDep,
               now: NowDep) -> PersonOut:
    view = child_view(session, principal=principal, person_id=person_id, why="API read",
                      on=now.astimezone(LONDON).date(), now=now)
    names = Names(session)
    return PersonOut(
        id=view.person.id, name=view.name, dob=view.person.dob, sex=view.person.sex,
        identifiers={i.scheme: i.value for i in view.identifiers},
        school=view.school.name if view.school else None,
        records=[RecordOut(source=r.source, source_name=names.agency(r.source),
                           source_id=r.source_id, given_name=r.given_name,
                           family_name=r.family_name, dob=r.dob, address=address,
                           school_urn=r.school_urn, linked_by=r.linked_by)
                 for r, _, address in view.records],
        household=_flat_household(view.households),
        households=[HouseholdOut(
            address=h.label, uprn=h.address.uprn, current=h.current, first_seen=h.first_seen,
            last_seen=h.last_seen,
            members=[HouseholdMemberOut(person_id=m.person.id, name=m.name, dob=m.person.dob,
                                        current=m.current, agencies=list(m.agencies),
                                        first_recorded=m.first_recorded,
                                        last_recorded=m.last_recorded) for m in h.members])
            for h in view.households],
        duties=duties_out(session, view.duties, now=now),
        chronology=[ChronologyOut(at=c.at, label=c.label, byline=c.byline, detail=c.detail,
                                  agency=c.agency, agency_name=names.agency(c.agency) or None,
                                  actor=c.actor, actor_name=names.actor(c.actor) or None)
                    for c in view.chronology],
    )


def _flat_household(households: list[HouseholdView]) -> list[dict[str, Any]]:
    """The earlier shape of ``household``, kept for existing API clients: each person once,
    with where they are known from."""
    seen: dict[int, dict[str, Any]] = {}
    for h in households:
        for m in h.members:
            seen.setdefault(m.person.id, {
                "person_id": m.person.id, "name": m.name,
                "dob": m.person.dob.isoformat() if m.person.dob else None,
                "known_from": f"{', '.join(m.agencies)} at {h.label}"})
    return list(seen.values())


@router.get("/incidents/{incident_id}")
def api_incident(incident_id: int, session: SessionDep, principal: PrincipalDep,
                 now: NowDep) -> dict[str, Any]:
    incident, address, people, duties = incident_view(session, principal=principal,
                                                      incident_id=incident_id)
    return {
        "id": incident.id, "reference": incident.reference, "kind": incident.kind,
        "occurred_at": incident.occurred_at.isoformat(),
        "recorded_at": incident.recorded_at.isoformat(),
        "address": {"uprn": address.uprn, "line1": address.line1, "town": address.town,
                    "postcode": address.postcode},
        "dash_yes_count": incident.dash_yes_count,
        "dash_not_known_count": incident.dash_not_known if incident.dash_answers else None,
        "actuarial_risk": incident.actuarial_risk,
        "professional_judgement": incident.professional_judgement,
        "risk_level": incident.risk_level,
        "people": [{"person_id": p.id, "role": ip.role,
                    "recorded_by_officer": ip.recorded_by_officer, "found_from": ip.found_from,
                    "name": f"{p.given_name or ''} {p.family_name or ''}".strip()}
                   for ip, p in people],
        "duties": [d.model_dump(mode="json") for d in duties_out(session, duties, now=now)],
    }
