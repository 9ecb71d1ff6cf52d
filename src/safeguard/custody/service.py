"""A detention in police custody and its steps: stored, checked in order, turned into duties.

Intake hands each custody event here. The detainee is resolved like anyone else; a child's
detention raises its clocks through casework (shares with the council are written, delivered
and acknowledged like every other), and each step discharges the duties it answers through
casework too, so a step arriving by import, API or form does exactly what a click would.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, Role
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import discharge, raise_duties
from safeguard.custody.models import Detention, DetentionStep
from safeguard.duties.models import DISCHARGED, Duty, Notification
from safeguard.errors import Invalid
from safeguard.events.custody import CustodyDetentionEvent, CustodyUpdateEvent
from safeguard.people.models import Person
from safeguard.people.service import link_record, person_name
from safeguard.rules.context import RuleContext
from safeguard.rules.custody import (
    AgeStatus,
    DetentionFacts,
    DetentionState,
    StepFacts,
    advance,
    age_gaps,
    age_status,
    detention_duties,
    discharges,
    refusal,
    step_duties,
)
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.quality import data_quality_duties, identifier_conflict_gaps
from safeguard.sharing.webhooks import endpoint_for


@dataclass
class CustodyAccepted:
    detention_id: int
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)
    share_ids: list[int] = field(default_factory=list)


def _live(ctx: RuleContext, at: datetime) -> bool:
    return ctx.live_from is None or at >= ctx.live_from


def accept_detention(
    session: Session, *, event_id: int, data: CustodyDetentionEvent, via: str,
    principal: Principal, ctx: RuleContext, now: datetime,
) -> CustodyAccepted:
    """Store the detention, resolve the detainee, and raise a child's duties."""
    if session.scalar(select(Detention.id).where(Detention.reference == data.source_id)):
        raise Invalid(f"source_id: custody record {data.source_id} is already recorded")
    reference = f"{data.source_id}#detainee"
    linked = link_record(session, fields=data.detainee, source=data.source,
                         source_id=reference, event_id=event_id, address_id=None,
                         school_urn=None, recorded_at=data.arrived_at, none_stored=True)
    person = linked.person
    age = age_status(dob=data.detainee.dob, age_stated=data.age_stated,
                     arrived_at=data.arrived_at, adult_age=ctx.custody.adult_age)
    settings = ctx.custody
    detention = Detention(
        event_id=event_id, reference=data.source_id, person_id=person.id,
        custody_suite=data.custody_suite, offence=data.offence, officer=data.officer,
        arrived_at=data.arrived_at, authorised_at=data.detention_authorised_at,
        dob=data.detainee.dob, age=age.age, age_basis=age.basis, child=age.child)
    if age.child:
        detention.next_review_due_at = data.detention_authorised_at + _h(
            settings.first_review_hours)
        detention.limit_due_at = data.detention_authorised_at + _h(
            settings.detention_limit_hours)
    session.add(detention)
    session.flush()
    result = CustodyAccepted(detention.id, person_ids=[person.id])
    audit(session, principal=principal, action="write", entity="custody_detention",
          entity_id=detention.id, person_id=person.id,
          why=f"{via} of custody record {data.source_id}")
    facts = _facts(detention, person)
    gaps = identifier_conflict_gaps(linked.identifier_conflicts, owner="police",
                                    subject_person_id=person.id,
                                    record=f"police custody record {data.source_id}")
    drafts: list[DutyDraft] = []
    if _live(ctx, data.arrived_at):
        drafts = detention_duties(facts, settings)
        gaps += age_gaps(facts)
    drafts += data_quality_duties(gaps, reference=data.source_id, recorded_at=data.arrived_at,
                                  calendar=ctx.calendar, clocks=ctx.clocks)
    raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    result.duty_ids, result.share_ids = raised.duty_ids, raised.share_ids
    return result


def accept_update(
    session: Session, *, event_id: int, data: CustodyUpdateEvent, via: str,
    principal: Principal, ctx: RuleContext, now: datetime,
) -> CustodyAccepted:
    """Check the step follows the steps so far (refused with the reason if not), store it,
    discharge what it answers and raise what it starts."""
    detention = session.scalars(select(Detention).where(Detention.reference == data.detention)
                                .with_for_update()).one_or_none()
    if detention is None:
        raise Invalid(f"detention: no custody record {data.detention} has been received; "
                      "send its custody_detention event first")
    before = state_of(detention)
    why_not = refusal(before, data.step, data.at)
    if why_not is not None:
        raise Invalid(f"step: {why_not} (custody record {data.detention})")
    step = StepFacts(step=data.step, at=data.at, accommodation=data.accommodation,
                     offered=data.offered, reason=data.reason, explanation=data.explanation)
    facts_json = {key: value for key, value in (
        ("accommodation", data.accommodation), ("offered", data.offered),
        ("reason", data.reason)) if value is not None}
    session.add(DetentionStep(detention_id=detention.id, event_id=event_id, step=data.step,
                              at=data.at, source=data.source, details=data.details,
                              inspector=data.inspector, explanation=data.explanation,
                              facts=facts_json or None))
    _apply(detention, advance(before, data.step, data.at, data.accommodation), step, ctx)
    session.flush()
    result = CustodyAccepted(detention.id, person_ids=[detention.person_id])
    audit(session, principal=principal, action="write", entity="custody_detention",
          entity_id=detention.id, person_id=detention.person_id,
          why=f"{via} of custody step {data.step} ({data.source_id})")
    person = session.get_one(Person, detention.person_id)
    facts = _facts(detention, person)
    if not detention.child:
        return result
    _discharge_answered(session, detention=detention, step=step, before=before,
                        principal=principal, ctx=ctx)
    drafts = step_duties(facts, before, step, ctx.custody) if _live(ctx, data.at) else []
    raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    result.duty_ids, result.share_ids = raised.duty_ids, raised.share_ids
    if _live(ctx, data.at):
        _notify(session, detention=detention, facts=facts, step=step, before=before, now=now,
                duty_ids=raised.duty_ids)
    return result


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _facts(detention: Detention, person: Person) -> DetentionFacts:
    return DetentionFacts(
        person_id=person.id, child_name=person_name(person), child_dob=detention.dob,
        reference=detention.reference, suite=detention.custody_suite,
        offence=detention.offence, arrived_at=detention.arrived_at,
        authorised_at=detention.authorised_at,
        age=AgeStatus(detention.age, detention.age_basis, detention.child))


def state_of(detention: Detention) -> DetentionState:
    return DetentionState(
        arrived_at=detention.arrived_at, authorised_at=detention.authorised_at,
        aa_requested_at=detention.aa_requested_at, extended_at=detention.extended_at,
        charged_at=detention.charged_at, bail_refused_at=detention.bail_refused_at,
        transfer_requested_at=detention.transfer_requested_at,
        accommodation=detention.accommodation, ended_step=detention.ended_step,
        ended_at=detention.ended_at)


def _apply(detention: Detention, state: DetentionState, step: StepFacts,
           ctx: RuleContext) -> None:
    detention.aa_requested_at = state.aa_requested_at
    detention.extended_at = state.extended_at
    detention.charged_at = state.charged_at
    detention.bail_refused_at = state.bail_refused_at
    detention.transfer_requested_at = state.transfer_requested_at
    detention.accommodation = state.accommodation
    detention.ended_step, detention.ended_at = state.ended_step, state.ended_at
    if not detention.child:
        return
    settings = ctx.custody
    if step.step == "review":
        detention.next_review_due_at = step.at + _h(settings.review_interval_hours)
    elif step.step == "extension_authorised":
        detention.limit_due_at = detention.authorised_at + _h(settings.extended_limit_hours)
    elif step.step == "charged":
        detention.limit_due_at = None
    if state.ended_step is not None:
        detention.next_review_due_at = detention.limit_due_at = None


def detention_duty_ids(session: Session, *, detention: Detention) -> list[int]:
    """The duties raised by the detention's events (the detention and each of its steps)."""
    steps = select(DetentionStep.event_id).where(DetentionStep.detention_id == detention.id)
    return list(session.scalars(select(Duty.id).where(
        or_(Duty.event_id == detention.event_id, Duty.event_id.in_(steps)),
        Duty.subject_person_id == detention.person_id).order_by(Duty.id)))


def _discharge_answered(session: Session, *, detention: Detention, step: StepFacts,
                        before: DetentionState, principal: Principal,
                        ctx: RuleContext) -> None:
    """Discharge the open duties of this detention that the step answers, acting for the
    duty's owner: the custody record's step is the evidence, as a click on the duty page
    would be (a child moved ends the council's search for a place too)."""
    wanted = {kind.name: outcome for kind, outcome in discharges(step, before)}
    if not wanted:
        return
    ids = detention_duty_ids(session, detention=detention)
    duties = session.scalars(select(Duty).where(
        Duty.id.in_(ids), Duty.kind.in_(list(wanted)), Duty.status != DISCHARGED)
        .order_by(Duty.id)).all()
    for duty in duties:
        acting = _acting_for(session, principal=principal, agency_id=duty.owner_agency_id,
                             role=duty.owner_role)
        # Done when the step was, not when its record arrived: a step sent late was still
        # in time if it happened in time (its lateness is in the event's received_at).
        discharge(session, duty_id=duty.id, principal=acting, now=step.at, ctx=ctx,
                  outcome=wanted[duty.kind],
                  note=f"Custody record {detention.reference}: {step.step.replace('_', ' ')} "
                       f"at {step.at.isoformat()}.")
    if step.step == "la_response":
        _acknowledge_request(session, detention=detention, ids=ids, principal=principal,
                             ctx=ctx, now=step.at)


def _acknowledge_request(session: Session, *, detention: Detention, ids: list[int],
                         principal: Principal, ctx: RuleContext, now: datetime) -> None:
    """The council's answer shows its request arrived: its share is acknowledged too."""
    share_duties = session.scalars(select(Duty).where(
        Duty.id.in_(ids), Duty.kind == "custody_accommodation_request",
        Duty.status != DISCHARGED)).all()
    for duty in share_duties:
        if principal.kind == "api_key" and endpoint_for(
                session, agency_id=str(duty.partner_agency_id)) is not None:
            continue  # its systems acknowledge by a signed acknowledgement, never otherwise
        acting = _acting_for(session, principal=principal,
                             agency_id=str(duty.partner_agency_id), role=None)
        discharge(session, duty_id=duty.id, principal=acting, now=now, ctx=ctx,
                  note=f"Answered for custody record {detention.reference}.")


def _acting_for(session: Session, *, principal: Principal, agency_id: str,
                role: str | None) -> Principal:
    if principal.agency_id == agency_id and (role is None or principal.has_role(role)):
        return principal
    agency = session.get(Agency, agency_id)
    roles = principal.roles | ({role} if role else set())
    return replace(principal, agency_id=agency_id,
                   agency_name=agency.name if agency else agency_id,
                   agency_kind=agency.kind if agency else agency_id, roles=frozenset(roles))


def _notify(session: Session, *, detention: Detention, facts: DetentionFacts,
            step: StepFacts, before: DetentionState, now: datetime,
            duty_ids: list[int]) -> None:
    """What must be heard at once, not at a breach: a certificate reaches the police
    supervisor; a council's "none" to a non-secure request reaches its senior manager."""
    duty_id = duty_ids[0] if duty_ids else None
    if step.step == "certificate":
        session.add(Notification(
            created_at=now, agency_id="police", role=Role.SUPERVISOR, duty_id=duty_id,
            kind="custody_certificate",
            message=f"Custody record {detention.reference}: the custody officer certified "
                    f"that {facts.child_name} stays in police custody after charge "
                    f"({(step.reason or '').replace('_', ' ')}). {step.explanation or ''}"))
    elif step.step == "la_response" and step.offered == "none" \
            and before.accommodation == "non_secure":
        session.add(Notification(
            created_at=now, agency_id="childrens_social_care", role=Role.SENIOR_MANAGER,
            duty_id=duty_id, kind="escalation",
            message=f"Custody record {detention.reference}: no non-secure place was offered "
                    f"for {facts.child_name}, refused bail at {detention.custody_suite}. A "
                    "council always accepts a non-secure request (Concordat)."))
    session.flush()
