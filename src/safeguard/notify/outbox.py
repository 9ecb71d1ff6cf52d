"""Sending the queued emails through SMTP (the Healthchecks way: an outbox table, a worker).

The worker claims due rows with a lease in one short transaction (a conditional UPDATE, and
SKIP LOCKED on PostgreSQL, so two workers never send one email at once), sends them with no
transaction open (a slow mail server must not hold database locks), and records each result
in a second short transaction only where it still holds the claim. A failed attempt waits a
full-jitter backoff and is tried again, up to `max_attempts`, then is marked failed. A worker
killed between sending and recording leaves a lease that expires, and the email is sent
again: at least once.
"""

from __future__ import annotations

import random
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from safeguard.config import EmailSettings
from safeguard.notify.models import Email, EmailStatus


@dataclass(frozen=True)
class Outgoing:
    """One claimed email, with everything needed to send it outside any transaction."""

    email_id: int
    to_address: str
    subject: str
    body: str
    attempts: int


# What happened to one email: None when the server accepted it, else why not.
Sent = list[tuple[Outgoing, str | None]]


@dataclass
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(Email.status == EmailStatus.PENDING, Email.next_attempt_at <= now,
                or_(Email.claimed_until.is_(None), Email.claimed_until < now))


def expire_stale(session: Session, *, now: datetime, max_age_hours: float) -> int:
    """Give up on emails queued so long ago they are no longer news (queued while no mail
    server was configured, or failing for a day): sending them now would mislead."""
    result = session.execute(
        update(Email).where(_due(now), Email.created_at < now - timedelta(hours=max_age_hours))
        .values(status=EmailStatus.EXPIRED, last_error="not sent in time")
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def claim_due(session: Session, *, worker_id: str, now: datetime, lease_seconds: float,
              limit: int) -> list[Outgoing]:
    query = select(Email.id).where(_due(now)).order_by(Email.next_attempt_at, Email.id) \
        .limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(session.scalars(query))
    if not candidates:
        return []
    # The conditions are checked again in the UPDATE: only rows still due become ours.
    rows = session.execute(
        update(Email).where(Email.id.in_(candidates), _due(now))
        .values(claimed_until=now + timedelta(seconds=lease_seconds), claimed_by=worker_id)
        .returning(Email.id, Email.to_address, Email.subject, Email.body, Email.attempts)
        .execution_options(synchronize_session=False)).all()
    return sorted((Outgoing(*row) for row in rows), key=lambda o: o.email_id)


def compose(outgoing: Outgoing, settings: EmailSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = outgoing.to_address
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(datetime.now().astimezone())
    domain = settings.from_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(f"safeguard-email-{outgoing.email_id}", domain=domain)
    # RFC 3834: no out-of-office replies to a machine.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(outgoing.body)
    return message


def send(batch: Sequence[Outgoing], settings: EmailSettings) -> Sent:
    """Send a batch over one SMTP connection. Never raises: every failure is a result to
    record (a refused recipient fails that email; a lost connection, the rest)."""
    results: Sent = []
    try:
        with smtplib.SMTP(settings.host, settings.port,
                          timeout=settings.timeout_seconds) as smtp:
            if settings.tls:
                smtp.starttls(context=ssl.create_default_context(
                    cafile=settings.ca_file or None))
            if settings.username:
                smtp.login(settings.username, settings.password.get_secret_value())
            for outgoing in batch:
                try:
                    smtp.send_message(compose(outgoing, settings))
                    results.append((outgoing, None))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused) as error:
                    results.append((outgoing, f"{type(error).__name__}: {error}"[:500]))
    except (OSError, smtplib.SMTPException) as error:
        done = {outgoing.email_id for outgoing, _ in results}
        results += [(outgoing, f"{type(error).__name__}: {error}"[:500])
                    for outgoing in batch if outgoing.email_id not in done]
    return results


def record(session: Session, *, sent: Sent, worker_id: str, now: datetime,
           settings: EmailSettings, rng: random.Random) -> Tally:
    """Record results for rows this worker still holds."""
    tally = Tally()
    for outgoing, error in sent:
        mine = and_(Email.id == outgoing.email_id, Email.claimed_by == worker_id,
                    Email.status == EmailStatus.PENDING)
        attempts = outgoing.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "claimed_by": None,
                                     "claimed_until": None, "last_error": error}
        if error is None:
            values.update(status=EmailStatus.SENT, sent_at=now)
        elif attempts >= settings.max_attempts:
            values.update(status=EmailStatus.FAILED)
        else:
            ceiling = min(settings.backoff_cap_seconds,
                          settings.backoff_base_seconds * 2 ** outgoing.attempts)
            values.update(next_attempt_at=now + timedelta(seconds=rng.uniform(0, ceiling)))
        result = session.execute(update(Email).where(mine).values(**values)
                                 .execution_options(synchronize_session=False))
        if getattr(result, "rowcount", 0) != 1:
            continue  # the lease passed to another worker, whose result stands
        if error is None:
            tally.sent += 1
        elif values.get("status") == EmailStatus.FAILED:
            tally.failed += 1
        else:
            tally.retried += 1
    return tally
