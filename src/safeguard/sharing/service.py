"""Shares with partner agencies, written in the same transaction as the duty that needs them.

For now every share is delivered to the partner's inbox in the product itself, at once; the
receiving agency acknowledges it, which discharges the sharing duty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.config import ClockSettings
from safeguard.duties.models import Duty
from safeguard.duties.service import create_duties, on_discharge, on_share_lookup
from safeguard.rules.drafts import ENCOMPASS_NOTICE, SHARE_WITH_CSC, DutyDraft
from safeguard.rules.incidents import referral_decision_duty
from safeguard.sharing.models import SAFEGUARDING_BASIS, Share
from safeguard.workdays import WorkingCalendar

SHARE_KINDS = (SHARE_WITH_CSC, ENCOMPASS_NOTICE)


def create_shares(
    session: Session,
    *,
    created: Sequence[tuple[Duty, DutyDraft]],
    now: datetime,
    calendar: WorkingCalendar,
    clocks: ClockSettings,
    actor: str,
) -> list[Share]:
    shares = []
    for duty, draft in created:
        if draft.kind not in SHARE_KINDS or draft.partner_agency_id is None:
            continue
        share = Share(
            duty_id=duty.id, kind=draft.kind, from_agency_id=draft.owner_agency_id,
            to_agency_id=draft.partner_agency_id, subject_person_id=draft.subject_person_id,
            event_id=duty.event_id, lawful_basis=SAFEGUARDING_BASIS,
            purpose=draft.share_purpose or draft.kind, content=dict(draft.share_content),
            created_at=now, delivered_at=now,
        )
        session.add(share)
        session.flush()
        shares.append(share)
        if draft.kind == SHARE_WITH_CSC:
            _start_referral_clock(session, share=share, duty=duty, calendar=calendar,
                                  clocks=clocks, actor=actor)
    return shares


def _start_referral_clock(
    session: Session, *, share: Share, duty: Duty, calendar: WorkingCalendar,
    clocks: ClockSettings, actor: str,
) -> None:
    """The referral decision's clock starts when the notification reaches social care."""
    assert share.delivered_at is not None
    draft = referral_decision_duty(
        subject_person_id=share.subject_person_id,
        reference=str(share.content.get("police_reference", "")),
        child_name=str(share.content.get("child_name", "the child")),
        arrived_at=share.delivered_at, calendar=calendar, clocks=clocks,
    )
    create_duties(session, drafts=[draft], event_id=duty.event_id, now=share.delivered_at,
                  actor=actor, parent_duty_id=duty.id)


def _acknowledge(session: Session, duty: Duty, principal: Principal, now: datetime) -> None:
    share = session.scalar(select(Share).where(Share.duty_id == duty.id))
    if share is not None and share.acknowledged_at is None:
        share.acknowledged_at, share.acknowledged_by = now, principal.actor


for _kind in SHARE_KINDS:
    on_discharge(_kind, _acknowledge)


def share_for_duty(session: Session, *, duty_id: int) -> Share | None:
    return session.scalar(select(Share).where(Share.duty_id == duty_id))


on_share_lookup(lambda session, duty_id: share_for_duty(session, duty_id=duty_id))


def inbox(session: Session, *, principal: Principal, include_acknowledged: bool = False,
          limit: int = 100) -> list[tuple[Share, Duty]]:
    query = (select(Share, Duty).join(Duty, Duty.id == Share.duty_id)
             .where(Share.to_agency_id == principal.agency_id))
    if not include_acknowledged:
        query = query.where(Share.acknowledged_at.is_(None))
    rows = session.execute(query.order_by(Duty.due_at).limit(limit)).all()
    return [(row[0], row[1]) for row in rows]
