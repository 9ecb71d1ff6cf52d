"""Reading the queue: devices waiting by priority then age, each with its clock; the
backlog's figures by priority; its rates over the last 90 days, its length month by month,
and the forecast built from them. Every figure is one indexed query (or one per priority),
so the board and `safeguard forensics backlog` stay quick over a national-size queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record_many
from safeguard.config import ForensicsSettings
from safeguard.errors import Forbidden
from safeguard.forensics.forecast import PRIORITIES, Forecast, forecast, projection
from safeguard.forensics.models import WAITING, Device
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.workdays import LONDON

DAY = timedelta(days=1)
# How far back the chart looks, and how far it projects, in months.
HISTORY_MONTHS = 12
PROJECTION_MONTHS = 12
STAGE_CHOICES = ("waiting", "triaged", "started")
# The most examiners a "what if" forecast may add.
MAX_EXTRA_EXAMINERS = 500


def require_police(principal: Principal) -> None:
    """The queue, its devices and their suspects are the police's alone (what findings tell
    children's social care reaches it as a share, in its inbox)."""
    if principal.agency_kind != AgencyKind.POLICE.value:
        raise Forbidden("the digital forensics queue is open to the police only")


def _breached(now: datetime) -> ColumnElement[bool]:
    """A device past its clock: triage's while it waits for triage, completion's always."""
    return or_(Device.complete_due_at < now,
               and_(Device.stage == WAITING, Device.triage_due_at < now))


def clock_of(device: Device) -> tuple[str, datetime]:
    """The clock that matters now: triage's while the device waits for triage, else
    completion's."""
    if device.stage == WAITING and device.triage_due_at is not None:
        return "triage", min(device.triage_due_at, device.complete_due_at)
    return "completion", device.complete_due_at


@dataclass(frozen=True)
class QueueFilter:
    priority: int | None = None
    stage: str | None = None
    device: str | None = None
    breached_only: bool = False


@dataclass(frozen=True)
class QueueRow:
    device: Device
    suspect: str | None
    age_days: int
    clock: str
    due_at: datetime
    breached: bool


def _waiting(f: QueueFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Device.ended_at.is_(None)]
    if f.priority is not None:
        where.append(Device.priority == f.priority)
    if f.stage is not None:
        where.append(Device.stage == f.stage)
    if f.device is not None:
        where.append(Device.device == f.device)
    if f.breached_only:
        where.append(_breached(now))
    return where


def queue(session: Session, *, principal: Principal, now: datetime, filters: QueueFilter,
          limit: int, offset: int = 0, why: str | None) -> tuple[list[QueueRow], int]:
    """Devices not yet ended, by priority then age (oldest first), a page at a time, and how
    many match. Listing suspects is a read of their data, audited when `why` is given."""
    where = _waiting(filters, now)
    total = session.scalar(select(func.count(Device.id)).where(*where)) or 0
    devices = list(session.scalars(select(Device).where(*where)
                                   .order_by(Device.priority, Device.submitted_at, Device.id)
                                   .limit(limit).offset(offset)))
    ids = {d.suspect_person_id for d in devices if d.suspect_person_id is not None}
    names = {p.id: person_name(p) for p in session.scalars(
        select(Person).where(Person.id.in_(ids)))} if ids else {}
    rows = []
    for device in devices:
        clock, due = clock_of(device)
        rows.append(QueueRow(device, names.get(device.suspect_person_id or 0),
                             (now - device.submitted_at) // DAY, clock, due, due < now))
    if why is not None and ids:
        record_many(session, principal=principal, action="read", entity="person",
                    person_ids=sorted(ids), why=why)
    return rows, total


@dataclass(frozen=True)
class PriorityFigures:
    priority: int
    waiting: int
    oldest_days: int | None
    median_days: float | None
    breached: int
    # The clock that a device of this priority is held to, in days.
    triage_days: int | None
    complete_days: int


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the first day of the month (London) after which the length is counted
    waiting: float
    projected: bool


@dataclass(frozen=True)
class Backlog:
    at: datetime
    priorities: tuple[PriorityFigures, ...]
    rate_window_days: int
    arrivals: dict[int, int]
    completions: int
    forecast: Forecast
    series: tuple[MonthPoint, ...]

    @property
    def waiting(self) -> int:
        return sum(p.waiting for p in self.priorities)

    @property
    def breached(self) -> int:
        return sum(p.breached for p in self.priorities)

    @property
    def clears_on(self) -> date | None:
        weeks = self.forecast.clears_in_weeks
        return None if weeks is None else (self.at + timedelta(weeks=weeks)).astimezone(
            LONDON).date()


def _median_age(session: Session, *, priority: int, count: int, now: datetime
                ) -> float | None:
    """The median age in days: the middle of the index's order, read by offset."""
    if count == 0:
        return None
    base = (select(Device.submitted_at).where(Device.ended_at.is_(None),
                                              Device.priority == priority)
            .order_by(Device.submitted_at))
    middle = [count // 2] if count % 2 else [count // 2 - 1, count // 2]
    ages = [(now - session.scalars(base.offset(n).limit(1)).one()) / DAY for n in middle]
    return sum(ages) / len(ages)


def priority_figures(session: Session, *, now: datetime, settings: ForensicsSettings
             ) -> tuple[PriorityFigures, ...]:
    rows = session.execute(
        select(Device.priority, func.count(Device.id), func.min(Device.submitted_at),
               func.sum(case((_breached(now), 1), else_=0)))
        .where(Device.ended_at.is_(None)).group_by(Device.priority)).all()
    found = {int(p): (int(n), oldest, int(b or 0)) for p, n, oldest, b in rows}
    triage = {1: settings.p1_triage_days, 2: settings.p2_triage_days}
    complete = complete_days(settings)
    figures = []
    for priority in PRIORITIES:
        count, oldest, breached = found.get(priority, (0, None, 0))
        figures.append(PriorityFigures(
            priority, count, (now - oldest) // DAY if oldest is not None else None,
            _median_age(session, priority=priority, count=count, now=now), breached,
            triage.get(priority), complete[priority]))
    return tuple(figures)


def complete_days(settings: ForensicsSettings) -> dict[int, int]:
    return {1: settings.p1_complete_days, 2: settings.p2_complete_days,
            3: settings.p3_complete_days}


def _month_starts(now: datetime, back: int, forward: int) -> list[date]:
    today = now.astimezone(LONDON).date()
    first = today.replace(day=1)
    months = []
    for step in range(-back, forward + 1):
        index = first.year * 12 + first.month - 1 + step
        months.append(date(index // 12, index % 12 + 1, 1))
    return months


def _as_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


def _after(session: Session, column: InstrumentedAttribute[Any], instants: list[datetime]
           ) -> list[int]:
    """How many rows have `column` after each instant and by the last: one pass over the
    index's range since the first instant, each row counted in the gap it falls in."""
    last = len(instants) - 1
    gap = case(*((column <= t, n) for n, t in enumerate(instants[1:])), else_=last)
    found: dict[int, int] = dict(session.execute(select(gap, func.count()).where(
        column > instants[0], column <= instants[-1]).group_by(gap)).all())
    after, total = [0] * len(instants), 0
    for n in range(last - 1, -1, -1):  # after instant n: the gaps n .. last-1
        total += int(found.get(n, 0))
        after[n] = total
    return after


def _history(session: Session, *, now: datetime) -> list[MonthPoint]:
    """The queue's length at the start of each of the last twelve months and now, worked back
    from today's: a month ago it held what has since ended and not what has since arrived.
    Only the last year's rows are read, however long the unit's history."""
    instants = [_as_utc(m) for m in _month_starts(now, HISTORY_MONTHS - 1, 0)] + [now]
    waiting = session.scalar(select(func.count()).where(
        Device.ended_at.is_(None), Device.submitted_at <= now)) or 0
    waiting += session.scalar(select(func.count()).where(Device.ended_at > now)) or 0
    ended = _after(session, Device.ended_at, instants)
    arrived = _after(session, Device.submitted_at, instants)
    return [MonthPoint(t.astimezone(LONDON).date(), float(waiting + ended[n] - arrived[n]),
                       False) for n, t in enumerate(instants)]


def backlog(session: Session, *, now: datetime, settings: ForensicsSettings,
            extra_examiners: int = 0) -> Backlog:
    """Every figure of the backlog and its forecast (no personal data: not audited)."""
    figures = priority_figures(session, now=now, settings=settings)
    since = now - timedelta(days=settings.rate_window_days)
    arrivals = {int(p): int(n) for p, n in session.execute(
        select(Device.priority, func.count(Device.id))
        .where(Device.submitted_at > since, Device.submitted_at <= now)
        .group_by(Device.priority)).all()}
    completions = session.scalar(select(func.count(Device.id)).where(
        Device.ended_at > since, Device.ended_at <= now)) or 0
    weeks = settings.rate_window_days / 7
    predicted = forecast(
        waiting={f.priority: f.waiting for f in figures},
        arrivals_per_week={p: n / weeks for p, n in arrivals.items()},
        completions_per_week=completions / weeks, clock_days=complete_days(settings),
        devices_per_examiner_per_week=settings.devices_per_examiner_per_week,
        extra_examiners=extra_examiners)
    history = _history(session, now=now)
    ahead = _month_starts(now, 0, PROJECTION_MONTHS)[1:]
    lengths = projection(history[-1].waiting if history else 0,
                         arrivals_per_week=predicted.arrivals_per_week,
                         completions_per_week=predicted.completions_per_week,
                         weeks=[(_as_utc(m) - now) / timedelta(weeks=1) for m in ahead])
    series = (*history, *(MonthPoint(m, n, True) for m, n in zip(ahead, lengths, strict=True)))
    return Backlog(now, figures, settings.rate_window_days, arrivals, completions, predicted,
                   series)


def _rounded(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


def backlog_document(report: Backlog) -> dict[str, object]:
    """The backlog's figures as JSON (the API and `safeguard forensics backlog --json`)."""
    f = report.forecast
    clears_on = report.clears_on.isoformat() if report.clears_on else None
    outlook = {o.priority: o for o in f.outlooks}
    return {
        "at": report.at.isoformat(), "waiting": report.waiting, "breached": report.breached,
        "priorities": [{
            "priority": p.priority, "waiting": p.waiting, "oldest_days": p.oldest_days,
            "median_days": _rounded(p.median_days), "breached": p.breached,
            "triage_days": p.triage_days, "complete_days": p.complete_days,
            "arrivals_per_week": _rounded(outlook[p.priority].arrivals_per_week, 2),
            "wait_weeks": _rounded(outlook[p.priority].wait_weeks),
            "clock_met": outlook[p.priority].clock_met} for p in report.priorities],
        "rates": {"window_days": report.rate_window_days,
                  "arrivals": sum(report.arrivals.values()),
                  "completions": report.completions,
                  "arrivals_per_week": _rounded(f.arrivals_per_week, 2),
                  "completions_per_week": _rounded(
                      report.completions / (report.rate_window_days / 7), 2)},
        "forecast": {"clears": f.clears, "clears_in_weeks": _rounded(f.clears_in_weeks),
                     "clears_on": clears_on, "every_clock_met": f.every_clock_met,
                     "extra_examiners": f.extra_examiners,
                     # Today's completions and the extra examiners' together.
                     "completions_per_week": _rounded(f.completions_per_week, 2),
                     "devices_per_examiner_per_week": f.devices_per_examiner_per_week,
                     "examiners_now": _rounded(f.examiners_now),
                     "capacity_needed_per_week": _rounded(f.capacity_needed, 2),
                     "examiners_needed": f.examiners_needed},
        "series": [{"month": p.month.isoformat(), "waiting": round(p.waiting),
                    "projected": p.projected} for p in report.series],
    }
