"""The comparison levels of a pair of records, in pure Python: each comparison's levels from
most to least alike and the test that gives a pair's level. The Splink settings in
:mod:`safeguard.people.linkage.splink_model` build the same levels in SQL, in the same order, so
Splink's comparison vector (its ``gamma_*`` columns) and :func:`compare` give the same level for
the same pair (:mod:`.model` weighs them)."""

from __future__ import annotations

from collections.abc import Callable

from safeguard.people.linkage.features import (
    Features,
    damerau_levenshtein,
    jaro_winkler,
    one_slip_apart,
)

NULL = "null"
ELSE = "else"
IDENTIFIERS = ("nhs", "upn", "pnc")


def _given(a: Features, b: Features) -> str:
    if not a.given or not b.given:
        return NULL
    if a.given == b.given:
        return "exact"
    if a.given_canon == b.given_canon:
        return "nickname"
    similarity = jaro_winkler(a.given, b.given)
    if similarity >= 0.8:
        return "jw92" if similarity >= 0.92 else "jw80"
    # The surname written in the given name's field and the given name in the surname's
    # (the least alike level above else, so a pair alike as written is scored as written).
    return "swapped" if _swapped(a, b) else ELSE


def _swapped(a: Features, b: Features) -> bool:
    """Each name in the other's field, one of the two as written and the other as written or
    a slip apart ("Sims Janice" and "Janice Sms"): a record keyed with its names the wrong way
    round has its typos as any other. Must say what ``splink_model``'s swapped level says."""
    if not (a.given and a.family and b.given and b.family):
        return False
    if a.given == b.family:
        return one_slip_apart(a.family, b.given)
    return a.family == b.given and one_slip_apart(a.given, b.family)


def _family(a: Features, b: Features) -> str:
    if not a.family or not b.family:
        return NULL
    if a.family == b.family:
        return "exact"
    similarity = jaro_winkler(a.family, b.family)
    return "jw92" if similarity >= 0.92 else "jw80" if similarity >= 0.8 else ELSE


def _dob(a: Features, b: Features) -> str:
    if not a.dob_y or not b.dob_y:
        return NULL
    if a.dob is not None and a.dob == b.dob:
        return "exact"
    if a.dob is not None and b.dob is not None and (a.dob == b.dob_swap
                                                    or a.dob_swap == b.dob):
        return "transposed"
    if a.dob_ym is not None and a.dob_ym == b.dob_ym:
        return "year_month"
    return "year" if a.dob_y == b.dob_y else ELSE


def _sex(a: Features, b: Features) -> str:
    if not a.sex or not b.sex:
        return NULL
    return "exact" if a.sex == b.sex else ELSE


def _location(a: Features, b: Features) -> str:
    """Address and postcode as one comparison: they are far from independent."""
    if (not a.address and not a.postcode) or (not b.address and not b.postcode):
        return NULL
    same_address = a.address is not None and a.address == b.address
    same_postcode = a.postcode is not None and a.postcode == b.postcode
    if same_address and same_postcode:
        return "address_postcode"
    if same_address:
        return "address"
    alike = addresses_alike(a, b)
    if alike and same_postcode:
        return "alike_postcode"
    if same_postcode:
        return "postcode"
    if alike:
        return "alike"
    if a.sector is not None and a.sector == b.sector:
        return "sector"
    return "district" if a.district is not None and a.district == b.district else ELSE


# Street words two slips of the keyboard apart or closer ("acacia raod", "acaica road") under
# one house number are one address written twice; abbreviations ("Rd", "St") are expanded
# before (names.address_key), so they agree exactly.
STREET_SLIPS = 2


def addresses_alike(a: Features, b: Features) -> bool:
    """One house number, and street words a slip or two apart (or a flat written on one
    only): the same home written by two agencies' hands."""
    return (a.house is not None and a.house == b.house and a.street is not None
            and b.street is not None
            and damerau_levenshtein(a.street, b.street) <= STREET_SLIPS)


def _identifier(scheme: str) -> Callable[[Features, Features], str]:
    def level(a: Features, b: Features) -> str:
        x, y = getattr(a, scheme), getattr(b, scheme)
        if not x or not y:
            return NULL
        return "exact" if x == y else ELSE
    return level


# comparison name -> (levels from most to least alike, excluding null and else; the test)
COMPARISONS: dict[str, tuple[tuple[str, ...], Callable[[Features, Features], str]]] = {
    "given_name": (("exact", "nickname", "jw92", "jw80", "swapped"), _given),
    "family_name": (("exact", "jw92", "jw80"), _family),
    "dob": (("exact", "transposed", "year_month", "year"), _dob),
    "sex": (("exact",), _sex),
    "location": (("address_postcode", "address", "alike_postcode", "postcode", "alike",
                  "sector", "district"), _location),
    **{scheme: (("exact",), _identifier(scheme)) for scheme in IDENTIFIERS},
}


def compare(a: Features, b: Features) -> dict[str, str]:
    """The level of every comparison for this pair: {"given_name": "nickname", ...}."""
    return {name: test(a, b) for name, (_, test) in COMPARISONS.items()}


def identifier_agrees(levels: dict[str, str]) -> bool:
    return any(levels[scheme] == "exact" for scheme in IDENTIFIERS)
