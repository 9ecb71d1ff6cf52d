"""Duty pages: the agency's duties list (filters, htmx partial), one duty and discharging it.

The display helpers at the bottom (names of people and agencies, "due in 5 hours") are shared
with the incident and child pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.duties.kinds import KINDS, OUTCOME_WORDS, DutyKind
from safeguard.duties.models import (
    BREACHED,
    DISCHARGED,
    OPEN,
    Duty,
    DutyTransition,
    Notification,
)
from safeguard.duties.service import (
    DutyFilter,
    discharge,
    get_duty,
    list_duties,
    mark_notifications_seen,
    may_discharge,
    notifications_for,
    share_behind,
    transitions,
)
from safeguard.events.models import Event
from safeguard.incidents.models import Incident
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.render import is_htmx, render
from safeguard.web.templating import format_london

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
NOTE_MAX = 4000
STATUS_CHOICES = (
    ("undischarged", "Open or breached"),
    ("open", "Open"),
    ("breached", "Breached"),
    ("discharged", "Discharged"),
    ("all", "All"),
)
ACTION_WORDS = {"created": "Duty raised", "breached": "Deadline missed (breached)",
                "escalated": "Escalated", "discharged": "Discharged",
                "evidence_added": "Evidence added"}
# Lists name the core partners briefly; the duty page gives each agency's full name.
SHORT_NAMES = {"police": "Police", "childrens_social_care": "Children’s social care",
               "health": "Health", "education": "Education", "probation": "Probation"}
SHARE_FIELDS = (
    ("child_name", "Child’s name"), ("child_dob", "Child’s date of birth"),
    ("police_reference", "Police reference"), ("incident_kind", "Kind of incident"),
    ("occurred_at", "Occurred"), ("address", "Address"), ("child_role", "Child’s role"),
    ("child_present", "Child present"), ("recorded_by_officer", "Recorded by the officer"),
    ("found_from", "Found from"), ("risk_level", "DASH risk level"),
    ("child_voice", "Child’s voice"),
)


@dataclass(frozen=True)
class DutyRow:
    duty: Duty
    title: str
    subject: str
    owner: str
    partner: str | None
    overdue: bool
    relative: str


@router.get("/duties", response_class=HTMLResponse)
def duties_page(
    request: Request, session: SessionDep, principal: UserDep, now: NowDep,
    status: str = "undischarged", kind: str = "", overdue: str = "", page: str = "1",
) -> HTMLResponse:
    status = status if status in dict(STATUS_CHOICES) else "undischarged"
    kind = kind if kind in KINDS else ""
    page_number = max(int(page), 1) if page.isdigit() else 1
    filters = DutyFilter(status=None if status == "all" else status, kind=kind or None,
                         overdue=bool(overdue))
    duties, total = list_duties(session, principal=principal, filters=filters, now=now,
                                limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    _, overdue_total = list_duties(session, principal=principal, now=now, limit=1,
                                   filters=replace(filters, overdue=True))
    rows = duty_rows(session, duties, now=now)
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({d.subject_person_id for d in duties}),
                why="listed on the duties page")
    query = {"status": status, "kind": kind, "overdue": "1" if overdue else ""}
    ctx: dict[str, Any] = {
        "rows": rows, "total": total, "overdue_total": overdue_total, "status": status,
        "kind": kind, "overdue": bool(overdue), "first_index": (page_number - 1) * PAGE_SIZE + 1,
        "previous_url": _page_url(query, page_number - 1) if page_number > 1 else None,
        "next_url": _page_url(query, page_number + 1)
        if page_number * PAGE_SIZE < total else None,
        "status_choices": STATUS_CHOICES,
        "kind_choices": [(k.name, k.title) for k in KINDS.values()],
        "nav": "duties",
    }
    if is_htmx(request):
        return render(request, "duties/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "duties/list.html",
                  {**ctx, "notifications": _escalations(session, principal, now)},
                  principal=principal)


def _escalations(session: Session, principal: Principal, now: datetime
                 ) -> list[tuple[Notification, DutyRow | None]]:
    """Unread notifications to the user's roles, each with its duty when it names one."""
    unread = notifications_for(session, principal=principal, unread_only=True)
    ids = [n.duty_id for n in unread if n.duty_id is not None]
    duties = list(session.scalars(select(Duty).where(Duty.id.in_(ids)))) if ids else []
    rows = {row.duty.id: row for row in duty_rows(session, duties, now=now)}
    return [(n, rows.get(n.duty_id) if n.duty_id is not None else None) for n in unread]


@router.post("/duties/escalations/seen", dependencies=[CsrfDep])
def escalations_seen(
    session: SessionDep, principal: UserDep, now: NowDep,
    notification_id: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI form default
) -> RedirectResponse:
    """Mark the escalations shown on the banner as seen (by any supervisor of the agency)."""
    mark_notifications_seen(session, principal=principal, ids=notification_id, now=now)
    return RedirectResponse("/duties", status_code=303)


def _page_url(query: dict[str, str], page: int) -> str:
    params = {k: v for k, v in query.items() if v}
    if page > 1:
        params["page"] = str(page)
    return "/duties" + (f"?{urlencode(params)}" if params else "")


@router.get("/duties/{duty_id}", response_class=HTMLResponse)
def duty_page(
    request: Request, duty_id: int, session: SessionDep, principal: UserDep, now: NowDep,
    done: str = "",
) -> HTMLResponse:
    duty = get_duty(session, duty_id=duty_id, principal=principal)
    ctx = _detail_context(session, duty, principal=principal, now=now)
    return render(request, "duties/detail.html", {**ctx, "done": bool(done)},
                  principal=principal)


@router.post("/duties/{duty_id}/discharge", dependencies=[CsrfDep], response_model=None)
def discharge_page(
    request: Request, duty_id: int, session: SessionDep, principal: UserDep, now: NowDep,
    outcome: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    duty = get_duty(session, duty_id=duty_id, principal=principal)
    kind = KINDS[duty.kind]
    note = note.strip()
    errors: dict[str, str] = {}
    if kind.outcomes and outcome not in kind.outcomes:
        errors["outcome"] = f"Select the {_outcome_noun(kind)}"
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    if errors:
        ctx = _detail_context(session, duty, principal=principal, now=now)
        return render(request, "duties/detail.html", {
            **ctx, "errors": [{"text": text, "href": f"#{field}"}
                              for field, text in errors.items()],
            "field_errors": errors, "form": {"outcome": outcome, "note": note},
        }, principal=principal, status_code=422)
    done = discharge(session, duty_id=duty_id, principal=principal, now=now,
                     outcome=outcome if kind.outcomes else None, note=note or None)
    audit(session, principal=principal, action="write", entity="duty", entity_id=done.id,
          person_id=done.subject_person_id, why=f"discharged: {kind.action.lower()}")
    return RedirectResponse(f"/duties/{duty_id}?done=1", status_code=303)


def _outcome_noun(kind: DutyKind) -> str:
    return "decision" if "decision" in kind.title.lower() else "outcome"


def _detail_context(session: Session, duty: Duty, *, principal: Principal,
                    now: datetime) -> dict[str, Any]:
    kind = KINDS[duty.kind]
    share = share_behind(session, duty_id=duty.id)
    agencies = agency_names(session, [duty.owner_agency_id, duty.partner_agency_id,
                                      *(duty.participants or []),
                                      share.from_agency_id if share else None,
                                      share.to_agency_id if share else None])
    history = transitions(session, duty_id=duty.id)
    audit(session, principal=principal, action="read", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id, why="viewed the duty")
    reference = session.scalar(select(Event.source_id).where(Event.id == duty.event_id))
    share_rows = []
    if share is not None:
        for key, label in SHARE_FIELDS:
            if key in share.content and share.content[key] not in (None, ""):
                share_rows.append((label, _share_value(key, share.content[key])))
    return {
        "duty": duty, "kind": kind, "row": duty_rows(session, [duty], now=now)[0],
        "agencies": agencies, "share": share, "share_rows": share_rows,
        "timeline": [_timeline_item(t, duty, agencies) for t in history],
        "escalated_to": _escalated_words(duty.escalated_to, duty, agencies),
        "reference": reference,
        "incident_id": session.scalar(select(Incident.id)
                                      .where(Incident.event_id == duty.event_id)),
        "can_discharge": duty.status != DISCHARGED and may_discharge(principal, duty),
        "outcome_words": OUTCOME_WORDS, "outcome_noun": _outcome_noun(kind),
        "nav": "duties", "form": {}, "field_errors": {},
    }


def _share_value(key: str, value: object) -> str | date | datetime:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in ("occurred_at", "child_dob") and isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
        return when if key == "occurred_at" else when.date()
    return str(value).replace("_", " ") if key in ("incident_kind", "child_role") else str(value)


def _escalated_words(text: str | None, duty: Duty, agencies: dict[str, str]) -> str | None:
    """"childrens_social_care supervisor" -> "Children's Social Care (MASH) supervisor"."""
    if not text:
        return text
    for agency_id in (duty.owner_agency_id, duty.partner_agency_id):
        if agency_id and agency_id in agencies:
            text = text.replace(agency_id, agencies[agency_id])
    return text


def _timeline_item(t: DutyTransition, duty: Duty, agencies: dict[str, str]
                   ) -> dict[str, Any]:
    label = ACTION_WORDS.get(t.action, t.action.capitalize())
    note = t.note
    if t.action == "created" and note == duty.reason:
        note = None  # shown under "Why this duty exists"
    elif t.action == "breached":
        note = f"Not discharged by its deadline, {format_london(duty.due_at)}."
    elif t.action == "escalated":
        note = _escalated_words(note, duty, agencies)
    return {"label": label, "datetime": t.at, "byline": t.actor, "text": note}


# ---------------------------------------------------------------- shared display helpers


def is_overdue(duty: Duty, now: datetime) -> bool:
    return duty.status in (OPEN, BREACHED) and duty.due_at < now


def relative_due(duty: Duty, now: datetime) -> str:
    """"overdue by 3 hours" / "due in 5 hours"; empty once the duty is discharged."""
    if duty.status == DISCHARGED:
        return ""
    delta = duty.due_at - now
    return f"due in {span_words(delta)}" if delta > timedelta(0) else \
        f"overdue by {span_words(-delta)}"


def span_words(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        count, unit = max(minutes, 1), "minute"
    elif minutes < 48 * 60:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes // (24 * 60), "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    people = session.scalars(select(Person).where(Person.id.in_(wanted)))
    return {p.id: person_name(p) for p in people}


def agency_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def _short(agency_id: str, names: dict[str, str]) -> str:
    return SHORT_NAMES.get(agency_id) or names.get(agency_id, agency_id)


def duty_rows(session: Session, duties: list[Duty], *, now: datetime) -> list[DutyRow]:
    names = person_names(session, (d.subject_person_id for d in duties))
    agencies = agency_names(session, [a for d in duties
                                      for a in (d.owner_agency_id, d.partner_agency_id)])
    return [
        DutyRow(
            duty=d, title=KINDS[d.kind].title,
            subject=names.get(d.subject_person_id, f"person {d.subject_person_id}"),
            owner=_short(d.owner_agency_id, agencies)
            + (f" ({d.owner_role})" if d.owner_role else ""),
            partner=_short(d.partner_agency_id, agencies) if d.partner_agency_id else None,
            overdue=is_overdue(d, now), relative=relative_due(d, now),
        )
        for d in duties
    ]
