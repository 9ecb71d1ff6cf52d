"""When the backlog clears: pure arithmetic over the queue and its recent rates.

Devices arrive at a rate and are completed at a rate (each measured over the last 90 days,
per week). The backlog clears in `waiting / (completions - arrivals)` weeks when completions
outpace arrivals, and never otherwise. Devices are examined in priority order, so a device of
priority p waits behind every device of priority p or higher already waiting, served by the
capacity that arrivals of higher priorities leave: its clock is met when that wait fits in
it. The capacity that would meet every clock gives the examiners needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

PRIORITIES = (1, 2, 3)
WEEK_DAYS = 7.0


@dataclass(frozen=True)
class Outlook:
    """One priority's prospects at the current rates."""

    priority: int
    waiting: int
    arrivals_per_week: float
    clock_days: int
    # Weeks a device of this priority submitted now waits to be completed; None when the
    # queue ahead of it grows without end at these rates.
    wait_weeks: float | None
    clock_met: bool
    # Completions a week that would meet this priority's clock.
    capacity_needed: float


@dataclass(frozen=True)
class Forecast:
    waiting: int
    arrivals_per_week: float
    completions_per_week: float
    extra_examiners: int
    devices_per_examiner_per_week: float
    # None: never clears at these rates.
    clears_in_weeks: float | None
    outlooks: tuple[Outlook, ...]
    capacity_needed: float
    examiners_needed: int
    # The examiners today's completions amount to, at the configured rate per examiner.
    examiners_now: float

    @property
    def clears(self) -> bool:
        return self.clears_in_weeks is not None

    @property
    def every_clock_met(self) -> bool:
        return all(o.clock_met for o in self.outlooks)


def clearance_weeks(waiting: int, arrivals_per_week: float,
                    completions_per_week: float) -> float | None:
    """Weeks until nothing waits; None when completions do not outpace arrivals."""
    if waiting == 0:
        return 0.0
    net = completions_per_week - arrivals_per_week
    return waiting / net if net > 0 else None


def forecast(*, waiting: Mapping[int, int], arrivals_per_week: Mapping[int, float],
             completions_per_week: float, clock_days: Mapping[int, int],
             devices_per_examiner_per_week: float, extra_examiners: int = 0) -> Forecast:
    """The backlog's forecast; `extra_examiners` asks "what if there were N more"."""
    capacity = completions_per_week + extra_examiners * devices_per_examiner_per_week
    outlooks = []
    ahead = 0
    higher_arrivals = 0.0
    for priority in PRIORITIES:
        ahead += waiting.get(priority, 0)
        arriving = arrivals_per_week.get(priority, 0.0)
        weeks = clock_days[priority] / WEEK_DAYS
        # The queue of this priority and above grows without end unless capacity keeps up
        # with its arrivals; a device joining it waits for what is ahead, at the capacity
        # higher priorities' arrivals leave (those of its own priority arrive behind it).
        spare = capacity - higher_arrivals
        wait: float | None = None
        if ahead == 0 and arriving == 0:
            wait = 0.0  # nothing of this priority waits or arrives
        elif spare > 0 and capacity >= higher_arrivals + arriving:
            wait = ahead / spare
        needed = max(higher_arrivals + arriving, higher_arrivals + ahead / weeks)
        outlooks.append(Outlook(priority, waiting.get(priority, 0), arriving,
                                clock_days[priority], wait,
                                wait is not None and wait <= weeks, needed))
        higher_arrivals += arriving
    needed = max(o.capacity_needed for o in outlooks)
    per = devices_per_examiner_per_week
    return Forecast(
        waiting=sum(waiting.values()), arrivals_per_week=higher_arrivals,
        completions_per_week=capacity, extra_examiners=extra_examiners,
        devices_per_examiner_per_week=per,
        clears_in_weeks=clearance_weeks(sum(waiting.values()), higher_arrivals, capacity),
        outlooks=tuple(outlooks), capacity_needed=needed,
        examiners_needed=math.ceil(needed / per - 1e-9) if per > 0 else 0,
        examiners_now=completions_per_week / per if per > 0 else 0.0)


def projection(waiting: float, *, arrivals_per_week: float, completions_per_week: float,
               weeks: list[float]) -> list[float]:
    """The queue's length after each number of weeks at these rates (never below nothing)."""
    return [max(0.0, waiting + (arrivals_per_week - completions_per_week) * w) for w in weeks]
