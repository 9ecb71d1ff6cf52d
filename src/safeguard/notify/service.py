"""Queueing email notifications: who is told of a duty, what each person chose, and the
time-driven emails (due soon, the daily digest).

Every email is queued in the transaction of its cause (an assignment, a breach, its
escalation), so a committed cause always has its email and a rolled-back one never does; the
worker sends them later (notify/outbox.py). Each carries only a link and the duty kind's
title: what the duty is about stays behind sign-in (messages.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Insert, and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, TeamMember, User
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.config import get_settings
from safeguard.db import Base, table_of, utcnow
from safeguard.duties.models import BREACHED, OPEN, Duty, DutyHolder, Notification
from safeguard.duties.service import SIGHT_ROLES, may_see, visible_to
from safeguard.notify.messages import Message, digest_message, duty_message
from safeguard.notify.models import DigestRun, DutyAlert, Email, NotificationPreference, Reason
from safeguard.rules.catalogue import KINDS
from safeguard.rules.kinds import Side
from safeguard.workdays import LONDON

# --- each person's choices ------------------------------------------------------------------


def preferences(session: Session, *, user_id: int) -> dict[Reason, bool]:
    """What the person receives: their choices, or every reason when they have made none."""
    row = session.get(NotificationPreference, user_id)
    return {reason: row is None or bool(getattr(row, reason.value)) for reason in Reason}


def set_preferences(session: Session, *, principal: Principal, chosen: Iterable[Reason],
                    now: datetime) -> dict[Reason, bool]:
    """The signed-in person's own choices, audited with what changed."""
    before = preferences(session, user_id=principal.id)
    after = {reason: reason in set(chosen) for reason in Reason}
    row = session.get(NotificationPreference, principal.id)
    if row is None:
        row = NotificationPreference(user_id=principal.id)
        session.add(row)
    for reason, on in after.items():
        setattr(row, reason.value, on)
    row.updated_at = now
    changed = [f"{reason.value} {'on' if on else 'off'}" for reason, on in after.items()
               if before[reason] != on]
    audit(session, principal=principal, action="write", entity="notification_preferences",
          entity_id=principal.id,
          why="changed email notifications: " + (", ".join(changed) or "no change"))
    session.flush()
    return after


def _choosing(session: Session, user_ids: Iterable[int] | None, reason: Reason,
              agency_id: str | None = None) -> list[User]:
    """Active users with an email address who receive `reason` (among `user_ids`, or of
    `agency_id`)."""
    query = (select(User).outerjoin(NotificationPreference,
                                    NotificationPreference.user_id == User.id)
             .where(User.active.is_(True), User.email.is_not(None), User.email != "")
             .where(NotificationPreference.user_id.is_(None)
                    | getattr(NotificationPreference, reason.value).is_(True)))
    if user_ids is not None:
        query = query.where(User.id.in_(sorted(set(user_ids))))
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    return list(session.scalars(query.order_by(User.id)))


# --- who holds a duty ------------------------------------------------------------------------


def acting_agency(duty: Duty) -> str:
    """The agency that must act for the duty to be discharged: its owner, or its partner where
    the partner discharges it (a police share is discharged by social care's acknowledgement)."""
    if KINDS[duty.kind].discharged_by is Side.PARTNER and duty.partner_agency_id is not None:
        return duty.partner_agency_id
    return duty.owner_agency_id


def _holding(session: Session, duty: Duty) -> list[int] | None:
    """The ids of whoever holds the duty: its person, or each member of its team; None when
    nobody holds it."""
    row = session.get(DutyHolder, duty.id)
    if row is None:
        return None
    if row.user_id is not None:
        return [row.user_id]
    return list(session.scalars(select(TeamMember.user_id)
                                .where(TeamMember.team_id == row.team_id)))


def _may_act(session: Session, duty: Duty, users: Sequence[User]) -> list[User]:
    """Those who may see the duty (and hold its role, where only a role of the owner acts)."""
    principals = _principals(session, users)
    return [user for user in users
            if (duty.owner_role is None or user.agency_id != duty.owner_agency_id
                or duty.owner_role in user.roles.split())
            and may_see(principals[user.id], duty)]


def holders(session: Session, *, duty: Duty, reason: Reason,
            unheld: bool = True) -> list[User]:
    """Who is told that a duty is due soon, has breached or is escalated, among those who
    chose it: whoever holds it (the person, or each member of the holding team) and may
    still act on it. When nobody holds it (or nobody holding it may act now: a holder who
    left, a team emptied), and `unheld`, the users of the agency that must act who may act
    on it. Where the partner discharges the duty (social care acknowledges a police share),
    the partner's users are told as well: the holder, of the owning agency, cannot act for
    them."""
    held = _holding(session, duty)
    acting = (_may_act(session, duty, list(session.scalars(
        select(User).where(User.id.in_(held), User.active.is_(True)))))
        if held else [])
    told = {user.id for user in acting}
    users = _choosing(session, told, reason) if told else []
    agency = acting_agency(duty)
    if unheld and (not acting or agency != duty.owner_agency_id):
        users += [user for user in _may_act(session, duty, _choosing(
            session, None, reason, agency_id=agency)) if user.id not in told]
    return sorted(users, key=lambda user: user.id)


def _principals(session: Session, users: Sequence[User]) -> dict[int, Principal]:
    agencies = {a.id: a for a in session.scalars(
        select(Agency).where(Agency.id.in_({u.agency_id for u in users})))}
    return {user.id: Principal(
        kind="user", id=user.id, name=user.username, display_name=user.display_name,
        agency_id=user.agency_id, agency_name=agencies[user.agency_id].name,
        agency_kind=agencies[user.agency_id].kind, roles=frozenset(user.roles.split()),
        school_urn=agencies[user.agency_id].school_urn) for user in users}


# --- queueing --------------------------------------------------------------------------------

# One email to queue: to whom, why, about which duty, its once-only key, and what it says.
Row = tuple[User, Reason, int | None, str, Message]


def _insert_new(session: Session, model: type[Base], keys: list[str] | None = None) -> Insert:
    """INSERT that skips a row whose key exists: how a cause is emailed, or a duty warned
    of, once however many workers see it."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table_of(model)).on_conflict_do_nothing(index_elements=keys)
    return sqlite_insert(table_of(model)).on_conflict_do_nothing(index_elements=keys)


def _queue(session: Session, rows: Sequence[Row], now: datetime) -> int:
    """Write the emails whose key is new (a cause seen twice is emailed once)."""
    if not rows:
        return 0
    statement = _insert_new(session, Email, ["dedupe_key"])
    values: list[dict[str, Any]] = [
        {"user_id": user.id, "to_address": user.email, "reason": reason.value,
         "duty_id": duty_id, "dedupe_key": key, "subject": message.subject,
         "body": message.body, "status": "pending", "attempts": 0, "next_attempt_at": now,
         "created_at": now} for user, reason, duty_id, key, message in rows]
    session.flush()
    result = session.execute(statement.returning(table_of(Email).c.id), values)
    return len(result.all())


def _base_url(base_url: str | None) -> str:
    return (base_url if base_url is not None else get_settings().email.base_url).rstrip("/")


def enqueue_duty_email(session: Session, *, user_id: int, duty: Duty, reason: Reason,
                       now: datetime | None = None, base_url: str | None = None) -> bool:
    """Email one person about one duty (a duty assigned to them), if they chose `reason` and
    have an address; in the caller's transaction. True when an email was queued."""
    at = now or utcnow()
    users = _choosing(session, [user_id], reason)
    message = duty_message(duty_id=duty.id, title=KINDS[duty.kind].title, reason=reason,
                           base_url=_base_url(base_url))
    key = f"{reason.value}:{duty.id}:{user_id}:{at.isoformat()}"
    return _queue(session, [(user, reason, duty.id, key, message) for user in users], at) > 0


def _holder_rows(session: Session, duties: Sequence[Duty], reason: Reason, base_url: str,
                 told: set[tuple[int, int]] | None = None, *, unheld: bool = True,
                 key: str = "") -> list[Row]:
    """Emails to each duty's holders, but none to a person already `told` of that duty
    (duty id, user id) by another email of the same cause. `key` tells apart causes that
    may recur for one duty (each level of escalation)."""
    rows: list[Row] = []
    for duty in duties:
        message = duty_message(duty_id=duty.id, title=KINDS[duty.kind].title, reason=reason,
                               base_url=base_url)
        rows += [(user, reason, duty.id, f"{reason.value}{key}:{duty.id}:{user.id}", message)
                 for user in holders(session, duty=duty, reason=reason, unheld=unheld)
                 if (duty.id, user.id) not in (told or set())]
    return rows


def notify_breaches(session: Session, *, duties: Sequence[Duty], now: datetime,
                    base_url: str | None = None) -> int:
    """In the transaction that breached (and escalated) `duties`: email the people their
    escalation notifications are addressed to, and the duties' other holders of the breach
    (a supervisor holding the duty is told once, of the escalation)."""
    if not duties:
        return 0
    escalations = _escalation_rows(session, [duty.id for duty in duties], _base_url(base_url))
    told = {(duty_id, user.id) for user, _, duty_id, _, _ in escalations if duty_id}
    return _queue(session, escalations + _holder_rows(
        session, duties, Reason.BREACHED, _base_url(base_url), told), now)


def notify_escalations(session: Session, *, duty_ids: Sequence[int], now: datetime,
                       base_url: str | None = None) -> int:
    """Email the users of each escalation's agency holding its role (the supervisors at
    level 1, the senior managers at level 2) about the duties' escalation notifications, and
    whoever holds each duty that it is escalated (a duty nobody holds has nobody more to
    tell). Each is emailed once per escalation, however often this is asked."""
    url = _base_url(base_url)
    escalations = _escalation_rows(session, duty_ids, url)
    told = {(duty_id, user.id) for user, _, duty_id, _, _ in escalations if duty_id}
    duties = list(session.scalars(select(Duty).where(Duty.id.in_(list(duty_ids)))
                                  .order_by(Duty.id))) if duty_ids else []
    held = [row for duty in duties for row in _holder_rows(
        session, [duty], Reason.ESCALATED, url, told, unheld=False,
        key=f"-held-{duty.escalation_level}")]
    return _queue(session, escalations + held, now)


def _escalation_rows(session: Session, duty_ids: Sequence[int], base_url: str) -> list[Row]:
    if not duty_ids:
        return []
    notices = session.execute(
        select(Notification.id, Notification.agency_id, Notification.role, Duty)
        .join(Duty, Duty.id == Notification.duty_id)
        .where(Notification.duty_id.in_(list(duty_ids)), Notification.kind == "escalation")
        .order_by(Notification.id)).all()
    rows: list[Row] = []
    for notice_id, agency_id, role, duty in notices:
        message = duty_message(duty_id=duty.id, title=KINDS[duty.kind].title,
                               reason=Reason.ESCALATED, base_url=base_url, role=role)
        rows += [(user, Reason.ESCALATED, duty.id,
                  f"{Reason.ESCALATED.value}:{notice_id}:{user.id}", message)
                 for user in _choosing(session, None, Reason.ESCALATED, agency_id=agency_id)
                 if role in user.roles.split()]
    return rows


def warn_due_soon(session: Session, *, now: datetime, lead_hours: float,
                  base_url: str | None = None, batch: int = 500) -> int:
    """Warn the holders of open duties falling due within `lead_hours`, once per duty: each
    is claimed by inserting its alert row, which the primary key lets only one worker do.
    Returns how many duties were claimed (fewer than `batch`: no more are waiting)."""
    due = session.scalars(
        select(Duty.id).where(
            Duty.status == OPEN, Duty.due_at > now,
            Duty.due_at <= now + timedelta(hours=lead_hours),
            ~exists().where(and_(DutyAlert.duty_id == Duty.id,
                                 DutyAlert.reason == Reason.DUE_SOON.value)))
        .order_by(Duty.due_at, Duty.id).limit(batch)).all()
    if not due:
        return 0
    claimed = session.scalars(
        _insert_new(session, DutyAlert)
        .returning(table_of(DutyAlert).c.duty_id),
        [{"duty_id": duty_id, "reason": Reason.DUE_SOON.value, "at": now} for duty_id in due]
    ).all()
    duties = list(session.scalars(select(Duty).where(Duty.id.in_(claimed)).order_by(Duty.id)))
    _queue(session, _holder_rows(session, duties, Reason.DUE_SOON, _base_url(base_url)), now)
    return len(due)


# --- the daily digest ------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    title: str
    open: int
    due_today: int
    breached: int


def digest_counts(session: Session, *, principal: Principal, now: datetime) -> list[KindCount]:
    """What is undischarged among the duties the principal sees, by kind: open, due before
    the end of today in London, breached. Counts only: no duty is shown, so none is read."""
    tomorrow = datetime.combine(now.astimezone(LONDON).date() + timedelta(days=1), time(),
                                tzinfo=LONDON)
    today = Duty.due_at < tomorrow
    rows = session.execute(
        select(Duty.kind, Duty.status, today, func.count())
        .where(visible_to(principal), Duty.status.in_((OPEN, BREACHED)))
        .group_by(Duty.kind, Duty.status, today)).all()
    counts: dict[str, list[int]] = {}
    for kind, status, due_today, number in rows:
        tally = counts.setdefault(kind, [0, 0, 0])
        if status == BREACHED:
            tally[2] += number
        else:
            tally[0] += number
            tally[1] += number if due_today else 0
    return sorted((KindCount(KINDS[kind].title, *tally) for kind, tally in counts.items()),
                  key=lambda count: count.title)


def queue_digests(session: Session, *, now: datetime, at: time,
                  base_url: str | None = None) -> int:
    """Once the London day reaches `at`, queue that day's digest for everyone who chose it
    (nothing for a person with nothing open). The day is claimed by inserting its row, so
    one worker queues each day's digests once; a pass after a stopped morning still does."""
    local = now.astimezone(LONDON)
    if local.time() < at:
        return 0
    claimed = session.scalars(
        _insert_new(session, DigestRun)
        .returning(table_of(DigestRun).c.day), [{"day": local.date(), "at": now}]).all()
    if not claimed:
        return 0
    users = _choosing(session, None, Reason.DIGEST)
    principals = _principals(session, users)
    # People who see the same duties get the same counts: asked once per agency and sight.
    seen: dict[tuple[str, frozenset[str]], list[KindCount]] = {}
    rows = []
    for user in users:
        principal = principals[user.id]
        sight = (principal.agency_id, principal.roles & frozenset(SIGHT_ROLES))
        if sight not in seen:
            seen[sight] = digest_counts(session, principal=principal, now=now)
        if seen[sight]:
            rows.append((user, Reason.DIGEST, None, f"digest:{local.date()}:{user.id}",
                         digest_message(counts=[(c.title, c.open, c.due_today, c.breached)
                                                for c in seen[sight]],
                                        day=local.date(), base_url=_base_url(base_url))))
    return _queue(session, rows, now)
