"""Every word the pages translate, with where it is: what `scripts/translations` writes into
the Welsh catalogue and what tests/web/test_welsh.py finds translated there (web/i18n.py
serves the translations).

The templates' own words are found in them (`t("…")`, `gettext`, `ngettext` and `{% trans %}`
blocks); the words a page is given to show are gathered here from where they are declared:
the navigation's areas, the incident form's choices and DASH questions, every duty kind's
title, the missing-episode forms, and the other choices pages offer.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from safeguard.children.pages import ROLE_WORDS
from safeguard.events.schemas import dash_questions
from safeguard.inspections.service import FINDING_KINDS, REVISIT_KINDS, STATUS_WORDS
from safeguard.intake.pages import DASH_CHOICES, JUDGEMENT_CHOICES, KIND_CHOICES, ROLE_CHOICES
from safeguard.measures.declarations import BREAKDOWN_WORDS, MEASURES
from safeguard.measures.figures import PART_WORDS, RAG_WORDS
from safeguard.missing.forms import FORMS, REPORT
from safeguard.missing.pages import ENTRY_LABELS
from safeguard.notes.models import VISIBILITY_WORDS
from safeguard.notify.pages import CHOICES as EMAIL_CHOICES
from safeguard.offenders.pages import SECTIONS as OFFENDER_SECTIONS
from safeguard.rules.catalogue import KINDS
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.rules.offenders import RISK_WORDS as OFFENDER_RISK_WORDS
from safeguard.search.incidents import KINDS as INCIDENT_KINDS
from safeguard.search.incidents import RISKS as INCIDENT_RISKS
from safeguard.strategy.service import DECISION_WORDS
from safeguard.web.navigation import AREAS

__all__ = ["TEMPLATES", "Message", "messages"]

TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
KEYWORDS = {"t": None, "gettext": None, "ngettext": (1, 2)}


def _declared() -> list[tuple[str, str]]:
    """(word, where) of what pages are given to show in the page's language."""
    found = [(area.text, "web/navigation.py") for area in AREAS]
    for choices in (KIND_CHOICES, ROLE_CHOICES, JUDGEMENT_CHOICES, DASH_CHOICES):
        found += [(text, "intake/pages.py") for _, text in choices]
    found += [(text, "data/dash_questions.json") for _, text in dash_questions()]
    # What the duty page asks for when a kind has outcomes (duties/pages.py, _outcome_noun).
    found += [("decision", "duties/pages.py"), ("outcome", "duties/pages.py")]
    return found + _duty_titles() + _missing_forms() + _measures() + _other_choices()


def _duty_titles() -> list[tuple[str, str]]:
    """Each duty kind's title, as the pages show it (one declaration each: rules/kinds.py)."""
    return [(kind.title, "rules/catalogue.py") for kind in KINDS.values()]


def _missing_forms() -> list[tuple[str, str]]:
    found = []
    for form in (REPORT, *FORMS.values()):
        found.append((form.title, "missing/forms.py"))
        for field in form.fields:
            found += [(field.label, "missing/forms.py"), (field.hint or "", "missing/forms.py")]
            found += [(text, "missing/forms.py") for _, text in field.items]
    # The risk and indicators as an episode's page shows them: "High", "county lines".
    found += [(words.capitalize(), "rules/missing.py") for words in RISK_WORDS.values()]
    found += [(words, "rules/missing.py") for words in INDICATOR_WORDS.values()]
    found += [(text, "missing/episode.html") for text in ("Completed", "Declined", "Not possible")]
    # An episode's timeline (missing/pages.py).
    found += [(text, "missing/pages.py") for text in (
        *ENTRY_LABELS.values(), *RISK_WORDS.values(), "%(label)s — risk %(risk)s",
        "Exploitation indicators: %(indicators)s.")]
    return found


def _measures() -> list[tuple[str, str]]:
    """The measures' and inspections' names for things (their long questions stay English)."""
    found = [(m.title, "measures/declarations.py") for m in MEASURES]
    found += [(i.title, "measures/declarations.py") for m in MEASURES for i in m.indicators]
    found += [(text, "measures/declarations.py") for text in BREAKDOWN_WORDS.values()]
    found += [(text, "measures/figures.py") for text in (*PART_WORDS.values(),
                                                         *RAG_WORDS.values())]
    found += [(text, "inspections/service.py") for text in (
        *FINDING_KINDS.values(), *REVISIT_KINDS.values(), *STATUS_WORDS.values())]
    # An action's status as the plan shows it when late (inspections.service.ActionView).
    found += [(f"{text}, overdue", "inspections/service.py") for text in STATUS_WORDS.values()]
    return found


def _other_choices() -> list[tuple[str, str]]:
    found = [(text, "strategy/service.py") for text in DECISION_WORDS.values()]
    found += [(text, "notes/models.py") for text in VISIBILITY_WORDS.values()]
    found += [(text, "notify/pages.py") for choice in EMAIL_CHOICES.values()
              for text in choice if text]
    found += [(kind.replace("_", " ").capitalize(), "search/incidents.py")
              for kind in INCIDENT_KINDS]
    found += [(risk.capitalize(), "search/incidents.py") for risk in INCIDENT_RISKS]
    found += [(words.capitalize(), "rules/offenders.py") for words in OFFENDER_RISK_WORDS.values()]
    found += [(text, "children/pages.py") for text in ROLE_WORDS.values()]
    found += [(text, "offenders/pages.py") for _, text, _ in OFFENDER_SECTIONS]
    # The titles web/auth_pages.py gives the two-factor pages.
    found += [(text, "web/auth_pages.py") for text in (
        "Enter your security code", "Use your security key", "Set up two-factor sign-in",
        "Two-factor sign-in")]
    found += [(sex, "review/detail.html") for sex in ("Female", "Male", "Unknown")]
    return found


#: A word, or an (ngettext) singular and plural.
Message = str | tuple[str, ...]


def messages() -> dict[Message, list[tuple[str, int | None]]]:
    found: dict[Message, list[tuple[str, int | None]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(TEMPLATES), method_map=[("**.html", "jinja2.ext:babel_extract")],
            options_map={"**.html": {}}, keywords=KEYWORDS):
        if isinstance(message, tuple):
            message = tuple(m for m in message if m)
        if message:
            found.setdefault(message, []).append((f"web/templates/{filename}", lineno))
    for text, where in _declared():
        if text:
            found.setdefault(text, []).append((where, None))
    return found
