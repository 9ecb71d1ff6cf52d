"""Seized devices: a submission joins the queue at the priority its facts call for, each step
of its examination is recorded in order, the priority rises (never falls) as new facts
arrive, and findings about children go to children's social care.

Intake hands this area its two events and, when a child's record arrives, the record; the
pure rules are in rules/forensics.py. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import discharge as discharge_duty
from safeguard.casework.service import raise_duties
from safeguard.duties.models import DISCHARGED, OPEN, Duty, DutyTransition
from safeguard.errors import InvalidField
from safeguard.events.forensics import DeviceExaminationEvent, DeviceSubmissionEvent, PersonAt
from safeguard.forensics.discussions import raise_or_add_discussion
from safeguard.forensics.models import (
    COMPLETED,
    ENDED,
    RETURNED,
    STARTED,
    TRIAGED,
    WAITING,
    Device,
    DeviceStep,
)
from safeguard.people.models import Address, Person, PersonRecord
from safeguard.people.service import (
    address_label,
    age_on,
    children_at_address,
    describe_record,
    known_addresses,
    link_record,
    person_name,
    upsert_address,
)
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.forensics import (
    DEVICE_EXAMINATION,
    DEVICE_TRIAGE,
    FINDINGS_SHARE,
    Assessed,
    ChildAtRisk,
    Clocks,
    DeviceFacts,
    FindingsFacts,
    PriorityFacts,
    assess_priority,
    children_to_protect,
    clocks_for,
    examination_duty,
    findings_share_duties,
    risen,
    strategy_evidence,
    submission_gaps,
    triage_duty,
)
from safeguard.rules.quality import data_quality_duties
from safeguard.workdays import LONDON

# The steps that may follow each stage; anything else is out of order.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    WAITING: ("triage", "started", RETURNED),
    TRIAGED: ("started", RETURNED),
    STARTED: (COMPLETED, RETURNED),
    COMPLETED: (), RETURNED: (),
}
STAGE_AFTER = {"triage": TRIAGED, "started": STARTED, COMPLETED: COMPLETED, RETURNED: RETURNED}


@dataclass
class DeviceAccepted:
    device_id: int
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)
    share_ids: list[int] = field(default_factory=list)


def _live(ctx: RuleContext, at: datetime) -> bool:
    return ctx.live_from is None or at >= ctx.live_from


def _london_day(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def _children_words(session: Session, *, address_id: int | None, on: date,
                    exclude: list[int]) -> list[tuple[ChildAtRisk, str]]:
    """Children partner records place at the address, each as a child at risk (living with
    the suspect) and in words naming the record."""
    if address_id is None:
        return []
    address = session.get_one(Address, address_id)
    found = []
    for resident in children_at_address(session, address_id=address_id, on=on, exclude=exclude):
        name, record = person_name(resident.person), describe_record(resident.record)
        found.append((ChildAtRisk(
            person_id=resident.person.id, name=name,
            dob=resident.person.dob.isoformat() if resident.person.dob else None,
            why=f"lives at the suspect's address ({record})", victim=False,
            address=address_label(address)), f"{name} ({record})"))
    return found


def _device_facts(device: Device, suspect_name: str | None) -> DeviceFacts:
    return DeviceFacts(exhibit=device.exhibit, case_reference=device.case_reference,
                       device=device.device, suspect_name=suspect_name,
                       suspect_person_id=device.suspect_person_id, priority=device.priority,
                       priority_reason=device.priority_reason)


def _suspect_name(session: Session, device: Device) -> str | None:
    if device.suspect_person_id is None:
        return None
    return person_name(session.get_one(Person, device.suspect_person_id))


def _link_person(session: Session, *, person: PersonAt, source_id: str, event_id: int,
                 at: datetime) -> tuple[Person, int | None]:
    address = upsert_address(session, address=person.address) if person.address else None
    linked = link_record(session, fields=person, source="police", source_id=source_id,
                         event_id=event_id, address_id=address.id if address else None,
                         school_urn=None, recorded_at=at)
    return linked.person, address.id if address else None


def accept_submission(
    session: Session, *, event_id: int, data: DeviceSubmissionEvent, via: str,
    principal: Principal, ctx: RuleContext, now: datetime,
) -> DeviceAccepted:
    """A device joins the queue: its suspect resolved, the children partner records place at
    the suspect's address read, its priority and clocks set, its duties raised."""
    suspect_id: int | None = None
    address_id: int | None = None
    if data.suspect is not None:
        suspect, address_id = _link_person(session, person=data.suspect,
                                           source_id=f"{data.source_id}#suspect",
                                           event_id=event_id, at=data.submitted_at)
        suspect_id = suspect.id
        if address_id is None:  # where any agency records the suspect now
            known = known_addresses(session, person_id=suspect_id)
            address_id = known[0].address.id if known else None
    children = _children_words(session, address_id=address_id, on=_london_day(now),
                               exclude=[suspect_id] if suspect_id else [])
    assessed = assess_priority(PriorityFacts(
        offence=data.offence, threat_to_life=data.threat_to_life,
        officer_says_access=data.suspect_has_access_to_children,
        children_at_address=tuple(words for _, words in children)))
    clocks = clocks_for(assessed.priority, start=data.submitted_at, settings=ctx.forensics)
    device = Device(
        event_id=event_id, exhibit=data.source_id, case_reference=data.case_reference,
        device=data.device, offence=data.offence, officer=data.officer,
        seized_at=data.seized_at, submitted_at=data.submitted_at,
        suspect_person_id=suspect_id, suspect_address_id=address_id,
        officer_says_access=data.suspect_has_access_to_children,
        threat_to_life=data.threat_to_life, priority=assessed.priority,
        priority_reason=assessed.reason, stage=WAITING, triage_due_at=clocks.triage_due,
        complete_due_at=clocks.complete_due, category_a=0, category_b=0, category_c=0,
        new_images=0)
    session.add(device)
    session.flush()
    session.add(DeviceStep(device_id=device.id, event_id=event_id, kind="submitted",
                           at=data.submitted_at, examiner=data.officer,
                           note=f"Priority {assessed.priority}: {assessed.reason}"))
    result = DeviceAccepted(device.id, person_ids=[suspect_id] if suspect_id else [])
    if _live(ctx, data.submitted_at):
        facts = _device_facts(device, _suspect_name(session, device))
        drafts = [examination_duty(facts, due_at=clocks.complete_due)]
        if clocks.triage_due is not None:
            drafts.insert(0, triage_duty(facts, due_at=clocks.triage_due))
        drafts += data_quality_duties(
            submission_gaps(exhibit=device.exhibit, suspect_person_id=suspect_id,
                            suspect_name=facts.suspect_name, address_known=address_id is not None),
            reference=data.source_id, recorded_at=data.submitted_at, calendar=ctx.calendar,
            clocks=ctx.clocks)
        _raise_device_duties(session, device=device, drafts=drafts, event_id=event_id,
                             ctx=ctx, now=now, actor=principal.actor, result=result)
    audit(session, principal=principal, action="write", entity="forensic_device",
          entity_id=device.id, person_id=suspect_id,
          why=f"{via} of device submission {data.source_id}")
    session.flush()
    return result


def _raise_device_duties(session: Session, *, device: Device, drafts: list[DutyDraft],
                         event_id: int, ctx: RuleContext, now: datetime, actor: str,
                         result: DeviceAccepted) -> None:
    raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now, actor=actor,
                          ctx=ctx)
    for created in raised.duties:
        if created.draft.kind == DEVICE_TRIAGE.name:
            device.triage_duty_id = created.id
        elif created.draft.kind == DEVICE_EXAMINATION.name:
            device.examination_duty_id = created.id
    result.duty_ids += raised.duty_ids
    result.share_ids += raised.share_ids


# ------------------------------------------------------------------------ examination steps


def _device_for_step(session: Session, data: DeviceExaminationEvent) -> Device:
    device = session.scalars(select(Device).where(Device.exhibit == data.submission)
                             .with_for_update()).one_or_none()
    if device is None:
        raise InvalidField("submission", f"no device submission {data.submission!r} is known; "
                                         "send the device_submission first")
    allowed = NEXT_STEPS[device.stage]
    if data.step not in allowed:
        follows = " or ".join(allowed) if allowed else "nothing (its examination has ended)"
        raise InvalidField("step", f"device {device.exhibit} is {device.stage.replace('_', ' ')}"
                                   f"; a {data.step} step cannot follow (next: {follows})")
    last = max(t for t in (device.submitted_at, device.triaged_at, device.started_at)
               if t is not None)
    if data.at < last:
        raise InvalidField("at", f"{data.at.isoformat()} is before the device's previous step "
                                 f"({last.isoformat()})")
    return device


def accept_examination(
    session: Session, *, event_id: int, data: DeviceExaminationEvent, via: str,
    principal: Principal, ctx: RuleContext, now: datetime,
) -> DeviceAccepted:
    """A step of a device's examination, in order: it discharges the duty it completes, may
    raise the priority (triage finding category A or new images), and sends findings about
    children to social care."""
    device = _device_for_step(session, data)
    result = DeviceAccepted(device.id)
    device.stage = STAGE_AFTER[data.step]
    if data.step == "triage":
        device.triaged_at = data.at
    elif data.step == "started":
        device.started_at = data.at
    else:
        device.ended_at = data.at
    findings = data.findings
    victims: list[ChildAtRisk] = []
    if findings is not None:
        device.category_a, device.category_b = findings.category_a, findings.category_b
        device.category_c, device.new_images = findings.category_c, findings.new_images
        for number, victim in enumerate(findings.victims_identified, start=1):
            person, address_id = _link_person(session, person=victim,
                                              source_id=f"{data.source_id}#victim{number}",
                                              event_id=event_id, at=data.at)
            address = session.get(Address, address_id) if address_id else None
            victims.append(ChildAtRisk(
                person_id=person.id, name=person_name(person),
                dob=person.dob.isoformat() if person.dob else None,
                why="is identified as a victim in the images", victim=True,
                address=address_label(address) if address else None))
    result.person_ids = [v.person_id for v in victims]
    session.add(DeviceStep(
        device_id=device.id, event_id=event_id, kind=data.step, at=data.at,
        examiner=data.examiner,
        findings={**findings.model_dump(exclude={"victims_identified"}),
                  "victim_person_ids": result.person_ids} if findings else None))
    session.flush()
    live = _live(ctx, data.at)
    if live:
        _discharge_for_step(session, device=device, step=data.step, principal=principal,
                            ctx=ctx, now=now)
    if findings is not None:
        if data.step == "triage" and device.ended_at is None:
            _reassess(session, device=device, at=data.at, event_id=event_id, ctx=ctx, now=now,
                      actor=principal.actor, result=result)
        facts = FindingsFacts(findings.category_a, findings.category_b, findings.category_c,
                              findings.new_images, data.at, data.step)
        living = [child for child, _ in _children_words(
            session, address_id=device.suspect_address_id, on=_london_day(now),
            exclude=[device.suspect_person_id] if device.suspect_person_id else [])]
        chosen = children_to_protect(facts, victims=tuple(victims),
                                     living_with_suspect=tuple(living))
        if live and chosen:
            _protect(session, device=device, findings=facts, children=chosen,
                     event_id=event_id, ctx=ctx, now=now, actor=principal.actor, result=result)
    audit(session, principal=principal, action="write", entity="forensic_device",
          entity_id=device.id, person_id=device.suspect_person_id,
          why=f"{via} of {data.step} step {data.source_id} of device {device.exhibit}")
    for person_id in result.person_ids:
        audit(session, principal=principal, action="write", entity="forensic_device",
              entity_id=device.id, person_id=person_id,
              why=f"{via} of victim identified in step {data.source_id}")
    session.flush()
    return result


def _as_owner(principal: Principal) -> Principal:
    """Who discharges a device's duty from a step the police recorded: the principal itself
    when it is the police's; the system's import acts as the police, whose record it loads."""
    if principal.agency_id == AgencyKind.POLICE.value:
        return principal
    return replace(principal, agency_id=AgencyKind.POLICE.value,
                   agency_kind=AgencyKind.POLICE.value)


def _discharge_for_step(session: Session, *, device: Device, step: str, principal: Principal,
                        ctx: RuleContext, now: datetime) -> None:
    """Triage (or starting the examination, which triages as it goes) discharges the triage
    duty; completing or returning the device discharges the examination duty."""
    plan: list[tuple[int | None, str, str]] = [
        (device.triage_duty_id, "triaged",
         "Triaged" if step == "triage" else f"Device {step.replace('_', ' ')} without a "
                                            "separate triage")]
    if step in ENDED:
        plan.append((device.examination_duty_id, step, f"Device {step.replace('_', ' ')}"))
    for duty_id, outcome, note in plan:
        if duty_id is None:
            continue
        if session.get_one(Duty, duty_id).status == DISCHARGED:
            continue  # recorded by hand on the duty page already
        discharge_duty(session, duty_id=duty_id, principal=_as_owner(principal), now=now,
                       ctx=ctx, outcome=outcome, note=note)


# --------------------------------------------------------------------- priority and clocks


def _reassess(session: Session, *, device: Device, at: datetime, event_id: int,
              ctx: RuleContext, now: datetime, actor: str, result: DeviceAccepted) -> None:
    """Assess the device again with everything now known, and raise it if that calls for a
    higher priority."""
    children = _children_words(session, address_id=device.suspect_address_id,
                               on=_london_day(now),
                               exclude=[device.suspect_person_id] if device.suspect_person_id
                               else [])
    triaged = device.triaged_at is not None
    assessed = assess_priority(PriorityFacts(
        offence=device.offence, threat_to_life=device.threat_to_life,
        officer_says_access=device.officer_says_access,
        children_at_address=tuple(words for _, words in children),
        category_a=device.category_a if triaged else 0,
        new_images=device.new_images if triaged else 0))
    higher = risen(device.priority, assessed)
    if higher is not None:
        _raise_priority(session, device=device, to=higher, at=at, event_id=event_id, ctx=ctx,
                        now=now, actor=actor, result=result)


def _raise_priority(session: Session, *, device: Device, to: Assessed, at: datetime,
                    event_id: int, ctx: RuleContext, now: datetime, actor: str,
                    result: DeviceAccepted) -> None:
    """The priority rises: its clocks shorten to run from the fact that raised it (never past
    those it had), the open duties' deadlines with them, and a triage duty is raised if the
    new priority has a triage clock the device had not."""
    before = Clocks(device.triage_due_at, device.complete_due_at)
    start = max(at, device.submitted_at)
    clocks = clocks_for(to.priority, start=start, settings=ctx.forensics, before=before)
    note = f"Priority {device.priority} raised to {to.priority}: {to.reason}"
    device.priority, device.priority_reason = to.priority, to.reason
    device.complete_due_at = clocks.complete_due
    needs_triage = device.stage == WAITING and clocks.triage_due is not None
    device.triage_due_at = clocks.triage_due if needs_triage else device.triage_due_at
    session.add(DeviceStep(device_id=device.id, event_id=event_id, kind="priority_raised",
                           at=start, note=note))
    session.flush()
    if not _live(ctx, at):
        return
    for duty_id, due in ((device.examination_duty_id, clocks.complete_due),
                         (device.triage_duty_id, clocks.triage_due)):
        if duty_id is not None and due is not None:
            _shorten(session, duty_id=duty_id, due=due, now=now, actor=actor, note=note)
    if needs_triage and device.triage_duty_id is None and clocks.triage_due is not None:
        facts = _device_facts(device, _suspect_name(session, device))
        _raise_device_duties(session, device=device,
                             drafts=[triage_duty(facts, due_at=clocks.triage_due)],
                             event_id=event_id, ctx=ctx, now=now, actor=actor, result=result)


def _shorten(session: Session, *, duty_id: int, due: datetime, now: datetime, actor: str,
             note: str) -> None:
    """Bring an open duty's deadline forward, with the reason in its history. A breached or
    discharged duty keeps its own: the worker has already acted on it."""
    duty = session.get_one(Duty, duty_id)
    if duty.status != OPEN or due >= duty.due_at:
        return
    previous = duty.due_at
    duty.due_at = due
    session.add(DutyTransition(
        duty_id=duty.id, at=now, action="due_brought_forward", from_status=duty.status,
        to_status=duty.status, actor=actor,
        note=f"{note}. Due {previous.isoformat()} brought forward to {due.isoformat()}."))


def child_recorded(session: Session, *, record: PersonRecord, event_id: int,
                   principal: Principal, ctx: RuleContext, now: datetime) -> list[int]:
    """A partner's record has just placed a child at an address: a device waiting whose
    suspect lives there rises to priority 1, and category A or B findings already made
    against that suspect go to social care for the child. Returns the duties raised."""
    if record.address_id is None:
        return []
    child = session.get_one(Person, record.person_id)
    if child.dob is None or not 0 <= age_on(child.dob, _london_day(now)) < 18:
        return []
    devices = session.scalars(select(Device).where(
        Device.suspect_address_id == record.address_id,
        or_(Device.suspect_person_id.is_(None), Device.suspect_person_id != child.id),
        or_(Device.ended_at.is_(None), Device.category_a > 0, Device.category_b > 0))
        .order_by(Device.id).with_for_update()).all()
    result = DeviceAccepted(0)
    for device in devices:
        was, raised_before = device.priority, len(result.duty_ids)
        if device.ended_at is None:
            _reassess(session, device=device, at=record.recorded_at, event_id=event_id,
                      ctx=ctx, now=now, actor=principal.actor, result=result)
        if (device.category_a or device.category_b) and _live(ctx, record.recorded_at):
            address = session.get_one(Address, record.address_id)
            at_risk = ChildAtRisk(
                person_id=child.id, name=person_name(child), dob=child.dob.isoformat(),
                why=f"lives at the suspect's address ({describe_record(record)})",
                victim=False, address=address_label(address))
            facts = FindingsFacts(device.category_a, device.category_b, device.category_c,
                                  device.new_images, device.ended_at or device.triaged_at
                                  or record.recorded_at, "examination")
            _protect(session, device=device, findings=facts, children=(at_risk,),
                     event_id=event_id, ctx=ctx, now=now, actor=principal.actor,
                     result=result)
        if device.priority != was or len(result.duty_ids) != raised_before:
            audit(session, principal=principal, action="write", entity="forensic_device",
                  entity_id=device.id, person_id=child.id,
                  why=f"{record.source} record {record.source_id} places a child at the "
                      f"address of the suspect of device {device.exhibit}")
    return result.duty_ids


# ------------------------------------------------------------------ children's social care


def _already_shared(session: Session, *, device: Device) -> set[int]:
    """Children this device's findings were already shared about (a triage's, then the full
    examination's, are one matter for social care)."""
    events = select(DeviceStep.event_id).where(DeviceStep.device_id == device.id,
                                               DeviceStep.event_id.is_not(None))
    return {person_id for person_id in session.scalars(select(Duty.subject_person_id).where(
        Duty.kind == FINDINGS_SHARE.name, Duty.event_id.in_(events)))
        if person_id is not None}


def _protect(session: Session, *, device: Device, findings: FindingsFacts,
             children: tuple[ChildAtRisk, ...], event_id: int, ctx: RuleContext,
             now: datetime, actor: str, result: DeviceAccepted) -> None:
    """Share the findings with social care for each child not yet told, and raise a strategy
    discussion about each (or add the findings to the one open)."""
    told = _already_shared(session, device=device)
    fresh = tuple(child for child in children if child.person_id not in told)
    if not fresh:
        return
    facts = _device_facts(device, _suspect_name(session, device))
    drafts = findings_share_duties(facts, findings, fresh, recorded_at=now,
                                   settings=ctx.forensics)
    _raise_device_duties(session, device=device, drafts=drafts, event_id=event_id, ctx=ctx,
                         now=now, actor=actor, result=result)
    for child in fresh:
        result.duty_ids += raise_or_add_discussion(
            session, child=child, evidence=strategy_evidence(facts, findings, child),
            event_id=event_id, ctx=ctx, now=now, actor=actor)


def suspect_children(session: Session, *, device: Device, now: datetime
                     ) -> list[ChildAtRisk]:
    """The children partner records place at the device's suspect's address now (for the
    device page)."""
    return [child for child, _ in _children_words(
        session, address_id=device.suspect_address_id, on=_london_day(now),
        exclude=[device.suspect_person_id] if device.suspect_person_id else [])]
