"""Benchmark: what `safeguard demo` does before it serves, with the register of sex offenders
timed apart from the rest of the county.

    .venv/bin/python bench/demo_import.py [--households 4000] [--force-population N] [--seed 1]

Migrates a fresh SQLite store in a temporary directory (the demo's backend), adds the
reference data and the placing authorities as the demo does, writes the county as the demo
does (``end`` yesterday), then imports it with the demo's ``--live-days 30``: first every line
but the register's, then the register's (they come after everything but the missing
episodes, and neither depends on the other), each timed with ``time.perf_counter()``.
``--force-population 0`` gives the modelled households' share of the register only, which is
what the demo imported before the register stood for the force area.
This is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=4000)
    parser.add_argument("--force-population", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="demo-import-") as folder:
        work = Path(folder)
        os.environ["SAFEGUARD_DATABASE_URL"] = f"sqlite:///{work / 'demo.db'}"
        # Imported here: the settings are read once, after the store is chosen.
        from safeguard.commands import run_import
        from safeguard.config import get_settings
        from safeguard.demo import prepare_store
        from safeguard.synth.county import FORCE_POPULATION, default_end
        from safeguard.synth.writer import write_county

        settings = get_settings()
        factory = prepare_store(settings)
        force = FORCE_POPULATION if args.force_population is None else args.force_population
        county = work / "county.jsonl"
        started = time.perf_counter()
        summary = write_county(county, seed=args.seed, households=args.households,
                               end=default_end(), force_population=force)
        synth = time.perf_counter() - started
        rest, register = work / "rest.jsonl", work / "register.jsonl"
        with county.open(encoding="utf-8") as lines, rest.open("w", encoding="utf-8") as r, \
                register.open("w", encoding="utf-8") as g:
            for line in lines:
                (g if line.startswith('{"event":"offender_') else r).write(line)
        live_from = datetime.now(UTC) - timedelta(days=30)
        seconds: dict[str, float] = {}
        counts: dict[str, int] = {}
        for name, path in (("rest", rest), ("register", register)):
            started = time.perf_counter()
            result = run_import(factory, path, settings=settings, live_from=live_from)
            seconds[name] = time.perf_counter() - started
            counts[name] = result.lines
            if result.rejected_lines:
                raise SystemExit(f"{result.rejected_lines} {name} lines rejected")
    print(f"households {args.households}, force population {force:,}, seed {args.seed}: "
          f"{summary.lines} lines, synth {synth:.1f} s")
    print(f"import: the rest {counts['rest']} lines in {seconds['rest']:.1f} s, "
          f"the register {counts['register']} lines in {seconds['register']:.1f} s, "
          f"together {seconds['rest'] + seconds['register']:.1f} s")


if __name__ == "__main__":
    main()
