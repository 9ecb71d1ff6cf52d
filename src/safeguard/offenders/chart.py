"""The staffing chart's geometry, worked out on the server: the page draws it as an SVG with
no script, and the table beside it holds the same figures for anyone who cannot see it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from safeguard.offenders.capacity import MonthFigure

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    projected: bool


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    officers_y: float
    officers: int
    # The one sentence a screen reader hears (the table follows it).
    description: str


def staffing_chart(months: list[MonthFigure], officers: int) -> Chart:
    top = max([m.officers_needed for m in months] + [float(officers), 1.0])
    scale_max = max(1, math.ceil(top))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(months))

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / scale_max), 1)

    bars = [Bar(x=round(LEFT + n * slot + slot * 0.15, 1), y=y(m.officers_needed),
                width=round(slot * 0.7, 1),
                height=round(plot_h * m.officers_needed / scale_max, 1),
                label=m.label, value=m.officers_needed, projected=m.projected)
            for n, m in enumerate(months)]
    step = max(1, math.ceil(scale_max / 5))
    ticks = [Tick(y(v), v) for v in range(0, scale_max + 1, step)]
    short = [m for m in months if m.projected and m.officers_needed > officers]
    past = sum(not m.projected for m in months)
    description = (f"Officers the home visits need each month, the last {past} months and the "
                   f"next {len(months) - past} projected, against "
                   f"the {officers} offender managers the unit has"
                   + (f"; the plans need more than the unit has in {len(short)} future months."
                      if short else "; the unit has enough officers for the plans."))
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_h, bars, ticks, y(officers), officers,
                 description)
