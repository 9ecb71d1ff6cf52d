"""One name spelt two ways (Steven and Stephen) is one name: the same person's records link,
while twins whose names are alike in spelling but are two names (Joan and Joanne) do not."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.batch import link_rows, record_features
from safeguard.people.linkage.features import (
    canonical_given,
    given_names,
    nicknames,
    spellings,
)
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import guard, load_model

from .helpers import add, person

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"}
VARIANTS = (("Steven", "Stephen"), ("Sean", "Shaun"), ("Katherine", "Kathryn"),
            ("Philip", "Phillip"), ("Geoffrey", "Jeffrey"), ("Zoe", "Zoey"),
            ("Isobel", "Isabelle"), ("Aimee", "Amy"), ("Rebekah", "Rebecca"),
            ("Ann", "Anne"), ("Lewis", "Louis"), ("Sophie", "Sofia"),
            ("Graeme", "Graham"), ("Stuart", "Stewart"))


def _row(record_id: str, source: str, given: str, *, dob: str = "2015-02-11",
         **ids: str) -> dict[str, str]:
    return {"record_id": record_id, "source": source, "given_name": given,
            "family_name": "Smith", "dob": dob, "sex": "", **HOME,
            "nhs_number": ids.get("nhs", ""), "upn": ids.get("upn", ""),
            "pnc_id": ids.get("pnc", "")}


def test_steven_and_stephen_of_one_surname_birthday_and_home_are_one_person_in_a_batch(
) -> None:
    person_of = link_rows([
        _row("health", "health", "Steven", nhs="9434765919"),
        _row("school", "education", "Stephen"),
        _row("police", "police", "Steve"),
    ]).person_of
    assert person_of["health"] == person_of["school"] == person_of["police"]


def test_twins_joan_and_joanne_stay_two_people_beside_a_steven_known_as_stephen() -> None:
    person_of = link_rows([
        _row("joan", "health", "Joan"), _row("joan-2", "police", "Joan"),
        _row("joanne", "education", "Joanne"), _row("joanne-2", "health", "Joanne"),
        _row("steven", "health", "Steven", dob="2009-07-30"),
        _row("stephen", "police", "Stephen", dob="2009-07-30"),
    ]).person_of
    assert person_of["joan"] == person_of["joan-2"] != person_of["joanne"]
    assert person_of["joanne"] == person_of["joanne-2"]
    assert person_of["steven"] == person_of["stephen"]


def test_common_spellings_of_one_name_are_not_kept_apart_by_the_guard() -> None:
    model = load_model()
    for first, second in VARIANTS:
        a, b = (record_features(_row(n, "health", n)) for n in (first, second))
        levels = compare(a, b)
        assert levels["given_name"] == "nickname", first
        assert guard(levels, a, b) is None, first
        assert model.score(a, b).probability >= 0.95, first


def test_a_spelling_stands_for_the_formal_name_its_nicknames_stand_for() -> None:
    assert canonical_given("steven") == canonical_given("steve") == "stephen"
    assert canonical_given("lucie") == canonical_given("lucy") == "lucinda"
    assert canonical_given("joanne") != canonical_given("joan")


def test_every_spelling_is_a_known_name_and_no_spelling_is_also_a_nickname() -> None:
    assert set(spellings()) <= given_names()
    assert set(spellings()).isdisjoint(nicknames())
    # A spelling's name is the form itself, not another spelling (one step, no chains).
    assert set(spellings().values()).isdisjoint(spellings())


def test_stephen_recorded_online_finds_the_steven_already_known(
    session: Session, ctx: IntakeContext,
) -> None:
    steven, stephen = add(session, ctx, person("health", "H-1", "Steven", sex="male"),
                          person("police", "P-1", "Stephen", sex="male"))
    assert steven == stephen
