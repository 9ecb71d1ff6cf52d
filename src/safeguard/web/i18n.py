"""Welsh (`cy`) for forces and councils in Wales: the layout, navigation and main pages.

Templates mark their words with Jinja's i18n extension (`{{ t("Duties") }}`,
`{% trans %}...{% endtrans %}`); the catalogue is `web/translations/cy/LC_MESSAGES/
messages.po`, read and compiled in memory with Babel the first time a Welsh page is drawn, so
a clean clone needs no build step and no compiled `.mo` is committed. `scripts/translations`
writes every word the pages translate (safeguard/words.py) into the catalogue
(tests/web/test_welsh.py checks that every one is there, translated).

The language of the page being drawn is a context variable (set by web.render for the
request's user: `users.language`, chosen with the switch in the header), so the filters and
the macros imported without context read it too.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from safeguard.access.names import Names
from safeguard.dates import DAYS, MONTHS
from safeguard.phrases import Phrase

__all__ = ["DEFAULT", "DUE_WORDS", "LANGUAGES", "TRANSLATIONS_DIR", "catalogue", "drawing",
           "due_words", "gettext_", "in_language", "language", "month_words", "months", "names",
           "ngettext_", "translations", "weekdays"]

#: The languages a user may choose, each named in itself (as the switch shows them).
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
DEFAULT = "en"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

_LANGUAGE: ContextVar[str] = ContextVar("safeguard_language", default=DEFAULT)
_NAMES: ContextVar[Names | None] = ContextVar("safeguard_names", default=None)

# How far off a deadline is, as duties.presenters.relative_due words it ("due in 3 hours",
# "overdue by 2 days"): the service layer speaks English, the page its own language.
_DUE = re.compile(r"^(due in|overdue by) (\d+) (minute|hour|day)s?$")
#: The words due_words looks up (safeguard/words.py declares them for the catalogue).
DUE_WORDS: tuple[str | tuple[str, str], ...] = (
    "due in %(span)s", "overdue by %(span)s", ("%(num)d minute", "%(num)d minutes"),
    ("%(num)d hour", "%(num)d hours"), ("%(num)d day", "%(num)d days"))
_WELSH_DAYS = ("Llun", "Maw", "Mer", "Iau", "Gwe", "Sad", "Sul")
_WELSH_MONTHS = ("Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd",
                 "Tach", "Rhag")


def catalogue(lang: str) -> Catalog:
    """The language's message catalogue, as written in its .po file."""
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES or lang == DEFAULT:
        return gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, catalogue(lang))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language() -> str:
    """The language of the page being drawn."""
    return _LANGUAGE.get()


def names() -> Names | None:
    return _NAMES.get()


def weekdays() -> tuple[str, ...]:
    return _WELSH_DAYS if language() == "cy" else DAYS


def months() -> tuple[str, ...]:
    return _WELSH_MONTHS if language() == "cy" else MONTHS


@contextmanager
def drawing(lang: str, page_names: Names | None) -> Iterator[None]:
    """While a page is drawn: its language and the names of its agencies and people."""
    lang_token = _LANGUAGE.set(lang if lang in LANGUAGES else DEFAULT)
    names_token = _NAMES.set(page_names)
    try:
        yield
    finally:
        _NAMES.reset(names_token)
        _LANGUAGE.reset(lang_token)


def gettext_(message: str) -> str:
    return translations(language()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)



def due_words(text: str) -> str:
    """"due in 3 hours" / "overdue by 2 days" in the page's language; other text as it is."""
    found = _DUE.match(text)
    if found is None:
        return text
    count, unit = int(found[2]), found[3]
    span = ngettext_(f"%(num)d {unit}", f"%(num)d {unit}s", count) % {"num": count}
    return gettext_(f"{found[1]} %(span)s") % {"span": span}


def in_language(lang: str, phrases: Mapping[str, Phrase]) -> dict[str, str]:
    """Phrases (a form's problems by field) in the language ``lang``, for a page module to
    hand its template as text."""
    lookup = translations(lang).gettext
    return {key: words.translated(lookup) for key, words in phrases.items()}


def month_words(text: str) -> str:
    """A chart's "Dec 2025" with the month in the page's language; other text as it is."""
    month, _, rest = text.partition(" ")
    return f"{months()[MONTHS.index(month)]} {rest}" if month in MONTHS and rest else text
