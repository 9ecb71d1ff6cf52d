"""Missing pages: an episode with its timeline, the children missing now, and the SSDA903
missing module as CSV for the council's annual return."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.service import may_see_person
from safeguard.duties.presenters import duty_rows
from safeguard.duties.service import may_see
from safeguard.errors import Forbidden, InvalidField, NotFound
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.events.service import CONFLICT
from safeguard.intake.service import accept_event
from safeguard.missing.forms import FORMS, INTERVIEW, REPORT, Form, build, field_for, now_value
from safeguard.missing.views import (
    EpisodeView,
    episode_view,
    missing_now,
    require_live_list,
    ssda903_missing,
)
from safeguard.rules.context import RuleContext
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.i18n import translations
from safeguard.web.render import render
from safeguard.workdays import LONDON

router = APIRouter(include_in_schema=False)

ENTRY_LABELS = {"report": "Reported missing", "update": "Update", "return": "Returned",
                "interview": "Return home interview",
                "still_missing": "Still missing: strategy discussion check",
                "school_check": "Still missing: school day check"}
RISK_COLOURS = {"high": "red", "medium": "purple", "low": "blue", "no_apparent_risk": "grey"}


@router.get("/missing", response_class=HTMLResponse)
def missing_now_page(request: Request, session: SessionDep, principal: UserDep,
                     now: NowDep) -> HTMLResponse:
    require_live_list(principal)
    rows = missing_now(session, now=now)
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({r.episode.person_id for r in rows}),
                why="viewed the children missing now")
    return render(request, "missing/now.html", {
        "rows": rows, "risk_words": RISK_WORDS, "risk_colours": RISK_COLOURS,
        "may_export": principal.agency_id == AgencyKind.CHILDRENS_SOCIAL_CARE.value,
        "may_report": principal.records_for("police"),
        # The latest collection year that has begun: it ends 31 March.
        "export_year": now.year + (1 if now.month >= 4 else 0),
        "nav": "missing"}, principal=principal)


@router.get("/missing/ssda903.csv")
def ssda903_export(session: SessionDep, principal: UserDep, year: int) -> Response:
    """The collection year ending 31 March `year`."""
    if principal.agency_id != AgencyKind.CHILDRENS_SOCIAL_CARE.value:
        raise Forbidden("the SSDA903 return is children's social care's")
    if not 2000 <= year <= 2100:
        raise NotFound(f"no SSDA903 year {year}")
    columns, rows = ssda903_missing(session, year=year)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    audit(session, principal=principal, action="read", entity="missing_export",
          entity_id=year, person_id=None,
          why=f"exported the SSDA903 missing module for {year - 1}-{year % 100:02d} "
              f"({len(rows)} episodes)")
    return Response(out.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ssda903-missing-{year}.csv"'})


# ------------------------------------------------------------------------------- forms


async def _form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormListsDep = Annotated[dict[str, list[str]], Depends(_form_lists)]


def _form_page(request: Request, principal: Principal, form: Form, *, action: str, back: str,
               caption: str, values: dict[str, list[str]], errors: dict[str, str],
               episode: str | None = None, status_code: int = 200) -> HTMLResponse:
    """`caption`: the agency, or the child whose `episode` (its reference) the form is of."""
    order = [f.name for f in form.fields]
    listed = sorted(errors.items(), key=lambda item: order.index(item[0])
                    if item[0] in order else len(order))
    ids = {f.name: f.id for f in form.fields}
    return render(request, "missing/form.html", {
        "form": form, "action": action, "back": back, "caption": caption, "episode": episode,
        "values": values, "field_errors": errors, "nav": "missing",
        "errors": [{"text": text, "href": f"#{ids.get(name, name)}"} for name, text in listed],
    }, principal=principal, status_code=status_code)


def _submit(session: Session, *, form: Form, values: dict[str, list[str]],
            fixed: dict[str, Any], principal: Principal, ctx: RuleContext, now: datetime
            ) -> tuple[int | None, dict[str, str]]:
    """Validate and accept the form's event: the episode's id, or the problems by field. A
    refusal rolls back only what the event wrote (its savepoint)."""
    payload, errors = build(form, values, fixed)
    data = None
    try:
        data = EVENT_ADAPTER.validate_python(payload)
    except ValidationError as error:
        for path, reason in describe_errors(error):
            errors.setdefault(field_for(form, path), reason[:1].upper() + reason[1:])
    if errors or data is None:
        return None, errors
    try:
        with session.begin_nested():
            done = accept_event(session, data=data, raw=payload, via="form",
                                principal=principal, ctx=ctx, now=now)
    except InvalidField as refused:
        return None, {field_for(form, refused.field): refused.reason[:1].upper()
                      + refused.reason[1:]}
    if done.outcome == CONFLICT:
        return None, {form.fields[0].name: "This reference is already used for another "
                                            "event: give another"}
    return done.episode_id, {}


@router.get("/missing/new", response_class=HTMLResponse)
def new_report(request: Request, principal: UserDep, now: NowDep) -> HTMLResponse:
    _require_police(principal)
    at = now_value(now)
    values = {"source_id": [f"MP-{now.astimezone(LONDON):%Y%m%d-%H%M%S}"],
              "reported_at": [at], "officer": [principal.display_name]}
    return _form_page(request, principal, REPORT, action="/missing", back="/missing",
                      caption=principal.agency_name, values=values, errors={})


@router.post("/missing", dependencies=[CsrfDep], response_model=None)
def record_report(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                  ctx: RulesDep, values: FormListsDep) -> Response:
    _require_police(principal)
    episode_id, errors = _submit(session, form=REPORT, values=values, fixed={},
                                 principal=principal, ctx=ctx, now=now)
    if episode_id is None:
        return _form_page(request, principal, REPORT, action="/missing", back="/missing",
                          caption=principal.agency_name, values=values, errors=errors,
                          status_code=422)
    return RedirectResponse(f"/missing/{episode_id}?recorded=1", status_code=303)


def _require_police(principal: Principal) -> None:
    if not principal.records_for("police"):
        raise Forbidden("only the police report a child missing")


def _episode_form(session: Session, principal: Principal, episode_id: int, what: str,
                  now: datetime) -> tuple[Form, EpisodeView]:
    view = episode_view(session, episode_id=episode_id)
    if not may_see_person(session, principal=principal, person_id=view.person.id, now=now):
        raise NotFound(f"missing episode {episode_id} not found")
    form = FORMS[what]
    if not principal.records_for(str(form.fixed["source"])):
        raise Forbidden(f"{principal.agency_name} does not record a "
                        f"{form.event.replace('_', ' ')}")
    return form, view


def _episode_form_routes(what: str) -> None:
    path = f"/missing/{{episode_id}}/{what}"

    @router.get(path, response_class=HTMLResponse, name=f"missing_{what}_form")
    def show(request: Request, episode_id: int, session: SessionDep, principal: UserDep,
             now: NowDep) -> HTMLResponse:
        form, view = _episode_form(session, principal, episode_id, what, now)
        first = next(f.name for f in form.fields if f.kind == "datetime")
        values = {first: [now_value(now)]}
        if form is not INTERVIEW:
            values["officer"] = [principal.display_name]
        return _form_page(request, principal, form, action=path.format(episode_id=episode_id),
                          back=f"/missing/{episode_id}", values=values, errors={},
                          caption=view.name, episode=view.episode.reference)

    @router.post(path, dependencies=[CsrfDep], response_model=None,
                 name=f"missing_{what}_record")
    def record(request: Request, episode_id: int, session: SessionDep, principal: UserDep,
               now: NowDep, ctx: RulesDep, values: FormListsDep) -> Response:
        form, view = _episode_form(session, principal, episode_id, what, now)
        reference = view.episode.reference
        stamp = f"{now.astimezone(LONDON):%Y%m%d%H%M%S}"
        fixed = {"report": reference, "source_id": f"{reference}-{what}-{stamp}"}
        done, errors = _submit(session, form=form, values=values, fixed=fixed,
                               principal=principal, ctx=ctx, now=now)
        if done is None:
            return _form_page(request, principal, form,
                              action=path.format(episode_id=episode_id),
                              back=f"/missing/{episode_id}", values=values, errors=errors,
                              caption=view.name, episode=reference,
                              status_code=422)
        return RedirectResponse(f"/missing/{episode_id}?recorded=1", status_code=303)


for _what in FORMS:
    _episode_form_routes(_what)


# Last: /missing/new and the forms above are matched before an episode's id.
@router.get("/missing/{episode_id}", response_class=HTMLResponse)
def episode_page(request: Request, episode_id: int, session: SessionDep, principal: UserDep,
                 now: NowDep) -> HTMLResponse:
    view = episode_view(session, episode_id=episode_id)
    if not may_see_person(session, principal=principal, person_id=view.person.id, now=now):
        raise NotFound(f"missing episode {episode_id} not found")
    audit(session, principal=principal, action="read", entity="missing_episode",
          entity_id=episode_id, person_id=view.person.id, why="viewed the missing episode")
    episode = view.episode
    seen = session.execute(
        select(AuditEntry.actor, AuditEntry.agency_id, AuditEntry.at)
        .where(AuditEntry.entity == "missing_episode", AuditEntry.entity_id == str(episode.id),
               AuditEntry.action == "read")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)).all()
    duties = [d for d in view.duties if may_see(principal, d)]
    # The timeline's words in the reader's language (words.py declares them).
    words = translations(principal.language).gettext
    timeline: list[dict[str, Any]] = [{
        "label": words("%(label)s — risk %(risk)s") % {
            "label": words(ENTRY_LABELS.get(e.kind, e.kind)),
            "risk": words(RISK_WORDS.get(e.risk, e.risk))}
        if e.risk else words(ENTRY_LABELS.get(e.kind, e.kind)),
        "datetime": e.at, "byline": e.by,
        "text": " ".join(part for part in (
            e.note or "",
            words("Exploitation indicators: %(indicators)s.") % {"indicators": ", ".join(
                words(INDICATOR_WORDS.get(i, i)) for i in e.indicators)}
            if e.indicators else "")
            if part) or None,
    } for e in reversed(view.entries)]
    return render(request, "missing/episode.html", {
        "view": view, "episode": episode, "timeline": timeline,
        "duty_rows": duty_rows(session, duties, now=now), "seen": seen,
        "risk_words": RISK_WORDS, "risk_colours": RISK_COLOURS,
        "indicators": [INDICATOR_WORDS.get(i, i) for i in episode.exploitation_indicators],
        "hours": ((episode.returned_at or now) - episode.last_seen_at).total_seconds() / 3600,
        "may_update": principal.records_for("police") and episode.returned_at is None,
        "may_interview": principal.records_for("childrens_social_care")
        and episode.returned_at is not None,
        "nav": "missing"}, principal=principal)
