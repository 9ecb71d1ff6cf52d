"""Reading a page's query string: what a person may type or bookmark, never trusted.

`str.isdigit` accepts "²", which `int` refuses, and a page number of 20 digits made an offset
beyond what the database holds; a date of 9999-12-31 overflowed when a day was added to it.
Each of these was a 500 (finding 13 in docs/security.md).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

# Lists are narrowed by their filters, not paged through by hand: 10,000 pages of 25 is far
# beyond any list here, and an offset that size is one every database takes.
MAX_PAGE = 10_000
# The dates a filter can mean; outside them `date + timedelta` and zone conversions overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2099


def page_number(text: str) -> int:
    """`?page=`: 1 unless it is a whole number in ASCII digits, and at most MAX_PAGE."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return MAX_PAGE if len(text) > len(str(MAX_PAGE)) else min(max(int(text), 1), MAX_PAGE)


def query_date(text: str) -> date | None:
    """An ISO date between FIRST_YEAR and LAST_YEAR, else None (the page says what to enter)."""
    try:
        day = date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
    return day if day is None or FIRST_YEAR <= day.year <= LAST_YEAR else None


INT64_MAX = 2**63 - 1
_WHOLE = re.compile(r"[+-]?[0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a pasted tab is harmless


async def parameters_in_range(request: Request) -> None:
    """Every route's first dependency: a whole number in the path or query beyond what a
    64-bit column holds (an id of 20 digits) is a 422 here, before it reaches the database,
    where SQLite's driver raised OverflowError and PostgreSQL an out-of-range error; so is a
    control character, which PostgreSQL refuses in text (NUL) and no parameter needs."""
    errors: list[dict[str, Any]] = []
    for where, pairs in (("path", list(request.path_params.items())),
                         ("query", request.query_params.multi_items())):
        for name, value in pairs:
            text = str(value).strip()
            if _CONTROL.search(text):
                errors.append({"type": "string_pattern_mismatch", "loc": (where, name),
                               "msg": "Input should not contain control characters",
                               "input": text[:40].encode("unicode_escape").decode()})
            elif _WHOLE.fullmatch(text) and (len(text.lstrip("+-")) > 19
                                             or abs(int(text)) > INT64_MAX):
                errors.append({"type": "less_than_equal", "loc": (where, name),
                               "msg": f"Input should be at most {INT64_MAX}",
                               "input": text[:40], "ctx": {"le": INT64_MAX}})
    if errors:
        raise RequestValidationError(errors)
