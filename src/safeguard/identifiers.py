"""UK identifiers that agencies hold for a child: validation and synthetic generation.

Each agency keys its records on its own identifier (health: NHS number, schools: UPN,
police: PNC ID). Matching a child across agencies starts with trusting those identifiers,
and all three carry a check character precisely so that a mistyped one can be caught at
the point of entry instead of silently failing to match (or, worse, matching someone else).
So every ``normalise_*`` function either returns the one canonical spelling or raises
:class:`InvalidIdentifier` saying exactly what is wrong, in words a caseworker can act on.

The generators exist for synthetic data: they must only ever produce identifiers that the
validators accept, and never ones that could belong to a real person where that can be
avoided (NHS numbers are drawn from the range the NHS reserves for testing).
"""

from __future__ import annotations

import operator
import random
import re
from collections.abc import Callable

__all__ = [
    "SCHEMES",
    "InvalidIdentifier",
    "make_nhs_number",
    "make_pnc_id",
    "make_upn",
    "nhs_check_digit",
    "normalise_identifier",
    "normalise_nhs_number",
    "normalise_pnc_id",
    "normalise_upn",
    "pnc_check_letter",
    "upn_check_letter",
]

SCHEMES: tuple[str, ...] = ("nhs", "upn", "pnc")

# How each scheme is named in error messages; an unknown scheme is named as given.
_LABELS = {"nhs": "nhs number", "upn": "upn", "pnc": "pnc id"}

# DfE's UPN alphabet: 23 letters with I, O and S left out because they are too easily
# confused with 1, 0 and 5 when written down or read aloud.
_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"

# The PNC alphabet is the same 23 letters rotated so that remainder 0 maps to Z.
_PNC_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"

# NHS numbers beginning 999 are reserved by the NHS for test data, so a synthetic
# record can never be mistaken for (or collide with) a real patient.
_NHS_TEST_PREFIX = "999"


class InvalidIdentifier(ValueError):
    """An identifier that fails its scheme's format or check-character rules."""

    def __init__(self, scheme: str, value: str, reason: str) -> None:
        # Pass the parts (not a pre-built message) to ValueError so the exception
        # pickles and copies faithfully: both rebuild it as ``cls(*self.args)``.
        super().__init__(scheme, value, reason)
        self.scheme = scheme
        self.value = value
        self.reason = reason

    def __str__(self) -> str:
        label = _LABELS.get(self.scheme, f"{self.scheme} identifier")
        return f"invalid {label} {self.value!r}: {self.reason}"


def _describe_bad_char(char: str) -> str:
    return "a space" if char.isspace() else repr(char)


# --------------------------------------------------------------------------- NHS number


_NHS_WEIGHTS = range(10, 1, -1)


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS number check digit for these nine digits, or None if none exists.

    Modulus 11 with weights 10..2. A remainder giving 10 means no valid NHS number starts
    with these digits: the NHS never issues them, so there is no digit to return.
    """
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise InvalidIdentifier(
            "nhs", first_nine, "expected exactly nine digits before the check digit"
        )
    total: int = sum(map(operator.mul, map(int, first_nine), _NHS_WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    """The ten digits of a valid NHS number; spaces and hyphens in the input are ignored."""
    # People write NHS numbers as 3-3-4 groups with spaces or hyphens; neither is significant.
    compact = value.strip().replace(" ", "").replace("-", "")
    for char in "" if compact.isascii() and compact.isdigit() else compact:
        if not (char.isascii() and char.isdigit()):
            raise InvalidIdentifier(
                "nhs",
                value,
                f"contains {_describe_bad_char(char)}; only digits, spaces and hyphens are allowed",
            )
    if len(compact) != 10:
        raise InvalidIdentifier("nhs", value, f"has {len(compact)} digits; an NHS number has 10")
    expected = nhs_check_digit(compact[:9])
    if expected is None:
        raise InvalidIdentifier(
            "nhs",
            value,
            "no NHS number can start with these nine digits (their check digit would be 10)",
        )
    if int(compact[9]) != expected:
        raise InvalidIdentifier("nhs", value, f"check digit should be {expected}")
    return compact


def make_nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the NHS's reserved test range (starts 999), ten digits."""
    # About one draw in eleven has no valid check digit; drawing again keeps the
    # distribution uniform over the valid numbers and terminates with certainty in practice.
    while True:
        first_nine = _NHS_TEST_PREFIX + "".join(rng.choice("0123456789") for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


# ------------------------------------------------------------------ unique pupil number


def _upn_body_problem(last_twelve: str) -> str | None:
    """Why these twelve characters cannot follow a UPN check letter, or None if they can."""
    if len(last_twelve) != 12:
        return f"has {len(last_twelve)} characters after the check letter; a UPN has 12"
    for position, char in enumerate(last_twelve[:11], start=2):
        if not (char.isascii() and char.isdigit()):
            return (
                f"character {position} is {_describe_bad_char(char)}; "
                "characters 2 to 12 must be digits"
            )
    # Only a temporary UPN carries a letter in the last place; it is drawn from the
    # same 23-letter alphabet as the check letter.
    last = last_twelve[11]
    if not ((last.isascii() and last.isdigit()) or last in _UPN_ALPHABET):
        return (
            f"character 13 is {_describe_bad_char(last)}; "
            "it must be a digit, or for a temporary UPN a letter other than I, O or S"
        )
    return None


def upn_check_letter(last_twelve: str) -> str:
    """The check letter that belongs in front of these twelve UPN characters.

    DfE algorithm: characters 2..13 weighted 2..13, summed, modulus 23, mapped to the
    23-letter alphabet (0 -> A). A temporary UPN's final letter counts as its index in
    that alphabet.
    """
    problem = _upn_body_problem(last_twelve)
    if problem is not None:
        raise InvalidIdentifier("upn", last_twelve, problem)
    values = [int(char) for char in last_twelve[:11]]
    last = last_twelve[11]
    values.append(int(last) if last.isdigit() else _UPN_ALPHABET.index(last))
    total = sum(value * weight for value, weight in zip(values, range(2, 14), strict=True))
    return _UPN_ALPHABET[total % 23]


def normalise_upn(value: str) -> str:
    """A valid UPN in canonical form: upper case, no spaces, 13 characters."""
    compact = value.strip().replace(" ", "").upper()
    if len(compact) != 13:
        raise InvalidIdentifier("upn", value, f"has {len(compact)} characters; a UPN has 13")
    if compact[0] not in _UPN_ALPHABET:
        raise InvalidIdentifier(
            "upn",
            value,
            f"starts with {_describe_bad_char(compact[0])}; "
            "it must start with a check letter other than I, O or S",
        )
    problem = _upn_body_problem(compact[1:])
    if problem is not None:
        raise InvalidIdentifier("upn", value, problem)
    expected = upn_check_letter(compact[1:])
    if compact[0] != expected:
        raise InvalidIdentifier("upn", value, f"check letter should be {expected}")
    return compact


def make_upn(rng: random.Random, *, la_code: int, establishment: int, year: int) -> str:
    """A valid permanent UPN for a pupil of this local authority and school.

    ``year`` is the year of allocation; a four-digit year is reduced to its last two digits
    as the UPN holds them. The three-digit serial is random.
    """
    if not 0 <= la_code <= 999:
        raise ValueError(f"la_code must have at most 3 digits, got {la_code}")
    if not 0 <= establishment <= 9999:
        raise ValueError(f"establishment must have at most 4 digits, got {establishment}")
    if year < 0:
        raise ValueError(f"year must not be negative, got {year}")
    body = f"{la_code:03d}{establishment:04d}{year % 100:02d}{rng.randrange(1000):03d}"
    return upn_check_letter(body) + body


# ------------------------------------------------------------------------------ PNC ID

# Year (2 or 4 digits), optional slash, serial, check letter. Without the slash the serial
# must be the full seven digits, otherwise "2001234A" would be ambiguous between year 20
# and year 2001.
_PNC_WITH_SLASH = re.compile(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])")
_PNC_WITHOUT_SLASH = re.compile(r"(\d{2}|\d{4})(\d{7})([A-Z])")


def pnc_check_letter(yy: str, serial: str) -> str:
    """The PNC ID check letter for a year and serial number.

    The two-digit year and the serial zero-padded to seven digits are read as one nine-digit
    number, modulus 23, mapped to the PNC alphabet (0 -> Z, 1 -> A, ...). A four-digit year
    is accepted and reduced to its last two digits, as the PNC does.
    """
    if len(yy) not in (2, 4) or not yy.isascii() or not yy.isdigit():
        raise InvalidIdentifier("pnc", f"{yy}/{serial}", f"year {yy!r} must be 2 or 4 digits")
    if not 1 <= len(serial) <= 7 or not serial.isascii() or not serial.isdigit():
        raise InvalidIdentifier("pnc", f"{yy}/{serial}", f"serial {serial!r} must be 1 to 7 digits")
    return _PNC_ALPHABET[int(yy[-2:] + serial.zfill(7)) % 23]


def normalise_pnc_id(value: str) -> str:
    """A valid PNC ID in canonical form ``YY/NNNNNNNL``.

    Accepts four-digit years and serials written without their leading zeros, because both
    are how PNC IDs are commonly written on paperwork from other systems.
    """
    compact = value.strip().replace(" ", "").upper()
    match = _PNC_WITH_SLASH.fullmatch(compact) or _PNC_WITHOUT_SLASH.fullmatch(compact)
    if match is None:
        raise InvalidIdentifier(
            "pnc",
            value,
            "expected a 2- or 4-digit year, '/', a serial of up to 7 digits and a check letter",
        )
    year, serial, letter = match.groups()
    expected = pnc_check_letter(year, serial)
    if letter != expected:
        raise InvalidIdentifier("pnc", value, f"check letter should be {expected}")
    return f"{year[-2:]}/{serial.zfill(7)}{letter}"


def make_pnc_id(rng: random.Random, *, year: int) -> str:
    """A valid PNC ID in canonical form for a record created in ``year`` (2 or 4 digits)."""
    if year < 0:
        raise ValueError(f"year must not be negative, got {year}")
    yy = f"{year % 100:02d}"
    # Real serials run to a few hundred thousand a year; keep synthetic ones in that range.
    serial = f"{rng.randrange(1, 1_000_000):07d}"
    return f"{yy}/{serial}{pnc_check_letter(yy, serial)}"


# ---------------------------------------------------------------------------- dispatch

_NORMALISERS: dict[str, Callable[[str], str]] = {
    "nhs": normalise_nhs_number,
    "upn": normalise_upn,
    "pnc": normalise_pnc_id,
}


def normalise_identifier(scheme: str, value: str) -> str:
    """Normalise ``value`` under ``scheme`` (one of :data:`SCHEMES`)."""
    normaliser = _NORMALISERS.get(scheme)
    if normaliser is None:
        raise InvalidIdentifier(
            scheme, value, f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}"
        )
    return normaliser(value)
