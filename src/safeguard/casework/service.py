"""Raising and discharging duties: the one path for each, whatever the route.

Intake, the web pages, the JSON API, partner acknowledgements and the review queue all raise
and discharge duties through these functions, so a share is always written with its duty, an
acknowledgement always marks its share, and what a kind's declaration says discharging it
raises (a section 47 outcome raises a conference) always follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, AgencyKind, Role
from safeguard.access.names import Names
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.duties.models import ONE_OPEN_STRATEGY_DISCUSSION, Duty
from safeguard.duties.service import (
    CreatedDuty,
    add_evidence,
    create_duties,
    open_strategy_discussion,
    record_discharge,
)
from safeguard.errors import Conflict, Forbidden
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.rules.catalogue import kind_of
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.kinds import Discharged
from safeguard.sharing.models import Share
from safeguard.sharing.service import create_shares, inbox_share, mark_acknowledged
from safeguard.sharing.webhooks import AcknowledgementOut, endpoint_for, verify_acknowledgement


@dataclass(frozen=True)
class Raised:
    duties: list[CreatedDuty]
    share_ids: list[int]

    @property
    def duty_ids(self) -> list[int]:
        return [duty.id for duty in self.duties]


def raise_duties(
    session: Session, *, drafts: Sequence[DutyDraft], event_id: int, now: datetime,
    actor: str, ctx: RuleContext, parent_duty_id: int | None = None,
    none_stored: bool = False,
) -> Raised:
    """Write the drafted duties, a share for each that is a share, and the duties the shares'
    arrival raises."""
    created = create_duties(session, drafts=drafts, event_id=event_id, now=now, actor=actor,
                            parent_duty_id=parent_duty_id, none_stored=none_stored)
    shared = create_shares(session, created=created, now=now, ctx=ctx, actor=actor,
                           none_stored=none_stored)
    return Raised([*created, *shared.on_arrival], [share.id for share in shared.shares])


def refused_as_second_discussion(error: IntegrityError) -> bool:
    """Whether the one-open-discussion index refused an insert, not some other constraint.
    PostgreSQL names the index; SQLite names the indexed column."""
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if constraint is not None:
        return bool(constraint == ONE_OPEN_STRATEGY_DISCUSSION)
    return "duties.subject_person_id" in str(error.orig)


def raise_strategy_discussion(
    session: Session, *, draft: DutyDraft, event_id: int, now: datetime, actor: str,
    ctx: RuleContext,
) -> list[int]:
    """The drafted strategy discussion, or its evidence added to the child's open one: one
    open per child. The database's unique index refuses a second raised by another
    transaction meanwhile (the insert runs in a savepoint), and the evidence goes to that
    one; returns the ids of the duties raised."""
    if draft.subject_person_id is None:
        raise ValueError("a strategy discussion is about a child")
    # Twice at most: the discussion that refused this one may be held before it is looked up.
    for _ in range(2):
        open_id = open_strategy_discussion(session, person_id=draft.subject_person_id)
        if open_id is not None and add_evidence(session, duty_id=open_id, lines=draft.evidence,
                                                now=now, actor=actor) is not None:
            return []
        try:
            with session.begin_nested():
                return raise_duties(session, drafts=[draft], event_id=event_id, now=now,
                                    actor=actor, ctx=ctx).duty_ids
        except IntegrityError as error:
            if not refused_as_second_discussion(error):
                raise  # another constraint: a real fault
    raise Conflict(f"the strategy discussion for person {draft.subject_person_id} kept "
                   "changing while this event was recorded; record it again")


def acting_for_social_care(session: Session, principal: Principal) -> Principal:
    """Who discharges social care's duty for an event recorded as social care: its own
    principal, or the import (the system, which may load any source) acting for it."""
    if principal.agency_id == AgencyKind.CHILDRENS_SOCIAL_CARE:
        return principal
    agency = session.get_one(Agency, AgencyKind.CHILDRENS_SOCIAL_CARE.value)
    return replace(principal, agency_id=agency.id, agency_name=agency.name,
                   agency_kind=agency.kind, roles=frozenset({Role.PRACTITIONER.value}))


def discharge(
    session: Session, *, duty_id: int, principal: Principal, now: datetime, ctx: RuleContext,
    outcome: str | None = None, note: str | None = None,
) -> Duty:
    """Discharge a duty (permissions and outcomes as its kind declares), mark its share
    acknowledged when its partner discharged it, raise what discharging it triggers, and
    audit it. A partner's system with a webhook endpoint acknowledges a share only by its
    signed acknowledgement (`acknowledge_from_partner_system`), never here."""
    _refuse_unsigned_acknowledgement(session, duty_id=duty_id, principal=principal)
    return _discharge(session, duty_id=duty_id, principal=principal, now=now, ctx=ctx,
                      outcome=outcome, note=note)


def _refuse_unsigned_acknowledgement(session: Session, *, duty_id: int,
                                     principal: Principal) -> None:
    """One rule for acknowledging a share, on every route: an agency that receives shares by
    webhook has its systems sign their acknowledgements, so an API key alone (which a leaked
    config file gives away) cannot acknowledge a share and stop its escalation. A person
    signed in to the inbox still acknowledges with a click."""
    if principal.kind != "api_key":
        return
    duty = session.get(Duty, duty_id)
    if (duty is None or duty.partner_agency_id != principal.agency_id
            or not kind_of(duty.kind).is_share
            or endpoint_for(session, agency_id=principal.agency_id) is None):
        return
    share_id = session.scalar(select(Share.id).where(Share.duty_id == duty.id))
    raise Forbidden(
        f"{principal.agency_id} receives shares by webhook, so its systems acknowledge a share "
        f"only with a signed acknowledgement: POST /api/v1/shares/{share_id}/acknowledgement "
        "with webhook-id, webhook-timestamp and webhook-signature headers")


def _discharge(
    session: Session, *, duty_id: int, principal: Principal, now: datetime, ctx: RuleContext,
    outcome: str | None = None, note: str | None = None,
) -> Duty:
    duty = record_discharge(session, duty_id=duty_id, principal=principal, now=now,
                            outcome=outcome, note=note)
    kind = kind_of(duty.kind)
    if kind.is_share and principal.agency_id == duty.partner_agency_id:
        mark_acknowledged(session, duty=duty, principal=principal, now=now)
    if kind.follow_up is not None:
        subject = (session.get(Person, duty.subject_person_id)
                   if duty.subject_person_id is not None else None)
        drafts = kind.follow_up(Discharged(
            duty_id=duty.id, event_id=duty.event_id, subject_person_id=duty.subject_person_id,
            subject_name=person_name(subject) if subject else "the child", outcome=outcome,
            at=now), ctx)
        raise_duties(session, drafts=drafts, event_id=duty.event_id, now=now,
                     actor=principal.actor, ctx=ctx, parent_duty_id=duty.id)
    audit(session, principal=principal, action="write", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id,
          why=f"discharged: {kind.action.lower()}" + (f" ({outcome})" if outcome else ""))
    session.flush()
    return duty


def acknowledge_share(session: Session, *, share_id: int, principal: Principal, now: datetime,
                      ctx: RuleContext, note: str | None = None) -> Share:
    """The receiving agency acknowledges a share in its inbox, which discharges the duty."""
    share, duty = inbox_share(session, share_id=share_id, principal=principal)
    discharge(session, duty_id=duty.id, principal=principal, now=now, ctx=ctx, note=note)
    audit(session, principal=principal, action="write", entity="share", entity_id=share.id,
          person_id=share.subject_person_id, why="acknowledged the share")
    return share


def acknowledge_from_partner_system(
    session: Session, *, share_id: int, principal: Principal, body: bytes,
    msg_id: str | None, timestamp: str | None, signature: str | None, now: datetime,
    ctx: RuleContext,
) -> AcknowledgementOut:
    """A partner system's signed acknowledgement: verified first, then the duty discharged by
    the same function as a user's click. Repeating it returns the original acknowledgement."""
    share, ack = verify_acknowledgement(session, share_id=share_id, principal=principal,
                                        body=body, msg_id=msg_id, timestamp=timestamp,
                                        signature=signature, now=now)
    names = Names(session)
    if share.acknowledged_at is not None:
        by = share.acknowledged_by or ""
        return AcknowledgementOut(share_id=share.id, acknowledged_at=share.acknowledged_at,
                                  acknowledged_by=by, acknowledged_by_name=names.actor(by),
                                  already_acknowledged=True)
    note = f"Received by {principal.display_name} at {ack.received_at.isoformat()}."
    if ack.note:
        note += f" {ack.note}"
    # Verified above, so the rule `discharge` holds API keys to is met here.
    _discharge(session, duty_id=share.duty_id, principal=principal, now=now, ctx=ctx,
               note=note)
    session.refresh(share)
    if share.acknowledged_at is None:  # discharged by its partner, so marked acknowledged
        raise RuntimeError(f"share {share.id} was not marked acknowledged")
    by = share.acknowledged_by or principal.actor
    return AcknowledgementOut(share_id=share.id, acknowledged_at=share.acknowledged_at,
                              acknowledged_by=by, acknowledged_by_name=names.actor(by),
                              already_acknowledged=False)
