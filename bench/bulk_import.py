"""Benchmark: the bulk load of person records (`safeguard import --bulk`) against plain Splink.

    nice .venv/bin/python bench/bulk_import.py [--lines 1000000] [--backends sqlite,postgresql]
                                               [--seed 2024] [--no-splink]

Builds a file of ``--lines`` person events from the linkage generator's records
(:func:`safeguard.people.linkage.synthetic.generate`: households with twins, siblings,
nicknames, typos, moves and partial dates; a partial date of birth is left out, as the event
format takes whole dates only), loads it into an empty SQLite store and an empty PostgreSQL
database (``safeguard_bench_bulk`` on ``SAFEGUARD_BENCH_POSTGRES_URL``, dropped and made
afresh), and prints events/s for each: the whole load, from reading the file to the last
chunk committed; and the CPU time of this process (with DuckDB's threads; PostgreSQL's own
work is in its server), a figure less swayed by a shared machine's other work. It then
times plain Splink's deduplication of the same records (bench/linkage.py's baseline: library
comparisons, u by random sampling, m from the truth, connected components at 0.95) and
prints each load's time as a multiple of it.

This is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, make_url, select, text

from safeguard.access.service import SYSTEM
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.bulk import bulk_load, collector_paused
from safeguard.intake.bulk_read import usable_cores
from safeguard.intake.service import build_context
from safeguard.migrate import upgrade
from safeguard.people.linkage.synthetic import generate
from safeguard.people.models import Person
from safeguard.seed import seed_reference_data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_county import postgres_admin_url  # noqa: E402 (a sibling script)
from linkage import plain_splink  # noqa: E402 (a sibling script)

DATABASE = "safeguard_bench_bulk"
SEX = {"F": "female", "M": "male"}


def event_of(row: dict[str, str]) -> dict[str, Any]:
    """A generated record as the person event an agency would send."""
    event: dict[str, Any] = {"event": "person", "source": row["source"],
                             "source_id": row["record_id"],
                             "recorded_at": "2026-06-01T09:00:00+00:00"}
    for name, value in (("given_name", row["given_name"]), ("family_name", row["family_name"]),
                        ("sex", SEX.get(row["sex"]))):
        if value:
            event[name] = value
    if len(row["dob"]) == 10:
        event["dob"] = row["dob"]
    line1 = row["address"].split(",")[0].strip()
    if line1:
        event["address"] = {"line1": line1, "town": "Townsville",
                            **({"postcode": row["postcode"]} if row["postcode"] else {})}
    ids = {scheme: row[column] for scheme, column in
           (("nhs", "nhs_number"), ("upn", "upn"), ("pnc", "pnc_id")) if row[column]}
    if ids:
        event["ids"] = ids
    return event


def _kernel_seconds() -> float:
    """This process's CPU time in the kernel so far: on a virtual machine that hands freed
    memory back to its host, the first touch of memory is a page fault the host serves,
    and a load that holds gigabytes of objects spends seconds there."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def fresh_database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bulk.db'}"
    admin = make_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    finally:
        admin.dispose()
    return make_url(postgres_admin_url()).set(database=DATABASE).render_as_string(
        hide_password=False)


def load(backend: str, path: Path, workdir: Path) -> dict[str, Any]:
    engine = make_engine(fresh_database(backend, workdir))
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        seed_reference_data(session)
    started, cpu = time.perf_counter(), time.process_time()
    kernel = _kernel_seconds()
    # As `safeguard import --bulk` runs it (safeguard.commands.run_import).
    with path.open("rb") as handle, collector_paused():
        summary = bulk_load(factory, handle, principal=SYSTEM, ctx=build_context(Settings()),
                            workers=usable_cores())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    kernel = _kernel_seconds() - kernel
    with transaction(factory) as session:
        persons = session.scalar(select(func.count()).select_from(Person)) or 0
    engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "kernel": kernel, "accepted": summary.accepted,
            "rejected": summary.rejected_lines, "persons": persons,
            "reviews": summary.reviews, "duties": summary.duties_raised,
            "steps": summary.seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()
    rows = generate(args.lines, seed=args.seed)[:args.lines]
    workdir = Path(tempfile.mkdtemp(prefix="bulk-bench-"))
    path = workdir / "persons.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(event_of(row)) + "\n")
    print(f"{len(rows):,} person events of {len({r['truth'] for r in rows}):,} people "
          f"(seed {args.seed}) in {path}")
    runs: dict[str, dict[str, Any]] = {}
    for backend in args.backends.split(","):
        run = runs[backend] = load(backend, path, workdir)
        print(f"{backend:>10}: {run['seconds']:8.1f} s  {run['accepted'] / run['seconds']:8.0f} "
              f"events/s; {run['cpu']:8.1f} s of this process's CPU "
              f"({run['kernel']:.1f} s in the kernel), "
              f"{run['accepted'] / run['cpu']:6.0f} events per CPU second  "
              f"({run['accepted']:,} accepted, {run['rejected']:,} rejected, "
              f"{run['persons']:,} persons, {run['reviews']:,} reviews, "
              f"{run['duties']:,} duties)")
        print(" " * 12 + "seconds by step: " + ", ".join(
            f"{step} {seconds:.1f}" for step, seconds in run["steps"].items()))
    if args.no_splink:
        return 0
    started, cpu = time.perf_counter(), time.process_time()
    clusters = plain_splink(rows)
    splink, splink_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{'splink':>10}: {splink:8.1f} s  {len(rows) / splink:8.0f} records/s; "
          f"{splink_cpu:8.1f} s of CPU  ({len(set(clusters.values())):,} clusters; "
          "deduplication only, nothing stored)")
    for backend, run in runs.items():
        print(f"{backend:>10}: {run['seconds'] / splink:.2f} x plain Splink's time "
              f"({run['cpu'] / splink_cpu:.2f} x its CPU time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
