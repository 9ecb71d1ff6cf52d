"""Benchmark: the digital forensics queue and its forecast over 100,000 devices, on SQLite and
PostgreSQL; the median of several runs of each read.

    .venv/bin/python bench/forensics_queue.py [--devices 100000] [--repeats 7]
                                              [--backends sqlite,postgresql]

A fresh database per backend is migrated and filled with devices submitted over three years
(with their events and suspects), a third still waiting, examined in priority order so that
old priority-3 devices form a long tail, as in the synthetic county but national in size.
Then each read the board, the forecast page, the API and `safeguard forensics backlog` make
is timed: the first page of the queue, a deep page of priority 3, the devices past their
clock, the figures by priority, and the whole backlog with its forecast and twelve months of
history. Filling is not timed. PostgreSQL is reached through SAFEGUARD_BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test; the database
safeguard_bench_forensics is dropped and recreated); if it is unreachable, that is said and
SQLite is measured alone. This is a benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.config import ForensicsSettings
from safeguard.db import make_engine, make_session_factory, table_of
from safeguard.events.models import Event
from safeguard.forensics.models import Device
from safeguard.forensics.queue import QueueFilter, backlog, priority_figures, queue
from safeguard.migrate import upgrade
from safeguard.people.models import Person
from safeguard.rules.forensics import clocks_for

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "safeguard_bench_forensics"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SETTINGS = ForensicsSettings()
CHUNK = 5_000


def _store(backend: str, folder: Path) -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'forensics.db'}"
    url = os.environ.get("SAFEGUARD_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
        admin.dispose()
    except OperationalError as error:
        print(f"PostgreSQL not reachable ({str(error).splitlines()[0]}): SQLite alone")
        return None
    return url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


def _fill(session: Session, devices: int, rng: random.Random) -> None:
    """Devices over three years; arrivals outpace examinations, served by priority then age."""
    suspects = [{"given_name": f"Given{n}", "family_name": f"Family{n % 997}",
                 "match_key": f"family{n % 997}|given{n}",
                 "dob": datetime(1960 + n % 40, 1 + n % 12, 1 + n % 28).date()}
                for n in range(devices // 4)]
    person_ids = list(session.execute(insert(table_of(Person)).returning(
        table_of(Person).c.id), suspects).scalars())
    start = NOW - timedelta(days=3 * 365)
    span = (NOW - start).total_seconds()
    planned = []
    for n in range(devices):
        submitted = start + timedelta(seconds=span * n / devices + rng.uniform(0, 3600))
        offence = rng.choices(("iioc", "contact_sexual_offence", "other"), (45, 15, 40))[0]
        priority = 1 if rng.random() < 0.2 else (2 if offence != "other" else 3)
        planned.append((submitted, offence, priority))
    # Examinations in priority order: a third of the devices are still waiting, most of them
    # priority 3, the oldest of those waiting since the first year.
    ended = set(sorted(range(devices), key=lambda i: (planned[i][2], planned[i][0]))
                [:devices * 2 // 3])
    for first in range(0, devices, CHUNK):
        rows = range(first, min(first + CHUNK, devices))
        events = [{"event_type": "device_submission", "source": "police",
                   "source_id": f"BX-{i:07d}", "occurred_at": planned[i][0],
                   "received_at": planned[i][0], "payload_hash": f"{i:064d}",
                   "payload": {}, "received_via": "import", "actor": SYSTEM.actor}
                  for i in rows]
        event_ids = list(session.execute(insert(table_of(Event)).returning(
            table_of(Event).c.id, sort_by_parameter_order=True), events).scalars())
        values = []
        for i, event_id in zip(rows, event_ids, strict=True):
            submitted, offence, priority = planned[i]
            clocks = clocks_for(priority, start=submitted, settings=SETTINGS)
            finished = submitted + timedelta(days=rng.uniform(5, 200))
            done = i in ended and finished <= NOW
            values.append({
                "event_id": event_id, "exhibit": f"BX-{i:07d}", "case_reference": f"OP-{i}",
                "device": rng.choice(("phone", "computer", "storage", "other")),
                "offence": offence, "officer": None, "seized_at": submitted,
                "submitted_at": submitted, "suspect_person_id": rng.choice(person_ids),
                "suspect_address_id": None, "officer_says_access": False,
                "threat_to_life": False, "priority": priority,
                "priority_reason": "benchmark", "stage": "completed" if done else "waiting",
                "triaged_at": None, "started_at": None,
                "ended_at": finished if done else None,
                "triage_due_at": clocks.triage_due, "complete_due_at": clocks.complete_due,
                "category_a": 0, "category_b": 0, "category_c": 0, "new_images": 0,
                "triage_duty_id": None, "examination_duty_id": None})
        session.execute(insert(table_of(Device)), values)
    session.commit()
    # Statistics as a running store has them (autovacuum; SQLite's ANALYZE).
    if session.get_bind().dialect.name == "postgresql":
        with session.get_bind().connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
        session.commit()


def _median_ms(read: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        read()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def run(backend: str, url: str, *, devices: int, repeats: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        began = time.perf_counter()
        _fill(session, devices, random.Random(1))
        print(f"\n{backend}: {devices:,} devices filled in {time.perf_counter() - began:.0f} s")
    reads: dict[str, Callable[[Session], object]] = {
        "queue, first page (50)": lambda s: queue(
            s, principal=SYSTEM, now=NOW, filters=QueueFilter(), limit=50, why=None),
        "queue, priority 3, page 100": lambda s: queue(
            s, principal=SYSTEM, now=NOW, filters=QueueFilter(priority=3), limit=50,
            offset=99 * 50, why=None),
        "queue, past their clock only": lambda s: queue(
            s, principal=SYSTEM, now=NOW, filters=QueueFilter(breached_only=True), limit=50,
            why=None),
        "figures by priority (board)": lambda s: priority_figures(s, now=NOW,
                                                                  settings=SETTINGS),
        "backlog and forecast (page, API, CLI)": lambda s: backlog(s, now=NOW,
                                                                   settings=SETTINGS),
    }
    print(f"{'read':40} {'median ms':>10} {'max ms':>8}")
    for name, read in reads.items():
        with factory() as session:
            read(session)  # warm the caches once, as a running service has them
            median, worst = _median_ms(lambda s=session, r=read: r(s), repeats)
        print(f"{name:40} {median:10.1f} {worst:8.1f}")
    with factory() as session:
        report = backlog(session, now=NOW, settings=SETTINGS)
    f = report.forecast
    print(f"waiting {report.waiting:,}, past their clock {report.breached:,}; "
          f"{f.arrivals_per_week:.0f} in and {f.completions_per_week:.0f} out a week; "
          f"examiners needed {f.examiners_needed}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            url = _store(backend, Path(folder))
            if url is not None:
                run(backend, url, devices=args.devices, repeats=args.repeats)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
