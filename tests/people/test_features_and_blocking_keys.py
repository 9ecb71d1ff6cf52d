"""Normalising a record for matching, and the keys the candidate index files it under."""

from __future__ import annotations

import random
import string
from datetime import date

from faker.providers.person.en_GB import Provider as EnglishNames
from splink import DuckDBAPI

from safeguard.people.linkage.batch import record_features, scored_pairs
from safeguard.people.linkage.features import (
    canonical_given,
    features,
    index_keys,
    jaro_winkler,
    parse_dob,
    query_keys,
    soundex,
)
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import load_model


def test_nicknames_stand_for_their_formal_names() -> None:
    assert canonical_given("bill") == "william"
    assert canonical_given("kate") == "catherine"
    assert canonical_given("kathryn") == "catherine"
    assert canonical_given("zebedee") == "zebedee"


def test_soundex_codes_names_that_sound_alike_the_same() -> None:
    assert soundex("robert") == soundex("rupert") == "r163"
    assert soundex("smith") == soundex("smyth")
    assert soundex("ashcraft") == "a261"
    assert soundex("") == ""


def test_jaro_winkler_scores_like_the_textbook() -> None:
    assert round(jaro_winkler("martha", "marhta"), 4) == 0.9611
    assert jaro_winkler("jones", "jones") == 1.0
    assert jaro_winkler("ab", "") == 0.0


def test_whole_partial_and_british_dates_of_birth_are_understood() -> None:
    assert parse_dob("2012-03-14") == parse_dob("14/03/2012") == parse_dob(date(2012, 3, 14))
    assert parse_dob("2012-03") is not None and parse_dob("2012-03").day is None  # type: ignore[union-attr]
    assert parse_dob("2012") is not None and parse_dob("2012").month is None  # type: ignore[union-attr]
    assert parse_dob("") is None and parse_dob("unknown") is None


def test_a_record_is_normalised_for_comparison() -> None:
    f = features(given_name="Kate", family_name="O'Brien", dob="2012-03-04", sex="female",
                 postcode="nn1 1aa", address="12 Acacia Rd, Northampton", nhs="9992914173")
    assert (f.given, f.given_canon, f.family, f.family_sdx) == ("kate", "catherine", "obrien",
                                                                "o165")
    assert (f.dob, f.dob_swap, f.dob_ym, f.dob_y) == ("2012-03-04", "2012-04-03", "2012-03",
                                                      "2012")
    assert (f.sex, f.postcode, f.sector, f.district) == ("f", "NN11AA", "NN11", "NN1")
    assert f.postcode_verified == "y"
    assert f.address == "12 acacia road"


def test_a_postcode_that_is_no_uk_postcode_is_kept_as_written_and_unverified() -> None:
    mistyped = features(given_name="Kate", family_name="Smith", postcode="nni 1aa")
    assert (mistyped.postcode, mistyped.postcode_verified) == ("NNI1AA", None)
    assert (mistyped.sector, mistyped.district) == (None, None)
    assert "pi:NNI1AA:k" in index_keys(mistyped)
    abroad = features(given_name="Kate", family_name="Smith", postcode=" 2615 ")
    assert (abroad.postcode, abroad.postcode_verified) == ("2615", None)


def test_two_records_writing_one_mistyped_postcode_agree_on_it_in_batch_and_online() -> None:
    rows = [{"record_id": str(n), "given_name": given, "family_name": family,
             "dob": dob, "postcode": "NNI 1AA"}
            for n, (given, family, dob) in enumerate((("Kate", "Smith", "2012-03-04"),
                                                      ("Katie", "Jones", "2012")))]
    left, right = (record_features(row) for row in rows)
    assert compare(left, right)["location"] == "postcode"
    (pair,) = scored_pairs(DuckDBAPI(), ["0", "1"], [left, right], model=load_model(),
                           floor=0.0)
    assert abs(pair.probability - load_model().score(left, right).probability) < 1e-9


def test_a_record_is_filed_under_its_date_name_sound_postcode_and_identifiers() -> None:
    f = features(given_name="Kate", family_name="Smith", dob="2012-03-04", postcode="NN1 1AA",
                 nhs="9992914173", upn="B801200005001")
    assert index_keys(f) == {
        "nhs:9992914173", "upn:B801200005001", "d:2012-03-04", "fy:s530:2012",
        "gy:catherine:2012", "pi:NN11AA:k", "nm:catherine:s530",
    }


def test_lookups_try_the_swapped_day_and_month_and_the_name_key() -> None:
    f = features(given_name="Kate", family_name="Smith", dob="2012-03-04")
    keys = query_keys(f)
    assert "d:2012-04-03" in keys and "nm:catherine:s530" in keys
    undated = query_keys(features(given_name="Kate", family_name="Smith"))
    assert undated == {"nm:catherine:s530"}


def test_a_partial_date_still_files_by_year() -> None:
    keys = index_keys(features(given_name="Bill", family_name="Jones", dob="2010"))
    assert {"fy:j520:2010", "gy:william:2010"} <= keys
    assert not any(key.startswith("d:") for key in keys)


def test_jaro_winkler_agrees_with_duckdb_which_scores_the_batch() -> None:
    import duckdb

    pairs = [("diane", "danielle"), ("philip", "paige"), ("martha", "marhta"), ("jo", "joe"),
             ("alexander", "alexandra"), ("smith", "smyth"), ("dixon", "dicksonx"),
             ("", ""), ("a", ""), ("zoë", "zoe"), ("siân", "sian"), ("o'brien", "obrien")]
    # Names as the county writes them, each against another and against itself mistyped.
    rng = random.Random(2024)
    names = [name.lower() for name in (*EnglishNames.first_names, *EnglishNames.last_names)]

    def slip(name: str) -> str:
        at, letter = rng.randrange(len(name)), rng.choice(string.ascii_lowercase)
        return rng.choice((name[:at] + letter + name[at + 1:], name[:at] + name[at + 1:],
                           name[:at] + letter + name[at:], name[:at] + name[at + 1:at + 2]
                           + name[at:at + 1] + name[at + 2:]))

    pairs += [(rng.choice(names), rng.choice(names)) for _ in range(2000)]
    pairs += [(name, slip(slip(name))) for name in rng.choices(names, k=2000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO pairs VALUES (?, ?)", pairs)
    scored = con.execute("SELECT a, b, jaro_winkler_similarity(a, b) FROM pairs").fetchall()
    assert len(scored) == len(pairs)
    for a, b, expected in scored:
        assert abs(jaro_winkler(a, b) - expected) < 1e-12, (a, b)