"""Twins, siblings and parents share a surname, a home and often a birthday or a name: the
linkage must never make one person of two of them, in batch or online."""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.batch import link_rows, record_features
from safeguard.people.linkage.clustering import AMBIGUITY_MARGIN
from safeguard.people.linkage.features import features
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import guard, load_model

from .helpers import add, link_of, person, scored_as_online

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"}


def _row(record_id: str, source: str, given: str, dob: str = "2015-02-11", *,
         family: str = "Smith", sex: str = "F", home: bool = True,
         **ids: str) -> dict[str, str]:
    return {"record_id": record_id, "source": source, "given_name": given,
            "family_name": family, "dob": dob, "sex": sex,
            **(HOME if home else dict.fromkeys(HOME, "")),
            "nhs_number": ids.get("nhs", ""), "upn": ids.get("upn", ""),
            "pnc_id": ids.get("pnc", "")}


def _twins() -> list[dict[str, str]]:
    """Joan and Joanne, twins, each known to two agencies; nothing shared but their home,
    their surname and their birthday (no identifier, and none of one scheme that differs)."""
    return [
        _row("joan-health", "health", "Joan", nhs="9434765919"),
        _row("joan-police", "police", "Joan"),
        _row("joanne-school", "education", "Joanne", upn="P823401815001"),
        _row("joanne-care", "childrens_social_care", "Joanne"),
    ]


def test_twins_named_joan_and_joanne_are_never_merged_in_a_batch() -> None:
    person_of = link_rows(_twins()).person_of
    joan = {person_of[r] for r in ("joan-health", "joan-police")}
    joanne = {person_of[r] for r in ("joanne-school", "joanne-care")}
    assert joan.isdisjoint(joanne)


def test_twins_whose_names_are_alike_only_in_spelling_are_told_apart_by_the_guard() -> None:
    for first, second in (("Joan", "Joanne"), ("Lucinda", "Linda"), ("Damien", "Dale"),
                          ("Carol", "Caroline")):
        a, b = record_features(_row("a", "health", first)), record_features(
            _row("b", "police", second))
        assert guard(compare(a, b), a, b) == "given names are two different names", first
        assert load_model().score(a, b).probability < 0.5, first


def test_a_slip_of_the_keyboard_or_a_nickname_with_a_spelling_variant_is_not_another_name(
) -> None:
    model = load_model()
    for first, second in (("Joanne", "Joane"), ("Philip", "Phil"), ("Matt", "Mathew"),
                          ("Allan", "Alan")):
        a, b = record_features(_row("a", "health", first)), record_features(
            _row("b", "police", second))
        assert guard(compare(a, b), a, b) is None, first
        assert model.score(a, b).probability >= 0.95, first


def test_the_batch_and_the_online_path_guard_twins_alike(
) -> None:
    pairs = scored_as_online(_twins())
    joan_joanne = [p for p in pairs if p.left[:5] != p.right[:5] or
                   ("joanne" in p.left) != ("joanne" in p.right)]
    assert joan_joanne and all(p.cannot_link for p in joan_joanne)


def test_a_twin_recorded_online_is_not_matched_to_their_sibling(
    session: Session, ctx: IntakeContext,
) -> None:
    joan, joanne = add(session, ctx, person("health", "H-1", "Joan", sex="female"),
                       person("police", "P-1", "Joanne", sex="female"))
    assert joan != joanne
    assert link_of(session, "P-1").outcome == "new"


def test_a_twin_recorded_online_with_a_typo_in_the_name_still_finds_herself(
    session: Session, ctx: IntakeContext,
) -> None:
    joanne, again = add(session, ctx, person("health", "H-1", "Joanne", sex="female"),
                        person("police", "P-1", "Joane", sex="female"))
    assert joanne == again


def _mother_and_son() -> list[dict[str, str]]:
    """Kenny, born 1996, and her son Kenneth, whose school record (no date of birth) holds
    a UPN allocated in 2021: a pupil then, so born about 2002-2019, not in 1996. His
    health record has no address, so the school's record is more like his mother's."""
    return [
        _row("mother", "health", "Kenny", "1996-06-11", family="Townsend",
             nhs="9995113309"),
        _row("son-school", "education", "Kenneth", "", family="Townsend",
             upn="D830113521524"),
        _row("son-health", "health", "Kenneth", "2017-06-06", family="Townsend",
             home=False),
    ]


def test_a_parent_and_a_child_at_one_address_are_never_merged_in_a_batch() -> None:
    person_of = link_rows(_mother_and_son()).person_of
    assert person_of["mother"] not in (person_of["son-school"], person_of["son-health"])


def test_an_identifier_that_dates_its_holder_a_generation_apart_is_a_guard() -> None:
    mother, son = (record_features(row) for row in _mother_and_son()[:2])
    assert son.born_from == "2002" and son.born_to == "2019"
    why = guard(compare(mother, son), mother, son)
    assert why == "an identifier dates one a generation from the other's birth"
    assert guard(compare(son, mother), son, mother) == why
    pupil_in_2021 = features(given_name="Kenneth", family_name="Townsend", dob="2017-06-06")
    assert guard(compare(son, pupil_in_2021), son, pupil_in_2021) is None


def test_a_child_recorded_online_by_school_is_not_matched_to_the_parent(
    session: Session, ctx: IntakeContext,
) -> None:
    mother, son = add(
        session, ctx,
        person("health", "H-1", "Kenny", "Townsend", "1996-06-11", sex="female",
               nhs="9995113309"),
        person("education", "E-1", "Kenneth", "Townsend", None, sex="female",
               upn="D830113521524"))
    assert mother != son


def test_a_record_without_a_birth_date_is_not_given_to_a_parent_for_a_slip_in_the_childs_name(
) -> None:
    # Mother and daughter are both Louise Hurst; the daughter's dated record has her name
    # mistyped. A record of "Louise Hurst" with no date of birth is like the mother by one
    # slip of the keyboard more than like the daughter: that tells nothing, so it joins
    # neither.
    person_of = link_rows([
        _row("mother", "police", "Louise", "1980-03-19", family="Hurst"),
        _row("daughter", "health", "Loiuse", "2004-03-13", family="Hurst"),
        _row("undated", "childrens_social_care", "Louise", "", family="Hurst"),
    ]).person_of
    assert person_of["undated"] != person_of["mother"]


def test_the_ambiguity_margin_is_more_than_a_slip_of_the_keyboard_in_one_name() -> None:
    bayes = {name: {level: math.log2(m / u) for level, (m, u) in levels.items()}
             for name, levels in load_model().m_u.items()}
    slips = [bayes[name]["exact"] - bayes[name]["jw92"] for name in ("given_name",
                                                                     "family_name")]
    assert AMBIGUITY_MARGIN > max(slips)
