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

import httpx
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
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
    share_document,
    signed_headers,
    valid_secrets,
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


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))


def claim_due(session: Session, *, worker_id: str, now: datetime, lease_seconds: float,
              limit: int) -> list[Outgoing]:
    """Claim up to `limit` due deliveries for this worker until now + lease."""
    query = select(Delivery.id).where(_due(now)).order_by(Delivery.next_attempt_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # Other workers skip the rows this one is claiming instead of queueing behind them.
        query = query.with_for_update(skip_locked=True)
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    # The conditions are checked again in the UPDATE: only rows still due become ours.
    claimed = list(session.scalars(
        update(Delivery).where(Delivery.id.in_(candidates), _due(now))
        .values(claimed_until=now + timedelta(seconds=lease_seconds), claimed_by=worker_id)
        .returning(Delivery.id).execution_options(synchronize_session=False)))
    if not claimed:
        return []
    rows = session.execute(
        select(Delivery, Share, Duty, WebhookEndpoint)
        .join(Share, Share.id == Delivery.share_id).join(Duty, Duty.id == Share.duty_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(Delivery.id.in_(claimed)).order_by(Delivery.id)).all()
    return [Outgoing(delivery_id=d.id, share_id=s.id, url=e.url,
                     secrets=valid_secrets(e, now=now),
                     body=canonical_json(share_document(s, t, idempotency_key=d.idempotency_key)),
                     idempotency_key=d.idempotency_key, attempts=d.attempts)
            for d, s, t, e in rows]


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


def record_outcomes(
    session: Session, *, sent: Iterable[tuple[Outgoing, Outcome]], worker_id: str,
    now: datetime, settings: DeliverySettings, rng: random.Random,
) -> Recorded:
    """Record results for rows this worker still holds; a row whose lease passed to another
    worker is left to that worker (the partner may see it twice, and drops the repeat)."""
    tally = Recorded()
    sent = list(sent)
    # Deliveries that succeeded (nearly all of them) are recorded in two statements for the
    # whole batch; failures each need their own backoff, so they go one by one.
    ok = [outgoing for outgoing, outcome in sent if outcome.ok]
    if ok:
        status_of = {o.delivery_id: outcome.status_code for o, outcome in sent if outcome.ok}
        mine = and_(Delivery.id.in_(list(status_of)), Delivery.claimed_by == worker_id,
                    Delivery.status == PENDING)
        recorded = list(session.execute(
            update(Delivery).where(mine)
            .values(status=DELIVERED, delivered_at=now, last_error=None, claimed_by=None,
                    claimed_until=None, attempts=Delivery.attempts + 1,
                    last_status_code=_status_case(status_of))
            .returning(Delivery.id, Delivery.share_id)
            .execution_options(synchronize_session=False)))
        tally.delivered = len(recorded)
        tally.lost_claim += len(ok) - len(recorded)
        if recorded:
            session.execute(update(Share).where(Share.id.in_([row[1] for row in recorded]),
                                                Share.delivered_at.is_(None))
                            .values(delivered_at=now)
                            .execution_options(synchronize_session=False))
    for outgoing, outcome in sent:
        if outcome.ok:
            continue
        mine = and_(Delivery.id == outgoing.delivery_id, Delivery.claimed_by == worker_id,
                    Delivery.status == PENDING)
        attempts = outgoing.attempts + 1
        common = {"attempts": attempts, "last_status_code": outcome.status_code,
                  "claimed_by": None, "claimed_until": None}
        if attempts >= settings.max_attempts:
            values = {**common, "status": DEAD, "dead_at": now, "last_error": outcome.error}
        else:
            wait = backoff_seconds(outgoing.attempts, settings, rng)
            values = {**common, "last_error": outcome.error,
                      "next_attempt_at": now + timedelta(seconds=wait)}
        result = session.execute(update(Delivery).where(mine).values(**values)
                                 .execution_options(synchronize_session=False))
        if getattr(result, "rowcount", 0) != 1:
            tally.lost_claim += 1
        elif values.get("status") == DEAD:
            tally.dead += 1
        else:
            tally.retried += 1
    session.flush()
    return tally


def _status_case(status_of: dict[int, int | None]) -> ColumnElement[int | None]:
    """Each delivery's own HTTP status in one UPDATE (they are almost always all 200)."""
    codes = set(status_of.values())
    if len(codes) == 1:
        return literal(codes.pop(), Integer)
    return case({delivery_id: code for delivery_id, code in status_of.items()},
                value=Delivery.id)


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
