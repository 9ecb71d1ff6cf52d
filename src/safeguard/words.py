"""Every word the pages translate, with where it is: what `scripts/translations` writes into
the Welsh catalogue and what tests/web/test_welsh.py finds translated there (web/i18n.py
serves the translations).

The templates' own words are found in them (`t("…")`, `gettext`, `ngettext` and `{% trans %}`
blocks); the words a page is given to show are gathered here from where they are declared:
the navigation's areas, the incident form's choices and DASH questions, every duty kind's
title, the missing-episode forms, the other choices pages offer, and the fixed words pages'
modules hand their templates (duty statuses and history, custody steps, forensic stages,
roles, audit actions, error titles), which the templates pass through `translated`; and
the shapes of sentences built as phrases (safeguard/phrases.py: the child's chronology,
search's reasons, the incident and concern forms' problems) with the words that fill them.
Other words made up in code (a notice naming a user) stay in English.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from babel.messages.extract import extract_from_dir

from safeguard.accounts.admin_pages import DONE as ADMIN_DONE
from safeguard.accounts.admin_pages import ROLE_WORDS
from safeguard.children.breakglass import REASON_NEEDED
from safeguard.children.pages import ROLE_WORDS as CHILD_ROLE_WORDS
from safeguard.children.pages import SCHEME_LABELS
from safeguard.children.service import PHRASES as CHRONOLOGY
from safeguard.concerns.pages import FORM_WORDS as CONCERN_FORM
from safeguard.concerns.pages import KIND_WORDS as CONCERN_KINDS
from safeguard.custody.board import STAGES
from safeguard.custody.pages import STEP_WORDS
from safeguard.duties.pages import (
    ACTION_WORDS,
    DONE,
    NOTE_TOO_LONG,
    OUTCOME_MISSING,
    STATUS_CHOICES,
)
from safeguard.events.fields import ConcernKind, IncidentKind, RiskLevel, Role
from safeguard.events.schemas import dash_questions
from safeguard.forensics.pages import DEVICE_CHOICES
from safeguard.forensics.pages import STEP_WORDS as FORENSIC_STEPS
from safeguard.governance.pages import ACTIONS as AUDIT_ACTIONS
from safeguard.inspections.service import FINDING_KINDS, REVISIT_KINDS, STATUS_WORDS
from safeguard.intake.pages import DASH_CHOICES, JUDGEMENT_CHOICES, KIND_CHOICES, ROLE_CHOICES
from safeguard.intake.pages import MESSAGES as INCIDENT_FORM
from safeguard.measures.declarations import BREAKDOWN_WORDS, MEASURES
from safeguard.measures.figures import PART_WORDS, RAG_WORDS
from safeguard.missing.forms import FORMS, REPORT
from safeguard.missing.pages import ENTRY_LABELS
from safeguard.notes.models import VISIBILITY_WORDS
from safeguard.notify.pages import CHOICES as EMAIL_CHOICES
from safeguard.offenders.pages import SECTIONS as OFFENDER_SECTIONS
from safeguard.people.service import SOURCE_WORDS as PEOPLE_SOURCES
from safeguard.rules.catalogue import KINDS
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.rules.offenders import RISK_WORDS as OFFENDER_RISK_WORDS
from safeguard.search.incidents import KINDS as INCIDENT_KINDS
from safeguard.search.incidents import RISKS as INCIDENT_RISKS
from safeguard.search.service import REASONS as SEARCH_REASONS
from safeguard.sharing.admin_pages import STATUS_CHOICES as DELIVERY_STATUSES
from safeguard.strategy.service import DECISION_WORDS
from safeguard.web.errors import SERVER_ERROR, TITLES
from safeguard.web.i18n import DUE_WORDS
from safeguard.web.navigation import AREAS

__all__ = ["TEMPLATES", "Message", "messages"]

TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
KEYWORDS = {"t": None, "gettext": None, "ngettext": (1, 2)}


def _declared() -> list[tuple[Message, str]]:
    """(word, where) of what pages are given to show in the page's language."""
    found: list[tuple[Message, str]] = [(area.text, "web/navigation.py") for area in AREAS]
    for choices in (KIND_CHOICES, ROLE_CHOICES, JUDGEMENT_CHOICES, DASH_CHOICES):
        found += [(text, "intake/pages.py") for _, text in choices]
    found += [(text, "data/dash_questions.json") for _, text in dash_questions()]
    # What the duty page asks for when a kind has outcomes (duties/pages.py, _outcome_noun).
    found += [("decision", "duties/pages.py"), ("outcome", "duties/pages.py")]
    found += [(text, "duties/pages.py") for _, text in STATUS_CHOICES]
    found += [(text, "duties/pages.py")
              for text in (*ACTION_WORDS.values(), *DONE.values(), OUTCOME_MISSING, NOTE_TOO_LONG)]
    found += [(text, "custody/board.py") for _, text in STAGES]
    found += [("Transfer requested", "custody/board.py")]  # board._stage
    found += [(text, "custody/pages.py") for text in STEP_WORDS.values()]
    found += [(text, "accounts/admin_pages.py")
              for text in (*ROLE_WORDS.values(), *ADMIN_DONE.values())]
    found += [(text, "sharing/admin_pages.py") for _, text in DELIVERY_STATUSES]
    found += [(text, "concerns/pages.py") for text in CONCERN_KINDS.values()]
    found += [(text, "forensics/pages.py") for text in FORENSIC_STEPS.values()]
    found += [(text.capitalize(), "forensics/queue.py")
              for text in (*DEVICE_CHOICES, "waiting", "triaged", "started", "completed",
                           "returned unexamined", "triage", "completion")]
    found += [(text, "governance/pages.py") for text in AUDIT_ACTIONS.values()]
    found += [(text, "web/errors.py") for text in (*TITLES.values(), SERVER_ERROR)]
    found += [(words, "web/i18n.py") for words in DUE_WORDS]
    found += [(text, "children/pages.py") for text in SCHEME_LABELS.values()]
    found += [(REASON_NEEDED, "children/breakglass.py")]
    found += [(text, "rules/missing.py")
              for text in (*RISK_WORDS.values(), *INDICATOR_WORDS.values())]
    # A person's recorded sex, as the child's page shows it.
    found += [(text, "people/models.py") for text in ("Female", "Male", "Unknown", "Not recorded")]
    return (found + _duty_titles() + _missing_forms() + _measures() + _other_choices()
            + _chronology())


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
    found += [(text, "children/pages.py") for text in CHILD_ROLE_WORDS.values()]
    found += [(text, "offenders/pages.py") for _, text, _ in OFFENDER_SECTIONS]
    # The titles web/auth_pages.py gives the two-factor pages.
    found += [(text, "web/auth_pages.py") for text in (
        "Enter your security code", "Use your security key", "Set up two-factor sign-in",
        "Two-factor sign-in")]
    found += [(sex, "review/detail.html") for sex in ("Female", "Male", "Unknown")]
    return found


def _chronology() -> list[tuple[str, str]]:
    """The child's chronology: its sentences and the words that fill them (children/service.py
    words a kind "domestic_abuse" as "domestic abuse")."""
    found = [(text, "children/service.py") for text in CHRONOLOGY]
    found += [(value.replace("_", " "), "events/fields.py")
              for kinds in (IncidentKind, RiskLevel, Role, ConcernKind)
              for value in get_args(kinds)]
    found += [(text.lower(), "notes/models.py") for text in VISIBILITY_WORDS.values()]
    found += [(text, "people/service.py") for text in PEOPLE_SOURCES.values()]
    # What is wrong with the incident and concern forms (intake/pages.py, concerns/pages.py).
    found += [(text, "intake/pages.py") for text in INCIDENT_FORM]
    found += [(text, "concerns/pages.py") for text in CONCERN_FORM]
    # Why a search's hit matched (search/service.py).
    found += [(text, "search/service.py") for text in SEARCH_REASONS]
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
