"""What stands now, beside a measure's monthly trend: the devices awaiting examination (the
backlog by priority and when it clears) and the offender managers' caseloads against the
target. Read from the forensics and offenders areas' own figures, so the measure, the unit's
pages and their commands never disagree.

Neither names a child, a suspect or an offender. Offender managers are police officers, so
their names are shown to police users only; everyone else sees the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.config import Settings
from safeguard.forensics.queue import PriorityFigures, backlog
from safeguard.offenders.capacity import ManagerLoad, capacity

DEVICES = 5
OFFENDERS = 6
# What each measure's "Now" section shows, in words for docs/measures.md.
NOW_WORDS = {
    DEVICES: "the devices waiting by priority (how many, the oldest and median age in days, "
             "how many are past their clock) and when the backlog clears at the last 90 "
             "days' rates, or that it does not; the same figures as the forensics unit's "
             "queue and forecast",
    OFFENDERS: "the offender managers, the registered offenders they manage, how many "
               "carry more than the target caseload and the home visits overdue; each "
               "manager's caseload (weighted by risk) beside the target is shown to police "
               "users only, since the managers are named officers",
}


@dataclass(frozen=True)
class DevicesNow:
    at: datetime
    priorities: tuple[PriorityFigures, ...]
    waiting: int
    breached: int
    # None: does not clear at the current rates.
    clears_in_weeks: float | None
    clears_on: date | None
    rate_window_days: int
    arrivals_per_week: float
    completions_per_week: float


@dataclass(frozen=True)
class CaseloadsNow:
    at: datetime
    target: float
    officers: int
    offenders: int
    over_target: int
    overdue: int
    # Empty unless the reader may see the officers' names.
    managers: tuple[ManagerLoad, ...]


def devices_now(session: Session, *, now: datetime, settings: Settings) -> DevicesNow:
    report = backlog(session, now=now, settings=settings.forensics)
    f = report.forecast
    return DevicesNow(at=now, priorities=report.priorities, waiting=report.waiting,
                      breached=report.breached, clears_in_weeks=f.clears_in_weeks,
                      clears_on=report.clears_on, rate_window_days=report.rate_window_days,
                      arrivals_per_week=f.arrivals_per_week,
                      completions_per_week=f.completions_per_week)


def caseloads_now(session: Session, *, now: datetime, settings: Settings,
                  named: bool) -> CaseloadsNow:
    """`named`: with each manager's caseload (for police readers only)."""
    figures = capacity(session, now=now, settings=settings.offenders)
    return CaseloadsNow(
        at=now, target=figures.target, officers=figures.officers,
        offenders=figures.offenders,
        over_target=sum(1 for m in figures.managers if m.over_target),
        overdue=sum(m.overdue for m in figures.managers),
        managers=tuple(figures.managers) if named else ())


def now_figures(session: Session, *, number: int, now: datetime, settings: Settings,
                principal: Principal) -> DevicesNow | CaseloadsNow | None:
    """The "Now" section of measure `number`'s page, if it has one."""
    if number == DEVICES:
        return devices_now(session, now=now, settings=settings)
    if number == OFFENDERS:
        return caseloads_now(session, now=now, settings=settings,
                             named=principal.agency_kind == AgencyKind.POLICE.value)
    return None
