"""Duty pages: the agency's duties list (filters, htmx partial), one duty and discharging it.

How a duty reads on screen (names, "due in 5 hours", a share's fields) is in presenters.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.casework.service import discharge
from safeguard.duties.assignment import (
    acts_for_owner,
    choices,
    claim_duty,
    holders,
    manages,
    team_ids_of,
)
from safeguard.duties.models import DISCHARGED, Duty, DutyTransition, Notification
from safeguard.duties.presenters import (
    DutyRow,
    agency_names,
    dischargers,
    duty_rows,
    escalation_words,
    share_rows,
)
from safeguard.duties.service import (
    DutyFilter,
    discharge_choice,
    list_duties,
    mark_notifications_seen,
    may_see,
    notifications_for,
    transitions,
    view_duty,
)
from safeguard.errors import Conflict, Invalid
from safeguard.events.models import Event
from safeguard.incidents.models import Incident
from safeguard.rules.catalogue import KINDS
from safeguard.rules.kinds import DutyKind
from safeguard.sharing.service import share_for_duty
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.i18n import translations
from safeguard.web.query import page_number as parse_page
from safeguard.web.render import is_htmx, render
from safeguard.web.templating import format_london
from safeguard.work.service import assign_and_tell

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
HELD_CHOICES = (
    ("", "Anyone or nobody"),
    ("me", "Held by me"),
    ("teams", "Held by my teams"),
    ("nobody", "Not held"),
)
ACTION_WORDS = {"created": "Duty raised", "breached": "Deadline missed (breached)",
                "escalated": "Escalated", "discharged": "Discharged",
                "evidence_added": "Evidence added", "closed_as_duplicate": "Closed as a duplicate",
                "reopened": "Reopened", "due_brought_forward": "Deadline brought forward",
                "due_changed": "Deadline changed",
                "claimed": "Claimed", "assigned": "Assigned", "reassigned": "Reassigned"}
# What the discharge form says of a mistake (safeguard/words.py declares them for Welsh).
OUTCOME_MISSING = "Select the %(noun)s"
NOTE_TOO_LONG = "The note must be %(max)s characters or fewer"
DONE = {"claimed": "You hold this duty now: it is in My work.",
        "assigned": "The duty is assigned."}


@router.get("/duties", response_class=HTMLResponse)
def duties_page(
    request: Request, session: SessionDep, principal: UserDep, now: NowDep,
    status: str = "undischarged", kind: str = "", overdue: str = "", held: str = "",
    page: str = "1",
) -> HTMLResponse:
    status = status if status in dict(STATUS_CHOICES) else "undischarged"
    kind = kind if kind in KINDS else ""
    held = held if held in dict(HELD_CHOICES) else ""
    page_number = parse_page(page)
    filters = DutyFilter(status=None if status == "all" else status, kind=kind or None,
                         overdue=bool(overdue), held=held or None, held_for=principal.id)
    duties, total = list_duties(session, principal=principal, filters=filters, now=now,
                                limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
                                why="listed on the duties page")
    _, overdue_total = list_duties(session, principal=principal, now=now, limit=1,
                                   filters=replace(filters, overdue=True), why=None)
    rows = duty_rows(session, duties, now=now)
    query = {"status": status, "kind": kind, "overdue": "1" if overdue else "", "held": held}
    ctx: dict[str, Any] = {
        "rows": rows, "holders": holders(session, [d.id for d in duties]),
        "total": total, "overdue_total": overdue_total, "status": status,
        "kind": kind, "overdue": bool(overdue), "first_index": (page_number - 1) * PAGE_SIZE + 1,
        "previous_url": _page_url(query, page_number - 1) if page_number > 1 else None,
        "next_url": _page_url(query, page_number + 1)
        if page_number * PAGE_SIZE < total else None,
        "status_choices": STATUS_CHOICES, "held": held, "held_choices": HELD_CHOICES,
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
    duties = [duty for duty in session.scalars(select(Duty).where(Duty.id.in_(ids)))
              if may_see(principal, duty)] if ids else []
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
    duty = view_duty(session, duty_id=duty_id, principal=principal, why="viewed the duty")
    ctx = _detail_context(session, duty, principal=principal, now=now)
    return render(request, "duties/detail.html", {
        **ctx, "done": bool(done), "assigned_notice": DONE.get(done)}, principal=principal)


@router.post("/duties/{duty_id}/claim", dependencies=[CsrfDep])
def claim_page(duty_id: int, session: SessionDep, principal: UserDep, now: NowDep,
               back: Annotated[str, Form()] = "") -> RedirectResponse:
    """Claim, from the duty's page or a queue (`back`: a queue to return to)."""
    claim_duty(session, duty_id=duty_id, by=principal, now=now)
    if back in ("/work", "/work/team"):
        return RedirectResponse(f"{back}?claimed={duty_id}", status_code=303)
    return RedirectResponse(f"/duties/{duty_id}?done=claimed", status_code=303)


@router.post("/duties/{duty_id}/assign", dependencies=[CsrfDep], response_model=None)
def assign_page(
    request: Request, duty_id: int, session: SessionDep, principal: UserDep, now: NowDep,
    holder: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
) -> Response:
    kind, _, number = holder.partition("-")
    user_id = int(number) if kind == "user" and number.isdigit() and len(number) < 10 else None
    team_id = int(number) if kind == "team" and number.isdigit() and len(number) < 10 else None
    try:
        if user_id is None and team_id is None:
            raise Invalid("choose who is to hold the duty")
        assign_and_tell(session, duty_id=duty_id, by=principal, now=now, to_user_id=user_id,
                    to_team_id=team_id, reason=reason)
    except (Invalid, Conflict) as error:
        duty = view_duty(session, duty_id=duty_id, principal=principal,
                         why="assigning the duty")
        field = "reason" if "reason" in str(error) else "holder"
        text = str(error)[:1].upper() + str(error)[1:]  # names in it keep their capitals
        ctx = _detail_context(session, duty, principal=principal, now=now)
        return render(request, "duties/detail.html", {
            **ctx, "errors": [{"text": text, "href": f"#{field}"}],
            "field_errors": {field: text},
            "form": {"holder": holder, "reason": reason},
        }, principal=principal, status_code=422)
    return RedirectResponse(f"/duties/{duty_id}?done=assigned", status_code=303)


@router.post("/duties/{duty_id}/discharge", dependencies=[CsrfDep], response_model=None)
def discharge_page(
    request: Request, duty_id: int, session: SessionDep, principal: UserDep, now: NowDep,
    rules: RulesDep, outcome: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:
    duty = view_duty(session, duty_id=duty_id, principal=principal, why="discharging the duty")
    kind = KINDS[duty.kind]
    choice = discharge_choice(principal, duty)
    note = note.strip()
    errors: dict[str, str] = {}
    words = translations(principal.language)  # the errors in the user's language
    names = [o.name for o in choice.outcomes] if choice else []
    if choice and ((choice.outcome_required and outcome not in names)
                   or (outcome and outcome not in names)):
        errors["outcome"] = words.gettext(OUTCOME_MISSING) % {
            "noun": words.gettext(_outcome_noun(kind))}
    if len(note) > NOTE_MAX:
        errors["note"] = words.gettext(NOTE_TOO_LONG) % {"max": NOTE_MAX}
    if errors:
        ctx = _detail_context(session, duty, principal=principal, now=now)
        return render(request, "duties/detail.html", {
            **ctx, "errors": [{"text": text, "href": f"#{field}"}
                              for field, text in errors.items()],
            "field_errors": errors, "form": {"outcome": outcome, "note": note},
        }, principal=principal, status_code=422)
    discharge(session, duty_id=duty_id, principal=principal, now=now, ctx=rules,
              outcome=outcome or None, note=note or None)
    return RedirectResponse(f"/duties/{duty_id}?done=1", status_code=303)


def _outcome_noun(kind: DutyKind) -> str:
    return "decision" if "decision" in kind.title.lower() else "outcome"


def _detail_context(session: Session, duty: Duty, *, principal: Principal,
                    now: datetime) -> dict[str, Any]:
    kind = KINDS[duty.kind]
    share = share_for_duty(session, duty_id=duty.id)
    agencies = agency_names(session, [duty.owner_agency_id, duty.partner_agency_id,
                                      *(duty.participants or []),
                                      share.from_agency_id if share else None,
                                      share.to_agency_id if share else None])
    history = transitions(session, duty_id=duty.id)
    reference = session.scalar(select(Event.source_id).where(Event.id == duty.event_id))
    choice = discharge_choice(principal, duty) if duty.status != DISCHARGED else None
    return {
        "duty": duty, "kind": kind, "row": duty_rows(session, [duty], now=now)[0],
        "agencies": agencies, "share": share,
        "share_rows": share_rows(duty.kind, share.content) if share else [],
        "dischargers": dischargers(duty),
        "timeline": [_timeline_item(t, duty, agencies) for t in history],
        "escalated_to": escalation_words(duty.escalated_to, duty, lambda a: agencies.get(a, a)),
        "reference": reference,
        "incident_id": session.scalar(select(Incident.id)
                                      .where(Incident.event_id == duty.event_id)),
        "can_discharge": choice is not None, "choice": choice,
        "outcomes": choice.outcomes if choice else (),
        "outcome_words": dict(kind.outcome_words), "outcome_noun": _outcome_noun(kind),
        "nav": "duties", "form": {}, "field_errors": {},
        **_holding(session, duty, principal),
    }


def _holding(session: Session, duty: Duty, principal: Principal) -> dict[str, Any]:
    """Who holds the duty, and whether this user may claim it or give it to someone."""
    holder = holders(session, [duty.id]).get(duty.id)
    owner = duty.status != DISCHARGED and acts_for_owner(principal, duty)
    claimable = owner and (holder is None or (
        holder.team_id is not None
        and holder.team_id in team_ids_of(session, user_id=principal.id)))
    assignable = owner and manages(principal)
    return {"holder": holder, "can_claim": claimable, "can_assign": assignable,
            "holder_choices": choices(session, duty=duty) if assignable else []}


def _timeline_item(t: DutyTransition, duty: Duty, agencies: dict[str, str]
                   ) -> dict[str, Any]:
    label = ACTION_WORDS.get(t.action, t.action.capitalize())
    note = t.note
    if t.action == "created" and note == duty.reason:
        note = None  # shown under "Why this duty exists"
    elif t.action == "breached":
        note = f"Not discharged by its deadline, {format_london(duty.due_at)}."
    elif t.action == "escalated":
        note = escalation_words(note, duty, lambda a: agencies.get(a, a))
    return {"label": label, "datetime": t.at, "byline": t.actor, "text": note}
