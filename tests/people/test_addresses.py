"""One address, one row: an address without a UPRN is the stored one its normalised first line
and postcode agree with, however it was typed; two dwellings are never joined."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.events.fields import AddressIn
from safeguard.people.models import Address
from safeguard.people.names import address_key
from safeguard.people.service import upsert_address

POTTS = {"uprn": "100031234567", "line1": "41 Potts Street", "town": "Northampton",
         "postcode": "NN1 3YF"}


def upsert(session: Session, **fields: Any) -> Address:
    return upsert_address(session, address=AddressIn.model_validate(fields))


def rows(session: Session) -> int:
    return session.scalar(select(func.count(Address.id))) or 0


def test_it_finds_the_address_with_a_uprn_from_the_same_text_sent_without_one(
    session: Session,
) -> None:
    home = upsert(session, **POTTS)
    again = upsert(session, line1="41 Potts Street", town="Northampton", postcode="NN1 3YF")
    assert again.id == home.id and again.uprn == POTTS["uprn"]
    assert rows(session) == 1


@pytest.mark.parametrize("typed", [
    {"line1": "41 potts st", "postcode": "nn13yf"},
    {"line1": "41, POTTS  STREET.", "town": "NORTHAMPTON", "postcode": "NN1 3YF"},
    {"line1": "41 Potts Street, Northampton", "town": "Northampton", "postcode": "NN1 3YF"},
    {"line1": "41 Potts Street, Northampton, NN1 3YF"},
    {"line1": "41 Potts St Northampton nn1 3yf"},
    {"line1": "41 Potts Street, Northampton", "postcode": "NN1 3YF"},
    {"line1": "41 Potts Street, Semilong", "postcode": "NN1 3YF"},
], ids=["lower-case-abbreviated", "upper-case-punctuated", "town-in-line-1",
        "town-and-postcode-in-line-1", "all-in-line-1-no-commas", "town-in-line-1-no-town",
        "locality-in-line-1-no-locality"])
def test_it_finds_the_address_however_its_text_was_typed(
    session: Session, typed: dict[str, str],
) -> None:
    home = upsert(session, **POTTS, line2="Semilong")
    assert upsert(session, **typed).id == home.id
    assert rows(session) == 1


def test_a_uprn_sent_later_is_given_to_the_address_known_by_its_text(session: Session) -> None:
    home = upsert(session, line1="41 Potts St., Northampton", postcode="nn1 3yf")
    assert home.postcode == "NN1 3YF"
    again = upsert(session, **POTTS)
    assert again.id == home.id and again.uprn == POTTS["uprn"]


def test_a_postcode_typed_into_the_first_line_is_kept_as_the_postcode(session: Session) -> None:
    home = upsert(session, line1="41 Potts Street, Northampton, NN1 3YF")
    assert home.postcode == "NN1 3YF"
    assert upsert(session, **POTTS).id == home.id


@pytest.mark.parametrize("other", [
    {"line1": "43 Potts Street", "postcode": "NN1 3YF"},
    {"line1": "41 Potts Street", "postcode": "NN1 3YG"},
    {"line1": "Flat 2, 41 Potts Street", "postcode": "NN1 3YF"},
    {"line1": "41A Potts Street", "postcode": "NN1 3YF"},
    {"line1": "41 Potts Road", "postcode": "NN1 3YF"},
], ids=["another-number", "another-postcode", "a-flat", "a-letter", "another-street"])
def test_other_dwellings_stay_apart(session: Session, other: dict[str, str]) -> None:
    home = upsert(session, **POTTS)
    assert upsert(session, **other).id != home.id


def test_two_uprns_are_never_joined_and_text_alone_cannot_choose_between_them(
    session: Session,
) -> None:
    first = upsert(session, **POTTS)
    second = upsert(session, **{**POTTS, "uprn": "100031234999"})
    assert second.id != first.id
    unnumbered = upsert(session, line1="41 Potts St", postcode="NN1 3YF")
    assert unnumbered.id not in (first.id, second.id) and unnumbered.uprn is None
    # Text that matches the rows of two UPRNs goes on with the one without a UPRN.
    assert upsert(session, line1="41 potts street", postcode="nn1 3yf").id == unnumbered.id


def test_the_same_text_to_the_letter_finds_its_own_row(session: Session) -> None:
    upsert(session, **POTTS)
    other = upsert(session, **{**POTTS, "uprn": "100031234999", "line2": "Flat at the back"})
    chosen = {k: v for k, v in POTTS.items() if k != "uprn"} | {"line2": "Flat at the back"}
    assert upsert(session, **chosen).id == other.id


@pytest.mark.parametrize(("a", "b"), [
    ("12 St Mary's Rd", "12 Saint Marys Road"),
    ("41A Potts Street", "41 a Potts St"),
    ("Flat 3, 27 Elm Close", "flat 3 27 elm cl"),
    ("Zoë Court", "Zoe Court"),
])
def test_the_key_ignores_how_the_first_line_is_written(a: str, b: str) -> None:
    assert address_key(a, "NN1 1AA") == address_key(b, "nn11aa")


def test_the_key_takes_off_only_the_end_of_the_line_and_never_all_of_it() -> None:
    assert address_key("12 Northampton Road, Northampton", None, drop=["Northampton"]) == \
        "12 northampton road|"
    assert address_key("Northampton", None, drop=["Northampton"]) == "northampton|"
