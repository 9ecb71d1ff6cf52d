"""Background work: marking breaches and escalating them, emailing people about their duties,
and delivering shares by webhook.

Each pass is one job owning its transactions. Rows are claimed with conditional updates (and
SKIP LOCKED on PostgreSQL), so several workers can run at once without doing a duty twice.
Deliveries are claimed with a lease, sent with no transaction open, and recorded after.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, astuple, dataclass
from datetime import datetime
from functools import cache

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safeguard.audit.chain import seal_pending
from safeguard.config import DeliverySettings, EmailSettings, SharingSettings, get_settings
from safeguard.db import transaction, utcnow
from safeguard.duties.service import escalate_second_level, mark_breaches
from safeguard.logs import FIELDS
from safeguard.measures.facts import refresh as refresh_measures
from safeguard.missing.checks import check_school_day, check_still_missing
from safeguard.notify import outbox
from safeguard.notify.service import (
    notify_breaches,
    notify_escalations,
    queue_digests,
    warn_due_soon,
)
from safeguard.rules.context import RuleContext, build_context
from safeguard.sharing.delivery import (
    Outcome,
    Outgoing,
    Recorded,
    claim_due,
    record_outcomes,
    send,
)
from safeguard.sharing.wakeup import Wakeup

log = logging.getLogger("safeguard.worker")


@dataclass(frozen=True)
class PassResult:
    breached: int
    escalated_again: int = 0
    sealed: int = 0  # audit entries added to the hash chain
    # Missing episodes whose time-driven checks (still missing after 24 hours, still missing
    # as the school day nears) were made in this pass.
    missing_checked: int = 0
    measured: int = 0  # duties judged again for the inspection measures
    emailed: int = 0  # emails the mail server accepted in this pass


@cache
def _rules() -> RuleContext:
    return build_context(get_settings())


def run_once(factory: sessionmaker[Session], *, now: datetime | None = None,
             sharing: SharingSettings | None = None,
             rules: RuleContext | None = None,
             email: EmailSettings | None = None) -> PassResult:
    """One clock pass: make the missing episodes' checks that have come due (their duties
    then run to their own clocks), breach what is overdue (first escalation), then escalate
    again what is still undischarged long after its breach (second level), each queueing its
    emails in its own transaction; then warn of duties due soon, queue the day's digests,
    send the emails, and seal the audit entries written since the last pass. Each batch is
    its own job."""
    second_level_hours = (sharing or SharingSettings()).second_level_hours
    started_at = time.perf_counter()
    email = email or get_settings().email
    checked = 0
    for check in (check_still_missing, check_school_day):
        while True:
            with transaction(factory) as session:
                made = check(session, now=now or utcnow(), ctx=rules or _rules())
                checked += len(made)
            if len(made) < 200:
                break
    total = 0
    while True:
        with transaction(factory) as session:
            at = now or utcnow()
            batch = mark_breaches(session, now=at)
            notify_breaches(session, duties=batch, now=at, base_url=email.base_url)
            total += len(batch)
        if len(batch) < 500:
            break
    second = 0
    while True:
        with transaction(factory) as session:
            at = now or utcnow()
            escalated = escalate_second_level(session, now=at, after_hours=second_level_hours)
            notify_escalations(session, duty_ids=[duty.id for duty in escalated], now=at,
                               base_url=email.base_url)
            second += len(escalated)
        if len(escalated) < 500:
            break
    while True:
        with transaction(factory) as session:
            warned = warn_due_soon(session, now=now or utcnow(),
                                   lead_hours=email.due_soon_hours, base_url=email.base_url)
        if warned < 500:
            break
    with transaction(factory) as session:
        queue_digests(session, now=now or utcnow(), at=email.digest_at,
                      base_url=email.base_url)
    emailed = send_emails(factory, settings=email, now=now).sent
    # The measures follow the duties' history: what this pass breached counts at once.
    with transaction(factory) as session:
        measured = refresh_measures(session)
    # The audit log is chained here rather than as entries are written: see audit/chain.py.
    result = PassResult(breached=total, escalated_again=second, sealed=seal_pending(factory),
                        missing_checked=checked, measured=measured,
                        emailed=emailed)
    log.info("worker pass", extra={FIELDS: {
        "pass": "clocks", **asdict(result),
        "duration_ms": round((time.perf_counter() - started_at) * 1000, 1)}})
    return result


def send_emails(factory: sessionmaker[Session], *, settings: EmailSettings,
                now: datetime | None = None, rng: random.Random | None = None) -> outbox.Tally:
    """Send the queued emails that are due, batch by batch: claim (short transaction), send
    over SMTP (no transaction open), record (short transaction). With no mail server
    configured nothing is sent, and what waits too long expires."""
    worker_id, total = new_worker_id(), outbox.Tally()
    while True:
        with transaction(factory) as session:
            at = now or utcnow()
            total.expired += outbox.expire_stale(session, now=at,
                                                 max_age_hours=settings.max_age_hours)
            batch = outbox.claim_due(session, worker_id=worker_id, now=at,
                                     lease_seconds=settings.lease_seconds,
                                     limit=settings.batch_size) if settings.host else []
        if not batch:
            return total
        sent = outbox.send(batch, settings)
        with transaction(factory) as session:
            tally = outbox.record(session, sent=sent, worker_id=worker_id, now=now or utcnow(),
                                  settings=settings, rng=rng or random.Random())
        total.sent, total.retried = total.sent + tally.sent, total.retried + tally.retried
        total.failed += tally.failed
        if len(batch) < settings.batch_size:
            return total


def run_forever(
    factory: sessionmaker[Session], *, interval: float, stop: threading.Event,
    on_pass: Callable[[PassResult], None] | None = None,
) -> None:
    while not stop.is_set():
        try:
            result = run_once(factory)
            if on_pass:
                on_pass(result)
        except Exception:  # a failed pass must not stop the clocks: log and try again
            log.exception("worker pass failed")
        stop.wait(interval)


def start_in_thread(factory: sessionmaker[Session], *, interval: float,
                    delivery: DeliverySettings | None = None,
                    ) -> tuple[threading.Thread, threading.Event]:
    """The embedded (SQLite) set-up runs the worker beside the web server in one process;
    with `delivery` settings a second thread delivers webhooks (stopped by the same event)."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(factory,),
                              kwargs={"interval": interval, "stop": stop},
                              name="safeguard-worker", daemon=True)
    thread.start()
    if delivery is not None:
        threading.Thread(target=deliver_forever, args=(factory,),
                         kwargs={"settings": delivery, "stop": stop},
                         name="safeguard-delivery", daemon=True).start()
    return thread, stop


# --- webhook delivery -----------------------------------------------------------------------

def new_worker_id() -> str:
    """Unique per delivery loop: a lease names its holder, so results of a loop whose lease
    was taken over are not recorded over the new holder's."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class DeliveryPassResult:
    claimed: int
    delivered: int
    retried: int
    dead: int


Sent = list[tuple[Outgoing, Outcome]]


def _send_all(client: httpx.Client, batch: list[Outgoing],
              pool: ThreadPoolExecutor | None) -> Sent:
    stamp = int(time.time())

    def attempt(outgoing: Outgoing) -> Outcome:
        return send(client, outgoing, timestamp=stamp)

    outcomes = list(pool.map(attempt, batch)) if pool else [attempt(o) for o in batch]
    return list(zip(batch, outcomes, strict=True))


def delivery_cycle(
    factory: sessionmaker[Session], *, worker_id: str, settings: DeliverySettings,
    client: httpx.Client, sent: Sent, claim: bool = True, now: datetime | None = None,
    rng: random.Random | None = None, pool: ThreadPoolExecutor | None = None,
) -> tuple[Recorded, Sent]:
    """Record the last batch's results and claim the next batch in one short transaction,
    then send that batch with no transaction open.

    One transaction a cycle, not two, because on SQLite every transaction waits its turn for
    the single write lock behind the incidents being recorded.
    """
    with transaction(factory) as session:
        at = now or utcnow()
        tally = record_outcomes(session, sent=sent, worker_id=worker_id, now=at,
                                settings=settings, rng=rng or random.Random()) \
            if sent else Recorded()
        batch = claim_due(session, worker_id=worker_id, now=at,
                          lease_seconds=settings.lease_seconds,
                          limit=settings.claim_limit()) if claim else []
    if tally.lost_claim:
        log.warning("%d deliveries were claimed by another worker before their results were "
                    "recorded (their leases had expired)", tally.lost_claim)
    return tally, _send_all(client, batch, pool) if batch else []


def deliver_pending(
    factory: sessionmaker[Session], *, worker_id: str, settings: DeliverySettings,
    client: httpx.Client, now: datetime | None = None, rng: random.Random | None = None,
    pool: ThreadPoolExecutor | None = None,
) -> DeliveryPassResult:
    """One batch: claim (short transaction), send (no transaction), record (short transaction).

    `now` fixes the clock for claiming and recording (tests step through retries with it);
    signatures always carry the real time, as the partner checks them against its own clock.
    """
    _, sent = delivery_cycle(factory, worker_id=worker_id, settings=settings, client=client,
                             sent=[], now=now, rng=rng, pool=pool)
    if not sent:
        return DeliveryPassResult(0, 0, 0, 0)
    tally, _ = delivery_cycle(factory, worker_id=worker_id, settings=settings, client=client,
                              sent=sent, claim=False, now=now, rng=rng)
    return DeliveryPassResult(len(sent), tally.delivered, tally.retried, tally.dead)


@contextmanager
def _sender(settings: DeliverySettings) -> Iterator[tuple[httpx.Client, ThreadPoolExecutor]]:
    """One HTTP client (pooled connections) and the threads that send a batch in parallel."""
    with httpx.Client(timeout=settings.timeout_seconds) as client, \
            ThreadPoolExecutor(max_workers=settings.concurrency,
                               thread_name_prefix="safeguard-send") as pool:
        yield client, pool


def deliver_due(factory: sessionmaker[Session], *, settings: DeliverySettings
                ) -> DeliveryPassResult:
    """Deliver everything due now, batch after batch, then stop (`safeguard worker --once`)."""
    worker_id = new_worker_id()
    passes = []
    with _sender(settings) as (client, pool):
        while True:
            passes.append(deliver_pending(factory, worker_id=worker_id, settings=settings,
                                          client=client, pool=pool))
            if passes[-1].claimed < settings.claim_limit():
                totals = zip(*(astuple(done) for done in passes), strict=True)
                return DeliveryPassResult(*(sum(counts) for counts in totals))


def deliver_forever(
    factory: sessionmaker[Session], *, settings: DeliverySettings, stop: threading.Event,
    on_pass: Callable[[DeliveryPassResult], None] | None = None,
) -> None:
    """Poll often while there is work (latency is the point), back off when idle; on
    PostgreSQL an idle worker is woken the moment a share is queued (`sharing.wakeup`).

    Each batch's results are recorded with the next claim. A full batch just sent means more
    is waiting, so the next cycle starts at once; after a part-full one it lingers briefly so
    that the next cycle carries several shares, not one. On stop the last results are
    recorded.
    """
    worker_id = new_worker_id()
    wait = settings.poll_seconds
    sent: Sent = []
    bind = factory.kw.get("bind")
    wakeup = Wakeup(bind, stop) if isinstance(bind, Engine) else None
    with _sender(settings) as (client, pool):
        while not stop.is_set():
            try:
                started_at = time.perf_counter()
                recording = len(sent)
                tally, sent = delivery_cycle(factory, worker_id=worker_id, settings=settings,
                                             client=client, sent=sent, pool=pool)
                if recording or sent:  # an idle poll did nothing worth a line
                    log.info("worker pass", extra={FIELDS: {
                        "pass": "delivery", "recorded": recording, "sent": len(sent),
                        "delivered": tally.delivered, "retried": tally.retried,
                        "dead": tally.dead,
                        "duration_ms": round((time.perf_counter() - started_at) * 1000, 1)}})
                if on_pass:
                    on_pass(DeliveryPassResult(len(sent), tally.delivered, tally.retried,
                                               tally.dead))
            except Exception:  # a failed pass must not stop deliveries: log and try again
                # Unrecorded results are not lost: their leases expire and they are re-sent.
                log.exception("delivery pass failed")
                sent = []
            if sent:
                wait = settings.poll_seconds
                if len(sent) < settings.claim_limit():
                    stop.wait(settings.linger_seconds)
                continue
            wait = min(settings.idle_seconds, wait * 2)
            if wakeup is None:
                stop.wait(wait)
            elif wakeup.wait(wait):
                wait = settings.poll_seconds  # a share was queued: back to polling quickly
        if wakeup is not None:
            wakeup.close()
        if sent:
            try:
                delivery_cycle(factory, worker_id=worker_id, settings=settings, client=client,
                               sent=sent, claim=False)
            except Exception:  # the leases expire and the rows are sent again
                log.exception("recording the last deliveries failed")


def run_all(factory: sessionmaker[Session], *, interval: float, settings: DeliverySettings,
            stop: threading.Event, on_pass: Callable[[PassResult], None] | None = None,
            on_delivery: Callable[[DeliveryPassResult], None] | None = None) -> None:
    """`safeguard worker`: the breach pass and the delivery loop side by side until stopped."""
    delivering = threading.Thread(target=deliver_forever, args=(factory,), kwargs={
        "settings": settings, "stop": stop, "on_pass": on_delivery},
        name="safeguard-delivery", daemon=True)
    delivering.start()
    try:
        run_forever(factory, interval=interval, stop=stop, on_pass=on_pass)
    finally:
        stop.set()
        delivering.join(settings.timeout_seconds + 5)
