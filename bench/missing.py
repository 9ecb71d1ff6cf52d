"""Benchmark: missing episodes on SQLite — reports and returns imported per second, the
"missing now" list, and a worker pass making the time-driven checks. Prints medians.

    .venv/bin/python bench/missing.py [--children 1000] [--repeats 3]

Each repeat builds a fresh SQLite file, imports one report per child (a quarter of them high
risk, a tenth with exploitation indicators) and a return for half, then times the list of
the children missing now (the page's query, 20 reads) and one worker pass whose checks have
all come due. This is a benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

from safeguard.access.service import SYSTEM, ensure_core_agencies
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.importer import import_lines
from safeguard.migrate import upgrade
from safeguard.missing.views import missing_now
from safeguard.rules.context import build_context
from safeguard.worker import run_once

START = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)


def _events(children: int) -> list[str]:
    fake = Faker("en_GB")
    fake.seed_instance(1)
    lines: list[str] = []
    names: set[tuple[str, str]] = set()
    for n in range(children):
        # One child per name: two children of one name and age would be one child missing
        # twice at once, which intake refuses.
        name = (fake.first_name(), fake.last_name())
        while name in names:
            name = (fake.first_name(), fake.last_name())
        names.add(name)
        seen = START + timedelta(minutes=7 * n)
        ref = f"MP-BENCH-{n:06d}"
        report: dict[str, Any] = {
            "event": "missing_report", "source": "police", "source_id": ref,
            "child": {"given_name": name[0], "family_name": name[1],
                      "dob": fake.date_of_birth(minimum_age=9, maximum_age=16).isoformat()},
            "missing_from": "care" if n % 3 == 0 else "home",
            "last_seen_at": seen.isoformat(),
            "reported_at": (seen + timedelta(hours=1)).isoformat(),
            "risk": "high" if n % 4 == 0 else "medium"}
        if n % 10 == 0:
            report["exploitation_indicators"] = ["county_lines"]
        lines.append(json.dumps(report))
        if n % 2 == 0:
            lines.append(json.dumps({
                "event": "missing_return", "source": "police", "source_id": f"{ref}-R",
                "report": ref, "returned_at": (seen + timedelta(hours=9)).isoformat()}))
    return lines


def _run(children: int, folder: Path) -> dict[str, float]:
    url = f"sqlite:///{folder / 'missing.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        ensure_core_agencies(session)
    ctx = build_context(Settings(database_url=url))
    lines = _events(children)
    started = time.perf_counter()
    summary = import_lines(factory, lines, principal=SYSTEM, ctx=ctx)
    imported = time.perf_counter() - started
    assert summary.rejected_lines == 0, summary.rejects[:3]
    reads = []
    for _ in range(20):
        with transaction(factory) as session:
            started = time.perf_counter()
            rows = missing_now(session, now=START + timedelta(days=30))
            reads.append(time.perf_counter() - started)
    started = time.perf_counter()
    checked = run_once(factory, now=START + timedelta(days=30), rules=ctx).missing_checked
    worker = time.perf_counter() - started
    engine.dispose()
    return {"events_per_s": len(lines) / imported, "missing_now_ms": statistics.median(reads)
            * 1000, "open": len(rows), "worker_pass_s": worker, "checks": checked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(_run(args.children, Path(folder)))
    print(f"missing episodes on SQLite, {args.children} children, median of {args.repeats}:")
    for key in ("events_per_s", "missing_now_ms", "open", "worker_pass_s", "checks"):
        print(f"  {key}: {statistics.median(r[key] for r in runs):.2f}")


if __name__ == "__main__":
    main()
