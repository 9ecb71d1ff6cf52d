"""What the dashboard, a measure's page and the revisit report show: figures shaped for
reading (percentages, times in words, red/amber/green), one builder for all three."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy.orm import Session

from safeguard.config import MeasureSettings
from safeguard.measures.chart import month_label, trend_svg
from safeguard.measures.declarations import MEASURES, Indicator, Measure
from safeguard.measures.figures import (
    EMPTY,
    RAG_WORDS,
    Figure,
    Filters,
    Rag,
    agency_names,
    figures,
    rag,
    target_of,
)
from safeguard.measures.service import duration_words, percent_words


@dataclass(frozen=True)
class Line:
    """One row of a table: a month, an agency or an area, and its figure."""

    label: str
    key: str
    figure: Figure
    rate: str
    median: str
    p90: str


def line(label: str, key: str, figure: Figure) -> Line:
    return Line(label, key, figure, percent_words(figure.rate),
                duration_words(_td(figure.median)), duration_words(_td(figure.p90)))


def _td(seconds: float | None) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds is not None else None


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    total: Line
    rag: Rag
    rag_words: str
    target: str
    months: list[Line]
    agencies: list[Line]
    areas: list[Line]
    segments: list[Line]
    chart: Markup


def indicator_view(session: Session, *, indicator: Indicator, filters: Filters,
                   settings: MeasureSettings, detail: bool = True) -> IndicatorView:
    found = figures(session, indicator=indicator, filters=filters, times=detail,
                    detail=detail)
    names = agency_names(session) if detail else {}
    whole = found.total
    target, _ = target_of(indicator, settings)
    months = [line(month_label(m), m.isoformat()[:7], found.months.get(m, EMPTY))
              for m in filters.months]
    judged = rag(indicator, whole, settings)
    chart = trend_svg(chart_id=f"chart-{indicator.name}",
                      title=f"{indicator.title}, by month",
                      points=[(date.fromisoformat(m.key + "-01"), m.figure.rate)
                              for m in months], target=target)
    return IndicatorView(
        indicator=indicator, total=line("Whole period", "", whole), rag=judged,
        rag_words=RAG_WORDS[judged], target=percent_words(target), months=months,
        agencies=[line(names.get(a, a), a, f) for a, f in sorted(found.agencies.items())]
        if detail else [],
        areas=[line(a, a, f) for a, f in sorted(found.areas.items())] if detail else [],
        segments=[line(a, a, f) for a, f in sorted(found.segments.items())]
        if detail and indicator.segment else [],
        chart=chart)


def dashboard(session: Session, *, filters: Filters, settings: MeasureSettings
              ) -> list[tuple[Measure, list[IndicatorView]]]:
    return [(m, [indicator_view(session, indicator=i, filters=filters, settings=settings,
                                detail=False) for i in m.indicators]) for m in MEASURES]


def month_words(month: date) -> str:
    return month_label(month)
