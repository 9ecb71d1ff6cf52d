"""Benchmark: import the synthetic county on SQLite and PostgreSQL; events/s and peak memory.

    .venv/bin/python bench/import_county.py [--households 2000] [--repeats 3]
                                            [--backends sqlite,postgresql] [--seed 1]

The county is written once. Every (backend, repeat) runs in a fresh child process (this file
with ``--child``), so the peak RSS it reports is that run's own. On Linux a child's
``ru_maxrss`` starts at its parent's peak (the kernel keeps it across fork and exec), so the
parent stays lean: it imports neither safeguard nor SQLAlchemy, and writes the county and asks
PostgreSQL its version through children too. Each import child also reports ``VmHWM`` from
``/proc/self/status`` (the high-water mark of its own address space) as a cross-check.
The import child builds a fresh database, migrates it and adds the partner agencies (as
``safeguard db upgrade`` does), reads the lines into memory, and then times only
``import_lines``.
PostgreSQL is reached through ``SAFEGUARD_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); the benchmark drops and recreates the
database ``safeguard_bench`` on that server. If the server is unreachable this is said and
SQLite is measured alone.

Exit status is non-zero if any run rejected a line, a child failed, or runs disagree on the
accepted or duty counts. This is a benchmark, not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "safeguard_bench"
END = date(2026, 11, 27)
BACKENDS = ("sqlite", "postgresql")
RESULT_MARKER = "BENCH-RESULT "


def postgres_admin_url() -> str:
    return os.environ.get("SAFEGUARD_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)


# --------------------------------------------------------------------------------------------
# Child: one import in its own process.
# --------------------------------------------------------------------------------------------

def _maxrss_kib() -> int:
    import resource

    # Linux reports ru_maxrss in KiB (macOS in bytes; this benchmark is for Linux).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _proc_status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset this process's RSS high-water mark to its current RSS (Linux 4.0+).

    Start-up work (imports, the migration) sets the process peak before the import begins;
    after this reset ``ru_maxrss`` measures the import's own peak. (``ru_maxrss`` is the larger
    of this and what exec inherited.)
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _fresh_database(backend: str, workdir: Path) -> str:
    """Create an empty database for this run and return its URL."""
    from sqlalchemy import make_url, text

    from safeguard.db import make_engine

    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="sqlite-", dir=workdir)) / "bench.db"
        return f"sqlite:///{path}"
    admin = make_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    finally:
        admin.dispose()
    url = make_url(postgres_admin_url()).set(database=BENCH_DATABASE)
    return url.render_as_string(hide_password=False)


def _drop_postgres_database() -> None:
    from sqlalchemy import text

    from safeguard.db import make_engine

    admin = make_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
    finally:
        admin.dispose()


def run_child(backend: str, county: Path, workdir: Path) -> dict[str, Any]:
    import time

    from safeguard.access.service import SYSTEM
    from safeguard.config import Settings
    from safeguard.db import make_engine, make_session_factory, transaction
    from safeguard.intake.importer import import_lines
    from safeguard.intake.service import build_context
    from safeguard.migrate import upgrade
    from safeguard.seed import seed_reference_data

    url = _fresh_database(backend, workdir)
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        # As `safeguard db upgrade` does: the partner agencies own the duties the import raises
        # (without them every live incident is rejected on the duties' agency foreign key).
        with transaction(factory) as session:
            seed_reference_data(session)
        ctx = build_context(Settings(database_url=url))
        lines = county.read_text(encoding="utf-8").splitlines(keepends=True)

        process_peak_before = _maxrss_kib()
        peak_reset = _reset_peak()
        rss_before, current_before = _maxrss_kib(), _proc_status_kib("VmRSS")
        started = time.perf_counter()
        summary = import_lines(factory, lines, principal=SYSTEM, ctx=ctx)
        seconds = time.perf_counter() - started
        rss_after, current_after = _maxrss_kib(), _proc_status_kib("VmRSS")
        hwm_after = _proc_status_kib("VmHWM")
    finally:
        engine.dispose()
    if backend == "postgresql":
        _drop_postgres_database()
    return {
        "backend": backend,
        "lines": summary.lines,
        "accepted": summary.accepted,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected_lines,
        "first_rejects": [reject.as_dict() for reject in summary.rejects[:5]],
        "duties_raised": summary.duties_raised,
        "seconds": seconds,
        # ru_maxrss of the whole process before the timed call (module imports, migration).
        "process_peak_before_kib": process_peak_before,
        "peak_reset": peak_reset,
        # ru_maxrss just before and just after the timed call (after the reset, if it worked).
        "maxrss_before_kib": rss_before,
        "maxrss_after_kib": rss_after,
        "vmrss_before_kib": current_before,
        "vmrss_after_kib": current_after,
        "vmhwm_after_kib": hwm_after,
    }


def write_child(county: Path, seed: int, households: int) -> dict[str, Any]:
    from safeguard.synth.writer import write_county

    write_county(county, seed=seed, households=households, end=END)
    with county.open(encoding="utf-8") as handle:
        lines = sum(1 for line in handle if line.strip())
    return {"lines": lines, "bytes": county.stat().st_size}


# --------------------------------------------------------------------------------------------
# Parent: write the county, run the children, print the tables.
# --------------------------------------------------------------------------------------------

def probe_child() -> dict[str, Any]:
    """The PostgreSQL server's version, or why it could not be reached."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from safeguard.db import make_engine

    engine = make_engine(postgres_admin_url(), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
            return {"version": str(version), "reason": None}
    except SQLAlchemyError as error:
        return {"version": None, "reason": str(error).splitlines()[0]}
    finally:
        engine.dispose()


def spawn(child: str, *options: str) -> dict[str, Any]:
    """Run this file as a child process and return the JSON it reports."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", child, *options]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    results = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if done.returncode != 0 or not results:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"FAILED: the {child} process exited with status "
                         f"{done.returncode} and no result")
    result: dict[str, Any] = json.loads(results[-1].removeprefix(RESULT_MARKER))
    return result


def rate(run: dict[str, Any]) -> float:
    return float(run["lines"]) / float(run["seconds"])


def mib(kib: float) -> float:
    return kib / 1024.0


def print_machine(pg_version: str | None, pg_reason: str | None) -> None:
    print("Machine")
    print(f"  nproc:      {os.cpu_count()} ({platform.machine()}, {platform.system()} "
          f"{platform.release()})")
    print(f"  Python:     {platform.python_version()} ({platform.python_implementation()})")
    print(f"  SQLite:     {sqlite3.sqlite_version}")
    if pg_version:
        print(f"  PostgreSQL: {pg_version} (server)")
    else:
        print(f"  PostgreSQL: unreachable at {postgres_admin_url()}: {pg_reason}")


def print_table(runs_by_backend: dict[str, list[dict[str, Any]]]) -> None:
    header = ("backend", "runs", "lines", "events/s median", "events/s min-max",
              "seconds median", "accepted", "duties raised", "process peak RSS MiB",
              "import peak RSS MiB", "growth in import MiB")
    rows = []
    for backend, runs in runs_by_backend.items():
        rates = [rate(run) for run in runs]
        process_peaks = [mib(max(run["process_peak_before_kib"], run["maxrss_after_kib"]))
                         for run in runs]
        import_peaks = [mib(run["maxrss_after_kib"]) for run in runs]
        growth = [mib(run["maxrss_after_kib"] - run["maxrss_before_kib"]) for run in runs]
        all_reset = all(run["peak_reset"] for run in runs)
        rows.append((
            backend, str(len(runs)), str(runs[0]["lines"]),
            f"{statistics.median(rates):,.0f}", f"{min(rates):,.0f}-{max(rates):,.0f}",
            f"{statistics.median(run['seconds'] for run in runs):.1f}",
            str(runs[0]["accepted"]), str(runs[0]["duties_raised"]),
            f"{statistics.median(process_peaks):.0f}",
            f"{statistics.median(import_peaks):.0f}" if all_reset else "n/a",
            f"{statistics.median(growth):.0f}",
        ))
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) if i else c.ljust(w)
                                for i, (c, w) in enumerate(zip(row, widths, strict=True))) + " |")
    if "sqlite" in runs_by_backend and "postgresql" in runs_by_backend:
        sqlite_rate = statistics.median(rate(run) for run in runs_by_backend["sqlite"])
        pg_rate = statistics.median(rate(run) for run in runs_by_backend["postgresql"])
        print(f"\nPostgreSQL/SQLite throughput (median events/s): {pg_rate / sqlite_rate:.2f}")
    print("(RSS figures are medians of ru_maxrss in each run's own process. process peak: the "
          "whole run, including start-up; "
          "import peak: the high-water mark\n during import_lines alone, after resetting it "
          "through /proc/self/clear_refs; growth: import peak\n minus the RSS when import_lines "
          "was called)")


def check_runs(runs_by_backend: dict[str, list[dict[str, Any]]], expected_lines: int) -> list[str]:
    problems = []
    for backend, runs in runs_by_backend.items():
        for number, run in enumerate(runs, start=1):
            if run["rejected"] or run["first_rejects"]:
                problems.append(f"{backend} run {number} rejected {run['rejected']} lines, "
                                f"first: {run['first_rejects']}")
            if run["lines"] != expected_lines:
                problems.append(f"{backend} run {number} read {run['lines']} lines, the "
                                f"county has {expected_lines}")
    counts = {(backend, number): (run["accepted"], run["duties_raised"])
              for backend, runs in runs_by_backend.items()
              for number, run in enumerate(runs, start=1)}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{b} run {n}: {a} accepted, {d} duties"
                           for (b, n), (a, d) in counts.items())
        problems.append(f"runs disagree on accepted/duty counts: {listed}")
    return problems


def main_parent(args: argparse.Namespace) -> int:
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown or not backends:
        raise SystemExit(f"--backends: choose from {', '.join(BACKENDS)} (got {args.backends!r})")

    probe = spawn("probe")
    pg_version, pg_reason = probe["version"], probe["reason"]
    if "postgresql" in backends and pg_version is None:
        print(f"NOTE: PostgreSQL is unreachable at {postgres_admin_url()} ({pg_reason}); "
              "measuring SQLite only.", flush=True)
        backends.remove("postgresql")
    if not backends:
        raise SystemExit("no backend left to measure")

    with tempfile.TemporaryDirectory(prefix="safeguard-bench-") as folder:
        workdir = Path(folder)
        county = workdir / "county.jsonl"
        print(f"Writing the synthetic county (seed {args.seed}, {args.households} households, "
              f"end {END.isoformat()})...", file=sys.stderr, flush=True)
        written = spawn("write", "--county", str(county), "--seed", str(args.seed),
                        "--households", str(args.households))
        lines = int(written["lines"])
        print(f"County: {lines} lines, {written['bytes'] / 1e6:.1f} MB", file=sys.stderr,
              flush=True)

        runs_by_backend: dict[str, list[dict[str, Any]]] = {}
        for backend in backends:
            for repeat in range(1, args.repeats + 1):
                run = spawn(backend, "--county", str(county), "--workdir", str(workdir))
                runs_by_backend.setdefault(backend, []).append(run)
                print(f"  {backend} run {repeat}/{args.repeats}: {run['seconds']:.1f} s, "
                      f"{rate(run):,.0f} events/s, RSS {mib(run['maxrss_before_kib']):.0f} "
                      f"-> peak {mib(run['maxrss_after_kib']):.0f} MiB during the import "
                      f"(process peak {mib(run['process_peak_before_kib']):.0f} MiB before it)",
                      file=sys.stderr, flush=True)

    print()
    print_machine(pg_version, pg_reason)
    print(f"\nImport of the synthetic county: seed {args.seed}, {args.households} households, "
          f"{lines} lines, {args.repeats} repeat(s) per backend, each in a fresh process\n")
    print_table(runs_by_backend)
    if "postgresql" in args.backends and "postgresql" not in runs_by_backend:
        print("NOTE: PostgreSQL was not measured: it is unreachable (see Machine above).")
    problems = check_runs(runs_by_backend, lines)
    parent_peak = _maxrss_kib()
    for backend, runs in runs_by_backend.items():
        for number, run in enumerate(runs, start=1):
            hwm = run["vmhwm_after_kib"]
            if run["maxrss_after_kib"] <= parent_peak:
                print(f"WARNING: {backend} run {number}: its ru_maxrss "
                      f"({mib(run['maxrss_after_kib']):.0f} MiB) is not above this process's "
                      f"peak ({mib(parent_peak):.0f} MiB), so it may be inherited, not its own")
            elif hwm is not None and abs(run["maxrss_after_kib"] - hwm) > 0.05 * hwm:
                print(f"WARNING: {backend} run {number}: ru_maxrss "
                      f"{mib(run['maxrss_after_kib']):.0f} MiB but VmHWM {mib(hwm):.0f} MiB")
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=(*BACKENDS, "write", "probe"), help=argparse.SUPPRESS)
    parser.add_argument("--county", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeats < 1 or args.households < 1:
        parser.error("--repeats and --households must be at least 1")
    if args.child:
        if args.child == "write":
            result = write_child(args.county, args.seed, args.households)
        elif args.child == "probe":
            result = probe_child()
        else:
            result = run_child(args.child, args.county, args.workdir)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return 0
    return main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
