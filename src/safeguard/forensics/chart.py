"""The backlog chart's geometry: the queue's length month by month and its projection, as
SVG coordinates the page draws server-side (no script; the table beside it holds the same
figures for anyone who cannot see it)."""

from __future__ import annotations

from dataclasses import dataclass

from safeguard.forensics.queue import MonthPoint

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    # "x,y x,y ..." for <polyline points>: what was, and what the rates project.
    history: str
    projection: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _nice_top(value: float) -> int:
    """A round number at or above the largest value, so the axis reads easily."""
    if value <= 10:
        return 10
    magnitude: int = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def chart(points: tuple[MonthPoint, ...]) -> Chart:
    top = _nice_top(max((p.waiting for p in points), default=0))
    span = max(len(points) - 1, 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + inner_w * i / span, 1)

    def y(value: float) -> float:
        return round(TOP + inner_h * (1 - value / top), 1)

    coords = [(x(i), y(p.waiting)) for i, p in enumerate(points)]
    # The projection starts where the history ends, so the two lines meet.
    last_seen = max((i for i, p in enumerate(points) if not p.projected), default=0)
    history = " ".join(f"{cx},{cy}" for cx, cy in coords[:last_seen + 1])
    projection = " ".join(f"{cx},{cy}" for cx, cy in coords[last_seen:])
    y_ticks = tuple(Tick(y(top * n / 4), f"{top * n // 4:,}") for n in range(5))
    x_ticks = tuple(Tick(x(i), p.month.strftime("%b %Y")) for i, p in enumerate(points)
                    if i % 3 == 0)
    return Chart(WIDTH, HEIGHT, history, projection, y_ticks, x_ticks, LEFT, WIDTH - RIGHT,
                 TOP, HEIGHT - BOTTOM)
