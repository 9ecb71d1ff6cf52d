"""Several delivery workers at once (threads here, each its own worker id and connections):
rows are claimed, never shared, so while no lease runs out no share is even sent twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safeguard.config import DeliverySettings, Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.service import build_context
from safeguard.sharing.models import DELIVERED, Delivery
from safeguard.sharing.webhooks import set_endpoint
from safeguard.worker import DeliveryPassResult, deliver_forever

from ..factories import BACKENDS, migrated_store
from .test_delivery_receiver import CSC, SCHOOL_AGENCY, Receiver, make_shares, record_incidents


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return migrated_store(request.param, tmp_path, "delivery_workers")


@pytest.mark.slow
def test_four_workers_send_each_share_once(url: str) -> None:
    engine = make_engine(url, pool_size=12) if url.startswith("postgresql") else make_engine(url)
    factory = make_session_factory(engine)
    ctx = build_context(Settings(database_url=url))
    receiver = Receiver(delay=0.002).start()
    record_incidents(factory, ctx, 0)
    with transaction(factory) as session:
        for agency in (CSC, SCHOOL_AGENCY):
            _, receiver.secrets[agency] = set_endpoint(session, agency_id=agency,
                                                       url=receiver.url(agency))
    make_shares(factory, ctx, 600)
    settings = DeliverySettings(batch_size=10, concurrency=2, poll_seconds=0.01,
                                idle_seconds=0.05, lease_seconds=120)
    stop = threading.Event()
    claims: list[int] = []

    def count(result: DeliveryPassResult) -> None:
        claims.append(result.claimed)

    workers = [threading.Thread(target=deliver_forever, args=(factory,),
                                kwargs={"settings": settings, "stop": stop, "on_pass": count})
               for _ in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with transaction(factory) as session:
                left = session.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status != DELIVERED))
            if not left:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for worker in workers:
            worker.join(10)
        receiver.stop()
    with transaction(factory) as session:
        keys = set(session.scalars(select(Delivery.idempotency_key)))
        claimed_by = set(session.scalars(select(Delivery.claimed_by)))
    engine.dispose()
    assert left == 0 and len(keys) == 602
    assert sum(claims) == 602  # no row was claimed twice
    assert len(receiver.requests) == 602 and set(receiver.processed) == keys
    assert claimed_by == {None}  # every claim was released when its result was recorded
