"""What information governance sees: a child's access history (every read, write and refusal
about them: who, which agency, when, why) and unusual access across the partnership (a high
volume of reads in an hour, refusals, access out of hours, break-glass). Only users and keys
with the `information_governance` role; their own looking is audited like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from safeguard.access.models import Role
from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.audit.service import record
from safeguard.config import GovernanceSettings
from safeguard.errors import Forbidden, NotFound
from safeguard.people.models import Person, PersonMerge
from safeguard.people.service import person_name
from safeguard.workdays import LONDON, local_to_utc

BREAK_GLASS = "break_glass"  # the action an emergency override records (finding 2)
REFUSED = "refused"
MAX_ROWS = 1000


def require_governance(principal: Principal) -> None:
    if not principal.has_role(Role.INFORMATION_GOVERNANCE):
        raise Forbidden("Only information governance may see who accessed records.")


def _merged_into(session: Session, person_id: int) -> list[int]:
    """The person and everyone merged into them (and not unmerged): their earlier entries
    were written under the ids they had then, and the trail is never rewritten."""
    found, frontier = {person_id}, [person_id]
    while frontier:
        merged = set(session.scalars(select(PersonMerge.merged_id).where(
            PersonMerge.survivor_id.in_(frontier), PersonMerge.undone_at.is_(None))))
        frontier = sorted(merged - found)
        found |= merged
    return sorted(found)


@dataclass(frozen=True)
class AccessHistory:
    person_id: int
    name: str
    person_ids: list[int]  # the person and those merged into them
    entries: list[AuditEntry]  # newest first
    more: bool  # older entries exist beyond MAX_ROWS


def access_history(session: Session, *, principal: Principal, person_id: int) -> AccessHistory:
    require_governance(principal)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    ids = _merged_into(session, person_id)
    entries = list(session.scalars(
        select(AuditEntry).where(AuditEntry.person_id.in_(ids))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(MAX_ROWS + 1)))
    record(session, principal=principal, action="read", entity="access_history",
           entity_id=person_id, person_id=person_id,
           why="information governance: who accessed this child's records")
    return AccessHistory(person_id, person_name(person), ids, entries[:MAX_ROWS],
                         len(entries) > MAX_ROWS)


@dataclass(frozen=True)
class HourOfReads:
    actor: str
    agency_id: str | None
    hour: datetime  # UTC, the start of the hour
    reads: int


@dataclass(frozen=True)
class ActorTally:
    actor: str
    agency_id: str | None
    count: int
    first: datetime  # UTC, the start of the first and last hours it happened in
    last: datetime


@dataclass(frozen=True)
class UnusualAccess:
    since: datetime
    until: datetime
    reads_per_hour: int
    day_starts_hour: int
    day_ends_hour: int
    high_volume: list[HourOfReads]
    refusals: list[ActorTally]
    out_of_hours: list[ActorTally]
    break_glass: list[AuditEntry]


# Before any record the product can hold, and far enough from year 1 that a day's
# arithmetic and zone conversion never overflow.
EARLIEST = date(1900, 1, 1)


def window(now: datetime, *, date_from: date | None, date_to: date | None,
           days: int) -> tuple[datetime, datetime]:
    """From the start of `date_from` to the end of `date_to` (London days, inclusive); by
    default the last `days` days up to now."""
    today = now.astimezone(LONDON).date()
    # Nothing is recorded after today: a far-future day (9999-12-31) is today, not an error;
    # nor before the product's first records: a far-past day (0001-01-01) is the earliest.
    end = max(min(date_to or today, today), EARLIEST + timedelta(days=days))
    start = max(date_from or end - timedelta(days=days - 1), EARLIEST)
    return local_to_utc(start, time(0)), min(local_to_utc(end + timedelta(days=1), time(0)),
                                             now)


def _hour_of(column: InstrumentedAttribute[datetime], dialect: str) -> ColumnElement[str]:
    """The UTC hour an entry fell in, as text: SQLite has no time zones, so the London hour is
    worked out from it in Python (London's offset from UTC is always whole hours)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _tally(rows: list[tuple[str, str | None, datetime, int]]) -> list[ActorTally]:
    by_actor: dict[tuple[str, str | None], list[tuple[datetime, int]]] = {}
    for actor, agency, hour, count in rows:
        by_actor.setdefault((actor, agency), []).append((hour, count))
    tallies = [ActorTally(actor, agency, sum(c for _, c in hours), min(h for h, _ in hours),
                          max(h for h, _ in hours))
               for (actor, agency), hours in by_actor.items()]
    return sorted(tallies, key=lambda t: (-t.count, t.actor))


def unusual_access(session: Session, *, principal: Principal, since: datetime,
                   until: datetime, settings: GovernanceSettings) -> UnusualAccess:
    """Entries between `since` and `until` grouped by who and which hour, in one query. The
    service's own work (`system:` actors: imports, the worker) is left out: it runs at all
    hours and reads in bulk by design."""
    require_governance(principal)
    hour = _hour_of(AuditEntry.at, session.get_bind().dialect.name).label("hour")
    grouped = session.execute(
        select(AuditEntry.actor, AuditEntry.agency_id, AuditEntry.action, hour,
               func.count().label("n"))
        .where(AuditEntry.at >= since, AuditEntry.at < until,
               ~AuditEntry.actor.startswith("system:"))
        .group_by(AuditEntry.actor, AuditEntry.agency_id, AuditEntry.action, hour)).all()
    high, refused, late = [], [], []
    for actor, agency, action, text, count in grouped:
        start = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)
        if action == "read" and count > settings.reads_per_hour:
            high.append(HourOfReads(actor, agency, start, count))
        if action == REFUSED:
            refused.append((actor, agency, start, count))
        local = start.astimezone(LONDON).hour
        if not settings.day_starts_hour <= local < settings.day_ends_hour:
            late.append((actor, agency, start, count))
    glass = list(session.scalars(
        select(AuditEntry).where(AuditEntry.action == BREAK_GLASS, AuditEntry.at >= since,
                                 AuditEntry.at < until)
        .order_by(AuditEntry.at.desc()).limit(MAX_ROWS)))
    record(session, principal=principal, action="read", entity="audit_log",
           entity_id=f"{since:%Y-%m-%d}..{until:%Y-%m-%d}",
           why="information governance: unusual access")
    return UnusualAccess(since, until, settings.reads_per_hour, settings.day_starts_hour,
                         settings.day_ends_hour,
                         sorted(high, key=lambda h: (-h.reads, h.hour)), _tally(refused),
                         _tally(late), glass)
