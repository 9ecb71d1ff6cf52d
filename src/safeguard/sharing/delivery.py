"""The webhook outbox: deliveries written with their share, claimed, sent, retried, dead-lettered.

Nothing is lost because a Delivery row is written in the same transaction as its share and the
share's duty: if the share exists, so does the instruction to send it. The worker
(``safeguard.worker.deliver_pending``) claims due rows with a lease in one short transaction,
sends them with no transaction open (a slow partner must not hold database locks), and records
each result in a second short transaction only if it still holds the claim. A worker killed
between the two leaves a lease that expires, and the row is sent again: at-least-once sending,
made exactly-once on the partner's side by the idempotency key.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.config import DeliverySettings
from safeguard.db import table_of
from safeguard.duties.models import Duty
from safeguard.errors import Conflict, Forbidden, NotFound
from safeguard.sharing.models import DEAD, DELIVERED, PENDING, Delivery, Share, WebhookEndpoint
from safeguard.sharing.wakeup import notify_queued
from safeguard.sharing.webhooks import (
    canonical_json,
    idempotency_key,
    secrets_in_force,
    share_document,
    signed_headers,
)

ADMIN_ROLE = "admin"
STATUSES = (PENDING, DELIVERED, DEAD)


# Built once: intake runs these for most incidents (see duties.service._INSERT_DUTY).
_ACTIVE_ENDPOINTS = select(WebhookEndpoint.agency_id, WebhookEndpoint.id).where(
    WebhookEndpoint.agency_id.in_(bindparam("agencies", expanding=True)),
    WebhookEndpoint.active.is_(True))
_INSERT_DELIVERY = insert(table_of(Delivery))


def enqueue_deliveries(session: Session, *, shares: Sequence[tuple[int, str]],
                       now: datetime) -> int:
    """Queue each share (id, receiving agency) for its recipient's active endpoint, in the
    caller's transaction; returns how many were queued. The rows go in one statement: intake
    queues them for every incident, and nothing reads them back here."""
    if not shares:
        return 0
    connection = session.connection()
    endpoints: dict[str, int] = dict(connection.execute(
        _ACTIVE_ENDPOINTS, {"agencies": sorted({agency for _, agency in shares})}).all())
    rows = [{"share_id": share_id, "endpoint_id": endpoint_id,
             "idempotency_key": idempotency_key(share_id, endpoint_id), "status": PENDING,
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for share_id, agency in shares if (endpoint_id := endpoints.get(agency)) is not None]
    if rows:
        connection.execute(_INSERT_DELIVERY, rows)
        notify_queued(connection)
    return len(rows)


@dataclass(frozen=True)
class Outgoing:
    """One claimed delivery, with everything needed to send it outside any transaction."""

    delivery_id: int
    share_id: int
    url: str
    # Every valid secret (two during a rollover): the message carries a signature by each.
    secrets: tuple[str, ...]
    body: bytes
    idempotency_key: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    status_code: int | None = None
    error: str | None = None


# The claim, built once (the worker runs it every cycle, many times a second when busy) and
# run on the tables: what it reads are plain columns, not objects to track. A row is due when
# pending, its time has come and nobody's lease on it is running.
_DELIVERIES, _SHARES, _DUTIES, _ENDPOINTS = (table_of(Delivery), table_of(Share),
                                             table_of(Duty), table_of(WebhookEndpoint))
_D = _DELIVERIES.c
_DUE = and_(_D.status == PENDING, _D.next_attempt_at <= bindparam("now"),
            or_(_D.claimed_until.is_(None), _D.claimed_until < bindparam("now")))
_CANDIDATES = (select(_D.id).where(_DUE).order_by(_D.next_attempt_at)
               .limit(bindparam("limit", type_=Integer)))
# On PostgreSQL other workers skip the rows this one is claiming instead of queueing behind them.
_CANDIDATES_SKIP_LOCKED = _CANDIDATES.with_for_update(skip_locked=True)
# The conditions are checked again in the UPDATE: only rows still due become ours.
_CLAIM = (update(_DELIVERIES).where(_D.id.in_(bindparam("ids", expanding=True)), _DUE)
          .values(claimed_until=bindparam("until"), claimed_by=bindparam("worker"))
          .returning(_D.id))
_CLAIMED = (
    select(_D.id, _D.idempotency_key, _D.attempts, _SHARES.c.id.label("share_id"),
           _SHARES.c.kind, _SHARES.c.from_agency_id, _SHARES.c.to_agency_id,
           _SHARES.c.content, _SHARES.c.lawful_basis, _SHARES.c.purpose, _SHARES.c.created_at,
           _DUTIES.c.reason, _DUTIES.c.due_at, _ENDPOINTS.c.url, _ENDPOINTS.c.secret,
           _ENDPOINTS.c.previous_secret, _ENDPOINTS.c.previous_valid_until)
    .select_from(_DELIVERIES.join(_SHARES, _SHARES.c.id == _D.share_id)
                 .join(_DUTIES, _DUTIES.c.id == _SHARES.c.duty_id)
                 .join(_ENDPOINTS, _ENDPOINTS.c.id == _D.endpoint_id))
    .where(_D.id.in_(bindparam("ids", expanding=True))).order_by(_D.id))


def claim_due(session: Session, *, worker_id: str, now: datetime, lease_seconds: float,
              limit: int) -> list[Outgoing]:
    """Claim up to `limit` due deliveries for this worker until now + lease."""
    session.flush()  # the caller's pending changes first, as any query of the session sees
    connection = session.connection()
    candidates = connection.execute(
        _CANDIDATES_SKIP_LOCKED if connection.dialect.name == "postgresql" else _CANDIDATES,
        {"now": now, "limit": limit}).scalars().all()
    if not candidates:
        return []
    claimed = connection.execute(_CLAIM, {
        "ids": candidates, "now": now, "until": now + timedelta(seconds=lease_seconds),
        "worker": worker_id}).scalars().all()
    if not claimed:
        return []
    return [Outgoing(
        delivery_id=row.id, share_id=row.share_id, url=row.url,
        secrets=secrets_in_force(row.secret, row.previous_secret, row.previous_valid_until,
                                 now=now),
        body=canonical_json(share_document(
            share_id=row.share_id, kind=row.kind, from_agency=row.from_agency_id,
            to_agency=row.to_agency_id, subject=row.content, lawful_basis=row.lawful_basis,
            purpose=row.purpose, reason=row.reason, created_at=row.created_at,
            due_at=row.due_at, idempotency_key=row.idempotency_key)),
        idempotency_key=row.idempotency_key, attempts=row.attempts)
        for row in connection.execute(_CLAIMED, {"ids": claimed})]


def send(client: httpx.Client, outgoing: Outgoing, *, timestamp: int) -> Outcome:
    """One HTTP attempt. Never raises: every failure is an outcome to record."""
    headers = signed_headers(outgoing.secrets, outgoing.body, timestamp=timestamp,
                             msg_id=outgoing.idempotency_key)
    try:
        response = client.post(outgoing.url, content=outgoing.body, headers=headers)
    except httpx.TimeoutException as error:
        return Outcome(outgoing.delivery_id, ok=False, error=f"timeout: {error}"[:500])
    except httpx.HTTPError as error:
        return Outcome(outgoing.delivery_id, ok=False,
                       error=f"{type(error).__name__}: {error}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(outgoing.delivery_id, ok=True, status_code=response.status_code)
    return Outcome(outgoing.delivery_id, ok=False, status_code=response.status_code,
                   error=f"HTTP {response.status_code}: {response.text[:200]}")


def backoff_seconds(attempts: int, settings: DeliverySettings, rng: random.Random) -> float:
    """Full jitter: retries of many deliveries spread out instead of arriving in waves."""
    ceiling = min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2 ** attempts)
    return rng.uniform(0, ceiling)


@dataclass
class Recorded:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost_claim: int = 0


# Recording, built once like the claim. Each statement records only rows this worker still
# holds: pending and claimed by it.
_MINE = and_(_D.claimed_by == bindparam("worker"), _D.status == PENDING)
_RECORD_DELIVERED = (
    update(_DELIVERIES).where(_D.id.in_(bindparam("ids", expanding=True)), _MINE)
    .values(status=DELIVERED, delivered_at=bindparam("now"), last_error=None, claimed_by=None,
            claimed_until=None, attempts=_D.attempts + 1, last_status_code=bindparam("code"))
    .returning(_D.id, _D.share_id))
_MARK_SHARES_DELIVERED = (
    update(_SHARES).where(_SHARES.c.id.in_(bindparam("ids", expanding=True)),
                          _SHARES.c.delivered_at.is_(None))
    .values(delivered_at=bindparam("now")))
_FAILED: dict[str, Any] = {
    "attempts": bindparam("tries"), "last_status_code": bindparam("code"),
    "last_error": bindparam("error"), "claimed_by": None, "claimed_until": None}
_RECORD_RETRY = (update(_DELIVERIES).where(_D.id == bindparam("delivery"), _MINE)
                 .values(**_FAILED, next_attempt_at=bindparam("retry_at")))
_RECORD_DEAD = (update(_DELIVERIES).where(_D.id == bindparam("delivery"), _MINE)
                .values(**_FAILED, status=DEAD, dead_at=bindparam("now")))


def record_outcomes(
    session: Session, *, sent: Iterable[tuple[Outgoing, Outcome]], worker_id: str,
    now: datetime, settings: DeliverySettings, rng: random.Random,
) -> Recorded:
    """Record results for rows this worker still holds; a row whose lease passed to another
    worker is left to that worker (the partner may see it twice, and drops the repeat)."""
    tally = Recorded()
    sent = list(sent)
    session.flush()  # the caller's pending changes first, as any query of the session sees
    connection = session.connection()
    # Deliveries that succeeded (nearly all of them) are recorded in two statements for the
    # whole batch; failures each need their own backoff, so they go one by one.
    ok = [outgoing for outgoing, outcome in sent if outcome.ok]
    if ok:
        status_of = {o.delivery_id: outcome.status_code for o, outcome in sent if outcome.ok}
        codes = set(status_of.values())
        params = {"ids": list(status_of), "worker": worker_id, "now": now}
        if len(codes) == 1:  # almost always: every one 200
            statement, params["code"] = _RECORD_DELIVERED, codes.pop()
        else:  # each delivery's own status in the one UPDATE
            statement = _RECORD_DELIVERED.values(last_status_code=case(
                status_of, value=_D.id))
        recorded = connection.execute(statement, params).all()
        tally.delivered = len(recorded)
        tally.lost_claim += len(ok) - len(recorded)
        if recorded:
            connection.execute(_MARK_SHARES_DELIVERED,
                               {"ids": [row.share_id for row in recorded], "now": now})
    for outgoing, outcome in sent:
        if outcome.ok:
            continue
        attempts = outgoing.attempts + 1
        failed = {"delivery": outgoing.delivery_id, "worker": worker_id, "tries": attempts,
                  "code": outcome.status_code, "error": outcome.error}
        dead = attempts >= settings.max_attempts
        if dead:
            result = connection.execute(_RECORD_DEAD, {**failed, "now": now})
        else:
            wait = backoff_seconds(outgoing.attempts, settings, rng)
            result = connection.execute(_RECORD_RETRY, {
                **failed, "retry_at": now + timedelta(seconds=wait)})
        if result.rowcount != 1:
            tally.lost_claim += 1
        elif dead:
            tally.dead += 1
        else:
            tally.retried += 1
    return tally


# --- administration -------------------------------------------------------------------------

def require_admin(principal: Principal) -> None:
    if not principal.has_role(ADMIN_ROLE):
        raise Forbidden("only an administrator may see or re-drive deliveries")


def _visible(principal: Principal) -> ColumnElement[bool]:
    # An agency's administrator sees deliveries of shares its agency sent or received.
    return or_(Share.from_agency_id == principal.agency_id,
               Share.to_agency_id == principal.agency_id)


def list_deliveries(
    session: Session, *, principal: Principal, status: str | None = None, limit: int = 100,
    offset: int = 0,
) -> tuple[list[tuple[Delivery, Share, WebhookEndpoint]], int]:
    require_admin(principal)
    query = (select(Delivery, Share, WebhookEndpoint)
             .join(Share, Share.id == Delivery.share_id)
             .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
             .where(_visible(principal)))
    if status:
        query = query.where(Delivery.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Delivery.id.desc()).limit(limit).offset(offset))
    return [(d, s, e) for d, s, e in rows], total


def redrive(session: Session, *, delivery_id: int, principal: Principal, now: datetime
            ) -> Delivery:
    """Send a dead delivery again from scratch, as soon as a worker is free."""
    require_admin(principal)
    found = session.execute(select(Delivery).join(Share, Share.id == Delivery.share_id)
                            .where(Delivery.id == delivery_id, _visible(principal))).scalar()
    if found is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if found.status != DEAD:
        raise Conflict(f"delivery {delivery_id} is {found.status}, not dead")
    found.status, found.attempts, found.next_attempt_at = PENDING, 0, now
    found.dead_at, found.claimed_by, found.claimed_until = None, None, None
    session.flush()
    return found
