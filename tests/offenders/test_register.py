"""The register's events raise its clocks as duties; children near an offender are shared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.offenders.capacity import capacity

from .scenario import KAI, REGISTERED, RUBY, duties, reg, registration, send


def test_a_registration_raises_the_visit_and_annual_clocks_owned_by_the_unit(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(risk="medium"))
    [visit] = duties(session, "offender_home_visit")
    [annual] = duties(session, "offender_renotification")
    assert visit.due_at == REGISTERED + timedelta(days=28)
    assert (visit.owner_agency_id, visit.owner_role) == ("police", "public_protection")
    assert "DC 1234 Shah" in visit.reason
    assert annual.due_at == datetime(2027, 1, 5, 0, 0, tzinfo=UTC)
    assert reg(session).next_visit_due == visit.due_at


def test_a_child_recorded_before_a_high_risk_offender_registers_is_shared_and_discussed(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, RUBY)
    send(session, ctx, registration(risk="high"))
    [share] = duties(session, "offender_child_share")
    [discussion] = duties(session, "strategy_discussion")
    assert share.partner_agency_id == "childrens_social_care"
    assert share.due_at == REGISTERED + timedelta(hours=24)
    assert "education record E-RUBY places the child at the offender's address" in share.reason
    assert discussion.subject_person_id == share.subject_person_id


def test_a_child_recorded_after_the_offender_is_shared_and_added_to_an_open_discussion(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(risk="very_high"))
    assert duties(session, "offender_child_share") == []
    send(session, ctx, RUBY, now=REGISTERED + timedelta(days=2))
    [share] = duties(session, "offender_child_share")
    [discussion] = duties(session, "strategy_discussion")
    assert share.due_at == REGISTERED + timedelta(days=3)
    # A second offender at the same address: the child's one open discussion gains evidence.
    send(session, ctx, registration("RSO-2", risk="high", offender={
        "given_name": "Neil", "family_name": "Cross", "dob": "1970-01-09"}),
        now=REGISTERED + timedelta(days=3))
    assert len(duties(session, "offender_child_share")) == 2
    assert duties(session, "strategy_discussion") == [discussion]
    session.refresh(discussion)
    assert len(discussion.evidence or []) == 2
    assert any("Neil Cross" in line for line in discussion.evidence or [])


def test_a_move_to_an_address_where_children_live_shares_them_at_low_risk_without_discussion(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, KAI)
    send(session, ctx, registration(risk="low"))
    assert duties(session, "offender_child_share") == []
    moved = REGISTERED + timedelta(days=40)
    send(session, ctx, {
        "event": "offender_notification", "source": "police", "source_id": "N-1",
        "registration": "RSO-1", "notified_at": moved.isoformat(), "kind": "change_of_address",
        "changed_at": (moved - timedelta(days=1)).isoformat(),
        "address": {"line1": "3 Mill Lane", "town": "Northampton", "postcode": "NN2 2BB"}},
        now=moved)
    [share] = duties(session, "offender_child_share")
    assert "children's social care record CSC-KAI" in share.reason
    assert duties(session, "strategy_discussion") == []
    assert duties(session, "offender_consider_enforcement") == []
    [old, new] = duties(session, "offender_renotification")
    assert (old.status, old.outcome) == ("discharged", "notified")
    assert new.due_at == datetime(2027, 2, 14, 0, 0, tzinfo=UTC)


def test_a_registration_past_its_last_day_leaves_the_caseloads(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(registration_ends="2026-03-01"))
    settings = ctx.offenders
    before = capacity(session, now=datetime(2026, 3, 1, 20, tzinfo=UTC), settings=settings)
    after = capacity(session, now=datetime(2026, 3, 2, 9, tzinfo=UTC), settings=settings)
    assert (before.offenders, after.offenders) == (1, 0)


def test_a_child_seen_at_a_visit_or_named_in_a_household_notification_is_shared(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(risk="medium"))
    visited = REGISTERED + timedelta(days=10)
    send(session, ctx, {
        "event": "offender_visit", "source": "police", "source_id": "V-1",
        "registration": "RSO-1", "visited_at": visited.isoformat(), "by": "DC 1234 Shah",
        "home_visit": True, "children_present": [
            {"given_name": "Tia", "family_name": "Moss", "dob": "2018-02-02"}]}, now=visited)
    [seen] = duties(session, "offender_child_share")
    assert "present at a home visit to the offender by DC 1234 Shah" in seen.reason
    notified = REGISTERED + timedelta(days=20)
    household = {"event": "offender_notification", "source": "police",
                 "registration": "RSO-1", "notified_at": notified.isoformat(),
                 "kind": "household_with_child",
                 "changed_at": (notified - timedelta(days=1)).isoformat(),
                 "address": {"line1": "9 Low Road", "postcode": "NN4 4DD"}}
    send(session, ctx, {**household, "source_id": "N-1"}, now=notified)
    [task] = duties(session, "data_quality")
    assert "names no child" in task.reason and "9 Low Road" in task.reason
    send(session, ctx, {**household, "source_id": "N-2", "children": [
        {"given_name": "Ava", "family_name": "Low", "dob": "2020-07-07"}]}, now=notified)
    _, named = duties(session, "offender_child_share")
    assert "named by the offender in household-with-child notification N-2" in named.reason
    assert len(duties(session, "data_quality")) == 1
