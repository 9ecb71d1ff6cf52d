"""The unit's capacity: caseloads per offender manager against the target, visits overdue
and due soon, and the officers the risk management plans need month by month beside the
officers there are. Aggregates only: no person is named, so reading them is not a read of
personal data (the board, which names offenders, is audited)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from safeguard.config import OffenderSettings
from safeguard.duties.models import Duty
from safeguard.offenders.models import OffenderRegistration, OffenderVisit
from safeguard.rules.offenders import (
    OFFENDER_HOME_VISIT,
    RISKS,
    officers_needed,
    visits_in,
)
from safeguard.workdays import LONDON, local_to_utc

PAST_MONTHS = 12
FUTURE_MONTHS = 6
SOON_DAYS = (30, 90)


@dataclass(frozen=True)
class ManagerLoad:
    manager: str
    offenders: int
    by_risk: dict[str, int]
    weighted: float
    over_target: bool
    overdue: int
    due_30_days: int
    due_90_days: int


@dataclass(frozen=True)
class MonthFigure:
    month: date  # its first day
    label: str
    projected: bool
    # Past months: home visits the plans made due, and home visits made; future months: the
    # visits the current plans will make due.
    visits_due: int
    visits_made: int | None
    officers_needed: float


@dataclass(frozen=True)
class Capacity:
    at: datetime
    target: float
    visits_per_officer_per_week: float
    offenders: int
    officers: int
    # Officers needed for the caseloads to sit at the target.
    officers_for_target: float
    managers: list[ManagerLoad]
    months: list[MonthFigure]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        for month in data["months"]:
            month["month"] = month["month"].isoformat()
        return data


def _month_starts(today: date) -> list[date]:
    """The first days of the last 12 months, this month, the next 5, and the one after."""
    first = date(today.year, today.month, 1)
    starts = []
    for offset in range(-PAST_MONTHS, FUTURE_MONTHS + 1):
        year, month = divmod(first.month - 1 + offset, 12)
        starts.append(date(first.year + year, month + 1, 1))
    return starts


def _utc(day: date) -> datetime:
    return local_to_utc(day, time(0))


def active(now: datetime) -> ColumnElement[bool]:
    """SQL: registrations in force (not ended, and not past their last day in London)."""
    reg = OffenderRegistration
    return and_(reg.ended.is_(False), or_(reg.registration_ends.is_(None),
                                          reg.registration_ends >= now.astimezone(LONDON).date()))


def _loads(session: Session, *, now: datetime, settings: OffenderSettings
           ) -> list[ManagerLoad]:
    reg = OffenderRegistration
    due = reg.next_visit_due

    def counted(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0)).cast(Integer)

    soon = [counted(and_(due >= now, due < now + timedelta(days=days))) for days in SOON_DAYS]
    rows = session.execute(
        select(reg.offender_manager, reg.risk, func.count(reg.id), counted(due < now), *soon)
        .where(active(now)).group_by(reg.offender_manager, reg.risk)).all()
    managers: dict[str, dict[str, Any]] = {}
    for manager, risk, count, overdue, due_30, due_90 in rows:
        m = managers.setdefault(manager, {"by_risk": dict.fromkeys(RISKS, 0), "overdue": 0,
                                          "due_30": 0, "due_90": 0})
        m["by_risk"][risk] = count
        m["overdue"] += overdue or 0
        m["due_30"] += due_30 or 0
        m["due_90"] += due_90 or 0
    loads = []
    for manager, m in managers.items():
        weighted = sum(settings.risk_weights.get(risk, 1.0) * n
                       for risk, n in m["by_risk"].items())
        loads.append(ManagerLoad(
            manager=manager, offenders=sum(m["by_risk"].values()), by_risk=m["by_risk"],
            weighted=round(weighted, 2), over_target=weighted > settings.caseload_target,
            overdue=m["overdue"], due_30_days=m["due_30"], due_90_days=m["due_90"]))
    return sorted(loads, key=lambda load: (-load.weighted, load.manager))


def _counts_by_month(session: Session, bounds: list[tuple[datetime, datetime]],
                     count: Callable[[datetime, datetime], Select[Any]]) -> list[int]:
    """One count per month, each an indexed range (a covering index scan on SQLite), sent
    as one statement."""
    months = [count(a, b).subquery().select() for a, b in bounds]
    return [row[0] or 0 for row in session.execute(union_all(*months))]


def _past(session: Session, starts: list[date]) -> list[tuple[int, int]]:
    """(visits due, home visits made) in each past month."""
    bounds = [(_utc(a), _utc(b)) for a, b in zip(starts[:PAST_MONTHS],
                                                  starts[1:PAST_MONTHS + 1], strict=True)]
    made = _counts_by_month(session, bounds, lambda a, b: select(func.count()).where(
        OffenderVisit.visited_at >= a, OffenderVisit.visited_at < b,
        OffenderVisit.home_visit.is_(True)))
    # A visit brought forward by a new plan was never due on the old date.
    due = _counts_by_month(session, bounds, lambda a, b: select(func.count()).where(
        Duty.kind == OFFENDER_HOME_VISIT.name, Duty.due_at >= a, Duty.due_at < b,
        Duty.outcome.is_(None) | (Duty.outcome != "rescheduled")))
    return list(zip(due, made, strict=True))


def _future(session: Session, starts: list[date], now: datetime) -> list[int]:
    """Visits the current plans put in this month and the next five (an overdue visit
    counts as due now). In whole seconds: the arithmetic runs once per plan and month."""
    windows = [(max(_utc(a), now).timestamp(), _utc(b).timestamp())
               for a, b in zip(starts[PAST_MONTHS:-1], starts[PAST_MONTHS + 1:], strict=True)]
    totals = [0] * len(windows)
    reg = OffenderRegistration
    plans = session.execute(select(reg.visit_every_days, reg.next_visit_due).where(
        active(now), reg.visit_every_days.is_not(None),
        reg.next_visit_due.is_not(None))).all()
    floor = now.timestamp()
    for every, next_due in plans:
        if every is None or next_due is None:  # filtered out above; for the type checker
            continue
        first, step = max(next_due.timestamp(), floor), every * 86400
        for n, (a, b) in enumerate(windows):
            totals[n] += visits_in(first, step, a, b)
    return totals


def capacity(session: Session, *, now: datetime, settings: OffenderSettings) -> Capacity:
    today = now.astimezone(LONDON).date()
    starts = _month_starts(today)
    loads = _loads(session, now=now, settings=settings)
    per_week = settings.visits_per_officer_per_week
    months: list[MonthFigure] = []
    for n, (due, made) in enumerate(_past(session, starts)):
        days = (starts[n + 1] - starts[n]).days
        months.append(MonthFigure(starts[n], starts[n].strftime("%b %Y"), False, due, made,
                                  round(officers_needed(due, days, per_week), 2)))
    for n, due in enumerate(_future(session, starts, now)):
        a, b = starts[PAST_MONTHS + n], starts[PAST_MONTHS + n + 1]
        days = (b - max(a, today)).days if n == 0 else (b - a).days
        months.append(MonthFigure(a, a.strftime("%b %Y"), True, due, None,
                                  round(officers_needed(due, days, per_week), 2)))
    officers = len(loads)
    offenders = sum(load.offenders for load in loads)
    weighted = sum(load.weighted for load in loads)
    for_target = round(weighted / settings.caseload_target, 2) \
        if settings.caseload_target > 0 else 0.0
    return Capacity(at=now, target=settings.caseload_target,
                    visits_per_officer_per_week=per_week, offenders=offenders,
                    officers=officers, officers_for_target=for_target, managers=loads,
                    months=months, warnings=_warnings(loads, months, officers, for_target,
                                                      settings))


def _warnings(loads: list[ManagerLoad], months: list[MonthFigure], officers: int,
              for_target: float, settings: OffenderSettings) -> list[str]:
    warnings = []
    over = [load for load in loads if load.over_target]
    if over:
        warnings.append(f"{len(over)} of {len(loads)} offender managers carry more than the "
                        f"target caseload of {settings.caseload_target:g}: "
                        + ", ".join(f"{load.manager} ({load.weighted:g})" for load in over))
    if for_target > officers:
        warnings.append(f"At the target caseload the register needs {for_target:.1f} offender "
                        f"managers; the unit has {officers}.")
    short = [m for m in months if m.projected and m.officers_needed > officers]
    if short:
        worst = max(short, key=lambda m: m.officers_needed)
        warnings.append(f"The risk management plans need more officers than the unit has in "
                        f"{len(short)} of the next {FUTURE_MONTHS} months (most in "
                        f"{worst.label}: {worst.officers_needed:.1f} officers for "
                        f"{worst.visits_due} home visits; the unit has {officers}).")
    overdue = sum(load.overdue for load in loads)
    if overdue:
        warnings.append(f"{overdue} home visit{'s are' if overdue != 1 else ' is'} overdue.")
    return warnings
