"""The priority rules and clocks as pure functions: facts in, priority and deadlines out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safeguard.config import ForensicsSettings
from safeguard.rules.forensics import (
    Assessed,
    ChildAtRisk,
    Clocks,
    FindingsFacts,
    PriorityFacts,
    assess_priority,
    children_to_protect,
    clocks_for,
    risen,
)

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
SETTINGS = ForensicsSettings()


def test_access_by_the_officers_view_is_priority_one() -> None:
    assessed = assess_priority(PriorityFacts("other", False, True))
    assert assessed == Assessed(1, "the officer records that the suspect has access to "
                                   "children")


def test_new_images_at_triage_make_priority_one() -> None:
    assessed = assess_priority(PriorityFacts("other", False, False, new_images=3))
    assert assessed.priority == 1
    assert "3 images not known to the national Child Abuse Image Database" in assessed.reason


def test_a_contact_sexual_offence_is_priority_two() -> None:
    assert assess_priority(PriorityFacts("contact_sexual_offence", False, False)).priority == 2


def test_a_lower_assessment_never_lowers_the_priority() -> None:
    assert risen(1, Assessed(3, "no factor")) is None
    assert risen(3, Assessed(2, "iioc")) == Assessed(2, "iioc")


def test_every_clock_length_is_configuration() -> None:
    settings = ForensicsSettings(p1_triage_days=1, p1_complete_days=10, p3_complete_days=365)
    assert clocks_for(1, start=T, settings=settings) == Clocks(T + timedelta(days=1),
                                                               T + timedelta(days=10))
    assert clocks_for(3, start=T, settings=settings) == Clocks(None, T + timedelta(days=365))


def test_a_raised_clock_never_runs_past_the_one_it_had() -> None:
    before = Clocks(T + timedelta(days=1), T + timedelta(days=20))
    after = clocks_for(1, start=T + timedelta(days=5), settings=SETTINGS, before=before)
    assert after == before


def _child(person_id: int, victim: bool) -> ChildAtRisk:
    return ChildAtRisk(person_id, f"Child {person_id}", None, "why", victim)


def test_children_living_with_the_suspect_are_protected_only_for_category_a_or_b() -> None:
    living = (_child(2, False),)
    category_c = FindingsFacts(0, 0, 5, 0, T, "triage")
    category_b = FindingsFacts(0, 1, 0, 0, T, "triage")
    assert children_to_protect(category_c, victims=(), living_with_suspect=living) == ()
    assert children_to_protect(category_b, victims=(), living_with_suspect=living) == living


def test_a_victim_who_also_lives_with_the_suspect_is_one_child() -> None:
    found = children_to_protect(FindingsFacts(1, 0, 0, 0, T, "completed"),
                                victims=(_child(2, True),), living_with_suspect=(
                                    _child(2, False), _child(3, False)))
    assert [(c.person_id, c.victim) for c in found] == [(2, True), (3, False)]
