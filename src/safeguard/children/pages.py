"""Children: search, a child's whole picture, and a police incident with its people and duties."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.children.breakglass import (
    REASON_MAX,
    REASON_MIN,
    REASON_NEEDED,
    break_glass,
    grants_for_review,
    live_grant,
    mark_reviewed,
)
from safeguard.children.printing import chronology_pdf
from safeguard.children.service import (
    EXPORTED,
    PRINTED,
    ChildView,
    ChronologyItem,
    child_view,
    incident_view,
    search_people,
    visible_person_ids,
)
from safeguard.concerns.pages import source_for
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.duties.presenters import duty_rows
from safeguard.duties.service import may_see
from safeguard.errors import Invalid, NotFound
from safeguard.governance.refusals import record_refusal
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.missing.views import child_episodes
from safeguard.people.models import Person, PersonRecord
from safeguard.people.names import full_name
from safeguard.people.service import address_label, age_on, person_name, source_words
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.rules.risk import LEVELS
from safeguard.strategy.pages import CONVENOR
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.i18n import drawing, translations
from safeguard.web.render import is_htmx, render
from safeguard.workdays import LONDON

router = APIRouter(include_in_schema=False)

SEARCH_LIMIT = 50
SCHEME_LABELS = {"nhs": "NHS number", "upn": "UPN (unique pupil number)", "pnc": "PNC ID"}
ROLE_WORDS = {"victim": "Victim", "suspect": "Suspect", "witness": "Witness",
              "child_present": "Child present at the incident",
              "child_normally_resident": "Child who lives there"}
_LINK = re.compile(r"^/(duties|incidents|strategy-discussions)/(\d+)$")


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
    try:
        context = _child_context(request, session, principal, person_id, now,
                                 why="viewed the child page")
    except NotFound as refused:
        # The same page whether the child exists or the user has no relationship with them
        # (so it tells an id-guesser nothing), with the one way in that is not need to know
        # by relationship: break-glass, with a reason, alerted and reviewed. The refusal is
        # audited like any other.
        record_refusal(session, principal=principal,
                       route=f"{request.method} {request.url.path}",
                       path_params=request.path_params, reason=str(refused))
        return _break_glass_page(request, principal, person_id, {}, status_code=404)
    return render(request, "children/detail.html", context, principal=principal)


@router.get("/children/{person_id}/print", response_class=HTMLResponse)
def child_print_page(request: Request, person_id: int, session: SessionDep,
                     principal: UserDep, now: NowDep) -> HTMLResponse:
    """The child's page laid out for paper: every tab's section one after another, without
    the service's header, navigation and footer. Opening it is audited as a print (a
    browser's own printing of the child page cannot be seen by the server). A child the
    user may not see is a 404, refused and audited like any other; break-glass is on the
    child's own page."""
    context = _child_context(request, session, principal, person_id, now,
                             why="opened the child page's print layout", action=PRINTED)
    return render(request, "children/detail.html", {**context, "printing": True,
                                                    "printed_at": now}, principal=principal)


@router.get("/children/{person_id}/chronology.pdf")
def child_chronology_pdf(request: Request, person_id: int, session: SessionDep,
                         principal: UserDep, now: NowDep) -> Response:
    """The chronology as a PDF for a child protection conference: the child's details and
    every entry the user sees on the page, headed with who made it and when (audited)."""
    today = now.astimezone(LONDON).date()
    view = child_view(session, principal=principal, person_id=person_id, on=today, now=now,
                      why="exported the chronology as a PDF for a conference",
                      action=EXPORTED, with_households=False)
    # Drawn in the user's language, as their pages are.
    with drawing(principal.language, None):
        pdf = chronology_pdf(request.app.state.templates.env,
                             view=view, age=_age(view.person.dob, today),
                             identifiers=_identifiers(view), principal=principal, made_at=now,
                             today=today, lang=principal.language)
    name = f"chronology-{person_id}-{today.isoformat()}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _identifiers(view: ChildView) -> list[tuple[str, str]]:
    return [(SCHEME_LABELS.get(i.scheme, i.scheme), format_identifier(i.scheme, i.value))
            for i in view.identifiers]


def _child_context(request: Request, session: Session, principal: Principal, person_id: int,
                   now: datetime, *, why: str, action: str = "read") -> dict[str, Any]:
    """What the child's page shows, read (and audited) once, for the page and its print
    layout alike."""
    today = now.astimezone(LONDON).date()
    view = child_view(session, principal=principal, person_id=person_id, why=why, on=today,
                      now=now, action=action)
    grant = live_grant(session, principal=principal, person_id=person_id, now=now)
    open_first = sorted(view.duties, key=lambda d: (d.status == DISCHARGED, d.due_at, d.id))
    rows = duty_rows(session, open_first, now=now)
    visible_duties = {d.id for d in view.duties if may_see(principal, d)}
    links = _visible_links(session, principal, view.chronology, view.duties, visible_duties)
    return {
        "view": view, "age": _age(view.person.dob, today),
        "identifiers": _identifiers(view),
        "addresses": [address_label(a) for a in view.addresses],
        "records": [{"source": source_words(r.source), "reference": r.source_id,
                     "name": full_name(r.given_name, r.family_name), "dob": r.dob,
                     "address": address, "linked_by": r.linked_by, "at": r.recorded_at}
                    for r, _, address in view.records],
        "households": view.households,
        "duty_rows": rows, "visible_duties": visible_duties,
        "open_count": sum(1 for r in rows if r.duty.status != DISCHARGED),
        "overdue_count": sum(1 for r in rows if r.overdue),
        "chronology": [(item, item.link if item.link in links else None)
                       for item in view.chronology],
        "nav": "children", "grant": grant,
        "may_raise_concern": source_for(principal) is not None,
        "may_record_discussion": principal.records_for(CONVENOR),
        "missing": child_episodes(session, person_id=person_id, now=now,
                                  window_days=request.app.state.rules.missing.repeat_window_days),
        "indicator_words": INDICATOR_WORDS, "risk_words": RISK_WORDS,
    }


def _break_glass_page(request: Request, principal: Principal, person_id: int,
                      errors: dict[str, str], *, status_code: int, reason: str = ""
                      ) -> HTMLResponse:
    hours = request.app.state.settings.break_glass_hours
    return render(request, "children/break_glass.html", {
        "person_id": person_id, "hours": f"{hours:g}", "reason": reason,
        "field_errors": errors,
        "errors": [{"text": text, "href": f"#{field}"} for field, text in errors.items()],
        "nav": "children"}, principal=principal, status_code=status_code)


@router.post("/children/{person_id}/break-glass", dependencies=[CsrfDep], response_model=None)
def child_break_glass(request: Request, person_id: int, session: SessionDep,
                      principal: UserDep, now: NowDep,
                      reason: Annotated[str, Form(max_length=10_000)] = "") -> Response:
    hours = request.app.state.settings.break_glass_hours
    try:
        break_glass(session, principal=principal, person_id=person_id, reason=reason, now=now,
                    hours=hours)
    except Invalid:  # the reason is missing, too short or too long: said in their language
        message = translations(principal.language).gettext(REASON_NEEDED) % {
            "min": REASON_MIN, "max": REASON_MAX}
        return _break_glass_page(request, principal, person_id, {"reason": message},
                                 status_code=422, reason=reason)
    return RedirectResponse(f"/children/{person_id}", status_code=303)


@router.get("/break-glass", response_class=HTMLResponse)
def break_glass_review(request: Request, session: SessionDep, principal: UserDep,
                       now: NowDep, show: str = "unreviewed") -> HTMLResponse:
    """Information governance: every break-glass use at the agency, for review."""
    grants = grants_for_review(session, principal=principal,
                               unreviewed_only=show != "all")
    return render(request, "children/break_glass_review.html", {
        "grants": grants, "now": now, "show": show, "nav": "break-glass"}, principal=principal)


@router.post("/break-glass/{grant_id}/reviewed", dependencies=[CsrfDep])
def break_glass_reviewed(grant_id: int, session: SessionDep, principal: UserDep, now: NowDep,
                         note: Annotated[str, Form(max_length=10_000)] = ""
                         ) -> RedirectResponse:
    mark_reviewed(session, principal=principal, grant_id=grant_id, note=note, now=now)
    return RedirectResponse("/break-glass?reviewed=1", status_code=303)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: int, session: SessionDep, principal: UserDep,
                  now: NowDep, recorded: str = "") -> HTMLResponse:
    incident, address, people, duties = incident_view(session, principal=principal,
                                                      incident_id=incident_id)
    on = incident.occurred_at.astimezone(LONDON).date()
    visible = visible_person_ids(session, principal=principal,
                                 person_ids=sorted({p.id for _, p in people}), now=now)
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
        elif match and match.group(1) == "strategy-discussions":
            # Only the agencies in a discussion have it in their chronology.
            links.add(item.link or "")
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
