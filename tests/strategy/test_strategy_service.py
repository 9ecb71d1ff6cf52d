"""Recording a strategy discussion: it discharges the child's discussion duty with its
decision, its actions become duties of their agencies that breach and escalate, and only the
agencies in it may read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM, Principal
from safeguard.duties.models import Duty, Notification
from safeguard.duties.service import mark_breaches
from safeguard.errors import InvalidField, NotFound
from safeguard.events.strategy import Decision
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.strategy.models import StrategyAction, StrategyDiscussion
from safeguard.strategy.service import discussions_about, read_discussion
from safeguard.workdays import LONDON

from ..web.test_pages_support import MIA_NHS, accept, add_user, person_id
from .support import HELD, discussion, open_discussion

PrincipalOf = Callable[[str], Principal]


def test_the_events_decisions_are_the_outcomes_of_the_discussion_duty() -> None:
    assert set(get_args(Decision)) == set(STRATEGY_DISCUSSION.outcome_words)


def test_recording_the_discussion_discharges_its_duty_with_the_decision(
    session: Session, ctx: IntakeContext,
) -> None:
    mia, duty_id = open_discussion(session, ctx)
    done = accept(session, ctx, discussion(mia), username="csc.worker", now=HELD)
    duty = session.get_one(Duty, duty_id)
    assert (duty.status, duty.outcome, duty.discharged_at) == ("discharged", "section_47", HELD)
    assert duty.discharge_note == ("Section 47 enquiry: Bruising with no account given, and "
                                   "neglect seen by two agencies.")
    held = session.scalars(select(StrategyDiscussion)).one()
    assert (held.id, held.duty_id, held.person_id, held.warnings) == (
        done.discussion_id, duty_id, mia, None)
    # A section 47 decision starts the conference's clock, as the kind declares.
    conference = session.scalars(select(Duty).where(
        Duty.kind == "initial_child_protection_conference")).one()
    assert conference.parent_duty_id == duty_id and conference.id in done.duty_ids


def test_each_action_becomes_a_duty_of_its_agency_due_at_the_end_of_its_day(
    session: Session, ctx: IntakeContext,
) -> None:
    mia, _ = open_discussion(session, ctx)
    done = accept(session, ctx, discussion(mia), username="csc.worker", now=HELD)
    actions = session.execute(select(StrategyAction, Duty).join(
        Duty, Duty.id == StrategyAction.duty_id).order_by(StrategyAction.id)).all()
    assert [(d.kind, d.owner_agency_id, d.subject_person_id, d.status) for _, d in actions] == [
        ("strategy_action", "childrens_social_care", mia, "open"),
        ("strategy_action", "police", mia, "open")]
    assert [d.due_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") for _, d in actions] == [
        "2026-11-30 23:59", "2026-12-01 23:59"]
    assert actions[0][1].evidence == ["Owner: Sam Okafor (Children's Social Care (MASH))"]
    assert "Joint visit with police." in actions[0][1].reason
    assert {d.id for _, d in actions} <= set(done.duty_ids)


def test_an_action_not_done_by_its_date_breaches_and_escalates_to_its_agency(
    session: Session, ctx: IntakeContext,
) -> None:
    mia, _ = open_discussion(session, ctx)
    accept(session, ctx, discussion(mia), username="csc.worker", now=HELD)
    breached = mark_breaches(session, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    action = [d for d in breached if d.kind == "strategy_action"]
    assert [(d.owner_agency_id, d.status, d.escalation_level) for d in action] == [
        ("childrens_social_care", "breached", 1)]
    assert session.scalars(select(Notification.agency_id).where(
        Notification.duty_id == action[0].id)).all() == ["childrens_social_care"]


def test_a_discussion_without_the_police_is_recorded_with_a_warning(
    session: Session, ctx: IntakeContext,
) -> None:
    mia, _ = open_discussion(session, ctx)
    event = discussion(mia, decision="early_help", actions=[])
    event["attendees"] = [a for a in event["attendees"] if a["agency"] != "police"]
    accept(session, ctx, event, username="csc.worker", now=HELD)
    held = session.scalars(select(StrategyDiscussion)).one()
    assert held.warnings == ["No one from the police took part: Working Together 2023 "
                             "expects the police at every strategy discussion."]


@pytest.mark.parametrize(("change", "field"), [
    ({"attendees": [{"name": "A", "role": "B", "agency": "nowhere"}]}, "attendees[0].agency"),
    ({"actions": [{"text": "Visit.", "owner_agency": "police", "due_on": "2026-11-01"}]},
     "actions[0].due_on"),
])
def test_a_discussion_that_does_not_add_up_is_refused_naming_the_field(
    session: Session, ctx: IntakeContext, change: dict[str, object], field: str,
) -> None:
    mia, _ = open_discussion(session, ctx)
    with pytest.raises(InvalidField) as refused:
        accept(session, ctx, discussion(mia, **change), username="csc.worker", now=HELD)
    assert refused.value.field == field


def test_social_care_cannot_name_by_id_a_child_it_does_not_know(
    session: Session, ctx: IntakeContext,
) -> None:
    open_discussion(session, ctx)
    leo = person_id(session, "E-91")
    with pytest.raises(InvalidField) as refused:
        accept(session, ctx, discussion(leo), username="csc.worker", now=HELD)
    assert refused.value.field == "person_id"


def test_an_import_names_the_child_by_their_details_and_discharges_the_same_duty(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
) -> None:
    mia, duty_id = open_discussion(session, ctx)
    event = discussion(None, child={"given_name": "Mia", "family_name": "Jones",
                                    "dob": "2018-03-14", "ids": {"nhs": MIA_NHS}})
    del event["person_id"]
    summary = import_lines(factory, [json.dumps(event)], principal=SYSTEM, ctx=ctx)
    assert summary.rejects == []
    assert session.get_one(Duty, duty_id).outcome == "section_47"
    assert session.scalars(select(StrategyDiscussion.person_id)).one() == mia


def test_only_the_agencies_in_the_discussion_may_read_it(
    session: Session, ctx: IntakeContext, principal: PrincipalOf,
) -> None:
    mia, _ = open_discussion(session, ctx)
    done = accept(session, ctx, discussion(mia), username="csc.worker", now=HELD)
    add_user(session, "probation.officer", "probation")
    assert done.discussion_id is not None
    for reader in ("csc.worker", "mash.officer", "health.visitor"):
        view = read_discussion(session, discussion_id=done.discussion_id,
                               principal=principal(reader), why="test")
        assert view.decision_words == "Section 47 enquiry"
    with pytest.raises(NotFound):
        read_discussion(session, discussion_id=done.discussion_id,
                        principal=principal("probation.officer"), why="test")
    [view] = discussions_about(session, person_id=mia)
    assert view.agencies == {"childrens_social_care", "police", "health"}
    assert [a.owner for a in view.actions] == ["Sam Okafor (Children's Social Care (MASH))",
                                               "Northamptonshire Police (synthetic)"]


def test_a_discussion_held_after_the_last_one_was_recorded_needs_no_open_duty(
    session: Session, ctx: IntakeContext,
) -> None:
    mia, _ = open_discussion(session, ctx)
    accept(session, ctx, discussion(mia, decision="no_further_action", actions=[]),
           username="csc.worker", now=HELD)
    later = discussion(mia, source_id="SD-2026-0043", decision="section_47", actions=[],
                       held_at=(HELD + timedelta(days=1)).isoformat())
    accept(session, ctx, later, username="csc.worker", now=HELD + timedelta(days=1))
    held = session.scalars(select(StrategyDiscussion).order_by(StrategyDiscussion.id)).all()
    assert [h.duty_id is None for h in held] == [False, True]
    assert session.scalar(select(Duty.id).where(
        Duty.kind == "initial_child_protection_conference")) is not None
