"""Measures pages: the dashboard of the seven failings, a page per measure (trend chart beside
its table, breakdowns), the records behind any figure, and every table as CSV.

Aggregates carry no personal data, so every signed-in user may see them; the records behind a
figure show only duties the reader's agency takes part in, and each is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from safeguard.config import Settings
from safeguard.measures.declarations import (
    BREAKDOWN_WORDS,
    INDICATORS,
    MEASURES,
    Indicator,
    Measure,
)
from safeguard.measures.figures import (
    PART_WORDS,
    Filters,
    Part,
    choices,
    default_filters,
    months_between,
    records,
    rows_as_csv,
)
from safeguard.measures.now import now_figures
from safeguard.measures.service import (
    duration_words,
    percent_words,
    time_to_acknowledge,
)
from safeguard.measures.views import Line, dashboard, indicator_view
from safeguard.rules.offenders import RISK_WORDS
from safeguard.web.deps import NowDep, SessionDep, UserDep
from safeguard.web.query import query_date
from safeguard.web.render import render
from safeguard.workdays import LONDON, local_to_utc

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _month(text: str) -> date | None:
    return query_date(text.strip() + "-01") if text.strip() else None


@dataclass(frozen=True)
class Query:
    filters: Filters
    values: dict[str, str]
    errors: dict[str, str]


def parse_query(request: Request, now: Any, month_from: str, month_to: str, agency: str,
                area: str, segment: str = "") -> Query:
    """The period (whole months, "2026-01"), the agency and the area; a bad month says so and
    the default period stands."""
    base = default_filters(now, _settings(request).measures)
    start, end = _month(month_from), _month(month_to)
    errors = {name: "Enter a month like 2026-01" for name, text, parsed in
              (("month_from", month_from, start), ("month_to", month_to, end))
              if text.strip() and parsed is None}
    months = months_between(start or base.months[0], end or base.months[-1])
    if not months:
        errors["month_to"] = "The last month must not be before the first"
    filters = Filters(months or base.months, agency.strip() or None, area.strip() or None,
                      segment.strip() or None)
    values = {"month_from": month_from.strip(), "month_to": month_to.strip(),
              "agency": agency.strip(), "area": area.strip()}
    return Query(filters, values, errors)


def _csv(name: str, header: list[str], rows: list[list[object]]) -> Response:
    return Response(rows_as_csv(header, rows), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"})


def _line_cells(line: Line) -> list[object]:
    f = line.figure
    return [line.label, f.numerator, f.denominator, line.rate, f.breached, line.median, line.p90]


LINE_HEADER = ["", "numerator", "denominator", "rate", "breached", "median", "p90"]


@router.get("/measures", response_class=HTMLResponse)
def measures_dashboard(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                       month_from: str = "", month_to: str = "", agency: str = "",
                       area: str = "") -> HTMLResponse:
    query = parse_query(request, now, month_from, month_to, agency, area)
    agencies, areas = choices(session)
    return render(request, "measures/dashboard.html", {
        "measures": dashboard(session, filters=query.filters,
                              settings=_settings(request).measures),
        "query": query, "agencies": agencies, "areas": areas,
        "nav": "measures", "period": (query.filters.months[0], query.filters.months[-1]),
    }, principal=principal)


@router.get("/measures.csv")
def measures_dashboard_csv(request: Request, session: SessionDep, principal: UserDep,
                           now: NowDep, month_from: str = "", month_to: str = "",
                           agency: str = "", area: str = "") -> Response:
    query = parse_query(request, now, month_from, month_to, agency, area)
    rows: list[list[object]] = []
    for measure, views in dashboard(session, filters=query.filters,
                                    settings=_settings(request).measures):
        for view in views:
            rows.append([measure.number, view.indicator.name, *_line_cells(view.total)[1:],
                         view.target, view.rag.value])
    return _csv("measures", ["measure", "indicator", *LINE_HEADER[1:], "target", "rag"], rows)


def _measure_page(measure: Measure) -> Callable[..., HTMLResponse]:
    def page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
             month_from: str = "", month_to: str = "", agency: str = "",
             area: str = "") -> HTMLResponse:
        query = parse_query(request, now, month_from, month_to, agency, area)
        agencies, areas = choices(session)
        views = [indicator_view(session, indicator=i, filters=query.filters,
                                settings=_settings(request).measures)
                 for i in measure.indicators]
        return render(request, "measures/measure.html", {
            "measure": measure, "views": views, "query": query, "agencies": agencies,
            "areas": areas, "nav": "measures", "by_words": BREAKDOWN_WORDS,
            "now_figures": now_figures(session, number=measure.number, now=now,
                                       settings=_settings(request), principal=principal),
            "risk_words": RISK_WORDS,
        }, principal=principal)
    return page


# The tables a measure's page shows, each downloadable; anything else is refused (422), and
# never reaches the download's file name.
CsvTable = Literal["months", "agencies", "areas", "segments"]


def _measure_csv(measure: Measure) -> Callable[..., Response]:
    def export(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
               table: CsvTable = "months", month_from: str = "", month_to: str = "",
               agency: str = "", area: str = "") -> Response:
        query = parse_query(request, now, month_from, month_to, agency, area)
        rows: list[list[object]] = []
        for indicator in measure.indicators:
            view = indicator_view(session, indicator=indicator, filters=query.filters,
                                  settings=_settings(request).measures)
            lines = {"agencies": view.agencies, "areas": view.areas,
                     "segments": view.segments}.get(table, view.months)
            rows.extend([indicator.name, *_line_cells(line)] for line in lines)
        header = ["indicator", {"agencies": "agency", "areas": "area",
                                "segments": "segment"}.get(table, "month"), *LINE_HEADER[1:]]
        return _csv(f"{measure.slug}-{table}", header, rows)
    return export


def _indicator(measure: Measure, name: str) -> Indicator:
    found = INDICATORS.get(name)
    return found if found is not None and found in measure.indicators else measure.indicators[0]


def _records(request: Request, session: Any, principal: Any, now: Any, measure: Measure,
             indicator: str, month: str, span: tuple[str, str], agency: str, area: str,
             part: str, segment: str = "") -> tuple[Query, Indicator, Part, Any]:
    """One month (a month's row), else the period asked for (an agency's or area's row)."""
    first, last = (month, month) if month.strip() else span
    query = parse_query(request, now, first, last, agency, area, segment)
    chosen = _indicator(measure, indicator)
    which = Part(part) if part in Part._value2member_map_ else Part.DENOMINATOR
    found = records(session, principal=principal, indicator=chosen, filters=query.filters,
                    part=which)
    return query, chosen, which, found


def _records_page(measure: Measure) -> Callable[..., HTMLResponse]:
    def page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
             indicator: str = "", month: str = "", month_from: str = "", month_to: str = "",
             agency: str = "", area: str = "", part: str = "denominator",
             segment: str = "") -> HTMLResponse:
        query, chosen, which, found = _records(request, session, principal, now, measure,
                                               indicator, month, (month_from, month_to),
                                               agency, area, part, segment)
        return render(request, "measures/records.html", {
            "measure": measure, "indicator": chosen, "part": which, "part_words": PART_WORDS,
            "found": found, "query": query, "month": month.strip(), "nav": "measures",
            "duration_words": lambda s: duration_words(timedelta(seconds=s) if s else None),
        }, principal=principal)
    return page


def _records_csv(measure: Measure) -> Callable[..., Response]:
    def export(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
               indicator: str = "", month: str = "", month_from: str = "",
               month_to: str = "", agency: str = "", area: str = "",
               part: str = "denominator", segment: str = "") -> Response:
        _, chosen, _, found = _records(request, session, principal, now, measure, indicator,
                                       month, (month_from, month_to), agency, area, part,
                                       segment)
        rows: list[list[object]] = [
            [r.duty_id, r.kind_title, r.child or "", r.agency_id, r.area,
             r.started_at.astimezone(LONDON).isoformat(), r.due_at.astimezone(LONDON).isoformat(),
             r.done_at.astimezone(LONDON).isoformat() if r.done_at else "", r.status,
             "yes" if r.met else "no"] for r in found.rows]
        return _csv(f"{measure.slug}-{chosen.name}-records",
                    ["duty", "kind", "child", "agency", "area", "started", "due", "done",
                     "status", "met"], rows)
    return export


for _m in MEASURES:
    if _m.indicators:
        router.add_api_route(_m.path, _measure_page(_m), methods=["GET"],
                             response_class=HTMLResponse, name=f"measure-{_m.slug}")
        router.add_api_route(f"{_m.path}.csv", _measure_csv(_m), methods=["GET"],
                             name=f"measure-{_m.slug}-csv")
        router.add_api_route(f"{_m.path}/records", _records_page(_m), methods=["GET"],
                             response_class=HTMLResponse, name=f"measure-{_m.slug}-records")
        router.add_api_route(f"{_m.path}/records.csv", _records_csv(_m), methods=["GET"],
                             name=f"measure-{_m.slug}-records-csv")


@router.get("/measures/sharing", response_class=HTMLResponse)
def sharing_measures(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                     date_from: str = "", date_to: str = "") -> HTMLResponse:
    """Aggregates only, no personal data: every signed-in user may see them."""
    start, end = query_date(date_from), query_date(date_to)
    errors = {name: "Enter a date like 2026-11-27" for name, text, parsed in
              (("date_from", date_from, start), ("date_to", date_to, end))
              if text.strip() and parsed is None}
    measures = time_to_acknowledge(
        session, now=now, since=local_to_utc(start, time(0)) if start else None,
        until=local_to_utc(end + timedelta(days=1), time(0)) if end else None)
    longest = max((m.p90.total_seconds() for m in measures if m.p90), default=0.0)
    rows = [{
        "m": m, "median": duration_words(m.median), "p90": duration_words(m.p90),
        "max": duration_words(m.max), "within": percent_words(m.within_deadline),
        # Bar length for the optional chart: the p90 relative to the longest p90.
        "bar": round(100 * m.p90.total_seconds() / longest) if m.p90 and longest else 0,
    } for m in measures]
    return render(request, "measures/sharing.html", {
        "rows": rows, "query": {"date_from": date_from.strip(), "date_to": date_to.strip()},
        "field_errors": errors, "nav": "inbox",
    }, principal=principal)
