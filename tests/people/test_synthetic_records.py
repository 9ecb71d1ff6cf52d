"""The benchmark's synthetic records: hard in the ways real records are, and no harder."""

from __future__ import annotations

from collections import Counter

from safeguard.people.linkage.synthetic import _Maker, formal_name


def test_forms_of_one_name_share_their_formal_name() -> None:
    assert formal_name("Kathryn") == formal_name("Catherine") == formal_name("Kate")
    assert formal_name("Joe") == formal_name("Joseph")
    assert formal_name("Sophie") == formal_name("Sophia")
    assert formal_name("Joan") != formal_name("Joanne")


def test_siblings_twins_included_are_never_given_two_forms_of_one_name() -> None:
    maker = _Maker(seed=2024)
    twins = 0
    for _ in range(5000):
        children = [person for person in maker.household() if person.role == "child"]
        formal = [formal_name(child.given) for child in children]
        assert len(set(formal)) == len(formal), [child.given for child in children]
        twins += sum(n - 1 for n in Counter(child.dob for child in children).values())
    # Twins are drawn, so the rule is tested where it matters most.
    assert twins > 50
