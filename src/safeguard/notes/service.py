"""Case notes: written by a practitioner about a child, read per the note's visibility.

A note is read by its author's agency; a MASH note also by the MASH partners (police,
children's social care, health); an "all" note by every agency that may see the child. Who
may see the child at all is the children area's rule, checked by the page or API before
either function here is called: this area only narrows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.errors import InvalidField
from safeguard.events.fields import FUTURE_GRACE
from safeguard.notes.models import VISIBILITY_WORDS, CaseNote, Visibility

MASH_PARTNERS = frozenset({AgencyKind.POLICE.value, AgencyKind.CHILDRENS_SOCIAL_CARE.value,
                           AgencyKind.HEALTH.value})
MAX_TEXT = 4000


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """SQL: the notes the principal's agency may read (of a child it may see)."""
    shared = [CaseNote.visibility == Visibility.ALL.value]
    if principal.agency_kind in MASH_PARTNERS:
        shared.append(CaseNote.visibility == Visibility.MASH.value)
    return or_(CaseNote.agency_id == principal.agency_id, *shared)


def add_note(session: Session, *, principal: Principal, person_id: int, text: str,
             at: datetime, visibility: str, now: datetime) -> CaseNote:
    """Keep a note as the principal's agency's; the caller has checked the child is one the
    principal may see."""
    text = text.strip()
    if not text:
        raise InvalidField("text", "write the note")
    if len(text) > MAX_TEXT:
        raise InvalidField("text", f"a note is at most {MAX_TEXT} characters")
    if visibility not in {v.value for v in Visibility}:
        raise InvalidField("visibility", "choose who may read the note")
    if at > now + FUTURE_GRACE:
        raise InvalidField("at", "the time of what the note records is in the future")
    note = CaseNote(person_id=person_id, agency_id=principal.agency_id, visibility=visibility,
                    at=at, text=text, author=principal.actor,
                    author_name=principal.display_name, recorded_at=now)
    session.add(note)
    session.flush()
    audit(session, principal=principal, action="write", entity="case_note", entity_id=note.id,
          person_id=person_id, why=f"case note ({VISIBILITY_WORDS[Visibility(visibility)]})")
    return note


@dataclass(frozen=True)
class NoteView:
    note: CaseNote
    agency_name: str

    @property
    def visibility_words(self) -> str:
        return VISIBILITY_WORDS[Visibility(self.note.visibility)]


def notes_about(session: Session, *, principal: Principal, person_id: int,
                why: str) -> list[NoteView]:
    """The child's notes the principal may read, newest first; reading them is audited."""
    rows = session.execute(select(CaseNote, Agency.name)
                           .join(Agency, Agency.id == CaseNote.agency_id)
                           .where(CaseNote.person_id == person_id, readable_by(principal))
                           .order_by(CaseNote.at.desc(), CaseNote.id.desc())).all()
    if rows:
        # One entry for the child's notes read together, naming how many.
        audit(session, principal=principal, action="read", entity="case_notes",
              entity_id=person_id, person_id=person_id, why=f"{why} ({len(rows)} notes)")
    return [NoteView(note, name) for note, name in rows]
