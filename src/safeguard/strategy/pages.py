"""Strategy discussion pages: recording one held about a child (children's social care, who
convene it), and reading one back (the agencies in it only)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, AgencyKind
from safeguard.access.service import Principal
from safeguard.children.known import KnownChild, known_child
from safeguard.duties.presenters import duty_rows
from safeguard.duties.service import may_see
from safeguard.errors import Forbidden, InvalidField
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.intake.service import accept_event
from safeguard.missing.forms import now_value
from safeguard.strategy.forms import PARTS, build, field_id, form_field, order
from safeguard.strategy.service import DECISION_WORDS, read_discussion
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.render import render
from safeguard.workdays import LONDON

router = APIRouter(include_in_schema=False)

CONVENOR = AgencyKind.CHILDRENS_SOCIAL_CARE.value
# The rows the form starts with: the agencies Working Together expects, social care first.
STARTING_AGENCIES = (CONVENOR, AgencyKind.POLICE.value, AgencyKind.HEALTH.value)


def require_convenor(principal: Principal) -> None:
    if principal.kind != "user" or not principal.records_for(CONVENOR):
        raise Forbidden("children's social care record the strategy discussions they convene")


def agency_choices(session: Session) -> list[tuple[str, str]]:
    """Every agency as (id, name): the core partners first, then schools by name."""
    return [(a.id, a.name) for a in session.scalars(select(Agency).order_by(
        case((Agency.kind == AgencyKind.SCHOOL.value, 1), else_=0), Agency.name))]


async def _form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormListsDep = Annotated[dict[str, list[str]], Depends(_form_lists)]


def _page(request: Request, session: Session, principal: Principal, child: KnownChild,
          values: dict[str, list[str]], errors: dict[str, str], status_code: int = 200
          ) -> HTMLResponse:
    listed = sorted(errors.items(), key=lambda item: order(item[0]))
    return render(request, "strategy/form.html", {
        "child": child, "values": values, "field_errors": errors, "parts": PARTS,
        "field_id": field_id, "agencies": agency_choices(session),
        "decisions": list(DECISION_WORDS.items()), "nav": "children",
        "errors": [{"text": text, "href": f"#{field_id(name)}"} for name, text in listed],
    }, principal=principal, status_code=status_code)


@router.get("/children/{person_id}/strategy-discussions/new", response_class=HTMLResponse)
def new_discussion(request: Request, person_id: int, session: SessionDep, principal: UserDep,
                   now: NowDep) -> HTMLResponse:
    require_convenor(principal)
    child = known_child(session, principal=principal, person_id=person_id,
                        why="opened the strategy discussion form for the child")
    values = {"held_at": [now_value(now)], "attendees.0.name": [principal.display_name]}
    for n, agency in enumerate(STARTING_AGENCIES):
        values[f"attendees.{n}.agency"] = [agency]
        values[f"information.{n}.agency"] = [agency]
    # Social care own most actions they agree; a spare row's agency alone is left out.
    values["actions.0.owner_agency"] = [CONVENOR]
    return _page(request, session, principal, child, values, {})


@router.post("/children/{person_id}/strategy-discussions", dependencies=[CsrfDep],
             response_model=None)
def record_discussion(request: Request, person_id: int, session: SessionDep,
                      principal: UserDep, now: NowDep, ctx: RulesDep,
                      values: FormListsDep) -> Response:
    require_convenor(principal)
    child = known_child(session, principal=principal, person_id=person_id,
                        why="recorded a strategy discussion about the child")
    reference = f"SD-{now.astimezone(LONDON):%Y%m%d-%H%M%S}-{secrets.token_hex(2).upper()}"
    built = build(values, fixed={"event": "strategy_discussion", "source": CONVENOR,
                                 "source_id": reference, "person_id": person_id})
    errors = dict(built.errors)
    data = None
    try:
        data = EVENT_ADAPTER.validate_python(built.payload)
    except ValidationError as error:
        for path, reason in describe_errors(error):
            errors.setdefault(form_field(path, built.rows), _sentence(reason))
    discussion_id = None
    if data is not None and not errors:
        try:
            with session.begin_nested():
                discussion_id = accept_event(session, data=data, raw=built.payload, via="form",
                                             principal=principal, ctx=ctx,
                                             now=now).discussion_id
        except InvalidField as refused:
            errors[form_field(refused.field, built.rows)] = _sentence(refused.reason)
    if discussion_id is None:
        return _page(request, session, principal, child, values, errors, status_code=422)
    return RedirectResponse(f"/strategy-discussions/{discussion_id}?recorded=1",
                            status_code=303)


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:]


@router.get("/strategy-discussions/{discussion_id}", response_class=HTMLResponse)
def discussion_page(request: Request, discussion_id: int, session: SessionDep,
                    principal: UserDep, now: NowDep, recorded: str = "") -> HTMLResponse:
    view = read_discussion(session, discussion_id=discussion_id, principal=principal,
                           why="viewed the strategy discussion")
    actions = [a.duty for a in view.actions if a.duty is not None]
    duties: dict[int, Any] = {row.duty.id: row for row in duty_rows(session, actions, now=now)}
    return render(request, "strategy/discussion.html", {
        "view": view, "held": view.discussion, "duty_rows": duties,
        "visible_duties": {d.id for d in actions if may_see(principal, d)},
        "recorded": bool(recorded), "nav": "children"}, principal=principal)
