"""``python -m safeguard.synth OUT.jsonl [--seed N] [--households N] [--end YYYY-MM-DD]
[--force-population N]``."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from safeguard.synth.county import FORCE_POPULATION
from safeguard.synth.writer import write_county


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m safeguard.synth", description="Write a synthetic county as JSON Lines."
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--end", type=date.fromisoformat, default=None,
                        help="last day of the year of incidents (default: yesterday)")
    parser.add_argument("--force-population", type=int, default=FORCE_POPULATION,
                        help="people in the force area: sizes the register of sex offenders "
                             f"(default {FORCE_POPULATION:,})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = write_county(args.path, seed=args.seed, households=args.households, end=args.end,
                           force_population=args.force_population)
    elapsed = time.perf_counter() - started
    print(f"{summary.lines} lines to {summary.path} in {elapsed:.1f} s (sha256 {summary.sha256})")
    for title, counts in (
        ("events", summary.by_event),
        ("persons", summary.persons_by_source),
        ("incidents", summary.incidents_by_kind),
    ):
        print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"incidents listing a child: {summary.incidents_with_children}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
