"""Seized devices through intake: priority and clocks from the facts, the priority rising in
either order of arrival, steps in order, and findings sent to children's social care."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.duties.models import DISCHARGED, OPEN, Duty, DutyTransition
from safeguard.errors import InvalidField
from safeguard.forensics.models import Device, DeviceStep
from safeguard.intake.service import IntakeContext
from safeguard.seed import act_on_past_duties

from .scenario import CHILD, SUBMITTED, accept, step, submission

AT = datetime.fromisoformat(SUBMITTED)


def device(session: Session, exhibit: str = "EX-1") -> Device:
    return session.scalars(select(Device).where(Device.exhibit == exhibit)).one()


def duty(session: Session, duty_id: int | None) -> Duty:
    assert duty_id is not None
    return session.get_one(Duty, duty_id)


def test_a_threat_to_life_is_priority_one_with_two_and_thirty_day_clocks(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(threat_to_life=True), SUBMITTED)
    found = device(session)
    assert (found.priority, found.priority_reason) == (1, "a threat to life")
    assert found.triage_due_at == AT + timedelta(days=2)
    assert found.complete_due_at == AT + timedelta(days=30)
    assert duty(session, found.triage_duty_id).due_at == AT + timedelta(days=2)
    assert duty(session, found.examination_duty_id).due_at == AT + timedelta(days=30)


def test_an_indecent_images_device_is_priority_two_with_fourteen_and_ninety_day_clocks(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(offence="iioc"), SUBMITTED)
    found = device(session)
    assert found.priority == 2
    assert (found.triage_due_at, found.complete_due_at) == (
        AT + timedelta(days=14), AT + timedelta(days=90))


def test_any_other_device_is_priority_three_with_only_a_completion_clock(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(), SUBMITTED)
    found = device(session)
    assert (found.priority, found.triage_due_at, found.triage_duty_id) == (3, None, None)
    assert duty(session, found.examination_duty_id).due_at == AT + timedelta(days=180)


def test_a_child_already_at_the_suspects_address_makes_it_priority_one_naming_the_record(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, CHILD, "2026-11-02T10:00:00+00:00")
    accept(session, ctx, submission(submitted_at="2026-11-02T11:00:00+00:00"),
           "2026-11-02T11:00:00+00:00")
    found = device(session)
    assert found.priority == 1
    assert "partner records place a child at the suspect's address: Ellie Whitlock " \
           "(health record H-4401)" in found.priority_reason


def test_a_childs_record_arriving_later_raises_the_priority_and_brings_its_clocks_forward(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(offence="iioc"), SUBMITTED)
    later = dict(CHILD, recorded_at="2026-11-10T10:00:00+00:00")
    accept(session, ctx, later, "2026-11-10T10:00:00+00:00")
    found = device(session)
    assert found.priority == 1
    child_at = datetime.fromisoformat("2026-11-10T10:00:00+00:00")
    # The clocks run from the fact that raised the priority, never past those it had.
    assert found.triage_due_at == min(AT + timedelta(days=14), child_at + timedelta(days=2))
    assert found.complete_due_at == child_at + timedelta(days=30)
    exam = duty(session, found.examination_duty_id)
    assert exam.due_at == found.complete_due_at
    moved = session.scalars(select(DutyTransition).where(
        DutyTransition.duty_id == exam.id, DutyTransition.action == "due_brought_forward")).one()
    assert "health record H-4401" in (moved.note or "")
    kinds = session.scalars(select(DeviceStep.kind).where(DeviceStep.device_id == found.id)
                            .order_by(DeviceStep.id)).all()
    assert kinds == ["submitted", "priority_raised"]


def test_a_priority_three_device_raised_later_gains_a_triage_duty(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(), SUBMITTED)
    accept(session, ctx, CHILD, "2026-11-03T10:00:00+00:00")
    found = device(session)
    assert found.priority == 1
    triage = duty(session, found.triage_duty_id)
    assert (triage.kind, triage.due_at) == (
        "device_triage", datetime.fromisoformat(CHILD["recorded_at"]) + timedelta(days=2))


def test_triage_finding_category_a_raises_the_priority_and_discharges_triage(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(offence="iioc", suspect=None), SUBMITTED)
    accept(session, ctx, step("EX-1/T", "triage", "2026-11-05T09:00:00+00:00", category_a=2),
           "2026-11-05T09:00:00+00:00")
    found = device(session)
    assert (found.priority, found.stage) == (1, "triaged")
    assert "triage found 2 category A images" in found.priority_reason
    assert duty(session, found.triage_duty_id).status == DISCHARGED
    assert duty(session, found.examination_duty_id).status == OPEN


def test_a_priority_never_falls(session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(threat_to_life=True), SUBMITTED)
    accept(session, ctx, step("EX-1/T", "triage", "2026-11-03T09:00:00+00:00", category_c=1),
           "2026-11-03T09:00:00+00:00")
    assert device(session).priority == 1


def test_completing_the_examination_discharges_its_duty(session: Session, ctx: IntakeContext
                                                        ) -> None:
    accept(session, ctx, submission(), SUBMITTED)
    accept(session, ctx, step("EX-1/S", "started", "2026-11-04T09:00:00+00:00"),
           "2026-11-04T09:00:00+00:00")
    accept(session, ctx, step("EX-1/C", "completed", "2026-11-06T09:00:00+00:00"),
           "2026-11-06T09:00:00+00:00")
    found = device(session)
    exam = duty(session, found.examination_duty_id)
    assert (found.stage, exam.status, exam.outcome) == ("completed", DISCHARGED, "completed")


@pytest.mark.parametrize(("events", "field", "words"), [
    ([step("X/1", "triage", "2026-11-03T09:00:00+00:00", submission_id="EX-404")],
     "submission", "no device submission 'EX-404' is known"),
    ([step("X/1", "completed", "2026-11-03T09:00:00+00:00")],
     "step", "a completed step cannot follow (next: triage or started or returned_unexamined)"),
    ([step("X/1", "started", "2026-11-03T09:00:00+00:00"),
      step("X/2", "triage", "2026-11-04T09:00:00+00:00")], "step", "is started"),
    ([step("X/1", "started", "2026-11-01T09:00:00+00:00")], "at",
     "is before the device's previous step"),
])
def test_a_step_out_of_order_or_for_an_unknown_device_is_refused_by_field(
        session: Session, ctx: IntakeContext, events: list[dict[str, object]], field: str,
        words: str) -> None:
    accept(session, ctx, submission(), SUBMITTED)
    *before, last = events
    for event in before:
        accept(session, ctx, event, "2026-11-05T09:00:00+00:00")
    with pytest.raises(InvalidField) as refused:
        accept(session, ctx, last, "2026-11-05T09:00:00+00:00")
    assert refused.value.field == field
    assert words in refused.value.reason


def _raised(session: Session, kind: str) -> list[Duty]:
    return list(session.scalars(select(Duty).where(Duty.kind == kind).order_by(Duty.id)))


VICTIM = {"given_name": "Keira", "family_name": "Lowe", "dob": "2015-01-09",
          "address": {"line1": "3 Birch Way", "postcode": "NN3 2CD"}}


def test_an_identified_victim_is_shared_with_social_care_within_a_day_and_discussed(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(offence="iioc", suspect=None), SUBMITTED)
    at = "2026-11-05T09:00:00+00:00"
    accept(session, ctx, step("EX-1/T", "triage", at, category_c=4,
                              victims_identified=[VICTIM]), at)
    share, = _raised(session, "forensic_findings_share")
    assert share.partner_agency_id == "childrens_social_care"
    assert share.due_at == datetime.fromisoformat(at) + timedelta(hours=24)
    assert "Keira Lowe is identified as a victim in the images" in share.reason
    discussion, = _raised(session, "strategy_discussion")
    assert discussion.subject_person_id == share.subject_person_id
    assert "exhibit EX-1" in (discussion.evidence or [""])[0]


def test_category_b_against_a_suspect_living_with_a_child_is_shared_whichever_came_first(
        session: Session, ctx: IntakeContext) -> None:
    # Findings first, the child's record after: the share follows the record.
    accept(session, ctx, submission("EX-1", offence="iioc"), SUBMITTED)
    accept(session, ctx, step("EX-1/T", "triage", "2026-11-05T09:00:00+00:00", category_b=3),
           "2026-11-05T09:00:00+00:00")
    assert _raised(session, "forensic_findings_share") == []
    accept(session, ctx, CHILD, "2026-11-06T09:00:00+00:00")
    share, = _raised(session, "forensic_findings_share")
    assert "Ellie Whitlock lives at the suspect's address (health record H-4401)" in share.reason
    assert len(_raised(session, "strategy_discussion")) == 1


def test_a_second_finding_adds_evidence_to_the_childs_open_strategy_discussion(
        session: Session, ctx: IntakeContext) -> None:
    # The child first, then findings on two devices of the same suspect: one discussion.
    accept(session, ctx, CHILD, "2026-11-01T09:00:00+00:00")
    for exhibit in ("EX-1", "EX-2"):
        accept(session, ctx, submission(exhibit, offence="iioc"), SUBMITTED)
        accept(session, ctx, step(f"{exhibit}/T", "triage", "2026-11-05T09:00:00+00:00",
                                  submission_id=exhibit, category_a=1),
               "2026-11-05T09:00:00+00:00")
    assert len(_raised(session, "forensic_findings_share")) == 2
    discussion, = _raised(session, "strategy_discussion")
    assert [line.split(" (case")[0] for line in discussion.evidence or []] == [
        "Forensic examination of exhibit EX-1", "Forensic examination of exhibit EX-2"]


def test_category_c_alone_against_a_suspect_living_with_a_child_raises_no_share(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, CHILD, "2026-11-01T09:00:00+00:00")
    accept(session, ctx, submission(offence="iioc"), SUBMITTED)
    accept(session, ctx, step("EX-1/T", "triage", "2026-11-05T09:00:00+00:00", category_c=9),
           "2026-11-05T09:00:00+00:00")
    assert _raised(session, "forensic_findings_share") == []


def test_the_demos_history_leaves_a_devices_duties_to_its_own_steps(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(threat_to_life=True), SUBMITTED)
    later = AT + timedelta(days=60)
    assert act_on_past_duties(session, now=later, seed=1, ctx=ctx, in_time=1.0) == 0
    found = device(session)
    assert duty(session, found.triage_duty_id).status == OPEN


def test_a_suspect_with_no_known_address_is_a_data_quality_task_for_the_police(
        session: Session, ctx: IntakeContext) -> None:
    nowhere = {"given_name": "Lee", "family_name": "Marsh", "dob": "1985-02-02"}
    accept(session, ctx, submission(suspect=nowhere), SUBMITTED)
    task, = _raised(session, "data_quality")
    assert task.owner_agency_id == "police"
    assert "no address is known for its suspect Lee Marsh" in task.reason
