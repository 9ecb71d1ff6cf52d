"""Children: search, a child's whole picture, and a police incident with its people and duties."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.children.service import (
    ChronologyItem,
    child_view,
    incident_view,
    search_people,
    visible_person_ids,
)
from safeguard.concerns.pages import source_for
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.duties.pages import duty_rows
from safeguard.duties.service import may_see
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.models import Person, PersonRecord
from safeguard.people.names import full_name
from safeguard.people.service import SOURCE_WORDS, address_label, age_on, person_name
from safeguard.rules.risk import LEVELS
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.render import is_htmx, render
from safeguard.workdays import LONDON

router = APIRouter(include_in_schema=False)

SEARCH_LIMIT = 50
SCHEME_LABELS = {"nhs": "NHS number", "upn": "UPN (unique pupil number)", "pnc": "PNC ID"}
ROLE_WORDS = {"victim": "Victim", "suspect": "Suspect", "witness": "Witness",
              "child_present": "Child present at the incident",
              "child_normally_resident": "Child who lives there"}
_LINK = re.compile(r"^/(duties|incidents)/(\d+)$")


@dataclass(frozen=True)
class PersonRow:
    person: Person
    name: str
    age: int | None
    link: bool


@dataclass(frozen=True)
class IncidentPersonRow:
    incident_person: IncidentPerson
    role: str
    row: PersonRow


@router.get("/children", response_class=HTMLResponse)
def children_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                  q: str = "") -> HTMLResponse:
    q = q.strip()[:100]
    people = search_people(session, principal=principal, query=q, on=now, limit=SEARCH_LIMIT)
    today = now.astimezone(LONDON).date()
    ctx: dict[str, Any] = {
        "q": q, "limit": SEARCH_LIMIT, "nav": "children",
        "rows": [PersonRow(p, person_name(p), _age(p.dob, today), True) for p in people],
    }
    if is_htmx(request):
        return render(request, "children/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "children/list.html", ctx, principal=principal)


@router.get("/children/{person_id}", response_class=HTMLResponse)
def child_page(request: Request, person_id: int, session: SessionDep, principal: UserDep,
               now: NowDep) -> HTMLResponse:
    today = now.astimezone(LONDON).date()
    view = child_view(session, principal=principal, person_id=person_id,
                      why="viewed the child page", on=today)
    open_first = sorted(view.duties, key=lambda d: (d.status == DISCHARGED, d.due_at, d.id))
    rows = duty_rows(session, open_first, now=now)
    visible_duties = {d.id for d in view.duties if may_see(principal, d)}
    links = _visible_links(session, principal, view.chronology, view.duties, visible_duties)
    return render(request, "children/detail.html", {
        "view": view, "age": _age(view.person.dob, today),
        "identifiers": [(SCHEME_LABELS.get(i.scheme, i.scheme), format_identifier(i.scheme,
                                                                                 i.value))
                        for i in view.identifiers],
        "addresses": [address_label(a) for a in view.addresses],
        "records": [{"source": SOURCE_WORDS.get(r.source, r.source), "reference": r.source_id,
                     "name": full_name(r.given_name, r.family_name), "dob": r.dob,
                     "address": address, "linked_by": r.linked_by, "at": r.recorded_at}
                    for r, _, address in view.records],
        "households": view.households,
        "duty_rows": rows, "visible_duties": visible_duties,
        "open_count": sum(1 for r in rows if r.duty.status != DISCHARGED),
        "overdue_count": sum(1 for r in rows if r.overdue),
        "chronology": [(item, item.link if item.link in links else None)
                       for item in view.chronology],
        "nav": "children", "may_raise_concern": source_for(principal) is not None,
    }, principal=principal)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: int, session: SessionDep, principal: UserDep,
                  now: NowDep, recorded: str = "") -> HTMLResponse:
    incident, address, people, duties = incident_view(session, principal=principal,
                                                      incident_id=incident_id)
    on = incident.occurred_at.astimezone(LONDON).date()
    visible = visible_person_ids(session, principal=principal,
                                 person_ids=sorted({p.id for _, p in people}))
    person_rows = [
        IncidentPersonRow(ip, ROLE_WORDS.get(ip.role, ip.role.replace("_", " ")),
                          PersonRow(p, person_name(p), _age(p.dob, on), p.id in visible))
        for ip, p in people
    ]
    # How the product recognised each person the officer recorded: "matched to existing person
    # (0.998)", "new person", or a possible match waiting for review.
    rows = session.execute(select(PersonRecord.person_id, PersonRecord.linked_by)
                           .where(PersonRecord.event_id == incident.event_id))
    linked_by = {person_id: how for person_id, how in rows}
    return render(request, "incidents/detail.html", {
        "incident": incident, "address": address_label(address), "uprn": address.uprn,
        "people": person_rows, "linked_by": linked_by,
        "not_recorded": [r for r in person_rows if not r.incident_person.recorded_by_officer],
        "duty_rows": duty_rows(session, duties, now=now),
        "judgement_note": _judgement_note(incident),
        "recorded": bool(recorded),
    }, principal=principal)


def _judgement_note(incident: Incident) -> str | None:
    judged, actuarial = incident.professional_judgement, incident.actuarial_risk
    if not judged or not actuarial or judged == actuarial:
        return None
    if LEVELS.index(judged) > LEVELS.index(actuarial):
        return f"Raised from {actuarial} to {judged} by the officer’s professional judgement."
    return (f"The officer’s judgement of {judged} was not applied: professional judgement may "
            "raise the level the checklist gives, never lower it.")


def _visible_links(session: Session, principal: Principal, chronology: list[ChronologyItem],
                   duties: list[Duty], visible_duties: set[int]) -> set[str]:
    """Chronology links the user can open: their agency's duties, incidents it may see."""
    incident_ids = []
    links = set()
    for item in chronology:
        match = _LINK.match(item.link or "")
        if match and match.group(1) == "duties" and int(match.group(2)) in visible_duties:
            links.add(item.link or "")
        elif match and match.group(1) == "incidents":
            incident_ids.append(int(match.group(2)))
    if incident_ids:
        events = {d.event_id for d in duties if d.id in visible_duties}
        for incident_id, event_id in session.execute(
                select(Incident.id, Incident.event_id).where(Incident.id.in_(incident_ids))):
            if principal.agency_id == "police" or event_id in events:
                links.add(f"/incidents/{incident_id}")
    return links


def _age(dob: date | None, on: date) -> int | None:
    return age_on(dob, on) if dob else None


def format_identifier(scheme: str, value: str) -> str:
    """NHS numbers in their 3-3-4 groups, as people read and write them."""
    if scheme == "nhs" and len(value) == 10 and value.isdigit():
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    return value
