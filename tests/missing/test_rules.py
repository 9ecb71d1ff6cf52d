"""The missing rules as pure functions: their boundaries, with no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from safeguard.config import MissingSettings, Settings
from safeguard.rules.context import build_context
from safeguard.rules.incidents import FIND_SCHOOL
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.missing import (
    MISSING_NOTIFY_CSC,
    MISSING_NOTIFY_PLACING,
    MISSING_SCHOOL_NOTICE,
    RETURN_HOME_INTERVIEW,
    EpisodeFacts,
    SchoolFact,
    interview_note,
    long_open_evidence,
    notify_duties,
    report_evidence,
    return_interview_duty,
    school_check_at,
    school_duties,
    ssda903_row,
    strategy_duty,
    update_evidence,
)
from safeguard.rules.quality import DATA_QUALITY
from safeguard.workdays import LONDON, SchoolCalendar, WorkingCalendar

SETTINGS = MissingSettings()
CTX = build_context(Settings())
SEEN = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
FACTS = EpisodeFacts(
    reference="MP-1", person_id=7, child_name="Kayden Moore", child_dob="2011-03-02", age=15,
    missing_from="care", last_seen_at=SEEN, reported_at=SEEN + timedelta(hours=2),
    risk="medium", indicators=())


def test_a_third_episode_starting_on_day_89_calls_for_a_strategy_discussion() -> None:
    first = SEEN - timedelta(days=89)
    facts = replace(FACTS, earlier_starts=(first, first + timedelta(days=40)))
    evidence = report_evidence(facts, SETTINGS)
    assert len(evidence) == 1
    assert "the child's 3rd within 90 days" in evidence[0]


def test_a_third_episode_starting_on_day_91_does_not() -> None:
    first = SEEN - timedelta(days=91)
    facts = replace(FACTS, earlier_starts=(first, first + timedelta(days=40)))
    assert report_evidence(facts, SETTINGS) == []


def test_the_repeat_threshold_and_window_are_configuration() -> None:
    first = SEEN - timedelta(days=89)
    facts = replace(FACTS, earlier_starts=(first,))
    assert report_evidence(facts, SETTINGS) == []
    assert report_evidence(facts, MissingSettings(repeat_episode_count=2)) != []
    assert report_evidence(facts, MissingSettings(repeat_episode_count=2,
                                                  repeat_window_days=60)) == []


def test_an_episode_open_23_hours_59_is_not_yet_a_long_absence() -> None:
    now = SEEN + timedelta(hours=23, minutes=59)
    assert long_open_evidence(reference="MP-1", last_seen_at=SEEN, now=now,
                              settings=SETTINGS) == []


def test_an_episode_open_24_hours_01_is_a_long_absence() -> None:
    now = SEEN + timedelta(hours=24, minutes=1)
    [line] = long_open_evidence(reference="MP-1", last_seen_at=SEEN, now=now, settings=SETTINGS)
    assert "not been found 24 hours after last being seen" in line


def test_a_return_at_2330_on_a_friday_before_a_bank_holiday_is_due_72_clock_hours_later() -> None:
    # Friday 28 August 2026, 23:30 in London; Monday 31 August is the summer bank holiday.
    returned = datetime(2026, 8, 28, 23, 30, tzinfo=LONDON)
    assert CTX.calendar.holiday_name(date(2026, 8, 31)) is not None
    draft = return_interview_duty(reference="MP-1", person_id=7, child_name="Kayden Moore",
                                  returned_at=returned, settings=SETTINGS)
    assert draft.kind == RETURN_HOME_INTERVIEW.name
    assert draft.owner_agency_id == "childrens_social_care"
    # The bank holiday counts: due on the holiday itself at 23:30, not a working day later.
    assert draft.due_at == datetime(2026, 8, 31, 22, 30, tzinfo=UTC)
    assert "72 clock hours" in draft.reason and "Mon 31 Aug 2026, 23:30" in draft.reason


def test_high_risk_is_told_to_social_care_within_an_hour_and_otherwise_a_day() -> None:
    [high] = notify_duties(replace(FACTS, risk="high"), SETTINGS)
    [medium] = notify_duties(FACTS, SETTINGS)
    assert high.kind == medium.kind == MISSING_NOTIFY_CSC.name
    assert high.due_at == FACTS.reported_at + timedelta(hours=1)
    assert medium.due_at == FACTS.reported_at + timedelta(hours=24)
    assert high.partner_agency_id == "childrens_social_care"
    assert "within 1 hour of the report (high risk)" in high.reason


def test_a_re_grading_to_high_risk_tells_social_care_again_within_the_hour() -> None:
    regraded = FACTS.reported_at + timedelta(hours=5)
    [again] = notify_duties(replace(FACTS, risk="high"), SETTINGS, regraded_at=regraded)
    assert again.due_at == regraded + timedelta(hours=1)
    assert again.rule_name == "missing-notify-csc-regraded"
    assert "re-graded to high risk at Sat 21 Nov 2026, 01:00" in again.reason
    assert "within 1 hour of the re-grading" in again.reason


def test_a_registered_placing_authority_is_told_on_the_same_clock() -> None:
    facts = replace(FACTS, placing_code="926", placing_name="Norfolk County Council",
                    placing_agency_id="la-926")
    [_, placing] = notify_duties(facts, SETTINGS)
    assert placing.kind == MISSING_NOTIFY_PLACING.name
    assert placing.partner_agency_id == "la-926"
    assert "Norfolk County Council placed the child here" in placing.reason


def test_an_unknown_placing_authority_is_a_visible_task_for_social_care() -> None:
    facts = replace(FACTS, placing_code="926", placing_name=None)
    [_, task] = notify_duties(facts, SETTINGS)
    assert task.kind == DATA_QUALITY.name
    assert task.owner_agency_id == "childrens_social_care"
    assert task.due_at == FACTS.reported_at + timedelta(hours=24)
    assert "code 926" in task.reason and "not registered" in task.reason


def test_the_school_check_is_made_two_hours_before_the_next_school_day() -> None:
    schools = SchoolCalendar(WorkingCalendar(), None)
    # Friday 20 November 2026, 18:00 UTC: the next school day is Monday at 08:30.
    check = school_check_at(FACTS.reported_at, schools, SETTINGS)
    assert check == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    # Reported at 07:45 on a school day: the check is made at once.
    early = datetime(2026, 11, 23, 7, 45, tzinfo=UTC)
    assert school_check_at(early, schools, SETTINGS) == early


def test_a_child_still_missing_is_told_to_their_school_before_the_day_starts() -> None:
    schools = SchoolCalendar(WorkingCalendar(), None)
    school = SchoolFact(agency_id="school-121234", urn="121234", name="Abington Vale",
                        lead="Jo Clarke")
    checked = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    [notice] = school_duties(replace(FACTS, school=school), checked_at=checked,
                             schools=schools)
    assert notice.kind == MISSING_SCHOOL_NOTICE.name
    assert notice.partner_agency_id == "school-121234"
    assert notice.due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert "Abington Vale's designated safeguarding lead (Jo Clarke)" in notice.reason
    assert set(notice.share_content) <= set(MISSING_SCHOOL_NOTICE.share.keys)  # type: ignore[union-attr]


def test_a_school_age_child_with_no_school_on_record_is_a_task_to_find_it() -> None:
    schools = SchoolCalendar(WorkingCalendar(), None)
    checked = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    [task] = school_duties(FACTS, checked_at=checked, schools=schools)
    assert task.kind == FIND_SCHOOL.name and task.owner_agency_id == "education"
    assert "aged 15" in task.reason
    assert school_duties(replace(FACTS, age=17), checked_at=checked, schools=schools) == []
    [unknown] = school_duties(replace(FACTS, age=None), checked_at=checked, schools=schools)
    assert "of unknown age" in unknown.reason


def test_high_risk_and_exploitation_at_report_are_each_evidence() -> None:
    facts = replace(FACTS, risk="high", indicators=("county_lines", "criminal"))
    evidence = report_evidence(facts, SETTINGS)
    assert len(evidence) == 2
    assert "graded high risk at report" in evidence[0]
    assert "county lines, criminal exploitation" in evidence[1]
    [draft] = strategy_duty(person_id=7, child_name="Kayden Moore", evidence=evidence,
                            at=facts.reported_at, ctx=CTX)
    assert draft.kind == STRATEGY_DISCUSSION.name and draft.evidence == tuple(evidence)
    assert strategy_duty(person_id=7, child_name="K", evidence=[], at=SEEN, ctx=CTX) == []


def test_re_grading_to_high_and_new_indicators_are_evidence_but_repeats_are_not() -> None:
    lines = update_evidence(reference="MP-1", at=SEEN, risk_before="low", risk_now="high",
                            indicators_before=("sexual",), indicators_now=("sexual", "criminal"))
    assert len(lines) == 2
    assert "re-graded from low to high risk" in lines[0]
    assert lines[1].endswith("criminal exploitation")
    assert update_evidence(reference="MP-1", at=SEEN, risk_before="high", risk_now="high",
                           indicators_before=("sexual",), indicators_now=("sexual",)) == []


def test_an_interview_not_held_by_an_independent_person_is_flagged() -> None:
    note = interview_note(outcome="declined", independent=False, held_at=None,
                          provider="Safe Return Ltd", reason="Would not talk to anyone")
    assert note.startswith("Declined by the child by Safe Return Ltd")
    assert "Reason: Would not talk to anyone" in note
    assert "FLAG: not held by an independent person" in note
    assert "FLAG" not in interview_note(outcome="completed", independent=True, held_at=SEEN,
                                        provider=None, reason=None)


def test_the_ssda903_row_has_the_missing_modules_columns_and_codes() -> None:
    row = ssda903_row(child="P000042", sex="female", dob="2011-03-02", risk="medium",
                      started=datetime(2026, 3, 31, 23, 30, tzinfo=UTC), ended=None)
    assert row == {"CHILD": "P000042", "SEX": "2", "DOB": "02/03/2011", "MISSING": "M",
                   "MIS_START": "01/04/2026", "MIS_END": ""}
    away = ssda903_row(child="P1", sex="male", dob=None, risk="no_apparent_risk",
                       started=SEEN, ended=SEEN + timedelta(days=1))
    assert (away["SEX"], away["MISSING"], away["MIS_END"]) == ("1", "A", "21/11/2026")
