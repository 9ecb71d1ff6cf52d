"""Households: people grouped by address with dates; a move makes the old one not current."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.households import households_of

from .helpers import HOME, add, person

NEW_HOME = {"line1": "3 Mill Lane", "town": "Northampton", "postcode": "NN2 2BB"}


def test_people_recorded_at_one_address_form_a_household_with_its_children(
    session: Session, ctx: IntakeContext,
) -> None:
    mum, amy, leo = add(session, ctx, person("health", "H-1", "Jane", dob="1990-02-03"),
                        person("education", "E-1", "Amy", dob="2015-02-11"),
                        person("education", "E-2", "Leo", dob="2017-06-02"))
    (household,) = households_of(session, person_id=amy)
    assert household.address.line1 == HOME["line1"]
    assert {m.person.id for m in household.members} == {mum, amy, leo}
    assert [m.person.id for m in household.children(date(2026, 11, 27))] == [amy, leo]
    assert all(m.current for m in household.members)
    assert household.members[0].sources == ("health",)


def test_a_move_recorded_later_puts_the_new_household_first(
    session: Session, ctx: IntakeContext,
) -> None:
    old = person("education", "E-1", "Amy", dob="2015-02-11")
    moved = person("health", "H-9", "Amy", dob="2015-02-11", address=NEW_HOME)
    moved["recorded_at"] = "2026-10-01T08:00:00+00:00"
    (amy,) = set(add(session, ctx, old, moved))
    new, before = households_of(session, person_id=amy)
    assert new.address.line1 == "3 Mill Lane" and before.address.line1 == HOME["line1"]
    assert new.members[0].current and not before.members[0].current
