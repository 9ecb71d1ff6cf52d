"""UK identifier validation and synthetic generation.

Expected check characters were worked by hand from the published algorithms, and the
PNC and UPN examples come from public validators (HMPPS person-record, python-stdnum).
"""

from __future__ import annotations

import pickle
import random

import pytest

from safeguard.identifiers import (
    SCHEMES,
    InvalidIdentifier,
    make_nhs_number,
    make_pnc_id,
    make_upn,
    nhs_check_digit,
    normalise_identifier,
    normalise_nhs_number,
    normalise_pnc_id,
    normalise_upn,
    pnc_check_letter,
    upn_check_letter,
)

# ------------------------------------------------------------------------- NHS number


def test_it_accepts_the_nhs_published_example_number() -> None:
    # 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
    assert nhs_check_digit("943476591") == 9
    assert normalise_nhs_number("943 476 5919") == "9434765919"


def test_it_accepts_spaces_and_hyphens_in_nhs_numbers() -> None:
    assert normalise_nhs_number("401-023-2137") == "4010232137"
    assert normalise_nhs_number(" 401 023 2137 ") == "4010232137"


def test_it_maps_a_remainder_of_zero_to_check_digit_zero() -> None:
    # Nine zeros sum to 0; 11 - 0 = 11, which the algorithm turns into 0.
    assert nhs_check_digit("000000000") == 0
    # A 1 at weight 9 and a 1 at weight 2 sum to 11; 11 % 11 = 0; 11 - 0 = 11 -> 0 as well.
    assert normalise_nhs_number("010 000 0010") == "0100000010"


def test_it_rejects_an_nhs_number_with_the_wrong_check_digit_saying_what_it_should_be() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_nhs_number("943 476 5918")
    assert caught.value.scheme == "nhs"
    assert caught.value.value == "943 476 5918"
    assert caught.value.reason == "check digit should be 9"
    assert str(caught.value) == "invalid nhs number '943 476 5918': check digit should be 9"


def test_it_rejects_nine_digits_whose_check_digit_would_be_ten() -> None:
    # 6 at weight 2 gives 12; 12 % 11 = 1; 11 - 1 = 10: no NHS number starts 000 000 006.
    assert nhs_check_digit("000000006") is None
    for last in "0123456789":
        with pytest.raises(InvalidIdentifier, match="check digit would be 10"):
            normalise_nhs_number("000000006" + last)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("943476591", "has 9 digits; an NHS number has 10"),
        ("94347659190", "has 11 digits; an NHS number has 10"),
        ("", "has 0 digits; an NHS number has 10"),
        ("943476591X", "contains 'X'; only digits, spaces and hyphens are allowed"),
        ("943.476.5919", "contains '.'; only digits, spaces and hyphens are allowed"),
    ],
)
def test_it_rejects_malformed_nhs_numbers_with_a_precise_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_nhs_number(value)
    assert caught.value.reason == reason


def test_it_refuses_to_compute_a_check_digit_from_the_wrong_number_of_digits() -> None:
    with pytest.raises(InvalidIdentifier):
        nhs_check_digit("94347659")


# -------------------------------------------------------------------------------- UPN


def test_it_accepts_a_valid_upn_and_computes_its_check_letter() -> None:
    # 8*2 + 0*3 + 1*4 + 2*5 + 0 + 0 + 0 + 0 + 5*10 + 0*11 + 0*12 + 1*13 = 93; 93 % 23 = 1 -> B.
    assert upn_check_letter("801200005001") == "B"
    assert normalise_upn("B801200005001") == "B801200005001"


def test_it_normalises_upn_case_and_spaces() -> None:
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"


def test_it_rejects_a_upn_with_the_wrong_check_letter() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_upn("A801200005001")
    assert caught.value.reason == "check letter should be B"
    assert str(caught.value) == "invalid upn 'A801200005001': check letter should be B"


def test_it_accepts_a_temporary_upn_valuing_its_final_letter_by_alphabet_position() -> None:
    # Digits give 8*2 + 1*4 + 2*5 + 5*10 + 1*12 = 92; B is index 1, times weight 13 = 13.
    # 105 % 23 = 13 -> P (A B C D E F G H J K L M N P: I and O are skipped).
    assert upn_check_letter("80120000501B") == "P"
    assert normalise_upn("p80120000501b") == "P80120000501B"


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("B80120000500", "has 12 characters; a UPN has 13"),
        ("I801200005001", "check letter other than I, O or S"),
        ("180120000500A", "must start with a check letter"),
        ("B80120000A001", "character 10 is 'A'; characters 2 to 12 must be digits"),
        ("B80120000500O", "character 13 is 'O'"),
    ],
)
def test_it_rejects_malformed_upns_with_a_precise_reason(value: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_upn(value)
    assert caught.value.scheme == "upn"
    assert reason_part in caught.value.reason


# ----------------------------------------------------------------------------- PNC ID


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("01/0171310W", "01/0171310W"),  # 10171310 % 23 = 19 -> W
        ("2001/0171310W", "01/0171310W"),  # four-digit year
        ("2001/171310W", "01/0171310W"),  # serial without its leading zero
        ("01/171310w", "01/0171310W"),  # lower-case check letter
        ("20030011985X", "03/0011985X"),  # no slash, full serial
        ("81/154257C", "81/0154257C"),
        ("2008/56560Z", "08/0056560Z"),  # remainder 0 maps to Z
    ],
)
def test_it_accepts_valid_pnc_ids_and_returns_the_canonical_form(
    value: str, canonical: str
) -> None:
    assert normalise_pnc_id(value) == canonical


def test_it_computes_pnc_check_letters_from_year_and_padded_serial() -> None:
    assert pnc_check_letter("01", "171310") == "W"
    assert pnc_check_letter("2001", "0171310") == "W"
    assert pnc_check_letter("08", "56560") == "Z"


def test_it_rejects_a_pnc_id_with_the_wrong_check_letter() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_pnc_id("2001/0171310S")
    assert caught.value.reason == "check letter should be W"
    assert str(caught.value) == "invalid pnc id '2001/0171310S': check letter should be W"


@pytest.mark.parametrize(
    "value", ["01/12345678A", "1/0171310W", "201/0171310W", "010171310", "0117131W"]
)
def test_it_rejects_malformed_pnc_ids(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_pnc_id(value)
    assert caught.value.scheme == "pnc"
    assert "expected a 2- or 4-digit year" in caught.value.reason


# ---------------------------------------------------------------------------- dispatch


def test_it_dispatches_by_scheme() -> None:
    assert SCHEMES == ("nhs", "upn", "pnc")
    assert normalise_identifier("nhs", "943 476 5919") == "9434765919"
    assert normalise_identifier("upn", "b801200005001") == "B801200005001"
    assert normalise_identifier("pnc", "2001/171310W") == "01/0171310W"


def test_it_rejects_an_unknown_scheme_naming_it() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_identifier("uprn", "100023336956")
    assert caught.value.scheme == "uprn"
    assert str(caught.value) == (
        "invalid uprn identifier '100023336956': "
        "unknown scheme 'uprn'; expected one of nhs, upn, pnc"
    )


def test_it_is_a_value_error_that_survives_pickling() -> None:
    error = InvalidIdentifier("nhs", "1", "has 1 digits; an NHS number has 10")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.scheme, copy.value, copy.reason) == (error.scheme, error.value, error.reason)
    assert str(copy) == str(error)


# -------------------------------------------------------------------------- generators


def test_it_generates_nhs_numbers_in_the_test_range_that_validate() -> None:
    for seed in range(500):
        number = make_nhs_number(random.Random(seed))
        assert number.startswith("999")
        assert normalise_nhs_number(number) == number


def test_it_generates_upns_that_validate_and_carry_the_given_school() -> None:
    for seed in range(500):
        upn = make_upn(random.Random(seed), la_code=801, establishment=2000, year=2026)
        assert upn[1:10] == "801200026"
        assert normalise_upn(upn) == upn


def test_it_generates_pnc_ids_that_validate_and_carry_the_year() -> None:
    for seed in range(500):
        pnc = make_pnc_id(random.Random(seed), year=2026)
        assert pnc.startswith("26/")
        assert normalise_pnc_id(pnc) == pnc


def test_it_generates_the_same_identifiers_from_the_same_seed() -> None:
    assert make_nhs_number(random.Random(7)) == make_nhs_number(random.Random(7))
    assert make_pnc_id(random.Random(7), year=26) == make_pnc_id(random.Random(7), year=2026)


def test_it_refuses_school_codes_that_do_not_fit_a_upn() -> None:
    with pytest.raises(ValueError, match="la_code"):
        make_upn(random.Random(0), la_code=1000, establishment=2000, year=2026)
    with pytest.raises(ValueError, match="establishment"):
        make_upn(random.Random(0), la_code=801, establishment=10000, year=2026)
