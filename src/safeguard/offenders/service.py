"""Managing registered sex offenders: accepting the register's events, keeping each
registration's clocks as duties, and finding the children near an offender.

Intake hands this area every offender event (and every person record with an address, so a
child whose record arrives after the offender's is still found). The clocks are ordinary
duties raised through casework: the next home visit and the annual re-notification are one
open duty each per registration, discharged by the visit or notification that meets them
and raised again from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import discharge, raise_duties, raise_strategy_discussion
from safeguard.dates import london_date
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.errors import Forbidden, InvalidField
from safeguard.events.fields import PersonFields
from safeguard.events.offenders import (
    OffenderAssessmentEvent,
    OffenderEvent,
    OffenderNotificationEvent,
    OffenderRegistrationEvent,
    OffenderVisitEvent,
)
from safeguard.offenders.access import UNIT_ONLY, acting_unit, in_unit
from safeguard.offenders.models import (
    OffenderAssessment,
    OffenderChild,
    OffenderNotification,
    OffenderRegistration,
    OffenderVisit,
)
from safeguard.people.models import Address, Person
from safeguard.people.service import (
    address_label,
    age_on,
    children_at_address,
    describe_record,
    link_record,
    person_name,
    upsert_address,
)
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.offenders import (
    RESTARTS_ANNUAL,
    RISK_WORDS,
    ChildNear,
    OffenderFacts,
    child_near_offender_duties,
    days_late,
    enforcement_duty,
    renotification_duty,
    visit_due,
    visit_duty,
)
from safeguard.rules.quality import Gap, data_quality_duties
from safeguard.workdays import LONDON


@dataclass
class OffenderAccepted:
    registration_id: int
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)
    share_ids: list[int] = field(default_factory=list)


# ----------------------------------------------------------------------------- events


def accept_offender_event(
    session: Session, *, event_id: int, data: OffenderEvent, via: str, principal: Principal,
    ctx: RuleContext, now: datetime,
) -> OffenderAccepted:
    """One offender event, whichever kind; refused (InvalidField) when it names a
    registration that is not on the register, comes before it, or follows its end."""
    if principal.kind != "system" and not in_unit(principal):
        raise Forbidden(UNIT_ONLY)
    if isinstance(data, OffenderRegistrationEvent):
        done = _register(session, event_id=event_id, data=data, ctx=ctx, now=now,
                         principal=principal)
    else:
        reg = _registration_named(session, data)
        done = OffenderAccepted(reg.id, [reg.person_id])
        if isinstance(data, OffenderAssessmentEvent):
            _assess(session, reg=reg, event_id=event_id, data=data, ctx=ctx, now=now,
                    principal=principal, done=done)
        elif isinstance(data, OffenderVisitEvent):
            _visit(session, reg=reg, event_id=event_id, data=data, ctx=ctx, now=now,
                   principal=principal, done=done)
        else:
            _notification(session, reg=reg, event_id=event_id, data=data, ctx=ctx, now=now,
                          principal=principal, done=done)
    audit(session, principal=principal, action="write", entity="offender_registration",
          entity_id=done.registration_id, person_id=done.person_ids[0],
          why=f"{via} of {data.event} {data.source_id}")
    session.flush()
    return done


def _when_of(data: OffenderEvent) -> tuple[str, datetime]:
    if isinstance(data, OffenderAssessmentEvent):
        return "at", data.at
    if isinstance(data, OffenderVisitEvent):
        return "visited_at", data.visited_at
    if isinstance(data, OffenderNotificationEvent):
        return "notified_at", data.notified_at
    return "registered_at", data.registered_at


def _registration_named(session: Session, data: OffenderEvent) -> OffenderRegistration:
    reference = getattr(data, "registration", "")
    reg = session.scalar(select(OffenderRegistration).where(
        OffenderRegistration.reference == reference).with_for_update())
    if reg is None:
        raise InvalidField("registration", f"no registration {reference} is on the register "
                                           "(send its offender_registration first)")
    name, at = _when_of(data)
    if at < reg.registered_at:
        raise InvalidField(name, f"{at.isoformat()} is before registration {reference} began "
                                 f"({reg.registered_at.isoformat()})")
    ends = reg.registration_ends
    if isinstance(data, OffenderNotificationEvent) and (
            reg.ended or (ends is not None and at.astimezone(LONDON).date() > ends)):
        raise InvalidField("registration", f"registration {reference} ended"
                           + (f" on {ends.isoformat()}" if ends else "")
                           + ": an ended registration takes no notifications")
    return reg


def facts_of(session: Session, reg: OffenderRegistration) -> OffenderFacts:
    person = session.get_one(Person, reg.person_id)
    address = session.get(Address, reg.address_id) if reg.address_id is not None else None
    return OffenderFacts(
        person_id=reg.person_id, reference=reg.reference, name=person_name(person),
        risk=reg.risk, mappa_category=reg.mappa_category, mappa_level=reg.mappa_level,
        offender_manager=reg.offender_manager,
        address_label=address_label(address) if address else None)


def _raise(session: Session, drafts: list[DutyDraft], *, event_id: int, ctx: RuleContext,
           now: datetime, principal: Principal, done: OffenderAccepted) -> list[int]:
    raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx)
    done.duty_ids += raised.duty_ids
    done.share_ids += raised.share_ids
    return raised.duty_ids


def _close(session: Session, duty_id: int | None, *, outcome: str, note: str,
           principal: Principal, ctx: RuleContext, now: datetime) -> None:
    """Discharge a clock duty an event met (or made moot), if it is still undischarged."""
    if duty_id is None:
        return
    duty = session.get(Duty, duty_id)
    if duty is None or duty.status == DISCHARGED:
        return
    discharge(session, duty_id=duty_id, principal=acting_unit(principal), now=now, ctx=ctx,
              outcome=outcome, note=note)


def _set_visit_clock(session: Session, reg: OffenderRegistration, *, since: datetime,
                     words: str, event_id: int, ctx: RuleContext, now: datetime,
                     principal: Principal, done: OffenderAccepted) -> None:
    if reg.visit_every_days is None:
        reg.visit_duty_id, reg.next_visit_due = None, None
        return
    draft = visit_duty(facts_of(session, reg), since=since, since_words=words,
                       every_days=reg.visit_every_days)
    ids = _raise(session, [draft], event_id=event_id, ctx=ctx, now=now, principal=principal,
                 done=done)
    reg.visit_duty_id, reg.next_visit_due = (ids[0] if ids else None), draft.due_at


def _set_notification_clock(session: Session, reg: OffenderRegistration, *, event_id: int,
                            ctx: RuleContext, now: datetime, principal: Principal,
                            done: OffenderAccepted) -> None:
    draft = renotification_duty(facts_of(session, reg), last_notified_at=reg.last_notified_at,
                                settings=ctx.offenders)
    ids = _raise(session, [draft], event_id=event_id, ctx=ctx, now=now, principal=principal,
                 done=done)
    reg.notification_duty_id, reg.next_notification_due = (ids[0] if ids else None), \
        draft.due_at


def _register(session: Session, *, event_id: int, data: OffenderRegistrationEvent,
              ctx: RuleContext, now: datetime, principal: Principal) -> OffenderAccepted:
    if session.scalar(select(OffenderRegistration.id).where(
            OffenderRegistration.reference == data.source_id)) is not None:
        raise InvalidField("source_id", f"registration {data.source_id} is already on the "
                                        "register")
    address = upsert_address(session, address=data.address) if data.address else None
    linked = link_record(session, fields=data.offender, source=data.source,
                         source_id=f"{data.source_id}#offender", event_id=event_id,
                         address_id=address.id if address else None, school_urn=None,
                         recorded_at=data.registered_at)
    ended = data.registration_ends is not None and \
        data.registration_ends < now.astimezone(LONDON).date()
    reg = OffenderRegistration(
        event_id=event_id, reference=data.source_id, person_id=linked.person.id,
        address_id=address.id if address else None, registered_at=data.registered_at,
        registration_ends=data.registration_ends, ended=ended, conviction=data.conviction,
        mappa_category=data.mappa_category, mappa_level=data.mappa_level, risk=data.risk,
        offender_manager=data.offender_manager, visit_every_days=data.visit_every_days,
        last_notified_at=data.registered_at)
    session.add(reg)
    session.flush()
    done = OffenderAccepted(reg.id, [linked.person.id])
    if ended:
        return done
    _set_visit_clock(session, reg, since=data.registered_at, words="registered",
                     event_id=event_id, ctx=ctx, now=now, principal=principal, done=done)
    _set_notification_clock(session, reg, event_id=event_id, ctx=ctx, now=now,
                            principal=principal, done=done)
    if address is not None:
        _children_at_home(session, reg, event_id=event_id, at=data.registered_at, ctx=ctx,
                          now=now, principal=principal, done=done)
    return done


def _assess(session: Session, *, reg: OffenderRegistration, event_id: int,
            data: OffenderAssessmentEvent, ctx: RuleContext, now: datetime,
            principal: Principal, done: OffenderAccepted) -> None:
    changes: list[str] = []
    if data.risk is not None and data.risk != reg.risk:
        changes.append(f"risk {RISK_WORDS[reg.risk]} to {RISK_WORDS[data.risk]}")
        reg.risk = data.risk
    if data.mappa_level is not None and data.mappa_level != reg.mappa_level:
        changes.append(f"MAPPA level {reg.mappa_level} to {data.mappa_level}")
        reg.mappa_level = data.mappa_level
    if data.offender_manager is not None and data.offender_manager != reg.offender_manager:
        changes.append(f"offender manager {reg.offender_manager} to {data.offender_manager}")
        reg.offender_manager = data.offender_manager
    before = reg.visit_every_days
    interval = None if data.reactive else (data.visit_every_days or before)
    if interval != before:
        changes.append(f"home visits {_every(before)} to {_every(interval)}")
        reg.visit_every_days = interval
    session.add(OffenderAssessment(registration_id=reg.id, event_id=event_id,
                                   reference=data.source_id, at=data.at,
                                   changes="; ".join(changes) or "no change to the plan"))
    if interval == before:
        return
    since = reg.last_home_visit_at or reg.registered_at
    if interval is None:
        _close(session, reg.visit_duty_id, outcome="reactive",
               note=f"Assessment {data.source_id}: reactive management, no home visits.",
               principal=principal, ctx=ctx, now=now)
        reg.visit_duty_id, reg.next_visit_due = None, None
        return
    # A shorter interval brings the due visit forward; a longer one leaves the visit already
    # due where it is (the next one after it follows the new plan).
    due = visit_due(since, interval)
    if reg.next_visit_due is not None and due >= reg.next_visit_due:
        return
    _close(session, reg.visit_duty_id, outcome="rescheduled",
           note=f"Assessment {data.source_id} set visits {_every(interval)}: the visit is "
                "now due earlier.", principal=principal, ctx=ctx, now=now)
    words = "last home visit" if reg.last_home_visit_at else "registered"
    _set_visit_clock(session, reg, since=since, words=f"the plan changed on {_day(data.at)}; "
                     f"{words}", event_id=event_id, ctx=ctx, now=now, principal=principal,
                     done=done)


def _every(days: int | None) -> str:
    return f"every {days} days" if days else "reactive (none)"


def _day(at: datetime) -> str:
    return london_date(at)


def _visit(session: Session, *, reg: OffenderRegistration, event_id: int,
           data: OffenderVisitEvent, ctx: RuleContext, now: datetime, principal: Principal,
           done: OffenderAccepted) -> None:
    session.add(OffenderVisit(registration_id=reg.id, event_id=event_id,
                              reference=data.source_id, visited_at=data.visited_at, by=data.by,
                              home_visit=data.home_visit,
                              children_present=len(data.children_present),
                              concerns=data.concerns))
    if data.home_visit and (reg.last_home_visit_at is None
                            or data.visited_at > reg.last_home_visit_at):
        reg.last_home_visit_at = data.visited_at
        if not reg.ended and reg.visit_every_days is not None:
            _close(session, reg.visit_duty_id, outcome="visited",
                   note=f"Home visit {data.source_id} by {data.by} on {_day(data.visited_at)}.",
                   principal=principal, ctx=ctx, now=now)
            _set_visit_clock(session, reg, since=data.visited_at, words="last home visit",
                             event_id=event_id, ctx=ctx, now=now, principal=principal,
                             done=done)
    if data.children_present and _live(ctx, data.visited_at):
        found = (f"present at a {'home ' if data.home_visit else ''}visit to the offender by "
                 f"{data.by} on {_day(data.visited_at)} (police visit {data.source_id})")
        _named_children(session, reg, data.children_present, found=found, event_id=event_id,
                        source_id=data.source_id, at=data.visited_at, ctx=ctx, now=now,
                        principal=principal, done=done)


def _live(ctx: RuleContext, at: datetime) -> bool:
    return ctx.live_from is None or at >= ctx.live_from


def _notification(session: Session, *, reg: OffenderRegistration, event_id: int,
                  data: OffenderNotificationEvent, ctx: RuleContext, now: datetime,
                  principal: Principal, done: OffenderAccepted) -> None:
    address = upsert_address(session, address=data.address) if data.address else None
    late = days_late(data.changed_at, data.notified_at, ctx.offenders.notify_change_within_days
                     ) if data.changed_at else 0
    session.add(OffenderNotification(
        registration_id=reg.id, event_id=event_id, reference=data.source_id,
        notified_at=data.notified_at, kind=data.kind, changed_at=data.changed_at,
        address_id=address.id if address else None, days_late=late))
    moved = data.kind == "change_of_address" and address is not None \
        and address.id != reg.address_id
    if moved and address is not None:
        reg.address_id = address.id
        # The offender's police record now places them at the new address.
        link_record(session, fields=_same_person(session, reg.person_id), source="police",
                    source_id=f"{data.source_id}#offender", event_id=event_id,
                    address_id=address.id, school_urn=None, recorded_at=data.notified_at)
    if data.kind in RESTARTS_ANNUAL and data.notified_at > reg.last_notified_at:
        reg.last_notified_at = data.notified_at
        _close(session, reg.notification_duty_id, outcome="notified",
               note=f"{data.kind.replace('_', ' ').capitalize()} notification "
                    f"{data.source_id} on {_day(data.notified_at)}.",
               principal=principal, ctx=ctx, now=now)
        _set_notification_clock(session, reg, event_id=event_id, ctx=ctx, now=now,
                                principal=principal, done=done)
    if not _live(ctx, data.notified_at):
        return
    facts = facts_of(session, reg)
    if data.changed_at is not None:
        late_duty = enforcement_duty(facts, kind=data.kind, changed_at=data.changed_at,
                                     notified_at=data.notified_at, settings=ctx.offenders,
                                     calendar=ctx.calendar)
        if late_duty is not None:
            _raise(session, [late_duty], event_id=event_id, ctx=ctx, now=now,
                   principal=principal, done=done)
    found = 0
    if data.kind == "household_with_child" and data.children:
        found += _named_children(
            session, reg, data.children,
            found=f"named by the offender in household-with-child notification "
                  f"{data.source_id} on {_day(data.notified_at)}",
            event_id=event_id, source_id=data.source_id, at=data.notified_at, ctx=ctx, now=now,
            principal=principal, done=done)
    if (moved or data.kind == "household_with_child") and address is not None:
        found += _children_at_home(session, reg, event_id=event_id, at=data.notified_at,
                                   ctx=ctx, now=now, principal=principal, done=done,
                                   address_id=address.id)
    if data.kind == "household_with_child" and found == 0:
        # Nothing skipped silently: the child must be identified before social care can be told.
        gap = Gap("offender_household_child_unknown", AgencyKind.POLICE, reg.person_id,
                  f"household-with-child notification {data.source_id} by registered offender "
                  f"{reg.reference} names no child, and no agency's records place a child at "
                  f"{address_label(address) if address else 'the address'}, so children's "
                  "social care cannot be told who the child is")
        _raise(session, data_quality_duties([gap], reference=data.source_id,
                                            recorded_at=data.notified_at, calendar=ctx.calendar,
                                            clocks=ctx.clocks),
               event_id=event_id, ctx=ctx, now=now, principal=principal, done=done)


def _same_person(session: Session, person_id: int) -> PersonFields:
    """The offender's details as the register holds them, for the police record that
    places them at a new address (linked to the same person by their existing record)."""
    person = session.get_one(Person, person_id)
    return PersonFields(given_name=person.given_name, family_name=person.family_name,
                        dob=person.dob)


# ------------------------------------------------------------------ children near offenders


def _children_at_home(session: Session, reg: OffenderRegistration, *, event_id: int,
                      at: datetime, ctx: RuleContext, now: datetime, principal: Principal,
                      done: OffenderAccepted, address_id: int | None = None) -> int:
    """Children whom other agencies' records place at the offender's address; returns how
    many."""
    home = address_id or reg.address_id
    if home is None:
        return 0
    residents = children_at_address(session, address_id=home, on=at.astimezone(LONDON).date(),
                                    exclude=[reg.person_id])
    for resident in residents:
        child = resident.person
        near = ChildNear(child.id, person_name(child), child.dob,
                         f"{describe_record(resident.record)} places the child at the "
                         "offender's address")
        _child_near(session, reg, near, event_id=event_id, at=at, ctx=ctx, now=now,
                    principal=principal, done=done)
    return len(residents)


def _named_children(session: Session, reg: OffenderRegistration,
                    children: list[PersonFields], *, found: str, event_id: int,
                    source_id: str, at: datetime, ctx: RuleContext, now: datetime,
                    principal: Principal, done: OffenderAccepted) -> int:
    """Children an officer or the offender names, each resolved like any person; returns how
    many are children."""
    count = 0
    for number, fields in enumerate(children, start=1):
        linked = link_record(session, fields=fields, source="police",
                             source_id=f"{source_id}#child{number}", event_id=event_id,
                             address_id=None, school_urn=None, recorded_at=at)
        child = linked.person
        if child.dob is not None and age_on(child.dob, at.astimezone(LONDON).date()) >= 18:
            continue  # named as a child, but an adult by the records: not a child near them
        near = ChildNear(child.id, person_name(child), child.dob, found)
        _child_near(session, reg, near, event_id=event_id, at=at, ctx=ctx, now=now,
                    principal=principal, done=done)
        count += 1
    return count


def _child_near(session: Session, reg: OffenderRegistration, child: ChildNear, *,
                event_id: int, at: datetime, ctx: RuleContext, now: datetime,
                principal: Principal, done: OffenderAccepted) -> None:
    """Share a child found near the offender (once per registration and child) and, at
    high or very high risk, raise the child's strategy discussion or add to the open one."""
    if session.scalar(select(OffenderChild.id).where(
            OffenderChild.registration_id == reg.id,
            OffenderChild.person_id == child.person_id)) is not None:
        return
    link = OffenderChild(registration_id=reg.id, person_id=child.person_id, event_id=event_id,
                         found_at=at, found_from=child.found_from)
    session.add(link)
    session.flush()
    drafts = child_near_offender_duties(facts_of(session, reg), child, at=max(at, now),
                                        settings=ctx.offenders, sharing=ctx.sharing,
                                        calendar=ctx.calendar)
    shares = [d for d in drafts if d.kind != STRATEGY_DISCUSSION.name]
    ids = _raise(session, shares, event_id=event_id, ctx=ctx, now=now, principal=principal,
                 done=done)
    link.share_duty_id = ids[0] if ids else None
    for draft in drafts:
        if draft.kind == STRATEGY_DISCUSSION.name:
            done.duty_ids += raise_strategy_discussion(session, draft=draft, event_id=event_id,
                                                       now=now, actor=principal.actor, ctx=ctx)
    done.person_ids.append(child.person_id)
    audit(session, principal=principal, action="write", entity="offender_child",
          entity_id=link.id, person_id=child.person_id,
          why=f"child found near registered offender {reg.reference}: {child.found_from}")


def child_record_arrived(
    session: Session, *, person_id: int, address_id: int | None, event_id: int,
    recorded_at: datetime, principal: Principal, ctx: RuleContext, now: datetime,
) -> list[int]:
    """A person's record placing them at an address: if they are a child and a registered
    offender lives there, the child is near the offender. Returns the duties raised."""
    if address_id is None or not _live(ctx, recorded_at):
        return []
    regs = list(session.scalars(select(OffenderRegistration).where(
        OffenderRegistration.address_id == address_id, OffenderRegistration.ended.is_(False),
        OffenderRegistration.person_id != person_id)))
    if not regs:
        return []
    child = session.get_one(Person, person_id)
    on = recorded_at.astimezone(LONDON).date()
    if child.dob is None or not 0 <= age_on(child.dob, on) < 18:
        return []
    done = OffenderAccepted(0, [])
    for reg in regs:
        # Read as children_at_address reads it, so a newer record elsewhere still wins.
        placed = [r for r in children_at_address(session, address_id=address_id, on=on,
                                                 exclude=[reg.person_id])
                  if r.person.id == person_id]
        if not placed:
            continue
        near = ChildNear(person_id, person_name(child), child.dob,
                         f"{describe_record(placed[0].record)} places the child at the "
                         "offender's address")
        _child_near(session, reg, near, event_id=event_id, at=recorded_at, ctx=ctx, now=now,
                    principal=principal, done=done)
    return done.duty_ids
