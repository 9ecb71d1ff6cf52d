"""Inspection pages: the list, an inspection with its findings, plan and revisits, the forms a
senior manager records them with, and the revisit report (HTML and PDF).

An inspection names no child, so every signed-in user may read it; recording and editing are
a senior manager's (inspections.service and .editing enforce it; those routes sit under
/inspections/record); an action's progress is its owning agency's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safeguard.access.models import Agency
from safeguard.config import Settings
from safeguard.errors import Invalid, NotFound
from safeguard.inspections.editing import edit_action, edit_finding, edit_inspection
from safeguard.inspections.models import Action, Finding, Inspection
from safeguard.inspections.report import (
    Report,
    build_report,
    report_css,
    report_html,
    report_pdf,
)
from safeguard.inspections.service import (
    FINDING_KINDS,
    REVISIT_KINDS,
    STATUS_WORDS,
    add_action,
    add_finding,
    get_inspection,
    list_inspections,
    may_record,
    may_update,
    plan_of,
    record_inspection,
    reference_of,
    require_recorder,
    schedule_revisit,
    update_action,
)
from safeguard.measures.declarations import MEASURES
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.query import query_date
from safeguard.web.render import render
from safeguard.workdays import LONDON

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _found(session: SessionDep, inspection_id: int) -> Inspection:
    inspection = get_inspection(session, inspection_id=inspection_id)
    if inspection is None:
        raise NotFound("No such inspection.")
    return inspection


@router.get("/inspections", response_class=HTMLResponse)
def inspections(request: Request, session: SessionDep, principal: UserDep) -> HTMLResponse:
    return render(request, "inspections/list.html", {
        "inspections": list_inspections(session), "may_record": may_record(principal),
        "nav": "inspections"}, principal=principal)


def _form_errors(values: dict[str, str]) -> tuple[dict[str, str], dict[str, date]]:
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name in ("started_on", "ended_on", "published_on"):
        parsed = query_date(values.get(name, ""))
        if parsed is None:
            errors[name] = "Enter a date like 2026-06-30"
        else:
            days[name] = parsed
    for name in ("inspectorate", "title"):
        if not values.get(name, "").strip():
            errors[name] = f"Enter the {name}"
    url = values.get("report_url", "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        errors["report_url"] = "Enter a web address starting https://"
    if not errors and days["ended_on"] < days["started_on"]:
        errors["ended_on"] = "The inspection must end on or after its first day"
    return errors, days


@router.get("/inspections/record/new", response_class=HTMLResponse)
def new_inspection(request: Request, principal: UserDep) -> HTMLResponse:
    if not may_record(principal):
        raise NotFound("No such page.")
    return render(request, "inspections/new.html", {"values": {}, "errors": {},
                                                    "nav": "inspections"}, principal=principal)


@router.post("/inspections/record", dependencies=[CsrfDep], response_model=None)
def create_inspection(
    request: Request, session: SessionDep, principal: UserDep, now: NowDep, ctx: RulesDep,
    inspectorate: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "", ended_on: Annotated[str, Form()] = "",
    published_on: Annotated[str, Form()] = "", report_url: Annotated[str, Form()] = "",
) -> Response:
    values = {"inspectorate": inspectorate, "title": title, "started_on": started_on,
              "ended_on": ended_on, "published_on": published_on, "report_url": report_url}
    require_recorder(principal)
    errors, days = _form_errors(values)
    if errors:
        return render(request, "inspections/new.html", {"values": values, "errors": errors,
                                                        "nav": "inspections"},
                      principal=principal, status_code=422)
    inspection = record_inspection(
        session, principal=principal, inspectorate=inspectorate.strip(), title=title.strip(),
        started_on=days["started_on"], ended_on=days["ended_on"],
        published_on=days["published_on"],
        report_url=report_url.strip() or None, now=now, ctx=ctx,
        settings=_settings(request).inspections)
    return RedirectResponse(f"/inspections/{inspection.id}", status_code=303)


@router.get("/inspections/report", response_class=HTMLResponse)
def revisit_report(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                   date_from: str = "", date_to: str = "", inspection: int = 0) -> Response:
    report = _report(request, session, now, date_from, date_to, inspection)
    return HTMLResponse(report_html(report), headers={"Cache-Control": "no-store"})


@router.get("/inspections/report.pdf")
def revisit_report_pdf(request: Request, session: SessionDep, principal: UserDep,
                       now: NowDep, date_from: str = "", date_to: str = "",
                       inspection: int = 0) -> Response:
    report = _report(request, session, now, date_from, date_to, inspection)
    name = f"revisit-report-{report.start}-{report.end}.pdf"
    return Response(report_pdf(report), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/inspections/report.css")
def revisit_report_css(principal: UserDep) -> Response:
    return Response(report_css(), media_type="text/css")


def _report(request: Request, session: SessionDep, now: NowDep, date_from: str, date_to: str,
            inspection_id: int) -> Report:
    today = now.astimezone(LONDON).date()
    start = query_date(date_from) or today.replace(year=today.year - 1, day=1)
    end = query_date(date_to) or today
    chosen = get_inspection(session, inspection_id=inspection_id) if inspection_id else None
    if chosen is None:
        found = list_inspections(session)
        chosen = found[0] if found else None
    return build_report(session, start=start, end=end, inspection=chosen,
                        settings=_settings(request), now=now)


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(request: Request, session: SessionDep, principal: UserDep,
                    inspection_id: int) -> HTMLResponse:
    inspection = _found(session, inspection_id)
    agencies = [(a.id, a.name) for a in session.query(Agency).order_by(Agency.name)]
    return render(request, "inspections/inspection.html", {
        "plan": plan_of(session, inspection=inspection), "may_record": may_record(principal),
        "finding_kinds": FINDING_KINDS, "revisit_kinds": REVISIT_KINDS, "measures": MEASURES,
        "agencies": agencies, "agency_id": principal.agency_id, "nav": "inspections",
        "reference": reference_of(session, event_id=inspection.event_id)},
        principal=principal)


def _back(inspection: Inspection) -> RedirectResponse:
    return RedirectResponse(f"/inspections/{inspection.id}", status_code=303)


@router.post("/inspections/record/{inspection_id}/findings", dependencies=[CsrfDep])
def create_finding(session: SessionDep, principal: UserDep, inspection_id: int,
                   kind: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
                   measures: Annotated[list[str] | None, Form()] = None) -> RedirectResponse:
    require_recorder(principal)
    inspection = _found(session, inspection_id)
    add_finding(session, principal=principal, inspection=inspection, kind=kind,
                text=text, measures=measures or [])
    return _back(inspection)


@router.post("/inspections/record/{inspection_id}/actions", dependencies=[CsrfDep])
def create_action(session: SessionDep, principal: UserDep, now: NowDep, ctx: RulesDep,
                  inspection_id: int, text: Annotated[str, Form()] = "",
                  owner_agency_id: Annotated[str, Form()] = "",
                  owner_name: Annotated[str, Form()] = "", due_on: Annotated[str, Form()] = "",
                  finding_id: Annotated[str, Form()] = "") -> RedirectResponse:
    require_recorder(principal)
    inspection = _found(session, inspection_id)
    due = query_date(due_on)
    if due is None or not text.strip() or not owner_name.strip() or \
            session.get(Agency, owner_agency_id) is None:
        raise Invalid("action: enter what is to be done, an agency, a named owner and a "
                         "due date like 2026-09-30")
    add_action(session, principal=principal, inspection=inspection,
               finding_id=int(finding_id) if finding_id.isdigit() else None,
               text=text.strip(), owner_agency_id=owner_agency_id,
               owner_name=owner_name.strip(), due_on=due, now=now, ctx=ctx)
    return _back(inspection)


@router.post("/inspections/record/{inspection_id}/revisits", dependencies=[CsrfDep])
def create_revisit(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                   ctx: RulesDep, inspection_id: int, kind: Annotated[str, Form()] = "",
                   on: Annotated[str, Form()] = "") -> RedirectResponse:
    require_recorder(principal)
    inspection = _found(session, inspection_id)
    day = query_date(on)
    if day is None:
        raise Invalid("on: enter the revisit's date like 2027-03-01")
    schedule_revisit(session, principal=principal, inspection=inspection, kind=kind, on=day,
                     now=now, ctx=ctx, settings=_settings(request).inspections)
    return _back(inspection)



# ------------------------------------------------------------------ editing and progress


def _finding(session: SessionDep, finding_id: int) -> Finding:
    found = session.get(Finding, finding_id)
    if found is None:
        raise NotFound("No such finding.")
    return found


def _action(session: SessionDep, action_id: int) -> Action:
    found = session.get(Action, action_id)
    if found is None:
        raise NotFound("No such action.")
    return found


def _to(inspection_id: int) -> RedirectResponse:
    return RedirectResponse(f"/inspections/{inspection_id}", status_code=303)


def _recorder_page(principal: UserDep) -> None:
    """The editing forms are a senior manager's: to anyone else, no such page."""
    if not may_record(principal):
        raise NotFound("No such page.")


@router.get("/inspections/record/{inspection_id}/edit", response_class=HTMLResponse)
def edit_inspection_page(request: Request, session: SessionDep, principal: UserDep,
                         inspection_id: int) -> HTMLResponse:
    _recorder_page(principal)
    i = _found(session, inspection_id)
    values = {"inspectorate": i.inspectorate, "title": i.title,
              "started_on": i.started_on.isoformat(), "ended_on": i.ended_on.isoformat(),
              "published_on": i.published_on.isoformat(), "report_url": i.report_url or ""}
    return render(request, "inspections/new.html", {
        "values": values, "errors": {}, "editing": i, "nav": "measures"}, principal=principal)


@router.post("/inspections/record/{inspection_id}/edit", dependencies=[CsrfDep],
             response_model=None)
def save_inspection(
    request: Request, session: SessionDep, principal: UserDep, now: NowDep, ctx: RulesDep,
    inspection_id: int, inspectorate: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "", started_on: Annotated[str, Form()] = "",
    ended_on: Annotated[str, Form()] = "", published_on: Annotated[str, Form()] = "",
    report_url: Annotated[str, Form()] = "",
) -> Response:
    require_recorder(principal)
    inspection = _found(session, inspection_id)
    values = {"inspectorate": inspectorate, "title": title, "started_on": started_on,
              "ended_on": ended_on, "published_on": published_on, "report_url": report_url}
    errors, days = _form_errors(values)
    if errors:
        return render(request, "inspections/new.html", {
            "values": values, "errors": errors, "editing": inspection, "nav": "measures"},
            principal=principal, status_code=422)
    edit_inspection(session, principal=principal, inspection=inspection,
                    inspectorate=inspectorate, title=title, started_on=days["started_on"],
                    ended_on=days["ended_on"], published_on=days["published_on"],
                    report_url=report_url.strip() or None, now=now, ctx=ctx)
    return _back(inspection)


@router.get("/inspections/record/findings/{finding_id}", response_class=HTMLResponse)
def edit_finding_page(request: Request, session: SessionDep, principal: UserDep,
                      finding_id: int) -> HTMLResponse:
    _recorder_page(principal)
    return render(request, "inspections/finding.html", {
        "finding": _finding(session, finding_id), "finding_kinds": FINDING_KINDS,
        "measures": MEASURES, "nav": "measures"}, principal=principal)


@router.post("/inspections/record/findings/{finding_id}", dependencies=[CsrfDep])
def save_finding(session: SessionDep, principal: UserDep, finding_id: int,
                 kind: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
                 measures: Annotated[list[str] | None, Form()] = None) -> RedirectResponse:
    require_recorder(principal)
    finding = _finding(session, finding_id)
    edit_finding(session, principal=principal, finding=finding, kind=kind, text=text,
                 measures=measures or [])
    return _to(finding.inspection_id)


@router.get("/inspections/record/actions/{action_id}", response_class=HTMLResponse)
def edit_action_page(request: Request, session: SessionDep, principal: UserDep,
                     action_id: int) -> HTMLResponse:
    _recorder_page(principal)
    action = _action(session, action_id)
    inspection = _found(session, action.inspection_id)
    return render(request, "inspections/action.html", {
        "action": action, "findings": plan_of(session, inspection=inspection).findings,
        "nav": "measures"}, principal=principal)


@router.post("/inspections/record/actions/{action_id}", dependencies=[CsrfDep])
def save_action(session: SessionDep, principal: UserDep, now: NowDep, action_id: int,
                text: Annotated[str, Form()] = "", owner_name: Annotated[str, Form()] = "",
                due_on: Annotated[str, Form()] = "",
                finding_id: Annotated[str, Form()] = "") -> RedirectResponse:
    require_recorder(principal)
    action = _action(session, action_id)
    due = query_date(due_on)
    if due is None:
        raise Invalid("due_on: enter a due date like 2026-09-30")
    edit_action(session, principal=principal, action=action, text=text, owner_name=owner_name,
                due_on=due, finding_id=int(finding_id) if finding_id.isdigit() else None,
                now=now)
    return _to(action.inspection_id)


def _own_action(session: SessionDep, principal: UserDep, action_id: int) -> Action:
    """An action whose progress this user's agency reports; any other is no such page."""
    action = _action(session, action_id)
    if not may_update(principal, action):
        raise NotFound("No such action of your agency.")
    return action


@router.get("/inspections/actions/{action_id}", response_class=HTMLResponse)
def progress_page(request: Request, session: SessionDep, principal: UserDep,
                  action_id: int) -> HTMLResponse:
    action = _own_action(session, principal, action_id)
    plan = plan_of(session, inspection=_found(session, action.inspection_id))
    view = next(a for a in plan.actions if a.action.id == action.id)
    return render(request, "inspections/progress.html", {
        "view": view, "statuses": STATUS_WORDS, "nav": "measures"}, principal=principal)


@router.post("/inspections/actions/{action_id}", dependencies=[CsrfDep])
def save_progress(session: SessionDep, principal: UserDep, now: NowDep, ctx: RulesDep,
                  action_id: int, status: Annotated[str, Form()] = "",
                  evidence: Annotated[str, Form()] = "") -> RedirectResponse:
    action = _own_action(session, principal, action_id)
    update_action(session, principal=principal, action=action, status=status,
                  evidence=evidence, at=now, ctx=ctx)
    return _to(action.inspection_id)
