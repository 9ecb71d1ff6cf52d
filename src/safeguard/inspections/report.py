"""The revisit report: for a period, every measure's trend against the inspection's baseline,
the action plan's progress and what changed — as a standalone HTML document and as a PDF
(WeasyPrint renders the same HTML, charts included, since they are SVG)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session
from weasyprint import HTML

from safeguard.access.models import Agency
from safeguard.config import Settings
from safeguard.dates import london_date, london_datetime
from safeguard.inspections.models import Inspection
from safeguard.inspections.service import FINDING_KINDS, REVISIT_KINDS, Plan, plan_of
from safeguard.measures.declarations import MEASURES, Measure
from safeguard.measures.figures import Filters, months_between, total
from safeguard.measures.now import CaseloadsNow, DevicesNow, caseloads_now, devices_now
from safeguard.measures.service import percent_words
from safeguard.measures.views import IndicatorView, indicator_view

# The baseline: the months up to the end of the inspection, as the inspectors saw them.
BASELINE_MONTHS = 3


@dataclass(frozen=True)
class Compared:
    view: IndicatorView
    baseline: str
    change: str  # in words: "up 12 points", "no change", "no baseline"


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    made_at: datetime
    inspection: Inspection | None
    plan: Plan | None
    measures: list[tuple[Measure, list[Compared]]]
    baseline_words: str
    # What stands as the report is made: totals only, since it travels beyond the force.
    devices: DevicesNow
    caseloads: CaseloadsNow
    # Each agency's name by its id: the report names the owners of the plan's actions.
    agencies: dict[str, str] = field(default_factory=dict)


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "no comparison"
    points = round((now - before) * 100)
    if points == 0:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {abs(points)} points"


def build_report(session: Session, *, start: date, end: date, inspection: Inspection | None,
                 settings: Settings, now: datetime) -> Report:
    if end < start:
        raise ValueError("to: the end of the period must not be before its start")
    filters = Filters(months_between(start, end))
    baseline: Filters | None = None
    words = "no inspection recorded: no baseline"
    if inspection is not None:
        last = inspection.ended_on.replace(day=1)
        first = last
        for _ in range(BASELINE_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        baseline = Filters(months_between(first, last))
        words = (f"the {BASELINE_MONTHS} months to the end of the inspection "
                 f"({first:%B %Y} to {last:%B %Y})")
    measures = []
    for measure in MEASURES:
        compared = []
        for indicator in measure.indicators:
            view = indicator_view(session, indicator=indicator, filters=filters,
                                  settings=settings.measures, detail=True)
            before = total(session, indicator=indicator, filters=baseline) if baseline else None
            compared.append(Compared(view, percent_words(before.rate) if before else "—",
                                     _change(view.total.figure.rate,
                                             before.rate if before else None)))
        measures.append((measure, compared))
    plan = plan_of(session, inspection=inspection) if inspection is not None else None
    return Report(start, end, now, inspection, plan, measures, words,
                  devices_now(session, now=now, settings=settings),
                  caseloads_now(session, now=now, settings=settings, named=False),
                  {i: name for i, name in session.execute(select(Agency.id, Agency.name))})




def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("safeguard", "web/templates"),
                             autoescape=True)
    env.filters["london_date"] = lambda d: london_date(d) if d else "—"
    env.filters["london"] = lambda t: london_datetime(t) if t else "—"
    return env


def report_html(report: Report, *, inline_css: bool = False) -> str:
    """The document; its stylesheet inline (for the PDF) or linked (for the web page)."""
    template = _environment().get_template("inspections/report.html")
    return template.render(r=report, finding_kinds=FINDING_KINDS, revisit_kinds=REVISIT_KINDS,
                           inline_css=inline_css)


def report_css() -> str:
    source, _, _ = _environment().loader.get_source(  # type: ignore[union-attr]
        _environment(), "inspections/report.css")
    return source


def report_pdf(report: Report) -> bytes:
    """The same document as a PDF."""
    pdf: bytes = HTML(string=report_html(report, inline_css=True)).write_pdf()
    return pdf
