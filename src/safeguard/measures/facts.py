"""Keeping the measures current: each duty whose history grew since the last pass is judged
again by every indicator that reads its kind, and its rows in `measure_facts` replaced.

The duties' history (`duty_transitions`, append-only, one row per creation, breach,
discharge, evidence added) says which duties changed, so a pass reads only those: the work
follows what arrived, never the size of the store. On PostgreSQL a transaction can commit a
transition whose id is lower than one already seen (ids are drawn at insert, not at commit),
so each pass looks again at the ids the previous pass took in; judging a duty twice is
harmless, since its rows are replaced, not added to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from safeguard.custody.models import Detention, DetentionStep
from safeguard.db import table_of
from safeguard.duties.models import Duty, DutyTransition
from safeguard.forensics.models import Device
from safeguard.incidents.models import Incident
from safeguard.measures.declarations import (
    DEVICES_IN_TIME,
    MEASURED_KINDS,
    OUT_BY_MIDNIGHT,
    Item,
    judge_all,
)
from safeguard.measures.models import MeasureCursor, MeasureFact, MeasureMonth
from safeguard.people.models import Address, PersonRecord
from safeguard.sharing.models import Share
from safeguard.workdays import LONDON

CURSOR = "duties"
UNKNOWN_AREA = "unknown"
CHUNK = 900  # duty ids per statement: under every backend's bound-parameter limit


def month_of(at: datetime) -> date:
    return at.astimezone(LONDON).date().replace(day=1)


def postcode_district(postcode: str | None) -> str:
    """The outward code ("AB1 2CD" -> "AB1"), the area a figure is filtered by."""
    if not postcode or not postcode.strip():
        return UNKNOWN_AREA
    text = postcode.strip().upper()
    outward = text.split()[0] if " " in text else text[:-3]
    return outward or UNKNOWN_AREA


def _cursor(session: Session) -> MeasureCursor | None:
    """The cursor row (the migration writes it), held for this transaction. On PostgreSQL a
    worker that finds another mid-pass skips its own (the other takes in the same history);
    SQLite writers take turns anyway."""
    query = select(MeasureCursor).where(MeasureCursor.name == CURSOR)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).one_or_none()


def refresh(session: Session, *, batch: int = 20_000) -> int:
    """Bring the figures up to date with the duties' history; returns duties judged (0
    when another worker is doing so)."""
    cursor = _cursor(session)
    if cursor is None:
        return 0
    top = session.scalar(select(func.max(DutyTransition.id))) or 0
    start, judged = cursor.settled_transition_id, 0
    while start < top:
        end = min(start + batch, top)
        ids = sorted(set(session.scalars(select(DutyTransition.duty_id).where(
            DutyTransition.id > start, DutyTransition.id <= end))))
        judged += rejudge(session, duty_ids=ids)
        start = end
    cursor.settled_transition_id = cursor.last_transition_id
    cursor.last_transition_id = top
    return judged


Key = tuple[str, date, str, str, str]
_KEY = (MeasureFact.indicator, MeasureFact.month, MeasureFact.agency_id, MeasureFact.area,
        MeasureFact.segment)


def rejudge(session: Session, *, duty_ids: Sequence[int]) -> int:
    """Judge these duties again, replace their rows, and move the monthly sums by the
    difference between what the rows said before and what they say now."""
    count = 0
    for at in range(0, len(duty_ids), CHUNK):
        chunk = list(duty_ids[at:at + CHUNK])
        deltas: dict[Key, list[int]] = {}
        for *key, rows, counted, met, breached in session.execute(
                select(*_KEY, func.count(), _sum(MeasureFact.counted),
                       _sum(MeasureFact.counted & MeasureFact.met),
                       _sum(MeasureFact.breached))
                .where(MeasureFact.duty_id.in_(chunk)).group_by(*_KEY)):
            _add(deltas, tuple(key), (-rows, -int(counted), -int(met), -int(breached)))
        session.execute(delete(MeasureFact).where(MeasureFact.duty_id.in_(chunk)))
        fresh = list(_fact_rows(session, chunk))
        for row in fresh:
            _add(deltas, (row["indicator"], row["month"], row["agency_id"], row["area"],
                          row["segment"]),
                 (1, int(row["counted"]), int(row["counted"] and row["met"]),
                  int(row["breached"])))
        if fresh:
            session.execute(insert(MeasureFact), fresh)
        _apply(session, deltas)
        count += len(chunk)
    return count


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _add(deltas: dict[Key, list[int]], key: Any, change: tuple[int, int, int, int]) -> None:
    sums = deltas.setdefault(key, [0, 0, 0, 0])
    for index, value in enumerate(change):
        sums[index] += value


def _apply(session: Session, deltas: dict[Key, list[int]]) -> None:
    """Add each difference to its monthly row (made at zero when new): one upsert."""
    rows = [{"indicator": k[0], "month": k[1], "agency_id": k[2], "area": k[3],
             "segment": k[4], "rows": d[0], "counted": d[1], "met": d[2], "breached": d[3]}
            for k, d in deltas.items() if any(d)]
    if not rows:
        return
    table = table_of(MeasureMonth)
    upsert = (pg_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)(table)
    session.execute(upsert.on_conflict_do_update(
        index_elements=["indicator", "month", "agency_id", "area", "segment"],
        set_={name: table.c[name] + upsert.excluded[name]
              for name in ("rows", "counted", "met", "breached")}), rows)


_ITEMS = (
    select(Duty.id, Duty.kind, Duty.status, Duty.owner_agency_id, Duty.partner_agency_id,
           Duty.created_at, Duty.due_at, Duty.discharged_at, Duty.breached_at, Duty.outcome,
           Duty.evidence, Duty.subject_person_id, Share.acknowledged_at, Share.content,
           Incident.kind.label("incident_kind"), Incident.recorded_at, Address.postcode,
           Duty.event_id)
    .outerjoin(Share, Share.duty_id == Duty.id)
    .outerjoin(Incident, Incident.event_id == Duty.event_id)
    .outerjoin(Address, Address.id == Incident.address_id)
)


def _fact_rows(session: Session, duty_ids: list[int]) -> Iterable[dict[str, Any]]:
    rows = session.execute(_ITEMS.where(Duty.id.in_(duty_ids),
                                        Duty.kind.in_(sorted(MEASURED_KINDS)))).all()
    homes = _newest_postcodes(session, {r.subject_person_id for r in rows
                                        if r.postcode is None and r.subject_person_id})
    priorities = _device_priorities(session, [r for r in rows
                                              if r.kind in DEVICES_IN_TIME.kinds])
    charges = _charges(session, {r.event_id for r in rows if r.kind in OUT_BY_MIDNIGHT.kinds})
    for r in rows:
        item = Item(
            duty_id=r.id, kind=r.kind, status=r.status, owner_agency_id=r.owner_agency_id,
            partner_agency_id=r.partner_agency_id, created_at=r.created_at, due_at=r.due_at,
            discharged_at=r.discharged_at, breached_at=r.breached_at, outcome=r.outcome,
            evidence=tuple(r.evidence or ()), acknowledged_at=r.acknowledged_at,
            share_content=r.content, incident_kind=r.incident_kind,
            incident_recorded_at=r.recorded_at, device_priority=priorities.get(r.id),
            charged_at=charges.get(r.event_id))
        area = postcode_district(r.postcode or homes.get(r.subject_person_id))
        for indicator, judged in judge_all(item):
            yield {"indicator": indicator.name, "duty_id": r.id,
                   "month": month_of(judged.started_at), "started_at": judged.started_at,
                   "agency_id": judged.agency_id, "area": area, "counted": judged.counted,
                   "met": judged.met, "breached": judged.breached, "seconds": judged.seconds,
                   "segment": judged.segment}


# The area facts a few indicators need and the duties do not carry, read for just the duties
# of those kinds (a second small query, as for homes, rather than joins every duty pays for).

def _device_priorities(session: Session, rows: Sequence[Any]) -> dict[int, int]:
    """Each examination duty's device's priority now (it only rises). The duty was raised by
    the device's submission, so its event finds the device by an index."""
    if not rows:
        return {}
    return {duty_id: priority for duty_id, priority in session.execute(
        select(Device.examination_duty_id, Device.priority).where(
            Device.event_id.in_(sorted({r.event_id for r in rows})),
            Device.examination_duty_id.in_(sorted(r.id for r in rows))))
        if duty_id is not None}


def _charges(session: Session, event_ids: set[int]) -> dict[int, datetime]:
    """When the child was charged, by the event of the custody step that raised the duty."""
    if not event_ids:
        return {}
    return {event_id: charged for event_id, charged in session.execute(
        select(DetentionStep.event_id, Detention.charged_at)
        .join(Detention, Detention.id == DetentionStep.detention_id)
        .where(DetentionStep.event_id.in_(sorted(event_ids)))) if charged is not None}


def _newest_postcodes(session: Session, person_ids: set[int]) -> dict[int, str | None]:
    """Each person's postcode on their newest record that gives an address."""
    if not person_ids:
        return {}
    found: dict[int, tuple[datetime, str | None]] = {}
    for person_id, at, postcode in session.execute(
            select(PersonRecord.person_id, PersonRecord.recorded_at, Address.postcode)
            .join(Address, Address.id == PersonRecord.address_id)
            .where(PersonRecord.person_id.in_(sorted(person_ids)))):
        if person_id not in found or at > found[person_id][0]:
            found[person_id] = (at, postcode)
    return {person_id: postcode for person_id, (_, postcode) in found.items()}
