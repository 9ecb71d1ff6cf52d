"""Case notes: each agency's notes on a child, read by whom each note says, in the child's
chronology beside the strategy discussions its agency was in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.children.service import child_view
from safeguard.errors import InvalidField
from safeguard.intake.service import IntakeContext
from safeguard.notes.service import add_note, notes_about

from ..strategy.support import HELD, discussion, open_discussion
from ..web.test_pages_support import accept, add_user

PrincipalOf = Callable[[str], Principal]


def _notes(session: Session, principal: PrincipalOf, mia: int) -> None:
    for n, (who, visibility) in enumerate([("csc.worker", "agency"), ("csc.worker", "mash"),
                                           ("health.visitor", "all")]):
        add_note(session, principal=principal(who), person_id=mia, text=f"Note {visibility}.",
                 at=HELD + timedelta(hours=n), visibility=visibility, now=HELD + timedelta(1))


@pytest.mark.parametrize(("reader", "seen"), [
    ("csc.worker", ["Note all.", "Note mash.", "Note agency."]),  # its own, and shared
    ("csc.supervisor", ["Note all.", "Note mash.", "Note agency."]),  # the same agency
    ("mash.officer", ["Note all.", "Note mash."]),  # a MASH partner
    ("education.officer", ["Note all."]),  # an agency that may see the child, not in MASH
])
def test_each_note_is_read_by_the_agencies_its_visibility_names(
    session: Session, ctx: IntakeContext, principal: PrincipalOf, reader: str,
    seen: list[str],
) -> None:
    mia, _ = open_discussion(session, ctx)
    add_user(session, "education.officer", "education")
    _notes(session, principal, mia)
    notes = notes_about(session, principal=principal(reader), person_id=mia, why="test")
    assert [n.note.text for n in notes] == seen
    assert session.scalar(select(AuditEntry.why).where(
        AuditEntry.entity == "case_notes", AuditEntry.actor == f"user:{reader}")) == \
        f"test ({len(seen)} notes)"


def test_notes_and_discussions_are_in_the_chronology_per_who_may_read_them(
    session: Session, ctx: IntakeContext, principal: PrincipalOf,
) -> None:
    mia, _ = open_discussion(session, ctx)
    accept(session, ctx, discussion(mia), username="csc.worker", now=HELD)
    add_user(session, "education.officer", "education")
    _notes(session, principal, mia)

    def labels(reader: str) -> list[str]:
        view = child_view(session, principal=principal(reader), person_id=mia, why="test")
        return [c.label for c in view.chronology if c.label.startswith(("Case note",
                                                                       "Strategy discussion:"))]

    police = "Case note from Northamptonshire Police (synthetic)"
    assert police not in labels("mash.officer")
    assert labels("mash.officer") == [
        "Case note from Integrated Care Board – health",
        "Case note from Children's Social Care (MASH)",
        "Strategy discussion: Section 47 enquiry"]
    # Education was not in the discussion, and reads only the note shared with all.
    assert labels("education.officer") == ["Case note from Integrated Care Board – health"]


@pytest.mark.parametrize(("change", "field"), [
    ({"text": "  "}, "text"), ({"visibility": "everyone"}, "visibility"),
    ({"at": HELD + timedelta(days=30)}, "at")])
def test_a_note_that_cannot_be_kept_is_refused_naming_the_field(
    session: Session, ctx: IntakeContext, principal: PrincipalOf, change: dict[str, object],
    field: str,
) -> None:
    mia, _ = open_discussion(session, ctx)
    note: dict[str, object] = {"text": "Visited.", "visibility": "agency", "at": HELD, **change}
    with pytest.raises(InvalidField) as refused:
        add_note(session, principal=principal("csc.worker"), person_id=mia, now=HELD,
                 **note)  # type: ignore[arg-type]
    assert refused.value.field == field
