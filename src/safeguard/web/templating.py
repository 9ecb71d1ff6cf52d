"""Jinja templates for the web UI.

``make_templates()`` returns a Starlette ``Jinja2Templates`` whose environment
loads

* our own templates from ``safeguard/web/templates/`` (``layout.html``,
  ``macros.html``, pages), and
* the govuk-frontend-jinja macros under the ``govuk_frontend_jinja/`` prefix,
  e.g. ``{% from "govuk_frontend_jinja/components/button/macro.html" import
  govukButton %}``.

Autoescaping is on for every template. Filters: ``london`` (every date-time),
``london_date`` (every date), ``iso``, ``agency`` (an agency's name for its id) and ``actor``
(a person's name and agency for a record's actor); global: ``static_url``. Render with
Starlette 1.x's ``templates.TemplateResponse(request, "page.html", context)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from safeguard.dates import LONDON, london_date, london_datetime
from safeguard.phrases import Phrase
from safeguard.web.i18n import (
    LANGUAGES,
    due_words,
    gettext_,
    month_words,
    months,
    names,
    ngettext_,
    weekdays,
)
from safeguard.web.navigation import navigation

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

#: Shown for a missing date/time.
MISSING = "—"


def _absent(value: object) -> bool:
    return value is None or isinstance(value, jinja2.Undefined)


def format_london(value: dt.datetime | None) -> str:
    """``Fri 27 Nov 2026, 22:40`` in Europe/London time (safeguard.dates); ``—`` for None.

    Jinja's Undefined (a missing variable or attribute) is shown like None.
    A naive datetime raises ValueError.
    """
    return MISSING if _absent(value) else london_datetime(value)  # type: ignore[arg-type]


def format_london_date(value: dt.date | dt.datetime | None) -> str:
    """``27 Nov 2026``; a datetime is first converted to Europe/London; ``—`` for None."""
    return MISSING if _absent(value) else london_date(value)  # type: ignore[arg-type]


def format_iso(value: dt.date | dt.datetime | None) -> str:
    """ISO 8601 (for ``<time datetime="…">``); empty string for None."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    return value.isoformat()


def agency_name(agency_id: str | None) -> str:
    """An agency's name for its id (access.names.Names, given to every page by render)."""
    found = names()
    return found.agency(agency_id) if found is not None else (agency_id or "")


def actor_name(actor: str | None) -> str:
    """A person's (or an API key's) name and agency for a record's actor."""
    found = names()
    return found.actor(actor) if found is not None else (actor or "")


def _london_filter(value: dt.datetime | None) -> str:
    """`london` in the page's language (Welsh day and month names on a Welsh page)."""
    if _absent(value):
        return MISSING
    return london_datetime(value, days=weekdays(), months=months())  # type: ignore[arg-type]


def _london_date_filter(value: dt.date | dt.datetime | None) -> str:
    return MISSING if _absent(value) else london_date(value, months=months())  # type: ignore[arg-type]


def static_url(path: str) -> str:
    """URL of a file under ``src/safeguard/web/static/`` (mounted at ``/static``)."""
    return "/static/" + path.lstrip("/")


@cache
def make_environment() -> jinja2.Environment:
    """The Jinja environment behind :func:`make_templates`: one per process, so every app
    the process makes (a server, the worker's emails, a test's) compiles each template once.
    It holds nothing of a request or a store: the language is the request's (web/i18n.py)."""
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
    # No auto_reload: the templates ship with the package and change only with a new release
    # (and a restart); checking each one's file on every render and import cost a stat a time.
    env = jinja2.Environment(loader=loader, autoescape=True, auto_reload=False,
                             extensions=["jinja2.ext.i18n"])
    # Newstyle gettext: `_("… %(name)s", name=x)` escapes x and fails loudly on a bad key.
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    # Templates say `t("…")`: many of them `{% set _ = list.append(…) %}`, which would hide
    # the usual `_` (web/i18n.py extracts `t`, `gettext`, `ngettext` and `{% trans %}`).
    env.globals["t"] = env.globals["gettext"]
    # A word a page is given (a nav area, a DASH question from a force's own file): looked up
    # as it is, never used as a format, so a "%" in it cannot break the page.
    env.globals["translated"] = gettext_
    env.filters["due_words"] = due_words
    # A sentence a service built in English (safeguard/phrases.py), in the page's language.
    env.filters["phrase"] = _phrase_filter
    env.filters["month_words"] = month_words
    env.filters["london"] = _london_filter
    env.filters["london_date"] = _london_date_filter
    env.filters["iso"] = format_iso
    env.filters["agency"] = agency_name
    env.filters["actor"] = actor_name
    env.globals["static_url"] = static_url
    env.globals["navigation"] = navigation
    env.globals["languages"] = LANGUAGES
    return env


def _phrase_filter(words: Phrase) -> str:
    return words.translated(gettext_)


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
