"""The incident rules as pure functions: facts in, duty drafts out, every clock checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from safeguard.config import ClockSettings
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import (
    ChildFact,
    IncidentFacts,
    incident_duties,
    referral_decision_duty,
)
from safeguard.rules.risk import assess_dash
from safeguard.workdays import SHIPPED_TERM_DATES, SchoolCalendar, WorkingCalendar, load_term_dates

CLOCKS = ClockSettings()
CALENDAR = WorkingCalendar()
SCHOOLS = SchoolCalendar(CALENDAR, load_term_dates(SHIPPED_TERM_DATES))
ALL_WORKING_DAYS = SchoolCalendar(CALENDAR, None)

AMY = ChildFact(person_id=7, name="Amy Smith", dob="2016-05-01", role="child_present",
                recorded_by_officer=True, found_from=None, school_agency_id="school-121234",
                school_name="Abington Vale Primary School")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def facts(occurred: str, recorded: str, *, yes: int = 3, judgement: str | None = None,
          children: tuple[ChildFact, ...] = (AMY,), repeats: int = 1,
          kind: str = "domestic_abuse") -> IncidentFacts:
    return IncidentFacts(
        event_id=1, reference="INC-1", kind=kind, occurred_at=at(occurred),
        recorded_at=at(recorded), address_label="12 Acacia Road, Northampton, NN1 1AA",
        risk=assess_dash(yes_count=yes, judgement=judgement, clocks=CLOCKS),
        victim_person_ids=(3,), children=children, household_incidents_in_window=repeats)


def drafts(f: IncidentFacts, schools: SchoolCalendar = SCHOOLS) -> dict[str, DutyDraft]:
    out = incident_duties(f, calendar=CALENDAR, schools=schools, clocks=CLOCKS)
    return {d.kind: d for d in out}


def test_a_friday_night_incident_gives_monday_morning_for_the_school_notice() -> None:
    d = drafts(facts("2026-11-27T22:40:00+00:00", "2026-11-27T23:55:00+00:00"))
    assert d["encompass_notice"].due_at == at("2026-11-30T08:30:00+00:00")
    assert d["share_with_csc"].due_at == at("2026-11-28T23:55:00+00:00")


def test_an_incident_before_school_on_a_school_day_is_due_that_morning() -> None:
    d = drafts(facts("2026-11-24T02:00:00+00:00", "2026-11-24T03:00:00+00:00"))
    assert d["encompass_notice"].due_at == at("2026-11-24T08:30:00+00:00")


def test_school_starts_are_london_time_in_summer() -> None:
    d = drafts(facts("2026-06-11T19:00:00+00:00", "2026-06-11T20:00:00+00:00"))
    # 08:30 BST is 07:30 UTC.
    assert d["encompass_notice"].due_at == at("2026-06-12T07:30:00+00:00")


def test_the_day_before_christmas_waits_for_the_spring_term() -> None:
    d = drafts(facts("2026-12-24T21:00:00+00:00", "2026-12-24T22:00:00+00:00"))
    assert d["encompass_notice"].due_at == at("2027-01-05T08:30:00+00:00")


def test_without_term_dates_the_next_working_day_counts_skipping_bank_holidays() -> None:
    d = drafts(facts("2026-12-24T21:00:00+00:00", "2026-12-24T22:00:00+00:00"),
               ALL_WORKING_DAYS)
    # 25 Dec (Fri) and 28 Dec (Boxing Day substitute, Mon) are bank holidays.
    assert d["encompass_notice"].due_at == at("2026-12-29T08:30:00+00:00")


def test_the_referral_decision_skips_the_weekend_and_bank_holidays() -> None:
    friday = referral_decision_duty(subject_person_id=7, reference="INC-1", child_name="Amy",
                                    arrived_at=at("2026-11-27T23:55:00+00:00"),
                                    calendar=CALENDAR, clocks=CLOCKS)
    assert friday.due_at == at("2026-11-30T23:55:00+00:00")
    easter = referral_decision_duty(subject_person_id=7, reference="INC-1", child_name="Amy",
                                    arrived_at=at("2027-03-25T15:00:00+00:00"),
                                    calendar=CALENDAR, clocks=CLOCKS)
    # Thu 25 Mar 2027 -> Good Friday 26th and Easter Monday 29th are not working days.
    assert easter.due_at == at("2027-03-30T14:00:00+00:00")  # 15:00 BST
    assert "Rule referral-decision-clock v1" in easter.reason
    assert easter.owner_agency_id == "childrens_social_care"


def test_fourteen_yes_answers_raise_a_marac_referral() -> None:
    assert "marac_referral" not in drafts(facts("2026-11-24T20:00:00+00:00",
                                                "2026-11-24T21:00:00+00:00", yes=13))
    high = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00", yes=14))
    assert high["marac_referral"].due_at == at("2026-11-25T21:00:00+00:00")
    assert high["marac_referral"].subject_person_id == 3


def test_not_known_answers_are_not_counted_as_yes_and_are_said_in_the_note() -> None:
    risk = assess_dash(yes_count=9, judgement=None, clocks=CLOCKS, not_known=5)
    assert (risk.actuarial, risk.level, risk.not_known) == ("standard", "standard", 5)
    assert risk.note == "9 of 24 answered yes, 5 not known: standard risk by the checklist"


def test_professional_judgement_may_raise_the_level_but_never_lower_it() -> None:
    raised = assess_dash(yes_count=4, judgement="high", clocks=CLOCKS)
    assert (raised.actuarial, raised.level) == ("standard", "high")
    lowered = assess_dash(yes_count=16, judgement="standard", clocks=CLOCKS)
    assert (lowered.actuarial, lowered.level) == ("high", "high")
    assert "never lower" in lowered.note
    assert assess_dash(yes_count=10, judgement=None, clocks=CLOCKS).level == "medium"
    d = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00", yes=4,
                     judgement="high"))
    assert "raised to high by the officer's professional judgement" in \
        d["marac_referral"].reason


@pytest.mark.parametrize(("repeats", "expected"), [(2, False), (3, True), (5, True)])
def test_the_third_incident_at_a_household_escalates_to_a_supervisor(repeats: int,
                                                                     expected: bool) -> None:
    d = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00",
                     repeats=repeats))
    assert ("repeat_victim_review" in d) is expected
    if expected:
        assert d["repeat_victim_review"].owner_role == "supervisor"
        assert d["repeat_victim_review"].due_at == at("2026-11-25T21:00:00+00:00")


def test_clock_lengths_are_configuration() -> None:
    clocks = ClockSettings(share_with_csc_hours=4, repeat_incident_count=2)
    f = facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00", repeats=2)
    d = {x.kind: x for x in incident_duties(f, calendar=CALENDAR, schools=SCHOOLS,
                                             clocks=clocks)}
    assert d["share_with_csc"].due_at == at("2026-11-25T01:00:00+00:00")
    assert "repeat_victim_review" in d


def test_no_children_means_no_child_duties() -> None:
    d = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00", children=()))
    assert "share_with_csc" not in d and "encompass_notice" not in d


def test_a_child_without_a_known_school_gets_a_share_but_no_school_notice() -> None:
    no_school = replace(AMY, school_agency_id=None, school_name=None)
    d = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00",
                     children=(no_school,)))
    assert "share_with_csc" in d and "encompass_notice" not in d


def test_a_concern_for_welfare_shares_with_social_care_but_is_not_encompass() -> None:
    d = drafts(facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00",
                     kind="concern_for_welfare", yes=20, repeats=4))
    assert set(d) == {"share_with_csc"}


def test_every_draft_names_its_rule_and_version() -> None:
    f = facts("2026-11-24T20:00:00+00:00", "2026-11-24T21:00:00+00:00", yes=15, repeats=3)
    for draft in incident_duties(f, calendar=CALENDAR, schools=SCHOOLS, clocks=CLOCKS):
        assert draft.reason.startswith(f"Rule {draft.rule_name} v{draft.rule_version}:")
