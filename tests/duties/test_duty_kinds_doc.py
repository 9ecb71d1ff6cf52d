"""docs/duties.md is written from the declarations, so it says what the product does."""

from __future__ import annotations

from pathlib import Path

from safeguard.duties.catalogue_doc import duty_kinds_markdown
from safeguard.rules.catalogue import KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "duties.md"


def test_the_duty_kinds_document_matches_the_declarations() -> None:
    assert DOC.read_text("utf-8") == duty_kinds_markdown(), \
        "run `safeguard kinds > docs/duties.md`"


def test_every_declared_kind_is_in_the_document() -> None:
    text = DOC.read_text("utf-8")
    assert all(f"`{name}`" in text for name in KINDS)
