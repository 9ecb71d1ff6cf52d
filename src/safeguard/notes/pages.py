"""Adding a case note about a child: any agency that may see the child, as itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safeguard.access.service import Principal
from safeguard.children.known import KnownChild, known_child
from safeguard.errors import InvalidField
from safeguard.missing.forms import now_value
from safeguard.notes.models import VISIBILITY_WORDS, Visibility
from safeguard.notes.service import add_note
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.render import render
from safeguard.workdays import local_to_utc

router = APIRouter(include_in_schema=False)


def _page(request: Request, principal: Principal, child: KnownChild, values: dict[str, str],
          errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    return render(request, "notes/new.html", {
        "child": child, "values": values, "field_errors": errors, "nav": "children",
        "visibilities": [(v.value, VISIBILITY_WORDS[v]) for v in Visibility],
        "errors": [{"text": text, "href": f"#{name}"} for name, text in errors.items()],
    }, principal=principal, status_code=status_code)


@router.get("/children/{person_id}/notes/new", response_class=HTMLResponse)
def new_note(request: Request, person_id: int, session: SessionDep, principal: UserDep,
             now: NowDep) -> HTMLResponse:
    child = known_child(session, principal=principal, person_id=person_id,
                        why="opened the case note form for the child")
    return _page(request, principal, child, {"at": now_value(now), "visibility": "agency"}, {})


@router.post("/children/{person_id}/notes", dependencies=[CsrfDep], response_model=None)
def record_note(request: Request, person_id: int, session: SessionDep, principal: UserDep,
                now: NowDep, text: Annotated[str, Form(max_length=10_000)] = "",
                at: Annotated[str, Form(max_length=40)] = "",
                visibility: Annotated[str, Form(max_length=20)] = "") -> Response:
    child = known_child(session, principal=principal, person_id=person_id,
                        why="added a case note about the child")
    values = {"text": text, "at": at, "visibility": visibility}
    try:
        wall = datetime.fromisoformat(at)
    except ValueError:
        return _page(request, principal, child, values,
                     {"at": "Enter when it happened as a date and time"}, status_code=422)
    try:
        add_note(session, principal=principal, person_id=person_id, text=text,
                 at=local_to_utc(wall.date(), wall.time().replace(second=0)),
                 visibility=visibility, now=now)
    except InvalidField as refused:
        return _page(request, principal, child, values,
                     {refused.field: refused.reason[:1].upper() + refused.reason[1:]},
                     status_code=422)
    return RedirectResponse(f"/children/{person_id}?noted=1#chronology", status_code=303)
