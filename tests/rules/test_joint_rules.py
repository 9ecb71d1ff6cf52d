"""The joint-assessment rules: pure functions from what agencies know to a strategy discussion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from safeguard.config import SharingSettings
from safeguard.rules.joint import (
    ConcernFact,
    IncidentRisk,
    JointFacts,
    child_protection_conference_duty,
    strategy_discussion_duties,
)
from safeguard.workdays import WorkingCalendar

CHILD_PROTECTION_CONFERENCE = "initial_child_protection_conference"
STRATEGY_DISCUSSION = "strategy_discussion"

SETTINGS = SharingSettings()
CALENDAR = WorkingCalendar()
# Wednesday 2 Dec 2026, 10:00 UTC.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def concern(agency: str, days_ago: float, reference: str = "C-1") -> ConcernFact:
    return ConcernFact(agency_id=agency, agency_name=agency.title(), kind="physical_injury",
                       occurred_at=NOW - timedelta(days=days_ago), reference=reference)


def facts(**changes: object) -> JointFacts:
    base = JointFacts(person_id=7, child_name="Mia Jones", recorded_at=NOW,
                      concern=concern("education", 0, "C-NEW"), earlier_concerns=(),
                      open_referrals=(), open_strategy_discussion=False)
    return replace(base, **changes)  # type: ignore[arg-type]


def run(f: JointFacts) -> list[str]:
    return [d.kind for d in strategy_discussion_duties(f, calendar=CALENDAR, settings=SETTINGS)]


def test_a_single_concern_about_a_child_raises_nothing() -> None:
    assert run(facts()) == []


def test_concerns_from_two_agencies_within_30_days_raise_a_strategy_discussion() -> None:
    f = facts(earlier_concerns=(concern("health", 20, "H-9"),))
    [draft] = strategy_discussion_duties(f, calendar=CALENDAR, settings=SETTINGS)
    assert draft.kind == STRATEGY_DISCUSSION
    assert draft.owner_agency_id == "childrens_social_care"
    assert draft.participants == ("police", "health")
    assert "Concerns from 2 agencies within 30 days" in draft.evidence[0]
    assert "H-9" in draft.evidence[0] and "C-NEW" in draft.evidence[0]
    assert draft.evidence[0] in draft.reason
    # One working day: Thursday at the same time.
    assert draft.due_at == NOW + timedelta(days=1)


def test_concerns_from_two_agencies_further_apart_than_the_window_raise_nothing() -> None:
    assert run(facts(earlier_concerns=(concern("health", 31),))) == []


def test_two_concerns_from_the_same_agency_weeks_apart_raise_nothing() -> None:
    assert run(facts(earlier_concerns=(concern("education", 12),))) == []


def test_a_second_concern_within_seven_days_is_escalating_risk() -> None:
    [draft] = strategy_discussion_duties(
        facts(earlier_concerns=(concern("education", 3, "C-OLD"),)), calendar=CALENDAR,
        settings=SETTINGS)
    assert draft.evidence[0].startswith("Risk escalating: a second concern within 7 days")


def test_a_concern_about_a_child_with_an_open_referral_raises_a_strategy_discussion() -> None:
    [draft] = strategy_discussion_duties(
        facts(open_referrals=("referral decision (duty 4, open)",)), calendar=CALENDAR,
        settings=SETTINGS)
    assert "while a referral is open: referral decision (duty 4, open)" in draft.evidence[0]


def test_an_open_strategy_discussion_means_no_second_one() -> None:
    assert run(facts(open_referrals=("x",), open_strategy_discussion=True)) == []


def test_an_incident_riskier_than_the_childs_previous_one_is_escalating_risk() -> None:
    f = facts(concern=None,
              incident=IncidentRisk("INC-2", NOW, "high"),
              previous_incident=IncidentRisk("INC-1", NOW - timedelta(days=100), "standard"))
    [draft] = strategy_discussion_duties(f, calendar=CALENDAR, settings=SETTINGS)
    assert "INC-2" in draft.evidence[0] and "was standard" in draft.evidence[0]


def test_an_incident_no_riskier_or_long_after_the_previous_one_raises_nothing() -> None:
    same = facts(concern=None, incident=IncidentRisk("INC-2", NOW, "medium"),
                 previous_incident=IncidentRisk("INC-1", NOW - timedelta(days=10), "high"))
    old = facts(concern=None, incident=IncidentRisk("INC-2", NOW, "high"),
                previous_incident=IncidentRisk("INC-1", NOW - timedelta(days=400), "standard"))
    assert run(same) == [] and run(old) == []


def test_thresholds_are_configuration() -> None:
    wide = SharingSettings(joint_window_days=60, strategy_discussion_working_days=2)
    [draft] = strategy_discussion_duties(facts(earlier_concerns=(concern("health", 45),)),
                                         calendar=CALENDAR, settings=wide)
    assert draft.due_at == NOW + timedelta(days=2)


def test_a_section_47_starts_a_15_working_day_clock_for_the_conference() -> None:
    draft = child_protection_conference_duty(subject_person_id=7, child_name="Mia Jones",
                                             discussed_at=NOW, calendar=CALENDAR,
                                             settings=SETTINGS)
    assert draft.kind == CHILD_PROTECTION_CONFERENCE
    # Wed 2 Dec + 15 working days: Wed 23 Dec 2026 (no bank holiday in between).
    assert draft.due_at == datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
    assert "15 working days" in draft.reason
