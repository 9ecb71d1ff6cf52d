"""A trend drawn on the server as SVG: no script, prints as it shows, and a screen reader is
given its title and summary (the data table beside it carries every figure).

Colours and lines are SVG presentation attributes, not style attributes, so the page's
Content-Security-Policy (no inline style) holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 16, 40
INK, TARGET, GRID = "#0b0c0c", "#0f7a52", "#b1b4b6"


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(rate: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - rate)


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def trend_svg(*, chart_id: str, title: str, points: Sequence[tuple[date, float | None]],
              target: float | None) -> Markup:
    """A line of monthly percentages (gaps where a month has nothing counted), the target as
    a dashed line, and a summary sentence for assistive technology."""
    known = [(m, r) for m, r in points if r is not None]
    summary = (f"{len(known)} of {len(points)} months have figures"
               + (f"; latest {month_label(known[-1][0])}: {known[-1][1]:.0%}" if known else "")
               + (f"; target {target:.0%}" if target is not None else "") + ".")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
             f'class="app-trend" focusable="false">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">{escape(summary)}</desc>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{INK}">{tick:.0%}</text>')
    if target is not None:
        y = _y(target)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>')
    step = max(1, len(points) // 6)
    for index, (month, _) in enumerate(points):
        if index % step == 0 or index == len(points) - 1:
            parts.append(f'<text x="{_x(index, len(points)):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle" font-size="12" fill="{INK}">'
                         f'{escape(month.strftime("%b %y"))}</text>')
    segment: list[str] = []
    for index, (_, rate) in enumerate(points):
        if rate is None:
            if len(segment) > 1:
                parts.append(_line(segment))
            segment = []
            continue
        x, y = _x(index, len(points)), _y(rate)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{INK}"/>')
    if len(segment) > 1:
        parts.append(_line(segment))
    parts.append("</svg>")
    return Markup("".join(parts))


def _line(points: list[str]) -> str:
    return (f'<polyline points="{" ".join(points)}" fill="none" stroke="{INK}" '
            'stroke-width="3"/>')
