"""The register's rules as pure functions: clocks, lateness and the capacity arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from safeguard.config import OffenderSettings, SharingSettings
from safeguard.rules.offenders import (
    ChildNear,
    OffenderFacts,
    child_near_offender_duties,
    days_late,
    officers_needed,
    renotification_due,
    visit_duty,
    visits_between,
    visits_in,
)
from safeguard.workdays import WorkingCalendar

FACTS = OffenderFacts(person_id=1, reference="RSO-1", name="Gary Pike", risk="medium",
                      mappa_category=1, mappa_level=1, offender_manager="DC 1234 Shah",
                      address_label="7 Elm Close, NN3 3CC")
CHILD = ChildNear(2, "Ruby Lane", date(2016, 9, 1), "education record E-RUBY places the child "
                  "at the offender's address")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_home_visit_falls_due_the_plans_interval_after_the_last_one() -> None:
    draft = visit_duty(FACTS, since=utc(2026, 3, 1, 10), since_words="last home visit",
                       every_days=28)
    assert draft.due_at == utc(2026, 3, 29, 10)
    assert "every 28 days" in draft.reason and "DC 1234 Shah" in draft.reason


def test_annual_renotification_counts_the_leap_day_in_the_year() -> None:
    # Notified 1 March 2023: the year beginning that day ends with 29 February 2024.
    assert renotification_due(utc(2023, 3, 1, 10)) == utc(2024, 3, 1, 0)
    # Notified on the leap day itself: the year ends with 28 February 2025.
    assert renotification_due(utc(2024, 2, 29, 15)) == utc(2025, 3, 1, 0)
    # Notified 28 February 2024: due by the end of 27 February 2025.
    assert renotification_due(utc(2024, 2, 28, 15)) == utc(2025, 2, 28, 0)
    # In summer the deadline is London midnight (23:00 UTC the day before).
    assert renotification_due(utc(2026, 7, 1, 9)) == utc(2027, 6, 30, 23)


def test_a_change_is_late_from_the_fourth_day_counting_the_day_it_happened() -> None:
    changed = utc(2026, 1, 1, 22)
    assert days_late(changed, utc(2026, 1, 3, 23, 30), 3) == 0
    assert days_late(changed, utc(2026, 1, 4, 9), 3) == 1
    assert days_late(changed, utc(2026, 1, 10, 9), 3) == 7


def test_a_child_near_a_medium_risk_offender_is_shared_but_not_discussed() -> None:
    [share] = child_near_offender_duties(
        FACTS, CHILD, at=utc(2026, 5, 1, 9), settings=OffenderSettings(),
        sharing=SharingSettings(), calendar=WorkingCalendar())
    assert share.kind == "offender_child_share"
    assert share.due_at == utc(2026, 5, 2, 9)
    assert share.share_content["found_from"] == CHILD.found_from


def test_a_child_near_a_very_high_risk_offender_also_needs_a_strategy_discussion() -> None:
    facts = OffenderFacts(**{**FACTS.__dict__, "risk": "very_high"})
    share, discussion = child_near_offender_duties(
        facts, CHILD, at=utc(2026, 5, 1, 9), settings=OffenderSettings(),
        sharing=SharingSettings(), calendar=WorkingCalendar())
    assert discussion.kind == "strategy_discussion"
    # Friday 1 May 2026 + 1 working day over the weekend and the May bank holiday (4 May).
    assert discussion.due_at == utc(2026, 5, 5, 9)
    assert "very high risk" in discussion.evidence[0]


def test_a_plan_puts_each_visit_in_the_month_it_falls_due() -> None:
    may, june = utc(2026, 5, 1), utc(2026, 6, 1)
    assert visits_between(utc(2026, 5, 3), 7, may, june) == 5  # 3, 10, 17, 24, 31 May
    assert visits_between(utc(2026, 4, 20), 14, may, june) == 2  # 4 and 18 May
    assert visits_between(utc(2026, 6, 3), 7, may, june) == 0
    assert visits_between(utc(2026, 5, 31, 23), 28, may, june) == 1
    assert visits_between(utc(2026, 1, 1), 90, may, june) == 0  # 1 Apr, then 30 Jun


def test_officers_needed_divides_visits_by_what_one_officer_can_do() -> None:
    assert officers_needed(60, 28, per_week=5) == 3.0
    assert abs(officers_needed(100, 30, per_week=6) - 100 / (6 * 30 / 7)) < 1e-9
    assert officers_needed(10, 30, per_week=0) == 0.0
    assert visits_between(utc(2026, 5, 1), 1, utc(2026, 5, 1), utc(2026, 5, 1) + timedelta(
        days=30)) == 30


def test_counting_in_seconds_agrees_with_counting_in_datetimes() -> None:
    may, june = utc(2026, 5, 1), utc(2026, 6, 1)
    for first in (utc(2026, 4, 20), utc(2026, 5, 1), utc(2026, 5, 3, 7), utc(2026, 5, 31, 23),
                  utc(2026, 6, 1), utc(2025, 12, 30, 5)):
        for every in (1, 7, 14, 28, 31, 91):
            assert visits_in(first.timestamp(), every * 86400, may.timestamp(),
                             june.timestamp()) == visits_between(first, every, may, june), \
                (first, every)
