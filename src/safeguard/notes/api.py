"""JSON API: a child's case notes the agency may read, and adding one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.children.service import may_see_person
from safeguard.errors import NotFound
from safeguard.events.fields import Prose4000, Required, StrictModel, Timestamp
from safeguard.notes.models import Visibility
from safeguard.notes.service import add_note, notes_about
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["case notes"])


class NoteIn(StrictModel):
    text: Annotated[Prose4000, Required]
    # When what the note records happened, with its offset (as every time the API takes).
    at: Timestamp
    visibility: Visibility


class NoteOut(BaseModel):
    id: int
    agency: str
    author: str
    visibility: str
    at: datetime
    recorded_at: datetime
    text: str


def _child(session: SessionDep, principal: PrincipalDep, person_id: int,
           now: datetime) -> None:
    if not may_see_person(session, principal=principal, person_id=person_id, now=now):
        raise NotFound(f"person {person_id} not found")


@router.get("/persons/{person_id}/notes", response_model=list[NoteOut],
            responses={404: {"description": "no such person, or none the agency may see"}})
def api_notes(person_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
              ) -> list[NoteOut]:
    """The child's notes the agency may read, newest first."""
    _child(session, principal, person_id, now)
    return [NoteOut(id=n.note.id, agency=n.note.agency_id, author=n.note.author_name,
                    visibility=n.note.visibility, at=n.note.at,
                    recorded_at=n.note.recorded_at, text=n.note.text)
            for n in notes_about(session, principal=principal, person_id=person_id,
                                 why="read the child's case notes (API)")]


@router.post("/persons/{person_id}/notes", status_code=201, response_model=NoteOut,
             responses={404: {"description": "no such person, or none the agency may see"}})
def api_add_note(person_id: int, body: NoteIn, session: SessionDep, principal: PrincipalDep,
                 now: NowDep) -> NoteOut:
    """A note as the agency's own, read by whom `visibility` says: `agency` (the agency
    only), `mash` (the MASH partners), `all` (every agency that may see the child)."""
    _child(session, principal, person_id, now)
    note = add_note(session, principal=principal, person_id=person_id, text=body.text,
                    at=body.at, visibility=body.visibility.value, now=now)
    return NoteOut(id=note.id, agency=note.agency_id, author=note.author_name,
                   visibility=note.visibility, at=note.at, recorded_at=note.recorded_at,
                   text=note.text)
