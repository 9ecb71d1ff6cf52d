"""Normalising names and addresses so that the same thing written twice compares equal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_NON_LETTERS = re.compile(r"[^a-z]")
_NON_WORD = re.compile(r"[^a-z0-9 ]")
_SPACES = re.compile(r"\s+")
# "St Mary's" and "St Marys" are one street: an apostrophe joins, other punctuation parts.
_APOSTROPHES = re.compile(r"['\u2019`]")
# "41 A Potts Street" is 41A.
_NUMBER_LETTER = re.compile(r"\b(\d+) ([a-z])\b")
# A UK postcode at the end of a first line ("41 Potts Street, NN1 3YF").
_POSTCODE_TAIL = re.compile(r"(?:^|[\s,]+)([a-z]{1,2}[0-9][a-z0-9]?)\s*([0-9][a-z]{2})[\s,.]*$",
                            re.IGNORECASE | re.ASCII)
# Common abbreviations in address first lines, expanded so "12 Acacia Rd" == "12 Acacia Road".
# "St" is Street at the end of a line and Saint before a name ("St Mary's Road").
_STREET_WORDS = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "cl": "close",
    "cres": "crescent", "ct": "court", "dr": "drive", "gdns": "gardens", "gr": "grove",
    "ln": "lane", "pl": "place", "sq": "square", "ter": "terrace", "terr": "terrace",
    "pde": "parade",
}
def fold(text: str) -> str:
    """Lower case without accents: 'Zoë' -> 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1 << 16)
def normalise_name(name: str | None) -> str:
    """Kept for the names seen lately: names repeat across records, and a bulk load keys
    each new person by its names."""
    return _NON_LETTERS.sub("", fold(name or ""))


def name_key(given: str | None, family: str | None) -> str:
    return f"{normalise_name(given)}|{normalise_name(family)}"


def full_name(given: str | None, family: str | None) -> str:
    return " ".join(part for part in (given, family) if part) or "(no name)"


def _words(text: str) -> list[str]:
    return list(_words_of(text))


@lru_cache(maxsize=1 << 16)
def _words_of(text: str) -> tuple[str, ...]:
    """Kept for the lines and towns seen lately: a bulk load meets each household's address
    once per record of it."""
    plain = _NON_WORD.sub(" ", _APOSTROPHES.sub("", fold(text)))
    return tuple(_NUMBER_LETTER.sub(r"\1\2", _SPACES.sub(" ", plain).strip()).split())


def split_postcode(line1: str) -> tuple[str, str | None]:
    """A first line without a postcode typed at its end, and that postcode ("NN13YF")."""
    match = _POSTCODE_TAIL.search(line1)
    if match is None or match.start() == 0:
        return line1, None
    return line1[:match.start()], (match.group(1) + match.group(2)).upper()


def address_key(line1: str, postcode: str | None, *,
                drop: Iterable[str | None] = ()) -> str:
    """The normalised first line and postcode by which an address without a UPRN is known.

    Case, accents, punctuation and spacing do not count, nor common abbreviations ("Rd",
    "St"); a postcode typed at the end of the first line is taken off it (and used when
    ``postcode`` is missing), and so are the words of ``drop`` (the town, the locality) when
    typed at its end: "41 Potts St., Northampton NN1 3YF" is "41 potts street|NN13YF".
    """
    line, typed = split_postcode(line1)
    words = _words(line)
    tails = sorted({tuple(_words(part)) for part in drop if part} - {()}, key=len,
                   reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for tail in tails:
            # Only ever the end of the line, and never all of it.
            if len(words) > len(tail) and tuple(words[-len(tail):]) == tail:
                words, stripped = words[:-len(tail)], True
    last = len(words) - 1
    words = ["saint" if word == "st" and i < last else _STREET_WORDS.get(word, word)
             for i, word in enumerate(words)]
    return " ".join(words) + "|" + (postcode or typed or "").replace(" ", "").upper()
