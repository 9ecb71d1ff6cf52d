"""What a search box's text says: identifiers, a date of birth, a postcode, an address, a name.

People type what they have in front of them, in whatever form it came: an NHS number in
3-3-4 groups, a date as 03/04/2015 or 3 April 2015, a postcode without its space, a name
as they heard it. Each part is recognised by its shape (identifiers by their scheme's
format and check character, identifiers.py) and taken out of the text; what is left is an
address when it has a house number or a street word, else a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from safeguard.identifiers import SCHEMES, InvalidIdentifier, normalise_identifier
from safeguard.people.names import normalise_name

MONTHS = {name: n for n, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
     ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
     ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), start=1) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# Day first as written in the UK (03/04/2015 is 3 April), ISO year first, and in words.
_DATES = (
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I),
     ("d", "m", "y")),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
     ("m", "d", "y")),
)
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.I)
# An NHS number in groups ("943 476 5919"), before the text is split into words.
_GROUPED_NHS = re.compile(r"\b\d{3}[ -]\d{3}[ -]\d{4}\b")
# Words that make the rest of a query an address rather than a name.
STREET_WORDS = frozenset({
    "road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "drive", "way",
    "court", "crescent", "place", "gardens", "terrace", "grove", "square", "house", "flat",
    "walk", "row", "hill", "park", "mews", "view", "green", "parade", "apartment",
})
LABELS = {"nhs": "NHS number", "upn": "UPN", "pnc": "PNC ID"}


@dataclass
class Terms:
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme -> normalised value
    dob: date | None = None
    postcode: str | None = None  # "NN1 3YF"
    address: str | None = None  # the first line as typed ("12 Acacia Road")
    names: list[str] = field(default_factory=list)  # name words as typed, in order

    @property
    def empty(self) -> bool:
        return not (self.identifiers or self.dob or self.postcode or self.address
                    or self.names)


def _month(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.lower()]


def _take_date(text: str) -> tuple[str, date | None]:
    for pattern, order in _DATES:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            try:
                found = date(int(parts["y"]), _month(parts["m"]), int(parts["d"]))
            except ValueError:
                continue  # 31/02/2015 is no date: leave it to be read as something else
            return text[:match.start()] + " " + text[match.end():], found
    return text, None


def _identifier(word: str) -> tuple[str, str] | None:
    for scheme in SCHEMES:
        try:
            return scheme, normalise_identifier(scheme, word)
        except InvalidIdentifier:
            continue
    return None


def parse(query: str) -> Terms:
    """The parts of a search box's text (see the module's docstring)."""
    terms = Terms()
    text = query.strip()
    whole = _identifier(text)
    if whole is not None:
        terms.identifiers[whole[0]] = whole[1]
        return terms
    for match in _GROUPED_NHS.finditer(text):
        found = _identifier(match.group())
        if found is not None:
            terms.identifiers[found[0]] = found[1]
            text = text.replace(match.group(), " ")
    text, terms.dob = _take_date(text)
    if code := _POSTCODE.search(text):
        terms.postcode = f"{code.group(1).upper()} {code.group(2).upper()}"
        text = text[:code.start()] + " " + text[code.end():]
    words = []
    for word in re.split(r"[\s,]+", text):
        found = _identifier(word) if word else None
        if found is not None:
            terms.identifiers[found[0]] = found[1]
        elif word:
            words.append(word)
    lowered = {w.lower().strip(".") for w in words}
    if any(any(c.isdigit() for c in w) for w in words) or lowered & STREET_WORDS:
        terms.address = " ".join(words)
    else:
        terms.names = [w for w in words if normalise_name(w)]
    return terms
