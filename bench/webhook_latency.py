"""Webhook delivery latency: from an incident's commit to the partner's system receiving its share.

For each backend: a fresh database, a school, and HOUSEHOLDS households each with a child at
that school (education records, loaded before timing); children's social care and the school
get webhook endpoints on a receiver on loopback (in this process, checking every signature).
The real `safeguard worker` command runs in its own process(es). Incidents are then recorded
through the real intake path (`intake.service.accept_event`, one transaction each) at a steady
--rate for --seconds, by --writers threads; each makes two shares (social care, and the
school's Operation Encompass notice), whose commit time is noted. Latency = the receiver's
first receipt of a share minus its incident's commit time (one clock: `time.time()` here).

    .venv/bin/python bench/webhook_latency.py                      # 100/s for 60 s, both backends
    .venv/bin/python bench/webhook_latency.py --rate 20 --seconds 10 --backends sqlite

PostgreSQL is reached through SAFEGUARD_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test; a database safeguard_bench_webhook is
dropped and created next to it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import IntakeContext, accept_event, build_context
from safeguard.migrate import upgrade
from safeguard.sharing.models import Share
from safeguard.sharing.webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    set_endpoint,
    verify,
)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOUSEHOLDS = 300
URN = "131313"
SCHOOL = {"event": "school", "source": "education", "source_id": f"SCH-{URN}", "urn": URN,
          "name": "Benchmark Primary School", "phase": "primary"}
AGENCIES = ("childrens_social_care", f"school-{URN}")


class Receiver:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
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
                            self.headers.get(TIMESTAMP_HEADER),
                            self.headers.get(SIGNATURE_HEADER), at)
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, agency: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{agency}"


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


def accept(session: Session, ctx: IntakeContext, raw: dict[str, Any]) -> int:
    now = datetime.now(UTC)
    return accept_event(session, data=EVENT_ADAPTER.validate_python(raw), raw=raw,
                        via="bench", principal=SYSTEM, ctx=ctx, now=now).event_id


def address(n: int) -> dict[str, str]:
    return {"uprn": f"3000{n:08d}", "line1": f"{n + 1} Birch Close", "town": "Northampton",
            "postcode": "NN2 2BB"}


def prepare(factory: sessionmaker[Session], ctx: IntakeContext, receiver: Receiver) -> None:
    with transaction(factory) as session:
        accept(session, ctx, SCHOOL)
        for n in range(HOUSEHOLDS):
            accept(session, ctx, {
                "event": "person", "source": "education", "source_id": f"B-{n}",
                "given_name": f"Kit{n}", "family_name": "Jones",
                "dob": f"2017-03-0{n % 9 + 1}",
                "address": address(n), "school_urn": URN,
                "recorded_at": "2026-09-04T09:00:00+00:00"})
        for agency in AGENCIES:
            _, receiver.secrets[agency] = set_endpoint(session, agency_id=agency,
                                                       url=receiver.url(agency))


def incident(n: int) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"event": "incident", "source": "police", "source_id": f"BENCH-{n}",
            "kind": "domestic_abuse", "occurred_at": now, "recorded_at": now,
            "address": address(n % HOUSEHOLDS), "officer": "PC 1 Bench",
            "summary": "Benchmark incident.",
            "people": [{"role": "victim", "given_name": "Jo", "family_name": "Jones",
                        "dob": "1990-02-03"}],
            "dash": {"answers": {f"q{i}": i <= 3 for i in range(1, 25)}}}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any] | None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    try:
        url = fresh_url(backend, workdir)
    except Exception as error:  # noqa: BLE001 (report and go on with the other backend)
        print(f"{backend}: not measured ({str(error).splitlines()[0]})")
        return None
    engine = make_engine(url, pool_size=args.writers + 2) if backend == "postgresql" \
        else make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    ctx = build_context(Settings(database_url=url))
    receiver = Receiver()
    prepare(factory, ctx, receiver)
    env = dict(os.environ, SAFEGUARD_DATABASE_URL=url, SAFEGUARD_WORKER_INTERVAL_SECONDS="60")
    workers = [subprocess.Popen([sys.executable, "-m", "safeguard.cli", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(args.workers)]
    time.sleep(3)  # let the workers import and start polling
    total = int(args.rate * args.seconds)
    committed: dict[int, float] = {}
    late: list[float] = []
    failed: list[int] = []
    lock = threading.Lock()
    start = time.time() + 0.5

    def write(first: int) -> None:
        for n in range(first, total, args.writers):
            wait = start + n / args.rate - time.time()
            if wait > 0:
                time.sleep(wait)
            try:
                with transaction(factory) as session:
                    event_id = accept(session, ctx, incident(n))
                    shares = list(session.scalars(select(Share.id).where(
                        Share.event_id == event_id)))
            except OperationalError:  # SQLite's lock wait ran out: the store is saturated
                with lock:
                    failed.append(n)
                continue
            at = time.time()
            with lock:
                late.append(at - (start + n / args.rate))
                committed.update((share_id, at) for share_id in shares)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(args.writers)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    elapsed = time.time() - start
    deadline = time.time() + 60
    while time.time() < deadline and not set(committed) <= set(receiver.arrived):
        time.sleep(0.1)
    for worker in workers:
        worker.terminate()
        worker.wait(10)
    receiver.server.shutdown()
    engine.dispose()
    latencies = sorted(receiver.arrived[s] - at for s, at in committed.items()
                       if s in receiver.arrived)
    result = {
        "backend": backend, "incidents": total - len(failed), "failed": len(failed),
        "achieved_rate": (total - len(failed)) / elapsed,
        "shares": len(committed), "received": len(latencies), "requests": receiver.requests,
        "bad_signatures": receiver.bad, "writer_lag_p50": statistics.median(late),
    }
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        result.update(p50=q[49], p90=q[89], p99=q[98], max=latencies[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="incidents per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=4, help="threads recording incidents")
    parser.add_argument("--workers", type=int, default=1, help="`safeguard worker` processes")
    args = parser.parse_args()
    print(f"{args.rate:g} incidents/s for {args.seconds:g} s, {args.writers} writer threads, "
          f"{args.workers} worker process(es); nproc {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")
    for backend in args.backends.split(","):
        r = run_backend(backend.strip(), args)
        if r is None:
            continue
        figures = (f"p50 {r['p50'] * 1000:.0f} ms  p90 {r['p90'] * 1000:.0f} ms  "
                   f"p99 {r['p99'] * 1000:.0f} ms  max {r['max'] * 1000:.0f} ms"
                   if "p50" in r else "no shares received")
        print(f"{r['backend']:>10}: {figures}\n{'':>12}{r['incidents']} incidents "
              f"committed ({r['failed']} failed: lock timeout; achieved "
              f"{r['achieved_rate']:.1f}/s, median writer lag "
              f"{r['writer_lag_p50'] * 1000:.0f} ms), {r['shares']} shares, {r['received']} "
              f"received, {r['requests']} requests, {r['bad_signatures']} bad signatures")


if __name__ == "__main__":
    main()
