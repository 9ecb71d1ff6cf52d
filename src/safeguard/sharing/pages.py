"""The partner inbox (shares addressed to the user's agency: open, acknowledge, reply) and the
share records an information-governance audit asks for (search, CSV export)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.casework.service import acknowledge_share
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.duties.presenters import (
    agency_names,
    duty_rows,
    is_overdue,
    person_names,
    relative_due,
    share_rows,
)
from safeguard.errors import Invalid
from safeguard.rules.catalogue import KINDS, SHARE_KINDS
from safeguard.sharing.models import Share
from safeguard.sharing.records import RecordFilter, may_see_all, records_csv, search_records
from safeguard.sharing.service import (
    REPLY_MAX,
    InboxFilter,
    follow_on_duties,
    inbox_page,
    inbox_share,
    open_share,
    record_reply,
    shared_by,
)
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.query import page_number, query_date
from safeguard.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
NOTE_MAX = 4000


def _url(path: str, query: dict[str, str], page: int) -> str:
    params = {k: v for k, v in query.items() if v}
    if page > 1:
        params["page"] = str(page)
    return path + (f"?{urlencode(params)}" if params else "")


# ------------------------------------------------------------------------------ inbox


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
          show: str = "", page: str = "1") -> HTMLResponse:
    show = "all" if show == "all" else ""
    number = page_number(page)
    pairs, total = inbox_page(session, principal=principal,
                              filters=InboxFilter(include_acknowledged=show == "all"),
                              limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    names = person_names(session, (s.subject_person_id for s, _ in pairs))
    agencies = agency_names(session, (s.from_agency_id for s, _ in pairs))
    rows = [{
        "share": share, "duty": duty, "title": KINDS[duty.kind].title,
        "child": names.get(share.subject_person_id, f"person {share.subject_person_id}"),
        "from": agencies.get(share.from_agency_id, share.from_agency_id),
        "overdue": is_overdue(duty, now), "relative": relative_due(duty, now),
    } for share, duty in pairs]
    ctx: dict[str, Any] = {
        "rows": rows, "total": total, "show": show, "nav": "inbox",
        "overdue_total": sum(1 for r in rows if r["overdue"]),
        "previous_url": _url("/inbox", {"show": show}, number - 1) if number > 1 else None,
        "next_url": _url("/inbox", {"show": show}, number + 1)
        if number * PAGE_SIZE < total else None,
    }
    if is_htmx(request):
        return render(request, "inbox/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "inbox/list.html", ctx, principal=principal)


def _share_context(session: Session, share: Share, duty: Duty, *, principal: Principal,
                   now: datetime) -> dict[str, Any]:
    agencies = agency_names(session, [share.from_agency_id, share.to_agency_id])
    follow_on = follow_on_duties(session, duty_id=duty.id, principal=principal)
    return {
        "share": share, "duty": duty, "kind": KINDS[duty.kind],
        "row": duty_rows(session, [duty], now=now)[0], "agencies": agencies,
        "content_rows": share_rows(duty.kind, share.content),
        "occurred_at": _parsed(share.content.get("occurred_at")),
        "shared_by": shared_by(session, duty_ids=[duty.id]).get(duty.id, ""),
        "follow_on": duty_rows(session, follow_on, now=now),
        "outcome_words": dict(KINDS[duty.kind].outcome_words),
        "can_acknowledge": duty.status != DISCHARGED,
        "nav": "inbox", "form": {}, "field_errors": {}, "reply_max": REPLY_MAX,
    }


def _parsed(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@router.get("/inbox/{share_id}", response_class=HTMLResponse)
def inbox_item(request: Request, share_id: int, session: SessionDep, principal: UserDep,
               now: NowDep, done: str = "") -> HTMLResponse:
    share, duty = open_share(session, share_id=share_id, principal=principal, now=now)
    ctx = _share_context(session, share, duty, principal=principal, now=now)
    return render(request, "inbox/detail.html", {**ctx, "done": done}, principal=principal)


def _form_errors(request: Request, session: SessionDep, principal: Principal, now: datetime,
                 share_id: int, errors: dict[str, str], form: dict[str, str]) -> HTMLResponse:
    share, duty = inbox_share(session, share_id=share_id, principal=principal)
    ctx = _share_context(session, share, duty, principal=principal, now=now)
    return render(request, "inbox/detail.html", {
        **ctx, "errors": [{"text": t, "href": f"#{f}"} for f, t in errors.items()],
        "field_errors": errors, "form": form}, principal=principal, status_code=422)


@router.post("/inbox/{share_id}/acknowledge", dependencies=[CsrfDep], response_model=None)
def acknowledge(request: Request, share_id: int, session: SessionDep, principal: UserDep,
                now: NowDep, rules: RulesDep, note: Annotated[str, Form()] = "") -> Response:
    note = note.strip()
    if len(note) > NOTE_MAX:
        return _form_errors(request, session, principal, now, share_id,
                            {"note": f"The note must be {NOTE_MAX} characters or fewer"},
                            {"note": note})
    acknowledge_share(session, share_id=share_id, principal=principal, now=now, ctx=rules,
                      note=note or None)
    return RedirectResponse(f"/inbox/{share_id}?done=acknowledged", status_code=303)


@router.post("/inbox/{share_id}/reply", dependencies=[CsrfDep], response_model=None)
def reply(request: Request, share_id: int, session: SessionDep, principal: UserDep,
          now: NowDep, text: Annotated[str, Form()] = "") -> Response:
    try:
        record_reply(session, share_id=share_id, principal=principal, now=now, text=text)
    except Invalid:
        message = "Enter your reply" if not text.strip() else \
            f"The reply must be {REPLY_MAX} characters or fewer"
        return _form_errors(request, session, principal, now, share_id, {"reply": message},
                            {"reply": text})
    return RedirectResponse(f"/inbox/{share_id}?done=replied", status_code=303)


# --------------------------------------------------------------------- share records


def _record_filter(date_from: str, date_to: str, agency: str, kind: str, child: str,
                   reference: str) -> tuple[RecordFilter, dict[str, str], dict[str, str]]:
    query = {"date_from": date_from.strip(), "date_to": date_to.strip(), "agency": agency,
             "kind": kind if kind in SHARE_KINDS else "", "child": child.strip()[:100],
             "reference": reference.strip()[:100]}
    errors = {name: "Enter a date like 2026-11-27" for name in ("date_from", "date_to")
              if query[name] and query_date(query[name]) is None}
    filters = RecordFilter(date_from=query_date(query["date_from"]),
                           date_to=query_date(query["date_to"]),
                           agency=agency or None, kind=query["kind"] or None,
                           child=query["child"], reference=query["reference"])
    return filters, query, errors


@router.get("/sharing/records", response_class=HTMLResponse)
def records(request: Request, session: SessionDep, principal: UserDep,
            date_from: str = "", date_to: str = "", agency: str = "", kind: str = "",
            child: str = "", reference: str = "", page: str = "1") -> HTMLResponse:
    filters, query, errors = _record_filter(date_from, date_to, agency, kind, child, reference)
    number = page_number(page)
    found, total = search_records(session, principal=principal, filters=filters,
                                  why="listed in the share records", limit=PAGE_SIZE,
                                  offset=(number - 1) * PAGE_SIZE)
    ctx: dict[str, Any] = {
        "records": found, "total": total, "query": query, "field_errors": errors,
        "csv_url": _url("/sharing/records.csv", query, 1), "all_agencies": may_see_all(
            principal), "kind_choices": [(k, KINDS[k].title) for k in SHARE_KINDS],
        "agency_choices": sorted(agency_names(session, _agencies_of(found, principal)).items(),
                                 key=lambda item: item[1]),
        "previous_url": _url("/sharing/records", query, number - 1) if number > 1 else None,
        "next_url": _url("/sharing/records", query, number + 1)
        if number * PAGE_SIZE < total else None,
        "nav": "inbox",
    }
    if is_htmx(request):
        return render(request, "records/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "records/list.html", ctx, principal=principal)


def _agencies_of(found: list[Any], principal: Principal) -> list[str]:
    ids = {principal.agency_id, "police", "childrens_social_care", "health", "education",
           "probation"}
    for record in found:
        ids |= {record.share.from_agency_id, record.share.to_agency_id}
    return sorted(ids)


@router.get("/sharing/records.csv")
def records_export(session: SessionDep, principal: UserDep, now: NowDep,
                   date_from: str = "", date_to: str = "", agency: str = "", kind: str = "",
                   child: str = "", reference: str = "") -> Response:
    filters, _, _ = _record_filter(date_from, date_to, agency, kind, child, reference)
    found, _ = search_records(session, principal=principal, filters=filters, limit=None,
                              why="exported in the share records (CSV)")
    name = f"share-records-{now:%Y%m%d-%H%M%S}.csv"
    return Response(records_csv(found), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
