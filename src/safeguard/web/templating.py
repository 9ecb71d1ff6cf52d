"""Jinja templates for the web UI.

``make_templates()`` returns a Starlette ``Jinja2Templates`` whose environment
loads

* our own templates from ``safeguard/web/templates/`` (``layout.html``,
  ``macros.html``, pages), and
* the govuk-frontend-jinja macros under the ``govuk_frontend_jinja/`` prefix,
  e.g. ``{% from "govuk_frontend_jinja/components/button/macro.html" import
  govukButton %}``.

Autoescaping is on for every template. Filters: ``london``, ``london_date``,
``iso``; global: ``static_url``. Render with Starlette 1.x's
``templates.TemplateResponse(request, "page.html", context)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from starlette.templating import Jinja2Templates

__all__ = [
    "LONDON",
    "TEMPLATES_DIR",
    "example_context",
    "format_iso",
    "format_london",
    "format_london_date",
    "make_environment",
    "make_templates",
    "static_url",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LONDON = ZoneInfo("Europe/London")

#: Shown for a missing date/time.
MISSING = "—"

# English names, so output does not depend on the process's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _to_london(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive datetime has no defined instant: guessing its zone could show
        # a wrong time on a safeguarding record, so refuse.
        raise ValueError(f"naive datetime {value.isoformat()!r}: pass a timezone-aware datetime")
    return value.astimezone(LONDON)


def format_london(value: dt.datetime | None) -> str:
    """``Fri 27 Nov 2026, 22:40`` in Europe/London time; ``—`` for None.

    Jinja's Undefined (a missing variable or attribute) is shown like None.
    A naive datetime raises ValueError.
    """
    if value is None or isinstance(value, jinja2.Undefined):
        return MISSING
    local = _to_london(value)
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local.hour:02d}:{local.minute:02d}"
    )


def format_london_date(value: dt.date | dt.datetime | None) -> str:
    """``27 Nov 2026``; a datetime is first converted to Europe/London; ``—`` for None."""
    if value is None or isinstance(value, jinja2.Undefined):
        return MISSING
    day = _to_london(value).date() if isinstance(value, dt.datetime) else value
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_iso(value: dt.date | dt.datetime | None) -> str:
    """ISO 8601 (for ``<time datetime="…">``); empty string for None."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    return value.isoformat()


def static_url(path: str) -> str:
    """URL of a file under ``src/safeguard/web/static/`` (mounted at ``/static``)."""
    return "/static/" + path.lstrip("/")


def make_environment() -> jinja2.Environment:
    """The Jinja environment behind :func:`make_templates`."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(TEMPLATES_DIR),
            jinja2.PrefixLoader(
                {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
            ),
        ]
    )
    # The govuk-frontend-jinja macros rely on Jinja's default (lenient)
    # Undefined, e.g. `params.classes` when `params` has no such key.
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.filters["london"] = format_london
    env.filters["london_date"] = format_london_date
    env.filters["iso"] = format_iso
    env.globals["static_url"] = static_url
    return env


def make_templates() -> Jinja2Templates:
    """Starlette templates for the web UI (see the module docstring)."""
    return Jinja2Templates(env=make_environment())


@dataclass(frozen=True)
class _ExamplePrincipal:
    display_name: str
    agency_name: str
    roles: tuple[str, ...]


def example_context() -> dict[str, Any]:
    """Synthetic context for ``_example.html`` (tests and the browser check)."""
    utc = dt.UTC
    return {
        "principal": _ExamplePrincipal(
            display_name="Sam Example",
            agency_name="Northshire Police (synthetic)",
            roles=("police_officer",),
        ),
        "csrf_token": "example-csrf-token",
        "nav": "duties",
        "errors": True,
        "due_at": dt.datetime(2026, 11, 27, 22, 40, tzinfo=utc),
        "timeline_items": [
            {
                "label": "Strategy discussion held",
                "datetime": dt.datetime(2026, 11, 27, 22, 40, tzinfo=utc),
                "byline": "Alex Social-Worker",
                "html": Markup('<p class="govuk-body">Police, health and school attended.</p>'),
            },
            {
                "label": "Referral received",
                "datetime": dt.datetime(2026, 7, 1, 9, 0, tzinfo=utc),
                "byline": "Jo Teacher",
                "html": "<b>escaped</b>: plain text is never treated as HTML",
            },
            {
                "label": "Record opened",
                "datetime": dt.datetime(2026, 6, 30, 23, 30, tzinfo=utc),
                "byline": None,
                "html": None,
            },
        ],
    }
