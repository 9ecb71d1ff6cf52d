"""Every word the pages translate, with where it is: what `scripts/translations` writes into
the Welsh catalogue and what tests/web/test_welsh.py finds translated there (web/i18n.py
serves the translations).

The templates' own words are found in them (`t("…")`, `gettext`, `ngettext` and `{% trans %}`
blocks); the words a page is given to show are gathered here from where they are declared:
the navigation's areas, the incident form's choices and DASH questions, and the fixed words
pages' modules hand their templates (duty statuses and history, custody steps, forensic stages,
roles, audit actions, error titles), which the templates pass through `translated`. Words
made up in code (a notice naming a user) stay in English.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from safeguard.accounts.admin_pages import DONE as ADMIN_DONE
from safeguard.accounts.admin_pages import ROLE_WORDS
from safeguard.children.breakglass import REASON_NEEDED
from safeguard.children.pages import SCHEME_LABELS
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
from safeguard.events.schemas import dash_questions
from safeguard.forensics.pages import DEVICE_CHOICES
from safeguard.forensics.pages import STEP_WORDS as FORENSIC_STEPS
from safeguard.governance.pages import ACTIONS as AUDIT_ACTIONS
from safeguard.intake.pages import DASH_CHOICES, JUDGEMENT_CHOICES, KIND_CHOICES, ROLE_CHOICES
from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.sharing.admin_pages import STATUS_CHOICES as DELIVERY_STATUSES
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
