"""Reading the measures: monthly figures, breakdowns, red/amber/green, and the records behind
a figure (audited: a drill-down names children)."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.audit.service import record_many
from safeguard.config import MeasureSettings
from safeguard.duties.models import Duty
from safeguard.duties.service import takes_part
from safeguard.measures.declarations import Indicator
from safeguard.measures.facts import month_of
from safeguard.measures.models import MeasureFact, MeasureMonth
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.rules.catalogue import KINDS


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # nothing to judge yet
    INFO = "info"  # reported, held to no target


RAG_WORDS = {Rag.GREEN: "On target", Rag.AMBER: "Below target", Rag.RED: "Well below target",
             Rag.NONE: "No outcomes yet", Rag.INFO: "Reported, no target"}


@dataclass(frozen=True)
class Filters:
    months: tuple[date, ...]  # first days of months, oldest first
    agency_id: str | None = None
    area: str | None = None
    segment: str | None = None


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int
    breached: int = 0
    median: float | None = None
    p90: float | None = None
    # Duties whose outcome is not known yet (still within their clock): a backlog, a caseload.
    open: int = 0

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


EMPTY = Figure(0, 0)


def last_months(today: date, count: int) -> tuple[date, ...]:
    """The first days of the last `count` months, the current one last."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return tuple(reversed(months))


def months_between(start: date, end: date) -> tuple[date, ...]:
    months, at = [], start.replace(day=1)
    while at <= end:
        months.append(at)
        at = (at + timedelta(days=32)).replace(day=1)
    return tuple(months)


def default_filters(now: datetime, settings: MeasureSettings) -> Filters:
    return Filters(last_months(month_of(now), settings.months))


def target_of(indicator: Indicator, settings: MeasureSettings) -> tuple[float | None,
                                                                         float | None]:
    return (settings.targets.get(indicator.name, indicator.target),
            settings.amber.get(indicator.name, indicator.amber))


def rag(indicator: Indicator, figure: Figure, settings: MeasureSettings) -> Rag:
    target, amber = target_of(indicator, settings)
    if target is None:
        return Rag.INFO
    rate = figure.rate
    if rate is None:
        return Rag.NONE
    if rate >= target:
        return Rag.GREEN
    return Rag.AMBER if amber is not None and rate >= amber else Rag.RED


def _where(indicator: Indicator, f: Filters, model: Any = MeasureFact
           ) -> list[ColumnElement[bool]]:
    """The filters, on the facts or on their monthly sums (the same columns)."""
    clauses = [model.indicator == indicator.name,
               model.month >= f.months[0], model.month <= f.months[-1]]
    if f.agency_id:
        clauses.append(model.agency_id == f.agency_id)
    if f.area:
        clauses.append(model.area == f.area)
    if f.segment:
        clauses.append(model.segment == f.segment)
    return clauses


@dataclass(frozen=True)
class Figures:
    """An indicator's figures over a period: in all, and by month, agency and area."""

    total: Figure
    months: dict[date, Figure]
    agencies: dict[str, Figure]
    areas: dict[str, Figure]
    segments: dict[str, Figure]


def _figure(sums: list[int], times: tuple[float | None, float | None]) -> Figure:
    return Figure(sums[1], sums[0], sums[2], times[0], times[1], sums[3])


# Times are broken down by month and agency (the inspector's "per receiving agency"); an
# area's or a segment's row shows its counts only, which keeps a page's work in Python small.
_TIMED = ("total", "month", "agency")
_GROUPS = ("total", "month", "agency", "area", "segment")


def _ranked(session: Session, indicator: Indicator, filters: Filters
            ) -> dict[str, dict[Any, tuple[float | None, float | None]]]:
    """Nearest-rank median and 90th percentile in all, per month and per agency. The times
    are read as they are stored (the month left as the database gives it, not parsed into
    a date per row: at a hundred thousand rows that parsing is most of the cost)."""
    waits: dict[str, dict[Any, list[float]]] = {name: defaultdict(list) for name in _TIMED}
    total, by_month, by_agency = (waits[name] for name in _TIMED)
    months: dict[Any, date] = {}
    for month, agency, seconds in session.execute(
            select(type_coerce(MeasureFact.month, String), MeasureFact.agency_id,
                   MeasureFact.seconds).where(*_where(indicator, filters),
                                              MeasureFact.seconds.is_not(None))):
        if seconds is None:  # the query asks for none, but the column allows it
            continue
        if month not in months:
            months[month] = month if isinstance(month, date) else date.fromisoformat(month)
        total[None].append(seconds)
        by_month[months[month]].append(seconds)
        by_agency[agency].append(seconds)
    return {name: {key: (_pct(values, 0.5), _pct(values, 0.9)) for key, values in
                   groups.items()} for name, groups in waits.items()}



def figures(session: Session, *, indicator: Indicator, filters: Filters, times: bool = True,
            detail: bool = True) -> Figures:
    """The sums, grouped in SQL over `measure_months` (a few rows per month, however many
    duties): by month always, by agency, area and segment for a measure's page (`detail`);
    and, where the indicator has times and they are wanted, the times from `measure_facts`
    (a median is not a sum: it is taken over the values of each group)."""
    groups: dict[str, dict[Any, list[int]]] = {name: {} for name in _GROUPS}
    wanted: dict[str, Any] = {"month": MeasureMonth.month}
    if detail:
        wanted |= {"agency": MeasureMonth.agency_id, "area": MeasureMonth.area,
                   "segment": MeasureMonth.segment}
    for name, column in wanted.items():
        for key, rows, counted, met, breached in session.execute(
                select(column, func.sum(MeasureMonth.rows), func.sum(MeasureMonth.counted),
                       func.sum(MeasureMonth.met), func.sum(MeasureMonth.breached))
                .where(*_where(indicator, filters, MeasureMonth)).group_by(column)):
            if rows:
                groups[name][key] = [int(counted), int(met), int(breached),
                                     int(rows) - int(counted)]
    groups["total"][None] = [sum(v[i] for v in groups["month"].values()) for i in range(4)]
    ranks: dict[str, dict[Any, tuple[float | None, float | None]]] = {}
    if times and indicator.durations:
        ranks = _ranked(session, indicator, filters)

    def built(name: str) -> dict[Any, Figure]:
        return {key: _figure(sums, ranks.get(name, {}).get(key, (None, None)))
                for key, sums in groups[name].items()}

    return Figures(built("total").get(None, EMPTY), built("month"), built("agency"),
                   built("area"), built("segment"))


def _pct(values: list[float], fraction: float) -> float | None:
    """Nearest rank, as measures.service.percentile, on plain seconds (no timedelta each)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def monthly(session: Session, *, indicator: Indicator, filters: Filters
            ) -> list[tuple[date, Figure]]:
    found = figures(session, indicator=indicator, filters=filters).months
    return [(month, found.get(month, EMPTY)) for month in filters.months]


def total(session: Session, *, indicator: Indicator, filters: Filters) -> Figure:
    return figures(session, indicator=indicator, filters=filters).total


def by_agency(session: Session, *, indicator: Indicator, filters: Filters
              ) -> list[tuple[str, Figure]]:
    return sorted(figures(session, indicator=indicator, filters=filters).agencies.items())


def by_area(session: Session, *, indicator: Indicator, filters: Filters
            ) -> list[tuple[str, Figure]]:
    return sorted(figures(session, indicator=indicator, filters=filters).areas.items())


def agency_names(session: Session) -> dict[str, str]:
    return {agency_id: name for agency_id, name in session.execute(
        select(Agency.id, Agency.name))}


def choices(session: Session) -> tuple[list[str], list[str]]:
    """The agencies and areas any figure names, for the filters."""
    agencies = session.scalars(select(MeasureMonth.agency_id).distinct()).all()
    areas = session.scalars(select(MeasureMonth.area).distinct()).all()
    return sorted(agencies), sorted(areas)


class Part(StrEnum):
    DENOMINATOR = "denominator"
    NUMERATOR = "numerator"
    MISSED = "missed"  # counted, not met
    BREACHED = "breached"
    OPEN = "open"  # outcome not known yet


PART_WORDS = {Part.DENOMINATOR: "every record counted", Part.NUMERATOR: "the records that met it",
              Part.MISSED: "the records that did not", Part.BREACHED: "the records breached",
              Part.OPEN: "the records still within their clock"}


@dataclass(frozen=True)
class Row:
    duty_id: int
    kind_title: str
    child: str | None
    person_id: int | None
    agency_id: str
    area: str
    started_at: datetime
    due_at: datetime
    done_at: datetime | None
    status: str
    met: bool
    seconds: float | None


@dataclass(frozen=True)
class Records:
    rows: list[Row]
    # Records behind the figure that the reader's agency takes no part in: counted, not shown.
    withheld: int


def _part(part: Part) -> list[ColumnElement[bool]]:
    if part is Part.NUMERATOR:
        return [MeasureFact.counted.is_(True), MeasureFact.met.is_(True)]
    if part is Part.MISSED:
        return [MeasureFact.counted.is_(True), MeasureFact.met.is_(False)]
    if part is Part.BREACHED:
        return [MeasureFact.breached.is_(True)]
    if part is Part.OPEN:
        return [MeasureFact.counted.is_(False)]
    return [MeasureFact.counted.is_(True)]


def records(session: Session, *, principal: Principal, indicator: Indicator, filters: Filters,
            part: Part, limit: int = 500) -> Records:
    """The duties behind a figure that the reader's agency takes part in, oldest first; every
    child named is recorded in the audit trail."""
    where = [*_where(indicator, filters), *_part(part)]
    visible = takes_part(principal.agency_id)
    everything = session.scalar(select(func.count()).select_from(MeasureFact).where(*where)) or 0
    found = session.execute(
        select(MeasureFact, Duty, Person).join(Duty, Duty.id == MeasureFact.duty_id)
        .outerjoin(Person, Person.id == Duty.subject_person_id)
        .where(*where, visible).order_by(MeasureFact.started_at, Duty.id).limit(limit)).all()
    shown = session.scalar(select(func.count()).select_from(MeasureFact)
                           .join(Duty, Duty.id == MeasureFact.duty_id).where(*where, visible)) or 0
    rows = [Row(duty_id=duty.id, kind_title=KINDS[duty.kind].title if duty.kind in KINDS
                else duty.kind, child=person_name(person) if person else None,
                person_id=person.id if person else None, agency_id=fact.agency_id,
                area=fact.area, started_at=fact.started_at, due_at=duty.due_at,
                done_at=duty.discharged_at, status=duty.status, met=fact.met,
                seconds=fact.seconds) for fact, duty, person in found]
    people = sorted({row.person_id for row in rows if row.person_id is not None})
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=people, why=f"measure {indicator.name}: {PART_WORDS[part]}")
    return Records(rows, everything - shown)


def rows_as_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
