"""The delivery worker against a partner on loopback: signed sends, retries with growing
delays, dead letters, re-drive, and leases. Time is stepped by passing `now`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import Principal, principal_for_user
from safeguard.config import DeliverySettings
from safeguard.db import transaction, utcnow
from safeguard.duties.models import Duty
from safeguard.intake.service import IntakeContext
from safeguard.sharing.delivery import claim_due, record_outcomes, redrive, send
from safeguard.sharing.models import DEAD, DELIVERED, PENDING, Delivery, Share
from safeguard.sharing.webhooks import set_endpoint
from safeguard.worker import DeliveryPassResult, deliver_pending

from ..factories import add_user
from .test_delivery_receiver import CSC, SCHOOL_AGENCY, Receiver, record_incidents

SETTINGS = DeliverySettings(backoff_base_seconds=2, backoff_cap_seconds=60, max_attempts=10,
                            timeout_seconds=5, lease_seconds=60)


class Ceiling:
    """Jitter pinned to its upper bound, so the backoff's growth can be asserted exactly."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def connect(session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
            receiver: Receiver, *, agencies: tuple[str, ...] = (CSC, SCHOOL_AGENCY)) -> None:
    record_incidents(factory, ctx, 0)  # the school (and its agency)
    for agency in agencies:
        _, receiver.secrets[agency] = set_endpoint(session, agency_id=agency,
                                                   url=receiver.url(agency))
    session.commit()


def deliveries(session: Session) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def run(factory: sessionmaker[Session], client: httpx.Client, now: datetime,
        settings: DeliverySettings = SETTINGS, worker_id: str = "w1") -> DeliveryPassResult:
    return deliver_pending(factory, worker_id=worker_id, settings=settings, client=client,
                           now=now, rng=Ceiling())  # type: ignore[arg-type]


def test_it_delivers_every_share_signed_to_a_receiver_on_loopback(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    connect(session, factory, ctx, receiver)
    record_incidents(factory, ctx, 3)
    now = utcnow()
    assert run(factory, client, now) == DeliveryPassResult(6, 6, 0, 0)
    assert receiver.bad_signatures == 0
    rows = deliveries(session)
    assert set(receiver.processed) == {d.idempotency_key for d in rows}
    assert set(receiver.processed.values()) == {1}
    assert {(d.status, d.attempts, d.last_status_code, d.delivered_at) for d in rows} == {
        (DELIVERED, 1, 200, now)}
    share = session.get_one(Share, rows[0].share_id)
    duty = session.get_one(Duty, share.duty_id)
    document = receiver.documents[rows[0].idempotency_key]
    assert document == {
        "share_id": share.id, "kind": share.kind, "from_agency": "police",
        "to_agency": share.to_agency_id, "subject": share.content,
        "lawful_basis": share.lawful_basis, "purpose": share.purpose, "reason": duty.reason,
        "created_at": share.created_at.isoformat(), "due_at": duty.due_at.isoformat(),
        "idempotency_key": rows[0].idempotency_key,
        "acknowledge": f"/api/v1/shares/{share.id}/acknowledgement"}
    assert run(factory, client, now + timedelta(hours=1)).claimed == 0


def test_it_retries_a_failing_endpoint_with_growing_delays_then_delivers_everything(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    connect(session, factory, ctx, receiver)
    record_incidents(factory, ctx, 2)
    receiver.status = 500  # the partner's system is broken for a while
    now = utcnow()
    delays = []
    for _ in range(6):
        assert run(factory, client, now - timedelta(seconds=1)).claimed == 0  # not due yet
        assert run(factory, client, now) == DeliveryPassResult(4, 0, 4, 0)
        rows = deliveries(session)
        assert {d.last_status_code for d in rows} == {500}
        assert {d.last_error for d in rows} == {"HTTP 500: "}
        (due,) = {d.next_attempt_at for d in rows}
        delays.append((due - now).total_seconds())
        now = due
    assert delays == [2, 4, 8, 16, 32, 60]  # doubling, up to the cap
    receiver.status = 200
    assert run(factory, client, now) == DeliveryPassResult(4, 4, 0, 0)
    assert {(d.status, d.attempts) for d in deliveries(session)} == {(DELIVERED, 7)}
    assert len(receiver.processed) == 4 and set(receiver.processed.values()) == {1}


def test_it_retries_an_endpoint_that_is_down(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    record_incidents(factory, ctx, 0)
    down = Receiver().start()  # then stopped: a port nobody listens on, connection refused
    url = down.url(CSC)
    down.stop()
    set_endpoint(session, agency_id=CSC, url=url)
    session.commit()
    record_incidents(factory, ctx, 1)
    now = utcnow()
    assert run(factory, client, now) == DeliveryPassResult(1, 0, 1, 0)
    (row,) = deliveries(session)
    assert row.status == PENDING and row.attempts == 1 and row.last_status_code is None
    assert row.last_error is not None and row.last_error.startswith("ConnectError")
    assert row.next_attempt_at == now + timedelta(seconds=2)


def test_a_batch_with_one_partner_up_and_one_down_records_each_delivery_its_own_way(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    record_incidents(factory, ctx, 0)
    down = Receiver().start()
    school_url = down.url(SCHOOL_AGENCY)
    down.stop()
    _, receiver.secrets[CSC] = set_endpoint(session, agency_id=CSC, url=receiver.url(CSC))
    set_endpoint(session, agency_id=SCHOOL_AGENCY, url=school_url)
    session.commit()
    record_incidents(factory, ctx, 2)
    now = utcnow()
    assert run(factory, client, now) == DeliveryPassResult(4, 2, 2, 0)
    by_agency: dict[str, set[tuple[str, int, int | None, bool]]] = {}
    for row in deliveries(session):
        share = session.get_one(Share, row.share_id)
        by_agency.setdefault(share.to_agency_id, set()).add(
            (row.status, row.attempts, row.last_status_code, row.claimed_by is None))
    assert by_agency == {CSC: {(DELIVERED, 1, 200, True)},
                         SCHOOL_AGENCY: {(PENDING, 1, None, True)}}
    assert len(receiver.processed) == 2


def test_it_dead_letters_after_the_limit_and_a_re_drive_sends_it_again(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    connect(session, factory, ctx, receiver, agencies=(CSC,))
    record_incidents(factory, ctx, 1)
    receiver.status = 503
    settings = DeliverySettings(backoff_base_seconds=1, max_attempts=3)
    now = utcnow()
    results = []
    for _ in range(4):
        results.append(run(factory, client, now, settings))
        now += timedelta(hours=1)
    assert results == [DeliveryPassResult(1, 0, 1, 0), DeliveryPassResult(1, 0, 1, 0),
                       DeliveryPassResult(1, 0, 0, 1), DeliveryPassResult(0, 0, 0, 0)]
    (row,) = deliveries(session)
    assert (row.status, row.attempts, row.last_status_code) == (DEAD, 3, 503)
    assert row.dead_at == now - timedelta(hours=2)
    admin = csc_admin(session)
    redrive(session, delivery_id=row.id, principal=admin, now=now)
    session.commit()
    receiver.status = 200
    assert run(factory, client, now, settings) == DeliveryPassResult(1, 1, 0, 0)
    (row,) = deliveries(session)
    assert (row.status, row.attempts, row.dead_at) == (DELIVERED, 1, None)
    assert list(receiver.processed.values()) == [1]


def csc_admin(session: Session) -> Principal:
    user = add_user(session, "csc.admin", CSC, "admin", display_name="Ada Admin")
    return principal_for_user(session, user=user)


def test_a_worker_whose_lease_expired_does_not_record_over_the_new_holder(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    connect(session, factory, ctx, receiver, agencies=(CSC,))
    record_incidents(factory, ctx, 1)
    now = utcnow()
    with transaction(factory) as tx:
        (slow,) = claim_due(tx, worker_id="slow", now=now, lease_seconds=30, limit=10)
    with transaction(factory) as tx:  # the lease is live: nobody else may take the row
        assert claim_due(tx, worker_id="other", now=now + timedelta(seconds=29),
                         lease_seconds=30, limit=10) == []
    later = now + timedelta(seconds=31)
    with transaction(factory) as tx:  # the slow worker's lease has run out
        (taken,) = claim_due(tx, worker_id="fast", now=later, lease_seconds=30, limit=10)
    assert taken.delivery_id == slow.delivery_id
    outcome = send(client, slow, timestamp=int(later.timestamp()))
    with transaction(factory) as tx:
        tally = record_outcomes(tx, sent=[(slow, outcome)], worker_id="slow", now=later,
                                settings=SETTINGS, rng=Ceiling())  # type: ignore[arg-type]
    assert tally.lost_claim == 1
    (row,) = deliveries(session)
    assert (row.status, row.claimed_by) == (PENDING, "fast")
    with transaction(factory) as tx:
        tally = record_outcomes(tx, sent=[(taken, send(client, taken, timestamp=0))],
                                worker_id="fast", now=later, settings=SETTINGS,
                                rng=Ceiling())  # type: ignore[arg-type]
    assert tally.delivered == 0 and tally.retried == 1  # timestamp 0: the partner refused it
    assert receiver.bad_signatures == 1 and list(receiver.processed.values()) == [1]


def test_a_cycle_claims_no_more_than_it_could_send_before_its_lease_ran_out(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
        receiver: Receiver, client: httpx.Client) -> None:
    # 2 at a time, each send allowed 5 s, a 60 s lease: 6 rounds of 2 fit in half the lease.
    settings = DeliverySettings(timeout_seconds=5, lease_seconds=60, concurrency=2,
                                batch_size=100)
    connect(session, factory, ctx, receiver)
    record_incidents(factory, ctx, 10)  # 20 deliveries due
    now = utcnow()
    assert run(factory, client, now, settings).claimed == 12
    assert run(factory, client, now, settings).claimed == 8
    assert {d.status for d in deliveries(session)} == {DELIVERED}
