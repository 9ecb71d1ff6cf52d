"""Benchmark: a custody suite's night on SQLite — a step's intake and the board's read.

    .venv/bin/python bench/custody.py [--children 200] [--repeats 25]

Builds a fresh SQLite store, records ``--children`` detentions of children (each raising its
five clocks), then times, per event, a `charged` and a `bail_refused` step (each discharging
and raising duties through casework) and, ``--repeats`` times, the custody board's read of
every child in custody with what is due next. Prints medians; a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from safeguard.access.service import SYSTEM, Principal, ensure_core_agencies
from safeguard.config import Settings
from safeguard.custody.board import board
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import accept_event, build_context
from safeguard.migrate import upgrade

START = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
SUITE_USER = Principal("system", 0, "bench", "bench", "police", "Police", "police",
                       frozenset({"practitioner"}))


def _event(n: int, step: str | None, hours: float) -> dict[str, Any]:
    at = (START + timedelta(minutes=n) + timedelta(hours=hours)).isoformat()
    if step is None:
        return {"event": "custody_detention", "source": "police", "source_id": f"B-{n}",
                "detainee": {"given_name": f"Child{n}", "family_name": "Bench",
                             "dob": "2011-01-01"}, "arrived_at": at,
                "detention_authorised_at": at, "custody_suite": f"Suite {n % 3}",
                "offence": "theft"}
    return {"event": "custody_update", "source": "police", "source_id": f"B-{n}-{step}",
            "detention": f"B-{n}", "at": at, "step": step}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        ctx = build_context(Settings(database_url=url))
        with transaction(factory) as session:
            ensure_core_agencies(session)
        timings: dict[str, list[float]] = {"custody_detention": [], "charged": [],
                                           "bail_refused": []}
        for step, hours in ((None, 0.0), ("charged", 2.0), ("bail_refused", 2.2)):
            for n in range(args.children):
                raw = _event(n, step, hours)
                data = EVENT_ADAPTER.validate_python(raw)
                began = time.perf_counter()
                with transaction(factory) as session:
                    accept_event(session, data=data, raw=raw, via="api", principal=SYSTEM,
                                 ctx=ctx, now=START + timedelta(hours=3))
                timings[step or "custody_detention"].append(time.perf_counter() - began)
        reads = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            with transaction(factory) as session:
                rows = board(session, principal=SUITE_USER, now=START + timedelta(hours=5))
            reads.append(time.perf_counter() - began)
        engine.dispose()
    for name, values in timings.items():
        print(f"{name}: median {statistics.median(values) * 1000:.1f} ms per event "
              f"({len(values)} events)")
    print(f"board of {len(rows)} children: median {statistics.median(reads) * 1000:.1f} ms "
          f"({args.repeats} reads)")


if __name__ == "__main__":
    main()
