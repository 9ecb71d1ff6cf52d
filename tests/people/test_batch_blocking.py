"""The batch's blocking rules: which pairs of records Splink compares at all."""

from __future__ import annotations

import logging

from splink import DuckDBAPI, Linker

from safeguard.people.linkage.batch import link_rows, record_features
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.splink_model import features_table, settings

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road"}


def _row(record_id: str, given: str, family: str, dob: str, **more: str) -> dict[str, str]:
    return {"record_id": record_id, "source": "health", "given_name": given,
            "family_name": family, "dob": dob, **more}


def _blocked(*rows: dict[str, str]) -> set[frozenset[str]]:
    feats = [record_features(row) for row in rows]
    linker = Linker(DuckDBAPI().register(features_table([r["record_id"] for r in rows], feats)),
                    settings(load_model()), log_level=logging.WARNING)
    pairs = linker.inference.compute_blocked_pairs_for_predict().as_record_list()
    return {frozenset((str(p["join_key_l"]), str(p["join_key_r"]))) for p in pairs}


def test_strangers_sharing_a_birthday_are_not_compared() -> None:
    blocked = _blocked(_row("a", "Amelia", "Jones", "2015-02-11", postcode="NN1 1AA"),
                       _row("b", "Oliver", "Patel", "2015-02-11", postcode="LE2 7PQ"),
                       _row("c", "Harry", "Khan", "2015-11-02", postcode="CV1 2GT"))
    assert blocked == set()


def test_a_birthday_with_an_initial_a_name_sound_a_nickname_or_a_missing_name_is_compared(
) -> None:
    blocked = _blocked(_row("a", "Catherine", "Smith", "2015-02-11"),
                       _row("initial", "Charlotte", "Ahmed", "2015-02-11"),
                       _row("sound", "Zara", "Smyth", "2015-02-11"),
                       _row("nickname", "Kate", "Oduya", "2015-11-02"),
                       _row("unnamed", "", "Walsh", "2015-02-11"))
    assert {frozenset(("a", other)) for other in ("initial", "sound", "nickname", "unnamed")} \
        <= blocked


def test_namesakes_born_years_apart_are_not_compared_but_never_chained_together() -> None:
    father = _row("father", "John", "Smith", "1980-05-04", **HOME)
    son = _row("son", "John", "Smith", "2010-09-17", **HOME)
    like_both = _row("undated", "John", "Smith", "", **HOME)
    assert frozenset(("father", "son")) not in _blocked(father, son, like_both)
    person = link_rows([father, son, like_both]).person_of
    assert person["father"] != person["son"]
