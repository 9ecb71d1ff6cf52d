"""Accepting an event: store it, resolve its people, run the rules, raise duties and shares.

This is the one path every event takes, whether it came from the web form, the JSON API or a
bulk import, so all three behave the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.casework.service import raise_duties
from safeguard.concerns.service import record_concern
from safeguard.custody import service as custody
from safeguard.errors import Forbidden
from safeguard.events.custody import CustodyDetentionEvent, CustodyUpdateEvent
from safeguard.events.fields import is_school_source
from safeguard.events.forensics import DeviceExaminationEvent, DeviceSubmissionEvent
from safeguard.events.inspections import (
    InspectionActionEvent,
    InspectionActionUpdateEvent,
    InspectionEvent,
    InspectionEvents,
    InspectionFindingEvent,
    InspectionRevisitEvent,
)
from safeguard.events.missing import (
    MissingEvent,
    MissingReportEvent,
    MissingReturnEvent,
    MissingUpdateEvent,
    ReturnInterviewEvent,
)
from safeguard.events.offenders import OffenderEvent
from safeguard.events.schemas import (
    ConcernEvent,
    IncidentEvent,
    PersonEvent,
    SchoolEvent,
)
from safeguard.events.service import NEW, store_event
from safeguard.events.strategy import StrategyDiscussionEvent
from safeguard.forensics import service as forensics
from safeguard.incidents.service import record_incident
from safeguard.inspections.service import accept_inspection_event
from safeguard.intake import joint
from safeguard.missing.service import accept_missing
from safeguard.offenders import service as offenders
from safeguard.people.service import (
    ENROLMENT_SOURCE,
    Linked,
    link_record,
    person_name,
    school_agency_for_urn,
    school_of,
    upsert_address,
    upsert_school,
)
from safeguard.rules.context import RuleContext, build_context
from safeguard.rules.incidents import incident_duties
from safeguard.rules.quality import data_quality_duties, identifier_conflict_gaps, incident_gaps
from safeguard.strategy.service import accept_discussion

EventModel = (PersonEvent | SchoolEvent | IncidentEvent | ConcernEvent | MissingEvent
              | CustodyDetentionEvent | CustodyUpdateEvent | DeviceSubmissionEvent
              | DeviceExaminationEvent | OffenderEvent | StrategyDiscussionEvent
              | InspectionEvents)
MISSING_EVENTS = (MissingReportEvent, MissingUpdateEvent, MissingReturnEvent,
                  ReturnInterviewEvent)
INSPECTION_EVENTS = (InspectionEvent, InspectionFindingEvent, InspectionActionEvent,
                     InspectionActionUpdateEvent, InspectionRevisitEvent)
# Intake runs the rules with the context every rule is given.
IntakeContext = RuleContext
__all__ = ["Accepted", "IntakeContext", "accept_event", "build_context", "may_submit"]


@dataclass
class Accepted:
    event_id: int
    outcome: str  # new | duplicate | conflict
    incident_id: int | None = None
    concern_id: int | None = None
    detention_id: int | None = None
    discussion_id: int | None = None
    episode_id: int | None = None
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)
    share_ids: list[int] = field(default_factory=list)


def clock_start(data: IncidentEvent | ConcernEvent, *, via: str, now: datetime) -> datetime:
    """When the event was recorded, which starts its clocks: ``recorded_at`` as sent; else a
    web form is recorded as it is submitted, and an API call or import that leaves it out
    was recorded when it occurred (an incident from May imported in December was due in May;
    docs/events.md)."""
    if data.recorded_at is not None:
        return data.recorded_at
    return now if via == "form" else data.occurred_at


def occurred_at(data: EventModel) -> datetime | None:
    """When what the event records happened (stored with it for reading history)."""
    if isinstance(data, IncidentEvent | ConcernEvent):
        return data.occurred_at
    if isinstance(data, CustodyDetentionEvent):
        return data.arrived_at
    if isinstance(data, CustodyUpdateEvent):
        return data.at
    if isinstance(data, StrategyDiscussionEvent):
        return data.held_at
    return None


def may_submit(principal: Principal, source: str) -> bool:
    """An agency records events as itself only; the system (CLI import) may load any source."""
    return principal.records_for(source)


def check_may_submit(principal: Principal, source: str) -> None:
    """Refuse an event the principal may not record (:func:`may_submit`), saying why: the
    online import and a bulk load's read report the same refusal."""
    if not may_submit(principal, source):
        raise Forbidden(f"{principal.agency_name} may not record events for source "
                        f"'{source}'")


def accept_event(
    session: Session,
    *,
    data: EventModel,
    raw: dict[str, Any],
    via: str,
    principal: Principal,
    ctx: IntakeContext,
    now: datetime,
) -> Accepted:
    check_may_submit(principal, data.source)
    occurred = occurred_at(data)
    stored = store_event(session, event_type=data.event, source=data.source,
                         source_id=data.source_id, payload=raw, occurred_at=occurred, via=via,
                         actor=principal.actor)
    result = Accepted(event_id=stored.event_id, outcome=stored.outcome)
    if stored.outcome != NEW:
        return result
    event_id = stored.event_id
    if isinstance(data, SchoolEvent):
        upsert_school(session, school=data)
    elif isinstance(data, PersonEvent):
        may_name_school(data)
        address = upsert_address(session, address=data.address) if data.address else None
        linked = link_record(
            session, fields=data, source=data.source, source_id=data.source_id,
            event_id=event_id, address_id=address.id if address else None,
            school_urn=data.school_urn, recorded_at=data.recorded_at or now)
        record = linked.record
        if is_school_source(data.source):
            _require_own_pupil(session, data=data, linked=linked)
        result.person_ids.append(record.person_id)
        audit(session, principal=principal, action="write", entity="person_record",
              entity_id=record.id, person_id=record.person_id,
              why=f"{via} of {data.source} record {data.source_id}")
        result.duty_ids = record_gaps(session, conflicts=linked.identifier_conflicts,
                                      person_id=linked.person.id, source=data.source,
                                      reference=data.source_id, event_id=event_id,
                                      recorded_at=data.recorded_at or now, ctx=ctx, now=now,
                                      actor=principal.actor)
        # A child placed at a suspect's address raises the suspect's seized devices.
        result.duty_ids += forensics.child_recorded(session, record=record, event_id=event_id,
                                                    principal=principal, ctx=ctx, now=now)
        # A child whose record places them where a registered sex offender lives.
        result.duty_ids += offenders.child_record_arrived(
            session, person_id=record.person_id, address_id=record.address_id,
            event_id=event_id, recorded_at=data.recorded_at or now, principal=principal,
            ctx=ctx, now=now)
    elif isinstance(data, CustodyDetentionEvent):
        _took(result, custody.accept_detention(session, event_id=event_id, data=data, via=via,
                                               principal=principal, ctx=ctx, now=now))
    elif isinstance(data, CustodyUpdateEvent):
        _took(result, custody.accept_update(session, event_id=event_id, data=data, via=via,
                                            principal=principal, ctx=ctx, now=now))
    elif isinstance(data, OffenderEvent):
        done = offenders.accept_offender_event(session, event_id=event_id, data=data, via=via,
                                               principal=principal, ctx=ctx, now=now)
        result.person_ids, result.duty_ids, result.share_ids = \
            done.person_ids, done.duty_ids, done.share_ids
    elif isinstance(data, ConcernEvent):
        _accept_concern(session, event_id=event_id, data=data, via=via, principal=principal,
                        ctx=ctx, now=now, result=result)
    elif isinstance(data, DeviceSubmissionEvent | DeviceExaminationEvent):
        _accept_device(session, event_id=event_id, data=data, via=via, principal=principal,
                       ctx=ctx, now=now, result=result)
    elif isinstance(data, StrategyDiscussionEvent):
        held = accept_discussion(session, event_id=event_id, data=data, via=via,
                                 principal=principal, ctx=ctx, now=now)
        result.discussion_id = held.discussion_id
        result.person_ids, result.duty_ids = held.person_ids, held.duty_ids
    elif isinstance(data, INSPECTION_EVENTS):
        result.duty_ids = accept_inspection_event(session, event_id=event_id, data=data,
                                                  via=via, principal=principal, ctx=ctx,
                                                  now=now)
    elif isinstance(data, MISSING_EVENTS):
        missing = accept_missing(session, event_id=event_id, data=data, via=via,
                                 principal=principal, ctx=ctx, now=now)
        result.episode_id = missing.episode_id
        result.person_ids, result.duty_ids = missing.person_ids, missing.duty_ids
        result.share_ids = missing.share_ids
    else:
        _accept_incident(session, event_id=event_id, data=data, via=via, principal=principal,
                         ctx=ctx, now=now, result=result)
    return result


def _took(result: Accepted, done: custody.CustodyAccepted) -> None:
    result.detention_id = done.detention_id
    result.person_ids, result.duty_ids = done.person_ids, done.duty_ids
    result.share_ids = done.share_ids
def _accept_device(session: Session, *, event_id: int,
                   data: DeviceSubmissionEvent | DeviceExaminationEvent, via: str,
                   principal: Principal, ctx: IntakeContext, now: datetime,
                   result: Accepted) -> None:
    if isinstance(data, DeviceSubmissionEvent):
        done = forensics.accept_submission(session, event_id=event_id, data=data, via=via,
                                           principal=principal, ctx=ctx, now=now)
    else:
        done = forensics.accept_examination(session, event_id=event_id, data=data, via=via,
                                            principal=principal, ctx=ctx, now=now)
    result.person_ids, result.duty_ids, result.share_ids = (
        done.person_ids, sorted(done.duty_ids), done.share_ids)


# ------------------------------------------------------------------ who says which school


def may_name_school(data: PersonEvent) -> None:
    """Enrolment comes from the council's education service: a school names only itself, and
    no other agency's record says which school a child attends (one that could would send the
    child's next Operation Encompass notice, with their voice, to that school). Checked on the
    event alone, so the hot path pays no query for it."""
    if data.school_urn is None or data.source == ENROLMENT_SOURCE:
        return
    if is_school_source(data.source):
        if data.school_urn != data.source.removeprefix("school-"):
            raise Forbidden(f"school_urn: a school records its own pupils only; {data.source} "
                            f"may not name school {data.school_urn} (a move between schools "
                            "comes from the council's education service)")
        return
    raise Forbidden(f"school_urn: only the council's education service or the child's own "
                    f"school says which school a child attends, not a {data.source} record")


def _require_own_pupil(session: Session, *, data: PersonEvent, linked: Linked) -> None:
    """A school's record is of a pupil it already holds by the council's enrolment records;
    any other child (one at another school, or one it has no claim to) is refused, so a
    school cannot take a child over nor give itself sight of one by recording them. The
    transaction (or the import line's savepoint) is rolled back with the refusal."""
    urn = data.source.removeprefix("school-")
    on_roll = school_of(session, person_id=linked.person.id)
    if on_roll is None or on_roll.urn != urn:
        field = "school_urn" if data.school_urn else "source_id"
        raise Forbidden(f"{field}: the child in {data.source} record {data.source_id} "
                        f"is not on the roll of school {urn} by the council's education "
                        "records; a school records only pupils it already holds (enrolment "
                        "comes from the council's education service)")


def agency_for_source(session: Session, *, source: str) -> str:
    """The agency that records as a source: a core partner's id is its source; a school's
    agency is made if only its records have arrived so far (a CLI import)."""
    if is_school_source(source):
        return school_agency_for_urn(session, urn=source.removeprefix("school-"))
    return source


def _accept_incident(
    session: Session, *, event_id: int, data: IncidentEvent, via: str, principal: Principal,
    ctx: IntakeContext, now: datetime, result: Accepted,
) -> None:
    live = ctx.live_from is None or data.occurred_at >= ctx.live_from
    recorded = record_incident(session, event_id=event_id, data=data,
                               recorded_at=clock_start(data, via=via, now=now), live=live,
                               clocks=ctx.clocks)
    result.incident_id = recorded.incident_id
    facts = recorded.facts
    result.person_ids.extend(child.person_id for child in facts.children)
    record_many(session, principal=principal, action="write", entity="incident",
                entity_id=recorded.incident_id,
                person_ids=sorted(set(result.person_ids) | set(facts.victim_person_ids)),
                why=f"{via} of incident {data.source_id}")
    if not live:
        return
    drafts = incident_duties(facts, calendar=ctx.calendar, schools=ctx.schools,
                             clocks=ctx.clocks)
    gaps = [*incident_gaps(facts), *recorded.gaps]
    drafts += data_quality_duties(gaps, reference=data.source_id, recorded_at=facts.recorded_at,
                                  calendar=ctx.calendar, clocks=ctx.clocks)
    # The event is new (a repeat returned above), so none of its duties is stored yet.
    raised_now = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                              actor=principal.actor, ctx=ctx, none_stored=True)
    result.share_ids = raised_now.share_ids
    raised = raised_now.duty_ids
    if facts.kind == "domestic_abuse":
        raised += joint.risk_escalation(session, facts=facts, incident_id=recorded.incident_id,
                                        principal=principal, ctx=ctx, now=now)
    session.flush()
    result.duty_ids = sorted(raised)


# ------------------------------------------------------------------------------ concerns


def _accept_concern(
    session: Session, *, event_id: int, data: ConcernEvent, via: str, principal: Principal,
    ctx: IntakeContext, now: datetime, result: Accepted,
) -> None:
    """Resolve the child, keep the concern and ask the joint-assessment rules whether to meet.

    The child's record the concern leaves is marked as a concern's: raising a concern is no
    relationship with the child, so it grants no sight of what other agencies hold (anyone
    could otherwise see any child by naming them), and it names no school (a concern is not
    enrolment)."""
    address = upsert_address(session, address=data.address) if data.address else None
    recorded_at = clock_start(data, via=via, now=now)
    linked = link_record(
        session, fields=data.child, source=data.source, source_id=data.source_id,
        event_id=event_id, address_id=address.id if address else None, school_urn=None,
        recorded_at=recorded_at, from_concern=True)
    record = linked.record
    gap_duties = record_gaps(session, conflicts=linked.identifier_conflicts,
                             person_id=linked.person.id, source=data.source,
                             reference=data.source_id, event_id=event_id,
                             recorded_at=data.recorded_at or now, ctx=ctx, now=now,
                             actor=principal.actor)
    agency_id = principal.agency_id if principal.kind != "system" else \
        agency_for_source(session, source=data.source)
    concern = record_concern(session, event_id=event_id, person_id=record.person_id,
                             agency_id=agency_id, data=data, recorded_at=recorded_at)
    result.concern_id = concern.id
    result.person_ids.append(record.person_id)
    audit(session, principal=principal, action="write", entity="concern", entity_id=concern.id,
          person_id=record.person_id, why=f"{via} of {data.source} concern {data.source_id}")
    result.duty_ids = gap_duties
    if ctx.live_from is not None and data.occurred_at < ctx.live_from:
        return
    facts, open_id = joint.joint_facts(
        session, ctx=ctx, person_id=record.person_id, child_name=person_name(linked.person),
        recorded_at=recorded_at, concern=concern, reference=data.source_id)
    result.duty_ids += joint.strategy_discussion(
        session, joint=facts, open_id=open_id, event_id=event_id, ctx=ctx, now=now,
        actor=principal.actor)


def record_gaps(session: Session, *, conflicts: Sequence[tuple[str, str, int]],
                person_id: int, source: str, reference: str, event_id: int,
                recorded_at: datetime, ctx: RuleContext, now: datetime, actor: str
                ) -> list[int]:
    """An agency's record giving an identifier another person already holds (scheme, value,
    holder): the conflict is a data-quality task for that agency, not a silent skip."""
    if not conflicts:
        return []
    gaps = identifier_conflict_gaps(
        conflicts, owner=agency_for_source(session, source=source),
        subject_person_id=person_id, record=f"{source.replace('_', ' ')} record {reference}")
    if not gaps:
        return []
    drafts = data_quality_duties(gaps, reference=reference, recorded_at=recorded_at,
                                 calendar=ctx.calendar, clocks=ctx.clocks)
    return raise_duties(session, drafts=drafts, event_id=event_id, now=now, actor=actor,
                        ctx=ctx).duty_ids
