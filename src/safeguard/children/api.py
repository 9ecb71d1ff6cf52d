"""JSON API: a child's whole picture, and incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.children.service import child_view, incident_view
from safeguard.duties.schemas import DutyOut, duties_out
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["children"])


class RecordOut(BaseModel):
    source: str
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


class PersonOut(BaseModel):
    id: int
    name: str
    dob: date | None
    sex: str | None
    identifiers: dict[str, str]
    school: str | None
    records: list[RecordOut]
    household: list[dict[str, Any]]
    duties: list[DutyOut]
    chronology: list[ChronologyOut]


@router.get("/persons/{person_id}", response_model=PersonOut)
def api_person(person_id: int, session: SessionDep, principal: PrincipalDep,
               now: NowDep) -> PersonOut:
    view = child_view(session, principal=principal, person_id=person_id, why="API read")
    return PersonOut(
        id=view.person.id, name=view.name, dob=view.person.dob, sex=view.person.sex,
        identifiers={i.scheme: i.value for i in view.identifiers},
        school=view.school.name if view.school else None,
        records=[RecordOut(source=r.source, source_id=r.source_id, given_name=r.given_name,
                           family_name=r.family_name, dob=r.dob, address=address,
                           school_urn=r.school_urn, linked_by=r.linked_by)
                 for r, _, address in view.records],
        household=[{"person_id": p.id, "name": f"{p.given_name} {p.family_name}",
                    "dob": p.dob.isoformat() if p.dob else None, "known_from": why}
                   for p, why in view.household],
        duties=duties_out(session, view.duties, now=now),
        chronology=[ChronologyOut(at=c.at, label=c.label, byline=c.byline, detail=c.detail)
                    for c in view.chronology],
    )


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
        "dash_yes_count": incident.dash_yes_count, "actuarial_risk": incident.actuarial_risk,
        "professional_judgement": incident.professional_judgement,
        "risk_level": incident.risk_level,
        "people": [{"person_id": p.id, "role": ip.role,
                    "recorded_by_officer": ip.recorded_by_officer, "found_from": ip.found_from,
                    "name": f"{p.given_name or ''} {p.family_name or ''}".strip()}
                   for ip, p in people],
        "duties": [d.model_dump(mode="json") for d in duties_out(session, duties, now=now)],
    }
