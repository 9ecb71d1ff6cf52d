"""Normalising names and addresses so that the same thing written twice compares equal."""

from __future__ import annotations

import re
import unicodedata

_NON_LETTERS = re.compile(r"[^a-z]")
_NON_WORD = re.compile(r"[^a-z0-9 ]")
_SPACES = re.compile(r"\s+")
# Common abbreviations in address first lines, expanded so "12 Acacia Rd" == "12 Acacia Road".
_STREET_WORDS = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "cl": "close",
    "cres": "crescent", "ct": "court", "dr": "drive", "gdns": "gardens", "gr": "grove",
    "ln": "lane", "pl": "place", "sq": "square", "ter": "terrace", "terr": "terrace",
}


def fold(text: str) -> str:
    """Lower case without accents: 'Zoë' -> 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def normalise_name(name: str | None) -> str:
    return _NON_LETTERS.sub("", fold(name or ""))


def name_key(given: str | None, family: str | None) -> str:
    return f"{normalise_name(given)}|{normalise_name(family)}"


def full_name(given: str | None, family: str | None) -> str:
    return " ".join(part for part in (given, family) if part) or "(no name)"


def address_key(line1: str, postcode: str | None) -> str:
    words = _SPACES.sub(" ", _NON_WORD.sub(" ", fold(line1))).split()
    words = [_STREET_WORDS.get(word, word) for word in words]
    return " ".join(words) + "|" + (postcode or "").replace(" ", "").upper()
