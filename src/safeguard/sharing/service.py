"""Shares with partner agencies, written in the same transaction as the duty that needs them.

For now every share is delivered to the partner's inbox in the product itself, at once; the
receiving agency acknowledges it, which discharges the sharing duty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.db import table_of
from safeguard.duties.models import DISCHARGED, Duty, DutyTransition
from safeguard.duties.service import CreatedDuty, create_duties, dedupe_key
from safeguard.errors import Conflict, Invalid, NotFound
from safeguard.rules.catalogue import kind_of
from safeguard.rules.context import RuleContext
from safeguard.rules.kinds import Arrived
from safeguard.sharing.delivery import enqueue_deliveries
from safeguard.sharing.models import PENDING, SAFEGUARDING_BASIS, WITHDRAWN, Delivery, Share


@dataclass(frozen=True)
class WrittenShare:
    id: int
    to_agency_id: str


@dataclass(frozen=True)
class Shared:
    shares: list[WrittenShare]
    # The duties the shares' arrival raised (social care's referral decision).
    on_arrival: list[CreatedDuty]


# Built once, as intake writes shares for most incidents (see duties.service._INSERT_DUTY).
_INSERT_SHARE = insert(table_of(Share)).returning(table_of(Share).c.id,
                                                  sort_by_parameter_order=True)


def create_shares(
    session: Session,
    *,
    created: Sequence[CreatedDuty],
    now: datetime,
    ctx: RuleContext,
    actor: str,
    none_stored: bool = False,
) -> Shared:
    """A share for each sharing duty just `created`, its webhook deliveries queued, and the
    duties its arrival raises (the kind's `on_arrival`: for a share with social care, the
    referral decision whose clock its arrival starts).

    `none_stored` says the duties' event was stored by this transaction, so no duty of it
    (no referral decision either) is stored yet and the existence checks can be skipped.
    """
    sharing = [duty for duty in created
               if kind_of(duty.draft.kind).is_share and duty.draft.partner_agency_id is not None]
    if not sharing:
        return Shared([], [])
    # What each share holds: only the fields its kind may carry.
    contents = [minimal_content(duty.draft.kind, duty.draft.share_content,
                                ctx.sharing.share_fields) for duty in sharing]
    rows = [{
        "duty_id": duty.id, "kind": duty.draft.kind, "from_agency_id": duty.draft.owner_agency_id,
        "to_agency_id": duty.draft.partner_agency_id,
        "subject_person_id": duty.draft.subject_person_id, "event_id": duty.event_id,
        "lawful_basis": SAFEGUARDING_BASIS, "purpose": duty.draft.share_purpose or duty.draft.kind,
        "content": content, "created_at": now, "delivered_at": now}
        for duty, content in zip(sharing, contents, strict=True)]
    ids = session.connection().execute(_INSERT_SHARE, rows).scalars().all()
    written = [WrittenShare(share_id, str(duty.draft.partner_agency_id))
               for share_id, duty in zip(ids, sharing, strict=True)]
    # Several shares about one child in one event start one follow-up's clock (the first
    # share's, which arrived now).
    raised: list[CreatedDuty] = []
    keys: set[str] = set()
    for duty, content in zip(sharing, contents, strict=True):
        arrival = kind_of(duty.draft.kind).on_arrival
        if arrival is None:
            continue
        for draft in arrival(Arrived(duty_id=duty.id, event_id=duty.event_id,
                                     subject_person_id=duty.draft.subject_person_id,
                                     content=content, at=now), ctx):
            key = dedupe_key(draft, duty.event_id)
            if key in keys:
                continue
            keys.add(key)
            raised += create_duties(session, drafts=[draft], event_id=duty.event_id, now=now,
                                    actor=actor, parent_duty_id=duty.id,
                                    none_stored=none_stored)
    # Partner systems' webhooks are queued in this same transaction: no share without its send.
    enqueue_deliveries(session, shares=[(share.id, share.to_agency_id) for share in written],
                       now=now)
    return Shared(written, raised)


def mark_acknowledged(session: Session, *, duty: Duty, principal: Principal,
                      now: datetime) -> Share | None:
    """The share behind a sharing duty its partner discharged, marked acknowledged."""
    share = session.scalar(select(Share).where(Share.duty_id == duty.id))
    if share is not None and share.acknowledged_at is None:
        share.acknowledged_at, share.acknowledged_by = now, principal.actor
    return share


def withdraw_deliveries(session: Session, *, duty_ids: Sequence[int], why: str) -> int:
    """Stop sending the shares of these duties (closed as duplicates): pending deliveries are
    withdrawn, with the reason; returns how many."""
    return _set_pending(session, duty_ids=duty_ids, from_status=PENDING, to_status=WITHDRAWN,
                        error=why)


def restore_deliveries(session: Session, *, duty_ids: Sequence[int], now: datetime) -> int:
    """Send again what withdraw_deliveries stopped (the duties are open once more)."""
    return _set_pending(session, duty_ids=duty_ids, from_status=WITHDRAWN, to_status=PENDING,
                        error=None, next_attempt_at=now)


def _set_pending(session: Session, *, duty_ids: Sequence[int], from_status: str,
                 to_status: str, error: str | None, next_attempt_at: datetime | None = None
                 ) -> int:
    if not duty_ids:
        return 0
    values: dict[str, Any] = {"status": to_status, "last_error": error}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    result = session.execute(
        update(Delivery).where(
            Delivery.status == from_status,
            Delivery.share_id.in_(select(Share.id).where(Share.duty_id.in_(list(duty_ids)))))
        .values(**values).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def share_for_duty(session: Session, *, duty_id: int) -> Share | None:
    return session.scalar(select(Share).where(Share.duty_id == duty_id))


def minimal_content(kind: str, content: Mapping[str, object],
                    narrowed: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """Only the fields the kind's declaration lets a share carry, or fewer where local
    configuration narrows them (config sharing.share_fields); never a field undeclared."""
    spec = kind_of(kind).share
    allowed = set(spec.keys) if spec else set()
    if narrowed and kind in narrowed:
        allowed &= set(narrowed[kind])
    return {key: value for key, value in content.items() if key in allowed}


# ------------------------------------------------------------------- the partner inbox

REPLY_MAX = 4000


@dataclass(frozen=True)
class InboxFilter:
    include_acknowledged: bool = False


def inbox_page(session: Session, *, principal: Principal, filters: InboxFilter,
               limit: int = 50, offset: int = 0) -> tuple[list[tuple[Share, Duty]], int]:
    """Shares addressed to the agency: undischarged first, then by due time, soonest first."""
    query = (select(Share, Duty).join(Duty, Duty.id == Share.duty_id)
             .where(Share.to_agency_id == principal.agency_id))
    if not filters.include_acknowledged:
        query = query.where(Duty.status != DISCHARGED)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    done_last = case((Duty.status == DISCHARGED, 1), else_=0)
    rows = session.execute(query.order_by(done_last, Duty.due_at, Share.id)
                           .limit(limit).offset(offset)).all()
    return [(row[0], row[1]) for row in rows], total


def inbox_share(session: Session, *, share_id: int, principal: Principal) -> tuple[Share, Duty]:
    """A share in the agency's inbox; any other share does not exist as far as it knows."""
    share = session.get(Share, share_id)
    if share is None or share.to_agency_id != principal.agency_id:
        raise NotFound(f"share {share_id} not found")
    return share, session.get_one(Duty, share.duty_id)


def open_share(session: Session, *, share_id: int, principal: Principal,
               now: datetime) -> tuple[Share, Duty]:
    """Someone at the receiving agency reads the share: audited every time, and the first
    opening is kept on the share (the sender can see it has been read)."""
    share, duty = inbox_share(session, share_id=share_id, principal=principal)
    if share.opened_at is None:
        share.opened_at = now
    audit(session, principal=principal, action="read", entity="share", entity_id=share.id,
          person_id=share.subject_person_id, why="opened the share in the partner inbox")
    return share, duty


def record_reply(session: Session, *, share_id: int, principal: Principal, now: datetime,
                 text: str) -> Share:
    """The receiving agency's reply to the sender, kept with who and when. One per share: a
    reply is a record of what was said, so it is never overwritten."""
    share, _ = inbox_share(session, share_id=share_id, principal=principal)
    text = text.strip()
    if not text:
        raise Invalid("a reply needs some text")
    if len(text) > REPLY_MAX:
        raise Invalid(f"a reply must be {REPLY_MAX} characters or fewer")
    if share.reply is not None:
        raise Conflict(f"share {share_id} already has a reply, recorded at {share.replied_at}")
    share.reply, share.replied_at, share.replied_by = text, now, principal.actor
    audit(session, principal=principal, action="write", entity="share", entity_id=share.id,
          person_id=share.subject_person_id, why="recorded a reply to the share")
    session.flush()
    return share


def shared_by(session: Session, *, duty_ids: Sequence[int]) -> dict[int, str]:
    """Who created each share: the actor of its duty's creation (duty id -> actor)."""
    if not duty_ids:
        return {}
    rows = session.execute(select(DutyTransition.duty_id, DutyTransition.actor)
                           .where(DutyTransition.duty_id.in_(list(duty_ids)),
                                  DutyTransition.action == "created"))
    return {duty_id: actor for duty_id, actor in rows}


def follow_on_duties(session: Session, *, duty_id: int, principal: Principal) -> list[Duty]:
    """Duties the share started that the agency owns (social care's referral decision)."""
    return list(session.scalars(select(Duty).where(
        Duty.parent_duty_id == duty_id, Duty.owner_agency_id == principal.agency_id)
        .order_by(Duty.id)))
