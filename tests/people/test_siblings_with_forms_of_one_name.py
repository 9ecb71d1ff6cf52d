"""Siblings may be given two forms of one name (Kate and Catherine), and one child may be
recorded by one of them here and the other there: what tells the two apart is what else
disagrees. A typo or a day/month transposition changes one part of a date of birth; two
children's dates differ in more. And a PNC ID is never given to a baby."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.batch import link_rows, record_features
from safeguard.people.linkage.features import pnc_birth_year
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import guard, load_model

from .helpers import add, person, scored_as_online

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"}


def _row(record_id: str, source: str, given: str, dob: str, *, sex: str = "F",
         family: str = "Connolly", **ids: str) -> dict[str, str]:
    return {"record_id": record_id, "source": source, "given_name": given,
            "family_name": family, "dob": dob, "sex": sex, **HOME,
            "nhs_number": ids.get("nhs", ""), "upn": ids.get("upn", ""),
            "pnc_id": ids.get("pnc", "")}


def _kate_and_catherine() -> list[dict[str, str]]:
    """Sisters born in one year, ten months apart, known as Kate and Catherine: their
    dates of birth differ in month and in day, which no single slip explains."""
    return [
        _row("kate-health", "health", "Kate", "2015-02-11"),
        _row("kate-police", "police", "Kate", "2015-02-11"),
        _row("catherine-school", "education", "Catherine", "2015-11-23"),
        _row("catherine-care", "childrens_social_care", "Catherine", "2015-11-23"),
    ]


def _one_child_three_ways() -> list[dict[str, str]]:
    """One girl: Catherine to health, Kate to the police with the month mistyped (03 as
    08), Kate to social care with the day mistyped (14 as 17). The two Kates' dates differ
    in month and in day, but one name written alike is not two sisters."""
    return [
        _row("health", "health", "Catherine", "2015-03-14"),
        _row("police", "police", "Kate", "2015-08-14"),
        _row("care", "childrens_social_care", "Kate", "2015-03-17"),
    ]


def _zachary() -> list[dict[str, str]]:
    """One boy, Zachary to health and Zak to social care, which recorded him as a girl: a
    nickname and a mistyped sex are two common slips, not two children."""
    return [
        _row("health", "health", "Zachary", "1999-05-13", sex="M", family="Herbert"),
        _row("care", "childrens_social_care", "Zak", "1999-05-13", sex="F",
             family="Herbert", nhs="9910856980"),
    ]


def _father_and_son() -> list[dict[str, str]]:
    """Mohamed McCarthy, whose undated police record holds a PNC ID of 2017, and his son
    Mohamed, born in 2017: nobody is arrested as a baby."""
    return [
        _row("father-police", "police", "Mohamed", "", sex="M", family="McCarthy",
             pnc="17/0140643F"),
        _row("son-health", "health", "Mohamed", "2017-09-14", sex="M", family="McCarthy"),
    ]


def test_sisters_known_as_kate_and_catherine_born_months_apart_are_never_merged() -> None:
    person_of = link_rows(_kate_and_catherine()).person_of
    kate = {person_of["kate-health"], person_of["kate-police"]}
    catherine = {person_of["catherine-school"], person_of["catherine-care"]}
    assert len(kate) == len(catherine) == 1 and kate.isdisjoint(catherine)


def test_dates_of_birth_differing_in_both_month_and_day_are_a_guard() -> None:
    kate, catherine = (record_features(row) for row in _kate_and_catherine()[1:3])
    assert guard(compare(kate, catherine), kate, catherine) == "dates of birth differ"


def test_one_child_as_kate_and_catherine_with_a_slip_in_the_month_or_the_day_is_one_person(
) -> None:
    person_of = link_rows(_one_child_three_ways()).person_of
    assert len(set(person_of.values())) == 1


def test_a_day_and_month_transposed_under_another_form_of_the_name_is_still_one_person(
) -> None:
    catherine = record_features(_row("a", "health", "Catherine", "2015-03-11"))
    kate = record_features(_row("b", "police", "Kate", "2015-11-03"))
    assert guard(compare(catherine, kate), catherine, kate) is None
    assert load_model().score(catherine, kate).probability >= 0.95


def test_one_child_known_by_a_nickname_and_recorded_once_with_the_other_sex_is_one_person(
) -> None:
    # Guarding a nickname beside a differing sex would keep apart twins Samuel and Sam
    # (Samantha), but it cost 1 in 800 true links of the benchmark's records at 1M, most of
    # them one child's sex mistyped once, for one pair of twins: the guard leaves it.
    zachary, zak = (record_features(row) for row in _zachary())
    assert guard(compare(zachary, zak), zachary, zak) is None
    assert len(set(link_rows(_zachary()).person_of.values())) == 1


def test_a_pnc_id_dates_its_holder_at_least_ten_years_before_its_year() -> None:
    assert pnc_birth_year("17/0140643F") == "2007"
    assert pnc_birth_year("86/0012345A") == "1976"
    assert pnc_birth_year(None) is None
    father, son = (record_features(row) for row in _father_and_son())
    assert father.born_to == "2007" and father.born_from is None
    why = "an identifier dates one a generation from the other's birth"
    assert guard(compare(father, son), father, son) == why
    assert guard(compare(son, father), son, father) == why


def test_a_father_whose_pnc_id_is_younger_than_his_son_is_not_merged_with_him() -> None:
    person_of = link_rows(_father_and_son()).person_of
    assert person_of["father-police"] != person_of["son-health"]


def test_the_batch_and_the_online_path_agree_on_every_one_of_these_pairs() -> None:
    rows = [*_kate_and_catherine(), *_one_child_three_ways(), *_zachary(),
            *_father_and_son()]
    assert sum(p.cannot_link for p in scored_as_online(rows)) >= 5


def test_a_sister_recorded_online_is_not_matched_to_her_sister_of_another_form_of_the_name(
    session: Session, ctx: IntakeContext,
) -> None:
    kate, catherine = add(session, ctx,
                          person("health", "H-1", "Kate", dob="2015-02-11", sex="female"),
                          person("police", "P-1", "Catherine", dob="2015-11-23",
                                 sex="female"))
    assert kate != catherine


def test_a_child_recorded_online_by_another_form_of_the_name_with_a_mistyped_day_is_found(
    session: Session, ctx: IntakeContext,
) -> None:
    catherine, kate = add(session, ctx,
                          person("health", "H-1", "Catherine", dob="2015-03-14",
                                 sex="female"),
                          person("police", "P-1", "Kate", dob="2015-03-17", sex="female"))
    assert catherine == kate
