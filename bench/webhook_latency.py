"""Webhook delivery latency: from an incident's commit to the partner's system receiving its share.

For each backend: a fresh database, a school, and HOUSEHOLDS households, each a parent and a
child at that school with names of their own (education records, loaded before timing);
children's social care and the school get webhook endpoints on a receiver on loopback; then
--history past incidents at those households, recorded through intake with their duties
closed and shares delivered, so the store is one in service, not an empty one (PostgreSQL's
statistics are then brought up to date, as autovacuum keeps them in service). The
receiver is the partner's system, so it is a process of its own; it checks every signature.
Incidents are recorded through the real intake path (`intake.service.accept_event`, one
transaction each, as one API request would be) at a steady --rate for --seconds, by writer
processes of --writers threads each; each incident names the parent as victim, finds the child
from the school's record, and makes two shares (social care, and the school's Operation
Encompass notice), whose commit time is noted. Delivery runs as a deployment under load
would: in worker processes of their own (`python -m safeguard.worker_command`, the
`safeguard worker` command without the pages; on SQLite they queue with the writers
on the database's writer lock file); `--delivery embedded` runs it in a thread of the
writing process instead, as `safeguard serve` does by default. Latency = the receiver's first
receipt of a share minus its incident's commit time (one clock, `time.time()`, on one machine).

    .venv/bin/python bench/webhook_latency.py                      # 100/s for 60 s, both backends
    .venv/bin/python bench/webhook_latency.py --rate 20 --seconds 10 --backends sqlite

The writers' lag (how late each incident was committed against its schedule) shows whether
the store kept up with the offered rate; "achieved" is incidents committed per second.
PostgreSQL is reached through SAFEGUARD_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test; a database safeguard_bench_webhook is
dropped and created next to it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.config import DeliverySettings, Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import Accepted, IntakeContext, accept_event, build_context
from safeguard.migrate import upgrade
from safeguard.sharing.models import DELIVERED, Delivery, Share
from safeguard.sharing.webhooks import (
    ID_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    set_endpoint,
    verify,
)
from safeguard.worker import start_in_thread

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
URN = "131313"
SCHOOL = {"event": "school", "source": "education", "source_id": f"SCH-{URN}", "urn": URN,
          "name": "Benchmark Primary School", "phase": "primary"}
AGENCIES = ("childrens_social_care", f"school-{URN}")


class Receiver:
    """The partner's system: its own process, so it does not share the product's cores' GIL.

    It checks every signature and idempotency key and notes when each share first arrived;
    on SIGTERM it writes {share_id: arrival time} and its counts to `out` as JSON.
    """

    def __init__(self, port: int, secrets: dict[str, str], out: Path) -> None:
        self.secrets, self.out = secrets, out
        self.arrived: dict[int, float] = {}
        self.requests = 0
        self.bad = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.time()
                ok = verify(receiver.secrets.get(self.path.rsplit("/", 1)[-1], ""), body,
                            msg_id=self.headers.get(ID_HEADER),
                            timestamp=self.headers.get(TIMESTAMP_HEADER),
                            signature=self.headers.get(SIGNATURE_HEADER), now=at)
                with receiver.lock:
                    receiver.requests += 1
                    if not ok or not self.headers.get(IDEMPOTENCY_HEADER):
                        receiver.bad += 1
                    else:
                        receiver.arrived.setdefault(json.loads(body)["share_id"], at)
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    def serve(self) -> None:
        def stop(*_: Any) -> None:
            threading.Thread(target=self.server.shutdown).start()

        signal.signal(signal.SIGTERM, stop)
        self.server.serve_forever()
        with self.lock:
            self.out.write_text(json.dumps({"arrived": self.arrived, "requests": self.requests,
                                            "bad": self.bad}))


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, every process), from /proc."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU seconds of this run's own processes (writers, workers, receiver) once waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hook_url(port: int, agency: str) -> str:
    return f"http://127.0.0.1:{port}/hooks/{agency}"


def fresh_url(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    admin_url = os.environ.get("SAFEGUARD_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "safeguard_bench_webhook" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "safeguard_bench_webhook"'))
    admin.dispose()
    return re.sub(r"/[^/]+$", "/safeguard_bench_webhook", admin_url)


def accept(session: Session, ctx: IntakeContext, raw: dict[str, Any]) -> Accepted:
    now = datetime.now(UTC)
    return accept_event(session, data=EVENT_ADAPTER.validate_python(raw), raw=raw,
                        via="bench", principal=SYSTEM, ctx=ctx, now=now)


GIVEN = ("Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Freya", "Oscar",
         "Lily", "Theo", "Grace", "Jack", "Evie", "Harry", "Ruby", "George", "Sophie", "Alfie")
FAMILY = ("Jones", "Patel", "Okafor", "Wright", "Nowak", "Hughes", "Begum", "Clarke", "Murphy",
          "Khan", "Evans", "Taylor", "Mensah", "Walsh", "Ahmed")
HOUSEHOLDS = len(GIVEN) * len(FAMILY)  # 300: one child, of one name, per household
PARENT = ("Sarah", "Aisha", "Laura", "Joanna", "Emma", "Fatima", "Claire", "Natalie")
STREETS = ("Birch Close", "Elm Road", "Kingsley Road", "Abington Avenue", "Park Avenue North",
           "Wellingborough Road")


def address(n: int) -> dict[str, str]:
    street = n % len(STREETS)
    return {"uprn": f"3000{n:08d}", "line1": f"{n // len(STREETS) + 1} {STREETS[street]}",
            "town": "Northampton", "postcode": f"NN{street + 1} {n % 9 + 1}BB"}


def child(n: int) -> dict[str, str]:
    """Household n's child and parent: distinct people, as a real school roll holds."""
    return {"given_name": GIVEN[n % len(GIVEN)], "family_name": FAMILY[n // len(GIVEN)],
            "dob": f"201{n % 8}-{n % 12 + 1:02d}-{n % 27 + 1:02d}"}


def parent(n: int) -> dict[str, str]:
    return {"given_name": PARENT[n % len(PARENT)], "family_name": FAMILY[n // len(GIVEN)],
            "dob": f"198{n % 10}-{(n + 5) % 12 + 1:02d}-{(n + 3) % 27 + 1:02d}"}


def load_history(factory: sessionmaker[Session], ctx: IntakeContext, count: int) -> None:
    """`count` past incidents at the same households, two hours apart (3,000 reach back about
    eight months), as a store in service holds: each
    went through intake like any other (people resolved, duties raised, shares made and
    queued), and then, as happened at the time, every duty was discharged, every share
    acknowledged and every delivery made. Only the closing of that history is written
    directly, since the benchmark does not time it."""
    now = datetime.now(UTC)
    for first in range(0, count, 500):
        with transaction(factory) as session:
            for n in range(first, min(first + 500, count)):
                raw = incident(n, prefix="HISTORY", at=now - timedelta(hours=(count - n) * 2))
                accept(session, ctx, raw)
    with transaction(factory) as session:
        session.execute(update(Duty).values(status=DISCHARGED, discharged_at=now,
                                            discharged_by="bench:history"))
        session.execute(update(Share).values(acknowledged_at=now,
                                             acknowledged_by="bench:history"))
        session.execute(update(Delivery).values(status=DELIVERED, delivered_at=now,
                                                attempts=1, last_status_code=200))


def prepare(factory: sessionmaker[Session], ctx: IntakeContext, port: int) -> dict[str, str]:
    """The school, its children, and both agencies' webhooks; returns the endpoint secrets."""
    secrets = {}
    with transaction(factory) as session:
        accept(session, ctx, SCHOOL)
        for n in range(HOUSEHOLDS):
            accept(session, ctx, {
                "event": "person", "source": "education", "source_id": f"B-{n}", **child(n),
                "address": address(n), "school_urn": URN,
                "recorded_at": "2026-09-04T09:00:00+00:00"})
        for agency in AGENCIES:
            _, secrets[agency] = set_endpoint(session, agency_id=agency,
                                              url=hook_url(port, agency))
    return secrets


def incident(n: int, prefix: str = "BENCH", at: datetime | None = None) -> dict[str, Any]:
    when = (at or datetime.now(UTC)).isoformat()
    return {"event": "incident", "source": "police", "source_id": f"{prefix}-{n}",
            "kind": "domestic_abuse", "occurred_at": when, "recorded_at": when,
            "address": address(n % HOUSEHOLDS), "officer": "PC 1 Bench",
            "summary": "Benchmark incident.",
            "people": [{"role": "victim", **parent(n % HOUSEHOLDS)}],
            "dash": {"answers": {f"q{i}": i <= 3 for i in range(1, 25)}}}


def write(url: str, numbers: range, args: argparse.Namespace, start: float, out: Path) -> None:
    """One writer process: --writers threads record its share of the incidents on schedule,
    through the real intake path, one transaction each (as one API request would)."""
    engine = make_engine(url, pool_size=args.writers + 2) if url.startswith("postgresql") \
        else make_engine(url)
    factory = make_session_factory(engine)
    ctx = build_context(Settings(database_url=url))
    stop = threading.Event()
    if args.delivery == "embedded":  # as `safeguard serve` runs it beside the web server
        _, stop = start_in_thread(factory, interval=60, delivery=DeliverySettings())
    committed: dict[int, float] = {}
    late: list[float] = []
    failed: list[int] = []
    lock = threading.Lock()

    def run(mine: list[int]) -> None:
        for n in mine:
            wait = start + n / args.rate - time.time()
            if wait > 0:
                time.sleep(wait)
            try:
                with transaction(factory) as session:
                    shares = accept(session, ctx, incident(n)).share_ids
            except OperationalError:  # SQLite's lock wait ran out: the store is saturated
                with lock:
                    failed.append(n)
                continue
            at = time.time()
            with lock:
                late.append(at - (start + n / args.rate))
                committed.update((share_id, at) for share_id in shares)

    threads = [threading.Thread(target=run, args=(list(numbers[t::args.writers]),))
               for t in range(args.writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.time()
    if args.delivery == "embedded":
        time.sleep(args.drain)  # keep delivering what this process committed
    stop.set()
    out.write_text(json.dumps({"committed": committed, "late": late, "failed": failed,
                               "finished": finished}))


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any] | None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    try:
        url = fresh_url(backend, workdir)
    except Exception as error:  # noqa: BLE001 (report and go on with the other backend)
        print(f"{backend}: not measured ({str(error).splitlines()[0]})")
        return None
    engine = make_engine(url)
    upgrade(engine)
    port = free_port()
    settings = Settings(database_url=url)
    factory = make_session_factory(engine)
    ctx = build_context(settings)
    secrets = prepare(factory, ctx, port)
    load_history(factory, ctx, args.history)
    if backend == "postgresql" and args.history:
        # Current statistics, as autovacuum keeps them in a store in service (this machine's
        # server runs with autovacuum off, so the benchmark does it once, before timing).
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    engine.dispose()
    here = [sys.executable, __file__]
    env = dict(os.environ, SAFEGUARD_DATABASE_URL=url, SAFEGUARD_WORKER_INTERVAL_SECONDS="60")
    total = int(args.rate * args.seconds)
    outs = [workdir / f"writer-{p}.json" for p in range(args.writer_processes)]
    processes: list[subprocess.Popen[bytes]] = []
    cpu_before = busy_cpu_seconds(), children_cpu_seconds(), time.time()
    try:
        receiver = subprocess.Popen(here + ["--child", "receiver", "--port", str(port),
                                            "--secrets", json.dumps(secrets),
                                            "--out", str(workdir / "received.json")])
        processes.append(receiver)
        workers = [] if args.delivery == "embedded" else [
            subprocess.Popen([sys.executable, "-m", "safeguard.worker_command"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(args.workers)]
        processes += workers
        time.sleep(3)  # let the receiver and workers import and start
        start = time.time() + 4  # the writers import and connect first
        writers = [subprocess.Popen(here + [
            "--child", "writer", "--url", url, "--first", str(p), "--start", repr(start),
            "--out", str(out), "--rate", str(args.rate), "--seconds", str(args.seconds),
            "--writers", str(args.writers), "--writer-processes", str(args.writer_processes),
            "--delivery", args.delivery, "--drain", str(args.drain)])
            for p, out in enumerate(outs)]
        processes += writers
        for writer in writers:
            writer.wait()
        if args.delivery != "embedded":
            time.sleep(args.drain)
    finally:
        for process in reversed(processes):  # the receiver last: it writes what arrived
            process.terminate()
            process.wait(30)
    machine_cpu = busy_cpu_seconds() - cpu_before[0]
    capacity = (time.time() - cpu_before[2]) * (os.cpu_count() or 1)
    bench_cpu = children_cpu_seconds() - cpu_before[1]
    reports = [json.loads(out.read_text()) for out in outs]
    committed = {int(k): v for r in reports for k, v in r["committed"].items()}
    late = [x for r in reports for x in r["late"]]
    failed = [x for r in reports for x in r["failed"]]
    elapsed = max(r["finished"] for r in reports) - start
    received = json.loads((workdir / "received.json").read_text())
    arrived = {int(k): v for k, v in received["arrived"].items()}
    latencies = sorted(arrived[s] - at for s, at in committed.items() if s in arrived)
    result = {
        "backend": backend, "incidents": total - len(failed), "failed": len(failed),
        "achieved_rate": (total - len(failed)) / elapsed,
        "shares": len(committed), "received": len(latencies), "requests": received["requests"],
        "bad_signatures": received["bad"], "writer_lag_p50": statistics.median(late),
        "writer_lag_p99": statistics.quantiles(late, n=100, method="inclusive")[98],
        "machine_cpu": machine_cpu, "bench_cpu": bench_cpu, "capacity": capacity,
    }
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        result.update(p50=q[49], p90=q[89], p99=q[98], max=latencies[-1])
    return result


def run_child(args: argparse.Namespace) -> None:
    if args.child == "receiver":
        Receiver(args.port, json.loads(args.secrets), Path(args.out)).serve()
    else:
        total = int(args.rate * args.seconds)
        write(args.url, range(args.first, total, args.writer_processes), args,
              args.start, Path(args.out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="incidents per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--writer-processes", type=int, default=None,
                        help="processes recording incidents (default: 1 on SQLite, whose "
                             "writes queue on one lock anyway; 2 on PostgreSQL)")
    parser.add_argument("--writers", type=int, default=2, help="threads per writer process")
    parser.add_argument("--workers", type=int, default=1, help="`safeguard worker` processes")
    parser.add_argument("--delivery", choices=("worker", "embedded"), default="worker",
                        help="deliver from `safeguard worker` processes (default), or from a "
                             "thread in the writing process as `safeguard serve` does")
    parser.add_argument("--history", type=int, default=3000,
                        help="past incidents at the same households loaded before timing, "
                             "as a store in service holds (0: an empty store)")
    parser.add_argument("--drain", type=float, default=5.0,
                        help="seconds to let deliveries finish after the last incident")
    for name in ("--child", "--secrets", "--out", "--url"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    for name in ("--port", "--first"):
        parser.add_argument(name, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    print(f"{args.rate:g} incidents/s for {args.seconds:g} s, {args.writers} writer threads "
          f"per process; nproc {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    for backend in args.backends.split(","):
        backend = backend.strip()
        chosen = args.writer_processes
        args.writer_processes = chosen or (1 if backend == "sqlite" else 2)
        r = run_backend(backend, args)
        processes, delivery = args.writer_processes, args.delivery
        args.writer_processes = chosen
        if r is None:
            continue
        figures = (f"p50 {r['p50'] * 1000:.0f} ms  p90 {r['p90'] * 1000:.0f} ms  "
                   f"p99 {r['p99'] * 1000:.0f} ms  max {r['max'] * 1000:.0f} ms"
                   if "p50" in r else "no shares received")
        print(f"{r['backend']:>10}: {figures}\n{'':>12}{r['incidents']} incidents committed "
              f"by {processes} writer process(es), delivered by {delivery} ({r['failed']} "
              f"failed: lock timeout); "
              f"achieved {r['achieved_rate']:.1f}/s, writer lag p50 "
              f"{r['writer_lag_p50'] * 1000:.0f} ms p99 {r['writer_lag_p99'] * 1000:.0f} ms; "
              f"{r['shares']} shares, {r['received']} received, {r['requests']} requests, "
              f"{r['bad_signatures']} bad signatures\n{'':>12}CPU: machine busy "
              f"{r['machine_cpu']:.0f} s of {r['capacity']:.0f} s, of which this run's processes "
              f"{r['bench_cpu']:.0f} s; the rest is the database server and anything else "
              f"running", flush=True)


if __name__ == "__main__":
    main()
