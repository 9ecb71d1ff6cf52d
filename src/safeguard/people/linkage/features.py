"""What a person record is compared on: normalised names, dates, postcodes and identifiers.

One function, :func:`features`, turns a record as any source holds it (a form, an import
line, a CSV row, a stored record) into :class:`Features`. The online scorer, the candidate
index and the batch pipeline (as columns for Splink) all use these same values, so a pair
scores the same whichever path sees it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import NamedTuple

import jellyfish
from faker.providers.person.en_GB import Provider as _EnglishNames

from safeguard.config import PACKAGE_DIR
from safeguard.people.names import address_key, normalise_name

NICKNAMES_FILE = PACKAGE_DIR / "data" / "nicknames.csv"
SPELLINGS_FILE = PACKAGE_DIR / "data" / "name_spellings.csv"
_PARTIAL_DOB = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_UK_DOB = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_POSTCODE = re.compile(r"[^A-Z0-9]")
# A UK postcode written without its space: outward code (area, district), inward code.
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


@cache
def nicknames() -> dict[str, str]:
    """Nickname -> formal name ("bill" -> "william"), from data/nicknames.csv."""
    with NICKNAMES_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["nickname"]: row["name"] for row in csv.DictReader(handle)}


@cache
def spellings() -> dict[str, str]:
    """Spelling -> the name it spells ("steven" -> "stephen", "lewis" -> "louis"), from
    data/name_spellings.csv: one name written two ways, more than a slip of the keyboard
    apart, which the guard would otherwise take for two names. Kept out of nicknames.csv,
    from which the synthetic records draw their nicknames (and their commonest names)."""
    with SPELLINGS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["spelling"]: row["name"] for row in csv.DictReader(handle)}


@cache
def given_names() -> frozenset[str]:
    """Given names people are actually given (normalised): England's first names (Faker's
    en_GB lists, drawn from the ONS's), every name and nickname of data/nicknames.csv and
    every spelling of data/name_spellings.csv. A name not in it is a rare name or, far more
    often, a name mistyped."""
    listed = (*_EnglishNames.first_names_female, *_EnglishNames.first_names_male)
    return frozenset({normalise_name(name) for name in listed}
                     | set(nicknames()) | set(nicknames().values())
                     | set(spellings()) | set(spellings().values()))


@cache
def _formal_names() -> dict[str, str]:
    """Every nickname and spelling -> its formal name. A spelling may be of a nickname
    ("lucie" is "lucy", Lucinda's) and a nickname's name may be a spelling of another
    ("phil" is Phillip's, and Philip is Phillip spelt with one l): followed to the end."""
    def formal(name: str) -> str:
        seen = {name}
        while (name := spellings().get(name, nicknames().get(name, name))) not in seen:
            seen.add(name)
        return name
    return {name: formal(name) for name in (*nicknames(), *spellings())}


def canonical_given(name: str) -> str:
    """The formal name a (normalised) given name stands for: "kate" -> "catherine",
    "steven" and "steve" -> "stephen"."""
    return _formal_names().get(name, name)


_SOUNDEX = {c: str(d) for d, letters in enumerate(
    ("aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r")) for c in letters}


def soundex(name: str) -> str:
    """American Soundex of a normalised name ("robert" -> "r163"); "" for no name."""
    if not name:
        return ""
    code, last = name[0], _SOUNDEX.get(name[0], "")
    for char in name[1:]:
        digit = _SOUNDEX.get(char, "")
        if digit not in ("0", "") and digit != last:
            code += digit
        if char not in "hw":
            last = digit
        if len(code) == 4:
            break
    return code.ljust(4, "0")


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters), as DuckDB computes it
    for the batch: jellyfish's, compiled, which agrees with DuckDB's to the last bit (a test
    holds it to DuckDB on thousands of pairs) at a seventh of the cost of Python's loops; the
    bulk load and the online resolver call it for every pair of names they compare."""
    return float(jellyfish.jaro_winkler_similarity(a, b))


def one_slip_apart(a: str, b: str) -> bool:
    """Whether two strings are equal or one slip of the keyboard apart: a letter dropped,
    added or mistyped, or two neighbours swapped (Damerau-Levenshtein distance <= 1, as
    ``damerau_levenshtein(a, b) <= 1`` in DuckDB and Splink's Spark functions)."""
    if a == b:
        return True
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                    and a[differ[0]] == b[differ[1]]
                                    and a[differ[1]] == b[differ[0]])
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) == 1 and any(
        long[:i] + long[i + 1:] == short for i in range(len(long)))


def damerau_levenshtein(a: str, b: str) -> int:
    """Edits (a letter added, dropped or changed, two neighbours swapped) from a to b: the
    unrestricted distance DuckDB's ``damerau_levenshtein`` computes ("ca" to "abc" is 2)."""
    return int(jellyfish.damerau_levenshtein_distance(a, b))


@dataclass(frozen=True, slots=True)
class Dob:
    year: int
    month: int | None = None
    day: int | None = None


def parse_dob(value: str | date | None) -> Dob | None:
    """A date of birth, whole or partial: "2012-03-14", "14/03/2012", "2012-03", "2012"."""
    if value is None:
        return None
    if isinstance(value, date):
        return Dob(value.year, value.month, value.day)
    text = value.strip()
    if not text:
        return None
    if m := _UK_DOB.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return Dob(year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else Dob(year)
    if m := _PARTIAL_DOB.match(text[:10]):
        born = int(m.group(1))
        in_month = int(m.group(2)) if m.group(2) else None
        on_day = int(m.group(3)) if m.group(3) else None
        if in_month is not None and not 1 <= in_month <= 12:
            return Dob(born)
        if on_day is not None and not 1 <= on_day <= 31:
            return Dob(born, in_month)
        return Dob(born, in_month, on_day)
    return None


def normalise_postcode(postcode: str | None) -> str | None:
    """The postcode upper-cased without spaces or punctuation, whether or not it is a UK
    postcode: agencies mistype postcodes ("NN1 1AAA", "NNI 1AA") and copy them from one
    another, so two records writing the same text are evidence, and a postcode from abroad
    is one too. :func:`uk_postcode` says which are postcodes (and have sectors)."""
    return _POSTCODE.sub("", (postcode or "").upper()) or None


def uk_postcode(code: str | None) -> bool:
    """Whether a normalised postcode has a UK postcode's shape ("NN11AA", "SW1A1AA")."""
    return code is not None and _UK_POSTCODE.match(code) is not None


class Features(NamedTuple):
    """A record's features. A named tuple rather than a frozen dataclass: as immutable, and
    several times cheaper to make, which a bulk load does a million times; and a tuple of
    its columns' values, which the features' table for DuckDB turns into columns in one
    call (``splink_model.features_table``)."""

    given: str | None = None
    given_canon: str | None = None
    family: str | None = None
    family_sdx: str | None = None
    dob: str | None = None  # whole date, ISO
    dob_swap: str | None = None  # day and month swapped (when both are <= 12)
    dob_ym: str | None = None
    dob_y: str | None = None
    sex: str | None = None
    postcode: str | None = None
    # "y" where the postcode has a UK postcode's shape; an unverified one (mistyped, from
    # abroad) is compared and blocked on as written, and has no sector or district.
    postcode_verified: str | None = None
    sector: str | None = None
    district: str | None = None
    address: str | None = None
    # The address's house number (with its letter: "41a") and its street and place words
    # without numbers or flat words ("acacia road"), for addresses written two ways.
    house: str | None = None
    street: str | None = None
    nhs: str | None = None
    upn: str | None = None
    pnc: str | None = None
    # Whether the given name is one people are given (see given_names): "y" or None.
    given_known: str | None = None
    # The birth years the record's identifiers allow (a UPN's year of allocation: a pupil
    # then; a PNC ID's year: 10 or older then), as years; None where nothing says.
    born_from: str | None = None
    born_to: str | None = None

    @property
    def matchable(self) -> bool:
        """Enough to match on: a name or a date of birth (or an identifier)."""
        return bool(self.given or self.family or self.dob_y or self.nhs or self.upn
                    or self.pnc)


FEATURE_COLUMNS: tuple[str, ...] = Features._fields


# The parts of a record's features, each a pure function of one field. Names and dates of
# birth repeat across records (and a household's records share an address), so they are
# cached: normalising is most of the cost of preparing a million records for a batch.
@lru_cache(maxsize=1 << 16)
def _given_parts(name: str) -> tuple[str | None, str | None]:
    given = normalise_name(name) or None
    return given, canonical_given(given) if given else None


@lru_cache(maxsize=1 << 16)
def _family_parts(name: str) -> tuple[str | None, str | None]:
    family = normalise_name(name) or None
    return family, soundex(family) if family else None


@lru_cache(maxsize=1 << 16)
def _dob_parts(value: str | date) -> tuple[str | None, str | None, str | None, str | None]:
    """(whole date, day and month swapped, year and month, year) of a date of birth."""
    born = parse_dob(value)
    whole = swap = ym = year = None
    if born is not None:
        year = f"{born.year:04d}"
        if born.month is not None:
            ym = f"{year}-{born.month:02d}"
            if born.day is not None:
                whole = f"{ym}-{born.day:02d}"
                if born.day <= 12 and born.day != born.month:
                    swap = f"{year}-{born.day:02d}-{born.month:02d}"
    return whole, swap, ym, year


# UPNs have been allocated since 1999, to pupils: a child in nursery at 2 at the youngest,
# a sixth-former of 19 at the oldest. Characters 9-10 of the 13 are the year of allocation.
UPN_FIRST_YEAR = 1999
PUPIL_AGES = (2, 19)


def upn_birth_years(upn: str | None) -> tuple[str | None, str | None]:
    """(earliest, latest) birth year of the holder of a UPN, from its year of allocation."""
    if not upn or len(upn) != 13 or not upn[8:10].isdigit():
        return None, None
    two_digits = int(upn[8:10])
    allocated = 1900 + two_digits if 1900 + two_digits >= UPN_FIRST_YEAR else 2000 + two_digits
    return str(allocated - PUPIL_AGES[1]), str(allocated - PUPIL_AGES[0])


# A PNC ID's first two digits are the year its record was made: when its holder was first
# arrested or summonsed, at 10 at the youngest (the age of criminal responsibility in England
# and Wales). The PNC dates from the 1970s, so two digits from 70 up are 19xx.
PNC_FIRST_YEAR = 1970
CRIMINAL_RESPONSIBILITY_AGE = 10


def pnc_birth_year(pnc: str | None) -> str | None:
    """The latest birth year of the holder of a PNC ID ("17/0140643F": born by 2007)."""
    if not pnc or len(pnc) < 3 or pnc[2] != "/" or not pnc[:2].isdigit():
        return None
    century = 1900 if 1900 + int(pnc[:2]) >= PNC_FIRST_YEAR else 2000
    return str(century + int(pnc[:2]) - CRIMINAL_RESPONSIBILITY_AGE)


# Words that say which flat of a building, not which building.
_FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room", "maisonette"})


@lru_cache(maxsize=1 << 18)
def _address_parts(address: str) -> tuple[str | None, str | None, str | None]:
    """(the normalised first line, the house number, the street words) of an address.

    The first line is the part before the first comma, or the first two parts when the
    first says only which flat ("Flat 2, 12 Acacia Road"). The house number is the last
    number before the street's words; a flat's number is left out of it, so "Flat 2, 12
    Acacia Rd" and "12 Acacia Road" share house and street, not the first line."""
    parts = [part.strip() for part in address.split(",")]
    line1 = parts[0]
    words = address_key(line1, None).rstrip("|").split()
    if len(parts) > 1 and words and all(w in _FLAT_WORDS or any(c.isdigit() for c in w)
                                        for w in words):
        line1 = f"{line1} {parts[1]}"
        words = address_key(line1, None).rstrip("|").split()
    if not words:
        return None, None, None
    street = [w for w in words if w not in _FLAT_WORDS and not any(c.isdigit() for c in w)]
    house = None
    for n, word in enumerate(words):
        if any(c.isdigit() for c in word) and (n == 0 or words[n - 1] not in _FLAT_WORDS):
            house = word
    return " ".join(words), house, " ".join(street) or None


def features(
    *,
    given_name: str | None = None,
    family_name: str | None = None,
    dob: str | date | None = None,
    sex: str | None = None,
    postcode: str | None = None,
    address: str | None = None,
    nhs: str | None = None,
    upn: str | None = None,
    pnc: str | None = None,
) -> Features:
    given, given_canon = _given_parts(given_name) if given_name else (None, None)
    born_from, born_to = upn_birth_years(upn)
    arrested_by = pnc_birth_year(pnc)
    if arrested_by is not None and (born_to is None or int(arrested_by) < int(born_to)):
        born_to = arrested_by
    family, family_sdx = _family_parts(family_name) if family_name else (None, None)
    whole, swap, ym, year = _dob_parts(dob) if dob else (None, None, None, None)
    code = normalise_postcode(postcode)
    verified = uk_postcode(code)
    line, house, street = _address_parts(address) if address else (None, None, None)
    sex_word = (sex or "").strip().lower()[:1] or None
    return Features(
        given=given, given_canon=given_canon, family=family, family_sdx=family_sdx,
        dob=whole, dob_swap=swap, dob_ym=ym, dob_y=year,
        sex=sex_word if sex_word in ("m", "f") else None,
        postcode=code, postcode_verified="y" if verified else None,
        sector=code[:-2] if code and verified else None,
        district=code[:-3] if code and verified else None,
        address=line, house=house, street=street,
        nhs=nhs or None, upn=upn or None, pnc=pnc or None,
        given_known="y" if given and given in given_names() else None,
        born_from=born_from, born_to=born_to,
    )


def index_keys(f: Features) -> set[str]:
    """The candidate-index keys under which a record of this person is filed."""
    keys: set[str] = set()
    for scheme in ("nhs", "upn", "pnc"):
        value = getattr(f, scheme)
        if value:
            keys.add(f"{scheme}:{value}")
    if f.dob:
        keys.add(f"d:{f.dob}")
    if f.dob_y:
        if f.family_sdx:
            keys.add(f"fy:{f.family_sdx}:{f.dob_y}")
        if f.given_canon:
            keys.add(f"gy:{f.given_canon}:{f.dob_y}")
    if f.postcode and f.given:
        keys.add(f"pi:{f.postcode}:{f.given[0]}")
    if f.given_canon and f.family_sdx:
        keys.add(f"nm:{f.given_canon}:{f.family_sdx}")
    return keys


def query_keys(f: Features) -> set[str]:
    """The keys to look a record's candidates up by: its own, plus the day/month swap.

    The name key is looked up even when the record is dated: a record whose date of birth
    is wrong in more than day/month order, and whose surname and address have changed, is
    found by nothing else. A common name files a few hundred people at a million persons;
    the lookup ranks that pool and scores only the best of it (:mod:`.online`).
    """
    keys = index_keys(f)
    if f.dob_swap:
        keys.add(f"d:{f.dob_swap}")
    return keys
