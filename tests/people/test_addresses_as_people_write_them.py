"""Addresses as agencies' staff write them: abbreviations, a flat on a line of its own, a
street name mistyped. One home written two ways is evidence for the pair, short of the same
address written alike; a neighbour's house number or another street is not."""

from __future__ import annotations

import pytest

from safeguard.people.linkage.batch import link_rows
from safeguard.people.linkage.features import features
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import load_model

from .helpers import scored_as_online


def _location(a: str, b: str, *, postcodes: tuple[str, str] = ("NN1 1AA", "NN1 1AA")) -> str:
    return compare(features(address=a, postcode=postcodes[0]),
                   features(address=b, postcode=postcodes[1]))["location"]


@pytest.mark.parametrize(("written", "as_also_written", "level"), [
    ("12 Acacia Rd, Northampton", "12 Acacia Road", "address_postcode"),
    ("41 A Potts St.", "41a Potts Street", "address_postcode"),
    ("12 Acaica Road", "12 Acacia Road", "alike_postcode"),
    ("Flat 2, 12 Acacia Rd, Northampton", "12 Acacia Road", "alike_postcode"),
    ("12 Acacia Raod", "12 Acacia Road", "alike_postcode"),
    ("14 Acacia Road", "12 Acacia Road", "postcode"),
    ("12 Mill Lane", "12 Mill Road", "postcode"),
])
def test_one_home_written_two_ways_is_alike_and_a_neighbour_is_not(
    written: str, as_also_written: str, level: str,
) -> None:
    assert _location(written, as_also_written) == level


def test_an_address_alike_without_a_postcode_in_common_still_counts() -> None:
    assert _location("12 Acaica Road", "12 Acacia Road",
                     postcodes=("NN1 1AA", "")) == "alike"
    assert _location("12 Acaica Road", "13 Acacia Road", postcodes=("NN1 1AA", "")) == "else"


def test_a_flat_on_a_line_of_its_own_keeps_the_building_as_the_first_line() -> None:
    home = features(address="Flat 2, 12 Acacia Rd, Northampton")
    assert (home.address, home.house, home.street) == ("flat 2 12 acacia road", "12",
                                                       "acacia road")


def test_an_address_alike_weighs_for_the_pair_and_less_than_one_written_alike() -> None:
    model = load_model()
    record = {"given_name": "Amelia", "family_name": "Johnson", "dob": "2015-02-11"}
    alike = model.score(features(**record, address="12 Acaica Road"),
                        features(**record, address="12 Acacia Road"))
    same = model.score(features(**record, address="12 Acacia Road"),
                       features(**record, address="12 Acacia Road"))
    other = model.score(features(**record, address="40 Mill Lane"),
                        features(**record, address="12 Acacia Road"))
    assert other.match_weight < alike.match_weight < same.match_weight


def _row(record_id: str, given: str, dob: str, address: str, postcode: str = "") -> dict[
        str, str]:
    return {"record_id": record_id, "source": record_id, "given_name": given,
            "family_name": "Okafor", "dob": dob, "sex": "", "postcode": postcode,
            "address": address, "nhs_number": "", "upn": "", "pnc_id": ""}


def test_the_batch_finds_the_same_levels_in_sql_as_the_online_scorer() -> None:
    rows = [_row("a", "Chidi", "2012-05-06", "Flat 3, 7 Wellingborough Rd", "NN1 4DT"),
            _row("b", "Chidi", "2012-05", "7 Wellingborugh Road, Northampton"),
            _row("c", "Chidi", "2012-05-06", "7 Wellingborough Road", "NN1 4DT"),
            _row("d", "Ngozi", "2012-05-06", "9 Wellingborough Road", "NN1 4DT")]
    pairs = scored_as_online(rows)
    assert {(p.left, p.right) for p in pairs if not p.cannot_link} >= {("a", "c")}
    person_of = link_rows(rows).person_of
    assert person_of["a"] == person_of["b"] == person_of["c"] != person_of["d"]
