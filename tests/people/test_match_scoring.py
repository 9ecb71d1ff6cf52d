"""Scoring a pair with the trained weights: nicknames, typos and transposed dates match;
twins and siblings never do; identifiers decide unless names or dates strongly disagree."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from splink import DuckDBAPI, Linker

from safeguard.people.linkage.features import Features, features
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import GUARDED, MATCH, POSSIBLE, load_model
from safeguard.people.linkage.splink_model import features_table, gamma_to_label, settings
from safeguard.people.linkage.synthetic import generate

from .helpers import scored_as_online

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"}


def rec(**kw: Any) -> Features:
    return features(**{"family_name": "Smith", "sex": "f", **HOME, **kw})


def p(a: Features, b: Features) -> float:
    return load_model().score(a, b).probability


def test_the_shipped_model_has_a_version_and_weights_for_every_level() -> None:
    model = load_model()
    assert model.version.startswith("person-match-")
    assert 0 < model.prior < 0.01
    assert set(model.m_u["dob"]) == {"exact", "transposed", "year_month", "year", "else"}


def test_a_nickname_at_the_same_address_and_birthday_is_the_same_person() -> None:
    assert p(rec(given_name="Catherine", dob="2014-05-06"),
             rec(given_name="Kate", dob="2014-05-06")) >= MATCH


def test_a_transposed_day_and_month_still_matches() -> None:
    assert p(rec(given_name="Amy", dob="2014-05-06"),
             rec(given_name="Amy", dob="2014-06-05")) >= MATCH


def test_a_typo_in_the_surname_still_matches() -> None:
    assert p(rec(given_name="Amelia", family_name="Johnson", dob="2014-05-06"),
             rec(given_name="Amelia", family_name="Jonhson", dob="2014-05-06")) >= MATCH


def test_twins_sharing_surname_address_and_birthday_never_match() -> None:
    a = rec(given_name="Olivia", dob="2015-02-11")
    b = rec(given_name="Grace", dob="2015-02-11")
    score = load_model().score(a, b)
    assert score.probability < POSSIBLE and score.guard == "given names differ"


def test_twins_of_opposite_sex_with_similar_names_never_match() -> None:
    a = rec(given_name="Alexander", sex="m", dob="2015-02-11")
    b = rec(given_name="Alexandra", sex="f", dob="2015-02-11")
    assert p(a, b) < POSSIBLE


def test_siblings_with_different_birthdays_never_match() -> None:
    assert p(rec(given_name="Jack", sex="m", dob="2012-01-20"),
             rec(given_name="Jack", sex="m", dob="2016-08-02")) < POSSIBLE


def test_an_agreeing_identifier_is_decisive() -> None:
    assert p(rec(given_name="Amy", dob="2014-05-06", nhs="9992914173"),
             features(given_name="Amy", family_name="Patel", nhs="9992914173")) >= MATCH


def test_an_identifier_and_every_other_field_outweigh_a_different_given_name() -> None:
    # The guard is strong evidence, not a veto: twins agreeing on all of this but the given
    # name score as different people, and an agreeing NHS number is worth more than that.
    amy = rec(given_name="Amy", dob="2014-05-06", nhs="9992914173")
    zoe = rec(given_name="Zoe", dob="2014-05-06", nhs="9992914173")
    score = load_model().score(amy, zoe)
    assert score.guard == "given names differ" and score.probability >= MATCH
    assert not score.held_apart


def test_twins_agreeing_on_everything_but_the_given_name_score_as_different_people() -> None:
    twin = load_model().score(rec(given_name="Amy", dob="2014-05-06"),
                              rec(given_name="Zoe", dob="2014-05-06"))
    assert twin.held_apart and GUARDED / 2 < twin.probability <= GUARDED


def test_an_identifier_with_a_different_given_name_and_home_goes_to_review() -> None:
    probability = p(rec(given_name="Amy", dob="2014-05-06", nhs="9992914173"),
                    rec(given_name="Zoe", dob="2014-05-06", nhs="9992914173",
                        postcode="LE1 5AB", address="3 Mill Lane, Leicester"))
    assert POSSIBLE <= probability < MATCH


def test_a_different_nhs_number_outweighs_the_same_name_and_birthday() -> None:
    assert p(rec(given_name="Amy", dob="2014-05-06", nhs="9992914173"),
             rec(given_name="Amy", dob="2014-05-06", nhs="9990000018")) < POSSIBLE


def test_the_same_name_and_birthday_without_an_address_is_a_match() -> None:
    assert p(features(given_name="Amy", family_name="Smith", dob="2014-05-06"),
             features(given_name="Amy", family_name="Smith", dob="2014-05-06")) >= MATCH


@pytest.mark.parametrize("seed", [3])
def test_the_python_levels_are_the_levels_splink_computes(seed: int) -> None:
    rows = generate(1500, seed=seed)
    feats = [features(given_name=r["given_name"], family_name=r["family_name"], dob=r["dob"],
                      sex=r["sex"], postcode=r["postcode"], address=r["address"],
                      nhs=r["nhs_number"], upn=r["upn"], pnc=r["pnc_id"]) for r in rows]
    by_id = dict(zip([r["record_id"] for r in rows], feats, strict=True))
    table: pa.Table = features_table(list(by_id), feats)
    db = DuckDBAPI()
    config = settings(load_model(), keep_levels=True)
    linker = Linker(db.register(table), config, log_level=None)
    pairs = linker.inference.predict().as_record_list()
    assert len(pairs) > 500
    names = list(compare(feats[0], feats[1]))
    for pair in pairs:
        levels = compare(by_id[pair["unique_id_l"]], by_id[pair["unique_id_r"]])
        splink = {name: gamma_to_label(name, pair[f"gamma_{name}"]) for name in names}
        assert levels == splink, (pair["unique_id_l"], pair["unique_id_r"])
        expected = load_model().weight(levels)
        assert abs(expected - pair["match_weight"]) < 1e-6


def test_a_nickname_beside_its_formal_name_misspelt_is_one_name_not_two() -> None:
    # "Reecca" is Rebecca misspelt, and Becky is Rebecca's nickname: the names are far
    # apart as spelt (no level of the given-name comparison), but one slip apart in their
    # formal forms, so the guard does not take them for two people.
    a = rec(given_name="Reecca", family_name="Akhtar", dob="2012-10-28", nhs="9973790936")
    b = rec(given_name="Becky", family_name="Akhtar", dob="2012-10-28")
    score = load_model().score(a, b)
    assert score.levels["given_name"] == "else"
    assert score.guard is None and score.probability >= MATCH


def test_twins_whose_names_are_two_real_names_still_never_match() -> None:
    # Olivia and Grace, Becky and Rachel: formal forms far apart. Lou (Louise) and Louis:
    # a slip apart, but both real names, and a girl and a boy.
    for (first, sex), (second, other_sex) in ((("Olivia", "f"), ("Grace", "f")),
                                              (("Becky", "f"), ("Rachel", "f")),
                                              (("Tom", "m"), ("Tim", "m")),
                                              (("Lou", "f"), ("Louis", "m"))):
        a = rec(given_name=first, sex=sex, dob="2015-02-11")
        b = rec(given_name=second, sex=other_sex, dob="2015-02-11")
        assert load_model().score(a, b).probability < POSSIBLE, first


def test_a_given_name_and_surname_written_in_each_others_fields_match() -> None:
    amelia = rec(given_name="Amelia", family_name="Johnson", dob="2014-05-06")
    swapped = rec(given_name="Johnson", family_name="Amelia", dob="2014-05-06")
    score = load_model().score(amelia, swapped)
    assert score.levels["given_name"] == "swapped" and score.guard is None
    assert score.probability >= MATCH


def test_names_in_each_others_fields_with_a_slip_in_one_still_match() -> None:
    janice = rec(given_name="Janice", family_name="Sims", dob="2007-07-15")
    for given, family in (("Sims", "Janice"), ("Sms", "Janice"), ("Sims", "Jancie")):
        score = load_model().score(janice, rec(given_name=given, family_name=family,
                                               dob="2007-07-15"))
        assert score.levels["given_name"] == "swapped" and score.guard is None, (given, family)
    # Both names a slip from the other's field is two differences, not a swap.
    both = load_model().score(janice, rec(given_name="Sms", family_name="Jancie",
                                          dob="2007-07-15"))
    assert both.levels["given_name"] != "swapped"


def test_the_batch_finds_and_scores_a_swapped_name_with_a_slip_as_online() -> None:
    rows = [{"record_id": record_id, "given_name": given, "family_name": family,
             "dob": "2007-07-15", "postcode": "DL10 3JZ", "address": "72 Cedar Close"}
            for record_id, given, family in (("a", "Janice", "Sms"), ("b", "Sims", "Janice"))]
    (pair,) = scored_as_online(rows)
    assert pair.probability >= MATCH and not pair.cannot_link


def test_the_batch_finds_and_scores_a_swapped_name_as_the_online_path_does() -> None:
    rows = [{"record_id": record_id, "given_name": given, "family_name": family,
             "dob": "2014-05-06", "postcode": "NN1 1AA", "address": "12 Acacia Road"}
            for record_id, given, family in (("a", "Amelia", "Johnson"),
                                             ("b", "Johnson", "Amelia"))]
    (pair,) = scored_as_online(rows)
    assert pair.probability >= MATCH and not pair.cannot_link
