"""A sentence a service builds in English that a page may draw in its reader's language.

A service that speaks English (its JSON API, its logs) keeps its words; a page translates
them. A `Phrase` keeps the shape of the sentence ("Duty raised: %(title)s") apart from what
fills it, so the page looks the shape up in its catalogue, looks up the fillers that are
themselves words (a duty's title, an incident's kind), and leaves names and references as
they are. `str(phrase)` is the English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Phrase", "phrase"]


@dataclass(frozen=True)
class Phrase:
    text: str
    # (name, value, whether the value is a word to translate), in a fixed order so a phrase
    # is hashable like the frozen items that hold it.
    parts: tuple[tuple[str, str, bool], ...] = ()

    def __str__(self) -> str:
        return self.text % {name: value for name, value, _ in self.parts} if self.parts \
            else self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def translated(self, lookup: Callable[[str], str]) -> str:
        """The phrase with its shape and its words looked up (a `gettext`)."""
        if not self.text:
            return ""
        shape = lookup(self.text)
        if not self.parts:
            return shape
        return shape % {name: lookup(value) if word and value else value
                        for name, value, word in self.parts}


def phrase(text: str, /, *, words: Mapping[str, str] | None = None, **values: str) -> Phrase:
    """``text`` filled with ``words`` (translated on a page) and ``values`` (kept as they are:
    names, references)."""
    parts = [(name, value, True) for name, value in (words or {}).items()]
    parts += [(name, value, False) for name, value in values.items()]
    return Phrase(text, tuple(sorted(parts)))
