"""Benchmark: the unit's capacity figures over a register of 10,000 offenders and 1M visits.

    .venv/bin/python bench/offender_capacity.py [--offenders 10000] [--visits 1000000]
                                                [--repeats 7] [--backends sqlite,postgresql]

Builds a fresh, migrated store per backend and fills it with rows written straight to the
tables (the figures read tables, not events): persons, registrations (risk mix as the
synthetic county's; one manager per 65 offenders; the next visit due between 30 days ago
and one interval ahead), visits spread over the last five years (90% home visits), and a home
visit duty for each home visit of the last 13 months (what the past months' "visits due"
count). Then it times, `--repeats` times each, `offenders.capacity.capacity` (what the
capacity page, the board's summary and `safeguard offenders capacity` compute) and the
board's query for the busiest manager, and prints medians (and min/max). PostgreSQL is
reached through SAFEGUARD_BENCH_POSTGRES_URL (default the test server); the database
`safeguard_bench_offenders` is dropped and made again. A benchmark, not a test: figures
vary with the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.orm import Session

from safeguard.access.service import Principal, ensure_core_agencies
from safeguard.config import OffenderSettings
from safeguard.db import make_engine, make_session_factory, table_of
from safeguard.duties.models import Duty
from safeguard.events.models import Event
from safeguard.migrate import upgrade
from safeguard.offenders.board import board
from safeguard.offenders.capacity import capacity
from safeguard.offenders.models import OffenderRegistration, OffenderVisit
from safeguard.people.models import Person

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASE = "safeguard_bench_offenders"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RISKS = (("low", 45, None), ("medium", 35, 84), ("high", 15, 28), ("very_high", 5, 14))
CHUNK = 20_000
UNIT = Principal("system", 0, "bench", "Benchmark", "police", "Police", "police",
                 frozenset({"public_protection"}))


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _store(backend: str, folder: str) -> Engine:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder}/bench.db")
    else:
        admin_url = os.environ.get("SAFEGUARD_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        engine = make_engine(re.sub(r"/[^/]+$", f"/{DATABASE}", admin_url))
    upgrade(engine)
    return engine


def fill(engine: Engine, *, offenders: int, visits: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    managers = max(1, round(offenders / 65))
    with Session(engine) as session:
        ensure_core_agencies(session)
        session.flush()
        conn = session.connection()
        event_id = conn.execute(insert(table_of(Event)).returning(table_of(Event).c.id), {
            "event_type": "offender_registration", "source": "police", "source_id": "BENCH",
            "received_at": NOW, "payload_hash": "0" * 64, "payload": {}, "received_via": "bench",
            "actor": "system:bench"}).scalar_one()
        person_ids = []
        for batch in _chunks({"given_name": f"Given{n}", "family_name": "Bench",
                              "match_key": f"bench{n}", "created_at": NOW}
                             for n in range(offenders)):
            person_ids += conn.execute(insert(table_of(Person)).returning(
                table_of(Person).c.id, sort_by_parameter_order=True), batch).scalars().all()
        regs = []
        for n, person_id in enumerate(person_ids):
            risk, _, every = rng.choices(RISKS, [w for _, w, _ in RISKS])[0]
            regs.append({
                "event_id": event_id, "reference": f"RSO-{n:06d}", "person_id": person_id,
                "registered_at": NOW - timedelta(days=rng.randint(400, 5000)), "ended": False,
                "conviction": "Bench", "mappa_category": 1, "mappa_level": 1, "risk": risk,
                "offender_manager": f"DC {rng.randint(1, managers):04d}",
                "visit_every_days": every, "last_notified_at": NOW - timedelta(days=100),
                "next_visit_due": NOW + timedelta(days=rng.randint(-30, every)) if every else None,
                "next_notification_due": NOW + timedelta(days=rng.randint(-10, 365))})
        reg_ids = conn.execute(insert(table_of(OffenderRegistration)).returning(
            table_of(OffenderRegistration).c.id, sort_by_parameter_order=True),
            regs).scalars().all()
        recent = NOW - timedelta(days=400)
        duties = 0
        for batch in _chunks({
                "registration_id": rng.choice(reg_ids), "event_id": None, "reference": f"V{n}",
                "visited_at": NOW - timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60)),
                "by": "DC", "home_visit": rng.random() < 0.9, "children_present": 0}
                for n in range(visits)):
            conn.execute(insert(table_of(OffenderVisit)), batch)
            due = [{"kind": "offender_home_visit", "status": "discharged",
                    "owner_agency_id": "police", "owner_role": "public_protection",
                    "subject_person_id": None, "event_id": event_id, "due_at": v["visited_at"],
                    "created_at": NOW, "reason": "bench", "rule_name": "bench",
                    "rule_version": "1", "dedupe_key": f"bench:{v['reference']}",
                    "escalation_level": 0, "outcome": "visited"}
                   for v in batch if v["home_visit"] and v["visited_at"] >= recent]
            if due:
                conn.execute(insert(table_of(Duty)), due)
                duties += len(due)
        session.commit()
    # After a bulk load, as autovacuum would: statistics, and on PostgreSQL the visibility
    # map that lets a count be read from its index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "ANALYZE"))
    return {"offenders": offenders, "visits": visits, "duties": duties, "managers": managers}


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(backend: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = _store(backend, folder)
        start = time.perf_counter()
        sizes = fill(engine, offenders=args.offenders, visits=args.visits, seed=args.seed)
        filled = time.perf_counter() - start
        factory = make_session_factory(engine)
        settings = OffenderSettings()
        with factory() as session:
            figures = capacity(session, now=NOW, settings=settings)
            busiest = figures.managers[0].manager

            def figures_once() -> object:
                return capacity(session, now=NOW, settings=settings)

            def board_once() -> object:
                found = board(session, principal=UNIT, now=NOW, manager=busiest)
                session.rollback()  # the board audits its reads: not what is timed here
                return found

            cap = timed(figures_once, args.repeats)
            brd = timed(board_once, args.repeats)
        engine.dispose()
    print(f"{backend}: {sizes['offenders']:,} offenders, {sizes['visits']:,} visits, "
          f"{sizes['duties']:,} visit duties, {sizes['managers']} managers "
          f"(filled in {filled:.0f} s)")
    print(f"  capacity figures: median {statistics.median(cap):.0f} ms "
          f"(min {min(cap):.0f}, max {max(cap):.0f}; {args.repeats} runs)")
    print(f"  board, busiest manager ({figures.managers[0].offenders} offenders): median "
          f"{statistics.median(brd):.0f} ms (min {min(brd):.0f}, max {max(brd):.0f})")
    past = [m for m in figures.months if not m.projected]
    print(f"  last month: {past[-1].visits_due:,} visits due, {past[-1].visits_made:,} made; "
          f"next month projected {figures.months[len(past) + 1].visits_due:,}; "
          f"officers needed {figures.months[len(past) + 1].officers_needed:.0f} of "
          f"{figures.officers}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run(backend, args)


if __name__ == "__main__":
    main()
