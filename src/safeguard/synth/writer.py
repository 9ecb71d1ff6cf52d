"""Write the synthetic county as JSON Lines and count what was written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from safeguard.synth.county import FORCE_POPULATION, generate_county

__all__ = ["SynthSummary", "write_county"]


@dataclass(frozen=True)
class SynthSummary:
    """What ``write_county`` wrote: counts by event type, by source, and a few more."""

    path: Path
    lines: int
    sha256: str
    by_event: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    persons_by_source: dict[str, int] = field(default_factory=dict)
    incidents_by_kind: dict[str, int] = field(default_factory=dict)
    incidents_with_children: int = 0


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def dumps(event: dict[str, object]) -> str:
    """One compact line; keys stay in the order the generator put them."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def write_county(
    path: Path, *, seed: int, households: int = 2000, end: date | None = None,
    force_population: int = FORCE_POPULATION,
) -> SynthSummary:
    """Write ``generate_county(seed=, households=, end=, force_population=)`` to ``path`` as
    UTF-8 JSON Lines."""
    by_event: dict[str, int] = {}
    by_source: dict[str, int] = {}
    persons: dict[str, int] = {}
    kinds: dict[str, int] = {}
    with_children = 0
    digest = hashlib.sha256()
    lines = 0
    events = generate_county(seed=seed, households=households, end=end,  # checks arguments
                             force_population=force_population)
    # The demo writes under var/ wherever it is run, which need not exist yet.
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for event in events:
            line = dumps(event) + "\n"
            out.write(line)
            digest.update(line.encode("utf-8"))
            lines += 1
            kind, source = str(event["event"]), str(event["source"])
            _bump(by_event, kind)
            _bump(by_source, source)
            if kind == "person":
                _bump(persons, source)
            elif kind == "incident":
                _bump(kinds, str(event["kind"]))
                people = event["people"]
                assert isinstance(people, list)
                if any(str(p["role"]).startswith("child") for p in people):
                    with_children += 1
    return SynthSummary(
        path,
        lines,
        digest.hexdigest(),
        dict(sorted(by_event.items())),
        dict(sorted(by_source.items())),
        dict(sorted(persons.items())),
        dict(sorted(kinds.items())),
        with_children,
    )
