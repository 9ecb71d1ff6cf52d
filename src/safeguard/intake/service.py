"""Accepting an event: store it, resolve its people, run the rules, raise duties and shares.

This is the one path every event takes, whether it came from the web form, the JSON API or a
bulk import, so all three behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.config import ClockSettings, Settings
from safeguard.duties.models import Duty
from safeguard.duties.service import create_duties
from safeguard.errors import Forbidden
from safeguard.events.models import Event
from safeguard.events.schemas import IncidentEvent, PersonEvent, SchoolEvent
from safeguard.events.service import NEW, store_event
from safeguard.incidents.service import record_incident
from safeguard.people.service import link_record, upsert_address, upsert_school
from safeguard.rules.incidents import incident_duties
from safeguard.sharing.service import create_shares
from safeguard.workdays import SchoolCalendar, WorkingCalendar, load_term_dates

EventModel = PersonEvent | SchoolEvent | IncidentEvent


@dataclass(frozen=True)
class IntakeContext:
    clocks: ClockSettings
    calendar: WorkingCalendar
    schools: SchoolCalendar
    # Incidents that occurred before this are history: stored and resolved, but raise no duties.
    live_from: datetime | None = None


def build_context(settings: Settings, *, live_from: datetime | None = None) -> IntakeContext:
    calendar = WorkingCalendar()
    terms = load_term_dates(Path(settings.term_dates_file)) if settings.term_dates_file else None
    schools = SchoolCalendar(calendar, terms, day_starts=settings.clocks.school_day_starts)
    return IntakeContext(settings.clocks, calendar, schools, live_from)


@dataclass
class Accepted:
    event_id: int
    outcome: str  # new | duplicate | conflict
    incident_id: int | None = None
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)


def may_submit(principal: Principal, source: str) -> bool:
    """An agency records events as itself only; the system (CLI import) may load any source."""
    if principal.kind == "system":
        return True
    if principal.agency_kind == "school":
        return source == "education"
    return principal.agency_id == source


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
    if not may_submit(principal, data.source):
        raise Forbidden(f"{principal.agency_name} may not record events for source "
                        f"'{data.source}'")
    occurred = data.occurred_at if isinstance(data, IncidentEvent) else None
    stored = store_event(session, event_type=data.event, source=data.source,
                         source_id=data.source_id, payload=raw, occurred_at=occurred, via=via,
                         actor=principal.actor)
    result = Accepted(event_id=stored.event.id, outcome=stored.outcome)
    if stored.outcome != NEW:
        return result
    event = stored.event
    if isinstance(data, SchoolEvent):
        upsert_school(session, school=data)
    elif isinstance(data, PersonEvent):
        address = upsert_address(session, address=data.address) if data.address else None
        record = link_record(
            session, fields=data, source=data.source, source_id=data.source_id,
            event_id=event.id, address_id=address.id if address else None,
            school_urn=data.school_urn, recorded_at=data.recorded_at or now)
        result.person_ids.append(record.person_id)
        audit(session, principal=principal, action="write", entity="person_record",
              entity_id=record.id, person_id=record.person_id,
              why=f"{via} of {data.source} record {data.source_id}")
    else:
        _accept_incident(session, event_id=event.id, data=data, via=via, principal=principal,
                         ctx=ctx, now=now, result=result)
    return result


def _accept_incident(
    session: Session, *, event_id: int, data: IncidentEvent, via: str, principal: Principal,
    ctx: IntakeContext, now: datetime, result: Accepted,
) -> None:
    event = session.get_one(Event, event_id)
    live = ctx.live_from is None or data.occurred_at >= ctx.live_from
    recorded = record_incident(session, event=event, data=data,
                               recorded_at=data.recorded_at or now, live=live, clocks=ctx.clocks)
    result.incident_id = recorded.incident.id
    facts = recorded.facts
    result.person_ids.extend(child.person_id for child in facts.children)
    for person_id in sorted(set(result.person_ids) | set(facts.victim_person_ids)):
        audit(session, principal=principal, action="write", entity="incident",
              entity_id=recorded.incident.id, person_id=person_id,
              why=f"{via} of incident {data.source_id}")
    if not live:
        return
    drafts = incident_duties(facts, calendar=ctx.calendar, schools=ctx.schools,
                             clocks=ctx.clocks)
    created = create_duties(session, drafts=drafts, event_id=event_id, now=now,
                                actor=principal.actor)
    create_shares(session, created=created, now=now, calendar=ctx.calendar, clocks=ctx.clocks,
                  actor=principal.actor)
    session.flush()
    result.duty_ids = list(session.scalars(
        select(Duty.id).where(Duty.event_id == event_id).order_by(Duty.id)))
