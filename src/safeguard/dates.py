"""The one way a date and a date-time read, everywhere a person reads them: pages, duty
titles and reasons written by the rules, reports and the command line.

``Fri 27 Nov 2026, 22:40`` for a moment (Europe/London, whatever the server's zone) and
``27 Nov 2026`` for a day. Welsh pages translate the day and month names (web/i18n.py);
stored text (a duty's reason) is written once, in English, like the rest of its words.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["DAYS", "LONDON", "MONTHS", "london_date", "london_datetime", "to_london"]

LONDON = ZoneInfo("Europe/London")

# English names, so output does not depend on the process's locale.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_london(value: dt.datetime) -> dt.datetime:
    """The moment in London time; a naive datetime raises ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive datetime has no defined instant: guessing its zone could show
        # a wrong time on a safeguarding record, so refuse.
        raise ValueError(f"naive datetime {value.isoformat()!r}: pass a timezone-aware datetime")
    return value.astimezone(LONDON)


def london_datetime(value: dt.datetime, *, days: tuple[str, ...] = DAYS,
                    months: tuple[str, ...] = MONTHS) -> str:
    """``Fri 27 Nov 2026, 22:40`` in Europe/London time."""
    local = to_london(value)
    return (f"{days[local.weekday()]} {local.day} {months[local.month - 1]} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d}")


def london_date(value: dt.date | dt.datetime, *, months: tuple[str, ...] = MONTHS) -> str:
    """``27 Nov 2026``; a datetime is first converted to Europe/London."""
    day = to_london(value).date() if isinstance(value, dt.datetime) else value
    return f"{day.day} {months[day.month - 1]} {day.year}"
