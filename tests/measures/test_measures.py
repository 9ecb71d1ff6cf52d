"""Each measure on a hand-built store (tests/measures/store.py), its figures worked out here."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.config import MeasureSettings
from safeguard.measures.declarations import (
    CHILD_NOTIFICATIONS,
    CHILDREN_FOUND,
    ENCOMPASS_IN_TIME,
    MULTI_AGENCY_IN_TIME,
    SHARES_IN_TIME,
    STRATEGY_IN_TIME,
)
from safeguard.measures.facts import postcode_district, refresh
from safeguard.measures.figures import (
    Figure,
    Filters,
    Part,
    Rag,
    by_agency,
    by_area,
    last_months,
    monthly,
    rag,
    records,
    total,
)

from .store import CSC, SCHOOL, T0, H, build, finish

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
BOTH = Filters((OCT, NOV))


@pytest.fixture
def store(session: Session) -> dict[str, int]:
    built = build(session)
    refresh(session)
    return built.duties


def test_shares_count_only_known_outcomes_and_time_from_the_incident(
        session: Session, store: dict[str, int]) -> None:
    # October: A (2 h, in time), B (30 h, late), C (breached, never acknowledged) to social
    # care, E (1 h) to the school; D is not yet due. November: F (4 h, in time).
    months = dict(monthly(session, indicator=SHARES_IN_TIME, filters=BOTH))
    october = months[OCT]
    assert (october.numerator, october.denominator, october.breached) == (2, 4, 2)
    # Times from the incident being recorded: 1 h, 2 h, 30 h; nearest-rank median and p90.
    assert (october.median, october.p90) == (2 * 3600, 30 * 3600)
    assert (months[NOV].numerator, months[NOV].denominator) == (1, 1)
    agencies = dict(by_agency(session, indicator=SHARES_IN_TIME, filters=BOTH))
    assert (agencies[CSC].numerator, agencies[CSC].denominator) == (2, 4)
    assert (agencies[SCHOOL].numerator, agencies[SCHOOL].denominator) == (1, 1)
    areas = dict(by_area(session, indicator=SHARES_IN_TIME, filters=BOTH))
    assert {a: (f.numerator, f.denominator) for a, f in areas.items()} == {
        "AB1": (2, 4), "AB2": (1, 1)}
    only_school = Filters((OCT, NOV), agency_id=SCHOOL)
    assert total(session, indicator=SHARES_IN_TIME, filters=only_school).denominator == 1


def test_risk_at_incidents_reads_domestic_abuse_only(session: Session,
                                                     store: dict[str, int]) -> None:
    # The November notification came from a welfare incident: not in measure 3.
    notified = total(session, indicator=CHILD_NOTIFICATIONS, filters=BOTH)
    assert (notified.numerator, notified.denominator) == (1, 3)
    # B and D were not listed by the officer; all four children were notified.
    found = total(session, indicator=CHILDREN_FOUND, filters=BOTH)
    assert (found.numerator, found.denominator) == (2, 4)
    encompass = total(session, indicator=ENCOMPASS_IN_TIME, filters=BOTH)
    assert (encompass.numerator, encompass.denominator) == (1, 1)


def test_strategy_discussions_leave_out_duplicates_and_those_not_yet_due(
        session: Session, store: dict[str, int]) -> None:
    held = total(session, indicator=STRATEGY_IN_TIME, filters=BOTH)
    assert (held.numerator, held.denominator, held.breached) == (1, 2, 1)
    # Only S1 and S4 were asked for by concerns from several agencies; S4 is not yet due.
    joint = total(session, indicator=MULTI_AGENCY_IN_TIME, filters=BOTH)
    assert (joint.numerator, joint.denominator) == (1, 1)
    # Their area is that of the incident whose event raised them.
    assert [a for a, _ in by_area(session, indicator=STRATEGY_IN_TIME, filters=BOTH)] == [
        "AB1"]


def test_figures_follow_the_duties_history_without_recounting(
        session: Session, store: dict[str, int]) -> None:
    from safeguard.measures.models import MeasureFact, MeasureMonth

    assert refresh(session) > 0  # the last pass's ids are looked at once more
    assert refresh(session) == 0  # then nothing has changed
    finish(session, store["D"], at=T0 + 5 * H)  # D acknowledged: now counted, in time
    assert refresh(session) == 1
    october = dict(monthly(session, indicator=SHARES_IN_TIME, filters=BOTH))[OCT]
    assert (october.numerator, october.denominator) == (3, 5)
    # The monthly sums, kept by differences, equal the rows counted afresh.
    key = (MeasureFact.indicator, MeasureFact.month, MeasureFact.agency_id, MeasureFact.area)
    afresh = {tuple(r[:4]): tuple(r[4:]) for r in session.execute(
        select(*key, func.count(), func.sum(case((MeasureFact.counted.is_(True), 1), else_=0)))
        .group_by(*key))}
    kept = {(m.indicator, m.month, m.agency_id, m.area): (m.rows, m.counted)
            for m in session.scalars(select(MeasureMonth)) if m.rows}
    assert kept == afresh


def test_rag_holds_a_rate_to_its_configurable_target() -> None:
    settings = MeasureSettings()
    assert rag(SHARES_IN_TIME, Figure(19, 20), settings) is Rag.GREEN  # 95%
    assert rag(SHARES_IN_TIME, Figure(9, 10), settings) is Rag.AMBER  # 90%
    assert rag(SHARES_IN_TIME, Figure(1, 2), settings) is Rag.RED
    assert rag(SHARES_IN_TIME, Figure(0, 0), settings) is Rag.NONE
    assert rag(CHILDREN_FOUND, Figure(1, 2), settings) is Rag.INFO
    strict = MeasureSettings(targets={SHARES_IN_TIME.name: 0.99})
    assert rag(SHARES_IN_TIME, Figure(19, 20), strict) is Rag.AMBER


def test_the_records_behind_a_figure_are_the_readers_agencys_and_audited(
        session: Session, store: dict[str, int]) -> None:
    school = Principal(kind="user", id=1, name="dsl", agency_id=SCHOOL, agency_kind="school",
                       roles=frozenset({"practitioner"}), display_name="DSL",
                       agency_name="Example Primary")
    found = records(session, principal=school, indicator=SHARES_IN_TIME, filters=BOTH,
                    part=Part.DENOMINATOR)
    assert [r.duty_id for r in found.rows] == [store["E"]]
    assert found.withheld == 4  # A, B, C and F: shares the school takes no part in
    social_care = Principal(kind="user", id=2, name="sw", agency_id=CSC, agency_kind=CSC,
                            roles=frozenset({"practitioner"}), display_name="SW",
                            agency_name="CSC")
    missed = records(session, principal=social_care, indicator=SHARES_IN_TIME,
                     filters=Filters((OCT,)), part=Part.MISSED)
    assert sorted(r.duty_id for r in missed.rows) == sorted([store["B"], store["C"]])
    audited = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.actor == "user:sw", AuditEntry.entity == "person"))
    assert audited == 2


def test_a_period_is_the_last_months_with_the_current_one_last() -> None:
    assert last_months(date(2026, 2, 14), 3) == (date(2025, 12, 1), date(2026, 1, 1),
                                                 date(2026, 2, 1))
    assert postcode_district("ab1 2cd") == "AB1"
    assert postcode_district("AB12CD") == "AB1"
    assert postcode_district(None) == "unknown"


def test_the_trend_chart_is_titled_summarised_and_broken_where_a_month_has_nothing() -> None:
    from safeguard.measures.chart import trend_svg

    svg = trend_svg(chart_id="c", title="Shares <in time>", target=0.95, points=[
        (date(2026, 9, 1), 0.5), (date(2026, 10, 1), None), (date(2026, 11, 1), 1.0),
        (date(2026, 12, 1), 0.75)])
    assert 'role="img" aria-labelledby="c-t c-d"' in svg
    assert "<title id=\"c-t\">Shares &lt;in time&gt;</title>" in svg
    assert "3 of 4 months have figures; latest Dec 2026: 75%; target 95%." in svg
    # September stands alone (October has nothing), so one line joins November to December.
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3
    assert 'stroke-dasharray="6 4"' in svg  # the target


def test_an_indicator_breaks_down_by_its_own_segment_and_counts_what_is_still_open(
        session: Session, store: dict[str, int]) -> None:
    from safeguard.measures.declarations import Breakdown, Indicator, judge_share
    from safeguard.measures.figures import figures
    from safeguard.measures.models import MeasureMonth

    # As a backlog measure would declare it: devices by priority, the open ones counted.
    backlog = Indicator(name="test_backlog", title="t", question="q", numerator="n",
                        denominator="d", kinds=(), judge=judge_share, by=Breakdown.OWNER,
                        segment="priority", shows_open=True)
    # P1: two duties, one done in time, one open; P2: one done late.
    sums = [("P1", 2, 1, 1), ("P2", 1, 1, 0)]
    session.add_all(MeasureMonth(indicator=backlog.name, month=OCT, agency_id="police",
                                 area="AB1", segment=segment, rows=rows, counted=counted,
                                 met=met, breached=0) for segment, rows, counted, met in sums)
    session.flush()
    found = figures(session, indicator=backlog, filters=BOTH)
    assert {k: (f.numerator, f.denominator, f.open) for k, f in found.segments.items()} == {
        "P1": (1, 1, 1), "P2": (0, 1, 0)}
    assert found.total.open == 1
    only_p2 = figures(session, indicator=backlog, filters=Filters((OCT, NOV), segment="P2"))
    assert (only_p2.total.numerator, only_p2.total.denominator) == (0, 1)
