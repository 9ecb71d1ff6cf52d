"""Statutory clocks on the England and Wales working-day calendar, and school days.

Most safeguarding deadlines are counted in working days (weekends and bank holidays of
England and Wales excluded), some in elapsed hours, and the Operation Encompass notice
runs to "before the start of the next school day". Getting these wrong is not cosmetic:
a deadline computed a day late is a child left unprotected for a day with nobody alerted.

Conventions, all deliberate:

* Every datetime in and out is timezone-aware; naive ones are rejected with ValueError,
  because a naive time on a server set to UTC is an hour out for half the year.
* Results are returned in UTC, the one zone that never jumps, for storage and comparison.
* Reasoning about *days* happens in London local time (``LONDON``), because that is the
  calendar the duties are defined on: 23:30 UTC on a summer Friday is already Saturday.
* Bank holidays come from the ``holidays`` package, never a hand-written list, so that
  substitute days and one-off holidays (coronations, jubilees) are not missed.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "SHIPPED_TERM_DATES",
    "SchoolCalendar",
    "WorkingCalendar",
    "load_term_dates",
    "local_to_utc",
]

LONDON = ZoneInfo("Europe/London")

# Term dates of the synthetic county's schools, shipped as package data.
SHIPPED_TERM_DATES = Path(__file__).with_name("data") / "term_dates.json"

# No real calendar has a gap this long between working days or school days; hitting it
# means bad configuration (e.g. term dates that have run out), which must fail loudly
# rather than loop for ever or return a deadline years away.
_SEARCH_LIMIT_DAYS = 400


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _require_plain_date(value: date, name: str) -> None:
    # A datetime is a date subclass, but its calendar day depends on its zone: 23:30 UTC
    # on a summer Friday is Saturday in London. Make callers choose the day explicitly.
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime; convert to London time first")


def local_to_utc(day: date, wall_clock: time) -> datetime:
    """The UTC instant at which London clocks show ``wall_clock`` on ``day``.

    Around the clock changes a wall-clock time can be missing or doubled. ``fold=0`` with a
    round trip through UTC resolves both the way a person would expect: a time in the
    spring gap (01:30 on the last Sunday of March) is read with the pre-change offset, so
    it lands at the same distance past the change (02:30 BST); a doubled time in autumn
    takes its first occurrence (BST), which is the earlier, i.e. safer, deadline.
    """
    _require_plain_date(day, "day")
    if wall_clock.tzinfo is not None:
        raise ValueError("wall_clock must be a naive London wall-clock time")
    local = datetime.combine(day, wall_clock.replace(fold=0), tzinfo=LONDON)
    return local.astimezone(UTC)


class WorkingCalendar:
    """Working days of England and Wales: Monday to Friday, bank holidays excluded."""

    def __init__(self) -> None:
        # Holidays are fetched a year at a time, on first use: deadlines reach only a few
        # months ahead, but synthetic data and old records can touch any year.
        self._holidays_by_year: dict[int, dict[date, str]] = {}

    def _holidays_in(self, year: int) -> dict[date, str]:
        cached = self._holidays_by_year.get(year)
        if cached is None:
            # England and Wales share their bank holidays; subdiv "ENG" gives exactly those.
            found = holidays.country_holidays("GB", subdiv="ENG", years=year)
            cached = {day: str(name) for day, name in found.items()}
            self._holidays_by_year[year] = cached
        return cached

    def holiday_name(self, d: date) -> str | None:
        """The bank holiday on ``d`` as ``holidays`` names it, or None.

        Useful to explain a deadline to a user ("moved past Boxing Day (observed)").
        """
        _require_plain_date(d, "d")
        return self._holidays_in(d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        _require_plain_date(d, "d")
        return d.weekday() < 5 and d not in self._holidays_in(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        _require_plain_date(d, "d")
        candidate = d
        for _ in range(_SEARCH_LIMIT_DAYS):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_SEARCH_LIMIT_DAYS} days after {d.isoformat()}")

    def add_working_days(self, at: datetime, days: int) -> datetime:
        """The instant ``days`` working days after ``at``, in UTC.

        The clock keeps London time of day: received Friday 23:00, one working day is
        Monday 23:00. Something received on a non-working day is treated as received at
        00:00 on the next working day, so the whole of that day counts: received Saturday
        10:00, one working day is Tuesday 00:00.
        """
        _require_aware(at, "at")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        local = at.astimezone(LONDON)
        day = local.date()
        if self.is_working_day(day):
            if days == 0:
                # Returning the instant itself keeps a doubled autumn hour's fold intact.
                return at.astimezone(UTC)
            time_of_day = local.time()
        else:
            day = self.next_working_day(day)
            time_of_day = time(0, 0)
        for _ in range(days):
            day = self.next_working_day(day)
        return local_to_utc(day, time_of_day)

    @staticmethod
    def add_hours(at: datetime, hours: float) -> datetime:
        """The instant ``hours`` of elapsed time after ``at``, in UTC.

        Arithmetic on an aware datetime in a ZoneInfo zone is wall-clock arithmetic (it
        ignores a clock change in between), so convert to UTC first: 72 hours must be 72
        real hours even across the last weekend of October.
        """
        _require_aware(at, "at")
        if not math.isfinite(hours):
            raise ValueError(f"hours must be a finite number, got {hours}")
        return at.astimezone(UTC) + timedelta(hours=hours)


class SchoolCalendar:
    """School days: working days inside a term, each starting at a fixed London time."""

    def __init__(
        self,
        working: WorkingCalendar,
        terms: Sequence[tuple[date, date]] | None = None,
        day_starts: time = time(8, 30),
    ) -> None:
        if day_starts.tzinfo is not None:
            raise ValueError("day_starts must be a naive London wall-clock time")
        self.working = working
        self.day_starts = day_starts
        # None means "no term data": treat every working day as a school day, which errs
        # towards an earlier notice deadline, never a later one.
        self._terms: list[tuple[date, date]] | None = None
        self._term_starts: list[date] = []
        if terms is not None:
            ordered = sorted(terms)
            for start, end in ordered:
                if end < start:
                    raise ValueError(
                        f"term ends {end.isoformat()} before it starts {start.isoformat()}"
                    )
            # _in_term's binary search assumes disjoint terms; an overlap would make it
            # miss days covered only by the earlier of two overlapping terms.
            for (_, previous_end), (start, _) in pairwise(ordered):
                if start <= previous_end:
                    raise ValueError(
                        f"term starting {start.isoformat()} overlaps the term "
                        f"ending {previous_end.isoformat()}"
                    )
            self._terms = ordered
            self._term_starts = [start for start, _ in ordered]

    def _in_term(self, d: date) -> bool:
        if self._terms is None:
            return True
        # Outside the years the term dates cover, assume school is on: an Operation Encompass
        # notice due too early is safe, one never due because the dates ran out is not.
        if d < self._terms[0][0] or d > self._terms[-1][1]:
            return True
        # Terms are sorted, so only the last term starting on or before d can contain it.
        index = bisect_right(self._term_starts, d) - 1
        return index >= 0 and d <= self._terms[index][1]

    def is_school_day(self, d: date) -> bool:
        _require_plain_date(d, "d")
        return self.working.is_working_day(d) and self._in_term(d)

    def next_school_day_start(self, after: datetime) -> datetime:
        """The first school-day start strictly after ``after``, in UTC.

        Strictly: an incident at exactly 08:30 on a school day has missed that day's start,
        so the notice is due before the following school day.
        """
        _require_aware(after, "after")
        first_day = after.astimezone(LONDON).date()
        day = first_day
        # +1 so the incident's own day is examined as well as the full search window.
        for _ in range(_SEARCH_LIMIT_DAYS + 1):
            if self.is_school_day(day):
                start = local_to_utc(day, self.day_starts)
                if start > after:
                    return start
            day += timedelta(days=1)
        raise ValueError(
            f"no school day starts within {_SEARCH_LIMIT_DAYS} days after "
            f"{first_day.isoformat()}; are the term dates out of date?"
        )


# --------------------------------------------------------------------------- term dates

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _entry_label(index: int, entry: Any) -> str:
    """How an entry is named in errors: its position, plus its name and year if it has them."""
    if not isinstance(entry, dict):
        return f"entry {index}"
    # Names repeat every year ("Autumn 1"), so the academic year is needed to find the entry.
    described = [
        str(entry[key]) for key in ("name", "academic_year") if isinstance(entry.get(key), str)
    ]
    return f"entry {index} ({', '.join(described)})" if described else f"entry {index}"


def _parse_date(path: Path, label: str, entry: dict[str, Any], key: str) -> date:
    raw = entry.get(key)
    # Insist on YYYY-MM-DD: fromisoformat alone also accepts forms like "20260903",
    # which are more likely typos than intent in a hand-maintained file.
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise ValueError(f"{path}: {label}: {key!r} must be a date written YYYY-MM-DD, got {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{path}: {label}: {key!r} is not a real date: {raw!r}") from None


def load_term_dates(path: Path) -> list[tuple[date, date]]:
    """Terms (inclusive start and end dates) from a JSON file, sorted by start.

    Format: ``{"terms": [{"name": "Autumn 1", "start": "2026-09-03", "end": "2026-10-23"}]}``.
    Other keys are ignored. Errors name the file and the offending entry, because whoever
    maintains this file needs to find the typo, not the line of Python that choked on it.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from None
    entries = document.get("terms") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f'{path}: expected an object with a "terms" list')

    parsed: list[tuple[date, date, str]] = []
    for index, entry in enumerate(entries):
        label = _entry_label(index, entry)
        if not isinstance(entry, dict):
            raise ValueError(
                f"{path}: {label}: expected an object with start and end, got {entry!r}"
            )
        start = _parse_date(path, label, entry, "start")
        end = _parse_date(path, label, entry, "end")
        if end < start:
            raise ValueError(
                f"{path}: {label}: ends {end.isoformat()} before it starts {start.isoformat()}"
            )
        parsed.append((start, end, label))

    parsed.sort()
    for (_, previous_end, previous_label), (start, _, label) in pairwise(parsed):
        if start <= previous_end:
            raise ValueError(
                f"{path}: {label} starts {start.isoformat()}, "
                f"before {previous_label} ends {previous_end.isoformat()}"
            )
    return [(start, end) for start, end, _ in parsed]
