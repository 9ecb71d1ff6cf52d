"""Working-day and school-day clocks.

Every expected value below was worked out by hand against a 2026-2027 calendar.
London is GMT (UTC+0) in winter and BST (UTC+1) from 29 Mar to 25 Oct 2026 and from
28 Mar 2027; expected UTC values say which applies.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from safeguard.workdays import (
    LONDON,
    SHIPPED_TERM_DATES,
    SchoolCalendar,
    WorkingCalendar,
    load_term_dates,
    local_to_utc,
)


def london(year: int, month: int, day: int, hour: int, minute: int, *, fold: int = 0) -> datetime:
    """A London wall-clock time, as a person reporting an incident would give it."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="module")
def schools(calendar: WorkingCalendar) -> SchoolCalendar:
    return SchoolCalendar(calendar, load_term_dates(SHIPPED_TERM_DATES))


# ------------------------------------------------------------------------ working days


def test_it_skips_the_weekend(calendar: WorkingCalendar) -> None:
    # Wed 10 Jun 2026 + 3 working days: Thu, Fri, Mon 15 Jun (BST).
    assert calendar.add_working_days(london(2026, 6, 10, 10, 0), 3) == utc(2026, 6, 15, 9, 0)


def test_it_gives_a_friday_night_referral_until_monday_night(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(london(2026, 1, 9, 23, 0), 1) == utc(2026, 1, 12, 23, 0)


def test_it_starts_the_clock_at_midnight_of_the_next_working_day_for_weekend_receipt(
    calendar: WorkingCalendar,
) -> None:
    # Received Saturday: the whole of Monday counts, so one working day ends Tuesday 00:00.
    assert calendar.add_working_days(london(2026, 1, 10, 10, 0), 1) == utc(2026, 1, 13, 0, 0)
    assert calendar.add_working_days(london(2026, 1, 10, 10, 0), 0) == utc(2026, 1, 12, 0, 0)


def test_it_returns_a_working_day_instant_unchanged_for_zero_days(
    calendar: WorkingCalendar,
) -> None:
    result = calendar.add_working_days(london(2026, 6, 10, 10, 0), 0)
    assert result == utc(2026, 6, 10, 9, 0)
    assert result.tzinfo is UTC


def test_it_reasons_about_days_in_london_time_not_utc(calendar: WorkingCalendar) -> None:
    # 23:30 UTC on Friday 12 Jun 2026 is 00:30 BST on Saturday: a weekend receipt.
    # Clock starts Mon 15 Jun 00:00 BST; one working day ends Tue 16 Jun 00:00 BST.
    assert calendar.add_working_days(utc(2026, 6, 12, 23, 30), 1) == utc(2026, 6, 15, 23, 0)


def test_it_accepts_any_timezone_and_answers_in_utc(calendar: WorkingCalendar) -> None:
    delhi = timezone(timedelta(hours=5, minutes=30))
    # 15:30 in Delhi on Wed 14 Jan 2026 is 10:00 in London (GMT).
    result = calendar.add_working_days(datetime(2026, 1, 14, 15, 30, tzinfo=delhi), 1)
    assert result == utc(2026, 1, 15, 10, 0)
    assert result.tzinfo is UTC


def test_it_skips_easter_2027(calendar: WorkingCalendar) -> None:
    # Fri 26 Mar is Good Friday, Mon 29 Mar Easter Monday; clocks went forward on 28 Mar.
    assert not calendar.is_working_day(date(2027, 3, 29))
    assert calendar.add_working_days(london(2027, 3, 25, 10, 0), 1) == utc(2027, 3, 30, 9, 0)


def test_it_skips_the_early_may_bank_holiday(calendar: WorkingCalendar) -> None:
    assert calendar.holiday_name(date(2026, 5, 4)) == "May Day"
    assert calendar.add_working_days(london(2026, 5, 1, 10, 0), 1) == utc(2026, 5, 5, 9, 0)


def test_it_substitutes_boxing_day_2026_to_monday_as_holidays_says(
    calendar: WorkingCalendar,
) -> None:
    # 26 Dec 2026 is a Saturday; `holidays` lists it *and* the substitute Monday.
    assert calendar.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert calendar.holiday_name(date(2026, 12, 26)) == "Boxing Day"
    assert calendar.holiday_name(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert calendar.holiday_name(date(2026, 12, 29)) is None
    assert [calendar.is_working_day(date(2026, 12, day)) for day in range(24, 30)] == [
        True,  # Thu 24
        False,  # Fri 25 Christmas Day
        False,  # Sat 26
        False,  # Sun 27
        False,  # Mon 28 Boxing Day (observed)
        True,  # Tue 29
    ]


def test_it_gives_christmas_eve_night_until_the_tuesday_after(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(london(2026, 12, 24, 23, 0), 1) == utc(2026, 12, 29, 23, 0)
    assert calendar.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_it_counts_fifteen_working_days_across_christmas_and_new_year(
    calendar: WorkingCalendar,
) -> None:
    # From Mon 14 Dec 2026: 15-18 Dec (4), 21-24 Dec (8), 29-31 Dec (11), 4-7 Jan (15).
    assert calendar.add_working_days(london(2026, 12, 14, 10, 0), 15) == utc(2027, 1, 7, 10, 0)


def test_it_keeps_london_time_of_day_across_the_spring_clock_change(
    calendar: WorkingCalendar,
) -> None:
    # Fri 27 Mar 09:00 GMT to Mon 30 Mar 09:00 BST: 71 elapsed hours, as the clocks say.
    result = calendar.add_working_days(london(2026, 3, 27, 9, 0), 1)
    assert result == utc(2026, 3, 30, 8, 0)
    assert result - utc(2026, 3, 27, 9, 0) == timedelta(hours=71)


def test_it_keeps_london_time_of_day_across_the_autumn_clock_change(
    calendar: WorkingCalendar,
) -> None:
    # Fri 23 Oct 09:00 BST to Mon 26 Oct 09:00 GMT: 73 elapsed hours.
    result = calendar.add_working_days(london(2026, 10, 23, 9, 0), 1)
    assert result == utc(2026, 10, 26, 9, 0)
    assert result - utc(2026, 10, 23, 8, 0) == timedelta(hours=73)


def test_it_handles_receipt_inside_the_clock_change_hours(calendar: WorkingCalendar) -> None:
    # 01:30 UTC on 29 Mar 2026 is 02:30 BST, just after the spring gap: a Sunday.
    assert calendar.add_working_days(utc(2026, 3, 29, 1, 30), 1) == utc(2026, 3, 30, 23, 0)
    # The second 01:30 on 25 Oct 2026 (GMT, fold=1) is also a Sunday receipt.
    second = london(2026, 10, 25, 1, 30, fold=1)
    assert second.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert calendar.add_working_days(second, 1) == utc(2026, 10, 27, 0, 0)


def test_it_resolves_missing_and_doubled_wall_clock_times() -> None:
    # Spring gap: 01:30 does not exist on 29 Mar 2026; it resolves to 02:30 BST.
    gap = local_to_utc(date(2026, 3, 29), time(1, 30))
    assert gap == utc(2026, 3, 29, 1, 30)
    assert gap.astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"
    # Autumn: 01:30 happens twice on 25 Oct 2026; the first (BST) one is chosen.
    doubled = local_to_utc(date(2026, 10, 25), time(1, 30))
    assert doubled == utc(2026, 10, 25, 0, 30)
    assert doubled.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"
    # Even if the caller passes fold=1, fold=0 is used so the answer never depends on it.
    assert local_to_utc(date(2026, 10, 25), time(1, 30, fold=1)) == doubled


def test_it_adds_elapsed_hours_not_wall_clock_hours(calendar: WorkingCalendar) -> None:
    # 24 h from Sat 28 Mar 2026 12:00 GMT is Sun 12:00 UTC, which London calls 13:00 BST.
    assert calendar.add_hours(london(2026, 3, 28, 12, 0), 24) == utc(2026, 3, 29, 12, 0)
    # A 72-hour return interview from Fri 23 Oct 18:00 BST is due Mon 26 Oct 17:00 GMT.
    due = calendar.add_hours(london(2026, 10, 23, 18, 0), 72)
    assert due == utc(2026, 10, 26, 17, 0)
    assert due.tzinfo is UTC
    assert calendar.add_hours(utc(2026, 1, 1, 0, 0), 1.5) == utc(2026, 1, 1, 1, 30)


def test_it_finds_the_next_working_day_after_a_bank_holiday_weekend(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.next_working_day(date(2026, 5, 1)) == date(2026, 5, 5)
    assert calendar.next_working_day(date(2026, 6, 10)) == date(2026, 6, 11)


def test_it_rejects_naive_datetimes(calendar: WorkingCalendar, schools: SchoolCalendar) -> None:
    naive = datetime(2026, 6, 10, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_hours(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        schools.next_school_day_start(naive)


def test_it_rejects_negative_days_and_non_finite_hours(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(london(2026, 6, 10, 10, 0), -1)
    with pytest.raises(ValueError, match="finite"):
        calendar.add_hours(london(2026, 6, 10, 10, 0), float("nan"))


def test_it_refuses_a_datetime_where_a_calendar_day_is_meant(calendar: WorkingCalendar) -> None:
    with pytest.raises(TypeError, match="London time"):
        calendar.is_working_day(utc(2026, 6, 12, 23, 30))


# ------------------------------------------------------------------------- school days


def test_it_gives_a_night_incident_on_a_school_day_that_mornings_start(
    schools: SchoolCalendar,
) -> None:
    # Tue 9 Jun 2026 02:00 BST -> same day 08:30 BST = 07:30 UTC.
    assert schools.next_school_day_start(london(2026, 6, 9, 2, 0)) == utc(2026, 6, 9, 7, 30)


def test_it_gives_a_friday_night_incident_monday_morning(schools: SchoolCalendar) -> None:
    result = schools.next_school_day_start(london(2026, 6, 12, 22, 40))
    assert result == utc(2026, 6, 15, 7, 30)
    assert result.astimezone(LONDON) == london(2026, 6, 15, 8, 30)


def test_it_treats_the_start_of_the_school_day_as_already_missed(schools: SchoolCalendar) -> None:
    assert schools.next_school_day_start(london(2026, 6, 9, 8, 29)) == utc(2026, 6, 9, 7, 30)
    assert schools.next_school_day_start(london(2026, 6, 9, 8, 30)) == utc(2026, 6, 10, 7, 30)


def test_it_waits_for_the_spring_term_after_a_christmas_holiday_incident(
    schools: SchoolCalendar,
) -> None:
    # Spring term 2027 starts Tue 5 Jan (GMT, so 08:30 London is 08:30 UTC).
    assert schools.next_school_day_start(london(2026, 12, 24, 10, 0)) == utc(2027, 1, 5, 8, 30)


def test_it_waits_out_half_term_and_the_clock_change(schools: SchoolCalendar) -> None:
    # Autumn 1 ends Fri 23 Oct 2026; Autumn 2 starts Mon 2 Nov, by then on GMT.
    assert schools.next_school_day_start(london(2026, 10, 23, 16, 0)) == utc(2026, 11, 2, 8, 30)


def test_it_skips_a_bank_holiday_in_term(schools: SchoolCalendar) -> None:
    # Mon 3 May 2027 is the early May bank holiday, in the middle of Summer 1.
    assert schools.next_school_day_start(london(2027, 4, 30, 20, 0)) == utc(2027, 5, 4, 7, 30)


def test_it_treats_every_working_day_as_a_school_day_without_terms(
    calendar: WorkingCalendar,
) -> None:
    anyday = SchoolCalendar(calendar)
    assert anyday.next_school_day_start(london(2026, 12, 18, 20, 0)) == utc(2026, 12, 21, 8, 30)
    assert anyday.next_school_day_start(london(2026, 12, 24, 20, 0)) == utc(2026, 12, 29, 8, 30)
    assert not anyday.is_school_day(date(2026, 12, 28))


def test_it_honours_a_custom_start_of_day(calendar: WorkingCalendar) -> None:
    early = SchoolCalendar(calendar, day_starts=time(7, 45))
    assert early.next_school_day_start(london(2026, 6, 9, 2, 0)) == utc(2026, 6, 9, 6, 45)


def test_it_ships_plausible_term_dates(calendar: WorkingCalendar, schools: SchoolCalendar) -> None:
    terms = load_term_dates(SHIPPED_TERM_DATES)
    assert len(terms) == 18  # six half-terms for each of 2025-26, 2026-27, 2027-28
    assert terms[0][0] == date(2025, 9, 3)
    assert terms[-1][1] == date(2028, 7, 21)
    for start, end in terms:
        assert calendar.is_working_day(start), start
        assert calendar.is_working_day(end), end
    christmas_2026 = [date(2026, 12, 24) + timedelta(days=n) for n in range(12)]
    assert christmas_2026[-1] == date(2027, 1, 4)
    assert not any(schools.is_school_day(day) for day in christmas_2026)
    assert schools.is_school_day(date(2027, 1, 5))


# -------------------------------------------------------------------------- term files


def write_terms(tmp_path: Path, terms: object) -> Path:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps({"terms": terms}), encoding="utf-8")
    return path


def test_it_loads_term_dates_sorted_by_start(tmp_path: Path) -> None:
    path = write_terms(
        tmp_path,
        [
            {"name": "Autumn 2", "start": "2026-11-02", "end": "2026-12-18"},
            {"name": "Autumn 1", "start": "2026-09-03", "end": "2026-10-23"},
        ],
    )
    assert load_term_dates(path) == [
        (date(2026, 9, 3), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 12, 18)),
    ]


def test_it_rejects_a_term_that_ends_before_it_starts(tmp_path: Path) -> None:
    path = write_terms(tmp_path, [{"name": "Autumn 1", "start": "2026-10-23", "end": "2026-09-03"}])
    with pytest.raises(ValueError) as caught:
        load_term_dates(path)
    assert str(caught.value) == (
        f"{path}: entry 0 (Autumn 1): ends 2026-09-03 before it starts 2026-10-23"
    )


def test_it_rejects_overlapping_terms_naming_both(tmp_path: Path) -> None:
    path = write_terms(
        tmp_path,
        [
            {"name": "Autumn 1", "start": "2026-09-03", "end": "2026-10-23"},
            {"name": "Autumn 2", "start": "2026-10-23", "end": "2026-12-18"},
        ],
    )
    with pytest.raises(ValueError) as caught:
        load_term_dates(path)
    assert str(caught.value) == (
        f"{path}: entry 1 (Autumn 2) starts 2026-10-23, before entry 0 (Autumn 1) ends 2026-10-23"
    )


@pytest.mark.parametrize(
    ("entry", "message_part"),
    [
        (
            {"name": "Spring 1", "start": "2027-02-30", "end": "2027-03-01"},
            "'start' is not a real date",
        ),
        (
            {"name": "Spring 1", "start": "2027/01/05", "end": "2027-02-12"},
            "must be a date written YYYY-MM-DD",
        ),
        (
            {"name": "Spring 1", "start": "2027-01-05"},
            "'end' must be a date written YYYY-MM-DD, got None",
        ),
        ("Spring 1", "expected an object with start and end"),
    ],
)
def test_it_rejects_bad_dates_naming_the_file_and_entry(
    tmp_path: Path, entry: object, message_part: str
) -> None:
    path = write_terms(tmp_path, [entry])
    with pytest.raises(ValueError) as caught:
        load_term_dates(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: entry 0")
    assert message_part in message


def test_it_rejects_files_that_are_not_term_lists(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_term_dates(broken)
    shapeless = tmp_path / "shapeless.json"
    shapeless.write_text('{"holidays": []}', encoding="utf-8")
    with pytest.raises(ValueError, match='"terms" list'):
        load_term_dates(shapeless)


def test_it_rejects_terms_given_directly_that_end_before_they_start(
    calendar: WorkingCalendar,
) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        SchoolCalendar(calendar, [(date(2026, 10, 23), date(2026, 9, 3))])


def test_it_rejects_overlapping_terms_given_directly(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="overlaps"):
        SchoolCalendar(
            calendar,
            [(date(2026, 9, 3), date(2026, 12, 18)), (date(2026, 11, 2), date(2026, 11, 6))],
        )


def test_beyond_the_configured_term_dates_every_working_day_counts_as_a_school_day() -> None:
    schools = SchoolCalendar(WorkingCalendar(), load_term_dates(SHIPPED_TERM_DATES))
    # After the last configured term (summer 2028) the clock must still run, not fail.
    friday = datetime(2028, 9, 1, 22, 0, tzinfo=UTC)
    assert schools.next_school_day_start(friday) == datetime(2028, 9, 4, 7, 30, tzinfo=UTC)
