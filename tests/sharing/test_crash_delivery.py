"""Crash test: the worker is SIGKILLed again and again while delivering ~2,000 shares, and
restarted. No share is lost, and after dropping repeats by Idempotency-Key the partner acts
on each exactly once. The worker is the real `safeguard worker` command in its own process,
started from the command's own module (`python -m safeguard.worker_command`), which loads only
what the worker runs."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.service import build_context
from safeguard.sharing.models import DELIVERED, Delivery
from safeguard.sharing.webhooks import set_endpoint

from ..factories import BACKENDS, migrated_store
from .test_delivery_receiver import CSC, SCHOOL_AGENCY, Receiver, make_shares, record_incidents

SHARES = 2000
KILLS = 6


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return migrated_store(request.param, tmp_path, "crash")


@pytest.mark.slow
def test_killing_the_worker_repeatedly_loses_no_share_and_the_partner_acts_on_each_once(
        url: str, tmp_path: Path) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ctx = build_context(Settings(database_url=url))
    receiver = Receiver(delay=0.002).start()
    record_incidents(factory, ctx, 0)
    with transaction(factory) as session:
        for agency in (CSC, SCHOOL_AGENCY):
            _, receiver.secrets[agency] = set_endpoint(session, agency_id=agency,
                                                       url=receiver.url(agency))
    make_shares(factory, ctx, SHARES)

    def pending() -> int:
        with transaction(factory) as session:
            return session.scalar(select(func.count()).select_from(Delivery).where(
                Delivery.status != DELIVERED)) or 0

    assert pending() == SHARES + 2
    env = dict(os.environ, SAFEGUARD_DATABASE_URL=url, SAFEGUARD_WORKER_INTERVAL_SECONDS="600",
               # Short leases so a killed worker's rows come back within the test; small
               # batches so each kill lands with sends in flight.
               SAFEGUARD_DELIVERY_LEASE_SECONDS="2", SAFEGUARD_DELIVERY_TIMEOUT_SECONDS="1",
               SAFEGUARD_DELIVERY_BATCH_SIZE="20", SAFEGUARD_DELIVERY_CONCURRENCY="4",
               SAFEGUARD_DELIVERY_POLL_SECONDS="0.05", SAFEGUARD_DELIVERY_IDLE_SECONDS="0.2")
    log = (tmp_path / "worker.log").open("ab")

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "safeguard.worker_command"], env=env,
                                stdout=log, stderr=log)

    rng = random.Random(4)
    left_at_kill = []
    started = time.monotonic()
    for _ in range(KILLS):
        # Kill after a random number of this worker's sends, not after a random time: a
        # fast worker could otherwise finish before its kill, which would then test nothing.
        # At most 6 x 250 of the 2,000 go before the last kill, so every kill lands mid-run.
        until = len(receiver.requests) + rng.randint(10, 250)
        worker = start()
        deadline = time.monotonic() + 30
        while len(receiver.requests) < until and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        left_at_kill.append(pending())
    worker = start()
    try:
        # Generous: a loaded machine starts the worker slowly; a passing run never waits it out.
        deadline = time.monotonic() + 180
        while pending() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(10)
        receiver.stop()
        log.close()

    with transaction(factory) as session:
        keys = set(session.scalars(select(Delivery.idempotency_key)))
        statuses = set(session.scalars(select(Delivery.status)))
    engine.dispose()
    repeats = sum(1 for _, status in receiver.requests if status == 200) - len(receiver.processed)
    print(f"{url.split(':')[0]}: {len(keys)} shares, kills left {left_at_kill} undelivered, "
          f"{repeats} repeats dropped by the partner, {receiver.truncated} cut short, "
          f"{time.monotonic() - started:.1f} s")
    assert all(left > 0 for left in left_at_kill), "every kill should land mid-run"
    assert statuses == {DELIVERED}
    assert len(keys) == SHARES + 2 and set(receiver.processed) == keys
    assert set(receiver.processed.values()) == {1}
    assert receiver.bad_signatures == 0
