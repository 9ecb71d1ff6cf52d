"""The custody rules as pure functions: who is a child, the order of steps, every clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from safeguard.config import CustodySettings
from safeguard.rules.custody import (
    ACCOMMODATION_ANSWER,
    ACCOMMODATION_REQUEST,
    AFTER_CHARGE_MIDNIGHT,
    CERTIFICATE_NOTICE,
    DETENTION_LIMIT,
    INFORM_PARENT,
    NO_ACCOMMODATION_ESCALATION,
    PACE_REVIEW,
    TRANSFER_OR_CERTIFICATE,
    TRANSFER_REQUEST,
    AgeStatus,
    DetentionFacts,
    DetentionState,
    StepFacts,
    advance,
    age_status,
    detention_duties,
    discharges,
    midnight_after,
    refusal,
    step_duties,
)

SETTINGS = CustodySettings()
AUTHORISED = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)  # a Sunday afternoon
CHILD = AgeStatus(15, "date_of_birth", True)


def facts(age: AgeStatus = CHILD) -> DetentionFacts:
    return DetentionFacts(person_id=7, child_name="Jayden Cole", child_dob=date(2011, 3, 2),
                          reference="CR-1", suite="Northgate custody suite", offence="robbery",
                          arrived_at=AUTHORISED - timedelta(minutes=20),
                          authorised_at=AUTHORISED, age=age)


def state(**steps: datetime) -> DetentionState:
    current = DetentionState(arrived_at=AUTHORISED - timedelta(minutes=20),
                             authorised_at=AUTHORISED)
    for step, at in steps.items():
        current = advance(current, step, at, "non_secure")
    return current


def due(drafts: list, kind: str) -> datetime:  # type: ignore[type-arg]
    return next(d.due_at for d in drafts if d.kind == kind)


def test_the_day_before_an_18th_birthday_a_detainee_is_a_child() -> None:
    arrived = datetime(2026, 6, 14, 22, 30, tzinfo=UTC)  # 23:30 in London, 14 June
    status = age_status(dob=date(2008, 6, 15), age_stated=None, arrived_at=arrived)
    assert (status.age, status.child, status.basis) == (17, True, "date_of_birth")


def test_an_18th_birthday_on_the_day_of_arrival_counts_as_adult() -> None:
    arrived = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)  # 00:30 on 15 June in London
    status = age_status(dob=date(2008, 6, 15), age_stated=None, arrived_at=arrived)
    assert (status.age, status.child) == (18, False)


def test_a_stated_age_decides_only_without_a_date_of_birth_and_is_recorded_as_stated() -> None:
    stated = age_status(dob=None, age_stated=16, arrived_at=AUTHORISED)
    assert (stated.age, stated.basis, stated.child) == (16, "stated", True)
    assert "as stated" in stated.words()
    by_dob = age_status(dob=date(2000, 1, 1), age_stated=16, arrived_at=AUTHORISED)
    assert (by_dob.basis, by_dob.child) == ("date_of_birth", False)


def test_a_detainee_of_unknown_age_is_treated_as_a_child() -> None:
    status = age_status(dob=None, age_stated=None, arrived_at=AUTHORISED)
    assert (status.basis, status.child) == ("unknown", True)


def test_no_duty_is_raised_for_an_adult() -> None:
    adult = AgeStatus(18, "date_of_birth", False)
    assert detention_duties(facts(adult), SETTINGS) == []
    assert step_duties(facts(adult), state(charged=AUTHORISED),
                       StepFacts("bail_refused", AUTHORISED + timedelta(hours=1)),
                       SETTINGS) == []


def test_a_childs_detention_starts_each_clock_from_its_authorisation() -> None:
    drafts = detention_duties(facts(), SETTINGS)
    hours = {d.kind: (d.due_at - AUTHORISED) / timedelta(hours=1) for d in drafts}
    assert hours == {"custody_inform_parent": 1, "custody_appropriate_adult_requested": 1,
                     "custody_appropriate_adult_present": 2, "custody_pace_review": 6,
                     "custody_detention_limit": 24}
    assert all(d.owner_agency_id == "police" for d in drafts)


def test_the_first_review_is_due_at_6_hours_exactly_then_9_hours_after_each_review() -> None:
    first = due(detention_duties(facts(), SETTINGS), PACE_REVIEW.name)
    assert first == datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    after = step_duties(facts(), state(), StepFacts("review", first), SETTINGS)
    assert [d.kind for d in after] == [PACE_REVIEW.name]
    assert after[0].due_at == first + timedelta(hours=9)
    assert discharges(StepFacts("review", first), state()) == [(PACE_REVIEW, "review_held")]


def test_clocks_follow_the_settings() -> None:
    short = CustodySettings(first_review_hours=4, inform_parent_hours=0.5)
    drafts = detention_duties(facts(), short)
    assert due(drafts, PACE_REVIEW.name) == AUTHORISED + timedelta(hours=4)
    assert due(drafts, INFORM_PARENT.name) == AUTHORISED + timedelta(minutes=30)


def test_bail_refused_at_2310_on_a_sunday_runs_in_clock_hours_not_working_days() -> None:
    refused = datetime(2026, 11, 29, 23, 10, tzinfo=UTC)  # Sunday 23:10 (GMT)
    drafts = step_duties(facts(), state(charged=refused - timedelta(minutes=30)),
                         StepFacts("bail_refused", refused), SETTINGS)
    assert due(drafts, TRANSFER_REQUEST.name) == datetime(2026, 11, 30, 0, 10, tzinfo=UTC)
    assert due(drafts, TRANSFER_OR_CERTIFICATE.name) == datetime(2026, 11, 30, 3, 10, tzinfo=UTC)


def test_a_charge_sets_the_midnight_check_for_that_london_night() -> None:
    charged = datetime(2026, 11, 29, 22, 40, tzinfo=UTC)
    drafts = step_duties(facts(), state(), StepFacts("charged", charged), SETTINGS)
    assert [d.kind for d in drafts] == [AFTER_CHARGE_MIDNIGHT.name]
    assert drafts[0].due_at == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert drafts[0].partner_agency_id == "childrens_social_care"
    # In summer London midnight is 23:00 UTC.
    assert midnight_after(datetime(2026, 7, 1, 21, 0, tzinfo=UTC)) == \
        datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
    assert AFTER_CHARGE_MIDNIGHT.escalates_to_partner


def test_a_transfer_request_is_shared_with_the_council_with_a_2_hour_answer() -> None:
    requested = datetime(2026, 11, 29, 23, 50, tzinfo=UTC)
    before = state(charged=requested, bail_refused=requested)
    drafts = step_duties(facts(), before, StepFacts("transfer_requested", requested,
                                                    accommodation="non_secure"), SETTINGS)
    share = next(d for d in drafts if d.kind == ACCOMMODATION_REQUEST.name)
    answer = next(d for d in drafts if d.kind == ACCOMMODATION_ANSWER.name)
    assert share.partner_agency_id == "childrens_social_care"
    assert share.share_content["accommodation"] == "non_secure"
    assert set(share.share_content) <= set(ACCOMMODATION_REQUEST.share.keys)  # type: ignore[union-attr]
    assert answer.owner_agency_id == "childrens_social_care"
    assert share.due_at == answer.due_at == requested + timedelta(hours=2)


def test_no_place_for_a_non_secure_request_goes_to_the_councils_senior_manager() -> None:
    refused = datetime(2026, 11, 29, 23, 10, tzinfo=UTC)
    before = advance(state(charged=refused, bail_refused=refused), "transfer_requested",
                     refused + timedelta(minutes=20), "non_secure")
    drafts = step_duties(facts(), before, StepFacts("la_response", refused + timedelta(hours=1),
                                                    offered="none"), SETTINGS)
    assert [(d.kind, d.owner_role) for d in drafts] == [
        (NO_ACCOMMODATION_ESCALATION.name, "senior_manager")]
    assert drafts[0].due_at == refused + timedelta(hours=4)
    secure = advance(before, "transfer_requested", before.transfer_requested_at, "secure")  # type: ignore[arg-type]
    assert step_duties(facts(), secure, StepFacts("la_response", refused + timedelta(hours=1),
                                                  offered="none"), SETTINGS) == []


def test_a_certificate_is_shared_with_the_council_in_the_custody_officers_words() -> None:
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    before = state(charged=at, bail_refused=at)
    step = StepFacts("certificate", at, reason="impracticable",
                     explanation="Snow closed the only road to the placement.")
    drafts = step_duties(facts(), before, step, SETTINGS)
    assert [d.kind for d in drafts] == [CERTIFICATE_NOTICE.name]
    assert drafts[0].share_content["explanation"] == step.explanation
    assert discharges(step, before) == [(TRANSFER_OR_CERTIFICATE, "certificate")]


def test_leaving_custody_ends_every_moot_clock_but_not_telling_a_parent() -> None:
    ended = discharges(StepFacts("released", AUTHORISED), state())
    names = {kind.name for kind, _ in ended}
    assert {PACE_REVIEW.name, DETENTION_LIMIT.name, AFTER_CHARGE_MIDNIGHT.name} <= names
    assert INFORM_PARENT.name not in names
    moved = dict((k.name, o) for k, o in discharges(StepFacts("transferred", AUTHORISED),
                                                     state(charged=AUTHORISED)))
    assert moved[TRANSFER_OR_CERTIFICATE.name] == "transferred"
    assert moved[NO_ACCOMMODATION_ESCALATION.name] == "place_found"


@pytest.mark.parametrize(("steps", "step", "words"), [
    ({}, "transfer_requested", "needs bail refused first"),
    ({}, "bail_refused", "needs a charge first"),
    ({"charged": AUTHORISED}, "transferred", "needs a transfer requested first"),
    ({"charged": AUTHORISED}, "la_response", "needs a transfer requested first"),
    ({}, "appropriate_adult_arrived", "needs an appropriate adult requested first"),
    ({"released": AUTHORISED}, "review", "the detention has ended"),
    ({"charged": AUTHORISED}, "charged", "already charged"),
    ({"charged": AUTHORISED}, "extension_authorised", "cannot follow a charge"),
    ({"charged": AUTHORISED, "bail_refused": AUTHORISED}, "bail_granted",
     "bail was already refused"),
    ({"charged": AUTHORISED + timedelta(hours=3)}, "bail_refused", "is before a charge"),
])
def test_a_step_out_of_order_is_refused_with_its_reason(
        steps: dict[str, datetime], step: str, words: str) -> None:
    reason = refusal(state(**steps), step, AUTHORISED + timedelta(hours=2))
    assert reason is not None and words in reason


def test_steps_in_order_are_accepted_and_release_may_follow_bail() -> None:
    at = AUTHORISED + timedelta(hours=2)
    assert refusal(state(), "parent_informed", at) is None
    assert refusal(state(charged=AUTHORISED), "bail_refused", at) is None
    assert refusal(state(charged=AUTHORISED, bail_granted=at), "released", at) is None
    assert refusal(state(), "review", AUTHORISED - timedelta(hours=1)) is not None
