"""docs/events.md shows one full example line per event type; each must import cleanly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_it_shows_one_valid_example_line_per_event_type() -> None:
    schemas = pytest.importorskip("safeguard.events.schemas")
    examples = [
        json.loads(line)
        for block in re.findall(r"```json\n(.*?)\n```", DOC.read_text("utf-8"), re.S)
        for line in block.splitlines()  # a detention's block shows it with its steps
    ]
    assert sorted({example["event"] for example in examples}) == sorted(schemas.EVENT_TAGS)
    for example in examples:
        schemas.EVENT_ADAPTER.validate_python(example)
