"""Share records for information governance: every share, why it was lawful, what it held,
who sent it to whom and when it was delivered and acknowledged — searchable and exportable.

An agency sees the shares it sent or received; a user with the `information_governance` role
sees every agency's (the audit of the whole partnership).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.audit.service import record_many
from safeguard.duties.models import Duty
from safeguard.events.models import Event
from safeguard.people.models import Person
from safeguard.people.names import normalise_name
from safeguard.people.service import person_name
from safeguard.sharing.models import Share
from safeguard.sharing.service import shared_by
from safeguard.workdays import local_to_utc

IG_ROLE = "information_governance"
CSV_COLUMNS = ("share_id", "shared_at", "reference", "kind", "child", "from_agency", "to_agency",
               "shared_by", "lawful_basis", "purpose", "fields_shared", "delivered_at",
               "opened_at", "acknowledged_at", "acknowledged_by", "due_at", "replied_at")


@dataclass(frozen=True)
class RecordFilter:
    date_from: date | None = None  # London dates, inclusive
    date_to: date | None = None
    agency: str | None = None  # sent or received by
    kind: str | None = None
    child: str = ""  # words of the child's name
    reference: str = ""


@dataclass(frozen=True)
class ShareRecord:
    share: Share
    reference: str
    child: str
    from_agency: str
    to_agency: str
    shared_by: str
    due_at: datetime

    @property
    def fields(self) -> list[str]:
        """What was shared: the names of the fields that held something."""
        return sorted(k for k, v in self.share.content.items() if v not in (None, ""))


def may_see_all(principal: Principal) -> bool:
    return principal.has_role(IG_ROLE)


def _query(principal: Principal, f: RecordFilter) -> Select[Share, Duty, Event, Person]:
    query = (select(Share, Duty, Event, Person)
             .join(Duty, Duty.id == Share.duty_id).join(Event, Event.id == Share.event_id)
             .join(Person, Person.id == Share.subject_person_id))
    if not may_see_all(principal):
        query = query.where(or_(Share.from_agency_id == principal.agency_id,
                                Share.to_agency_id == principal.agency_id))
    if f.date_from:
        query = query.where(Share.created_at >= local_to_utc(f.date_from, time(0)))
    if f.date_to:
        query = query.where(Share.created_at < local_to_utc(f.date_to + timedelta(days=1),
                                                            time(0)))
    if f.agency:
        query = query.where(or_(Share.from_agency_id == f.agency,
                                Share.to_agency_id == f.agency))
    if f.kind:
        query = query.where(Share.kind == f.kind)
    for word in f.child.split():
        query = query.where(Person.match_key.like(f"%{normalise_name(word)}%"))
    if f.reference.strip():
        query = query.where(func.lower(Event.source_id).like(
            f"%{f.reference.strip().lower()}%"))
    return query


def search_records(
    session: Session, *, principal: Principal, filters: RecordFilter, why: str,
    limit: int | None = 100, offset: int = 0,
) -> tuple[list[ShareRecord], int]:
    """Shares newest first, and how many match. Listing names children, so it is audited."""
    query = _query(principal, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(Share.created_at.desc(), Share.id.desc()).offset(offset)
    rows = session.execute(query.limit(limit) if limit is not None else query).all()
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    creators = shared_by(session, duty_ids=[row[1].id for row in rows])
    records = [
        ShareRecord(share=share, reference=event.source_id, child=person_name(person),
                    from_agency=names.get(share.from_agency_id, share.from_agency_id),
                    to_agency=names.get(share.to_agency_id, share.to_agency_id),
                    shared_by=creators.get(duty.id, ""), due_at=duty.due_at)
        for share, duty, event, person in rows
    ]
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({r.share.subject_person_id for r in records}), why=why)
    return records, total


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted as text."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def records_csv(records: Iterable[ShareRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        s = r.share
        writer.writerow([_cell(v) for v in (
            s.id, s.created_at, r.reference, s.kind, r.child, r.from_agency, r.to_agency,
            r.shared_by, s.lawful_basis, s.purpose, " ".join(r.fields), s.delivered_at,
            s.opened_at, s.acknowledged_at, s.acknowledged_by, r.due_at, s.replied_at)])
    return out.getvalue()
