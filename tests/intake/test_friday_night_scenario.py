"""A Friday-night domestic-abuse incident at an address where a school records a child the
officer did not list yields every duty, on the right clock, and breaches are marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.duties.models import Duty, Notification
from safeguard.duties.service import mark_breaches
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.intake.service import Accepted, IntakeContext, accept_event
from safeguard.sharing.models import Share

from .scenario import AMY, EARLIER, FRIDAY_NIGHT, SCHOOL, utc


def accept(session: Session, ctx: IntakeContext, raw: dict[str, Any], now: str) -> Accepted:
    return accept_event(session, data=EVENT_ADAPTER.validate_python(raw), raw=raw, via="test",
                        principal=SYSTEM, ctx=ctx, now=utc(now))


def record_scenario(session: Session, ctx: IntakeContext) -> Accepted:
    accept(session, ctx, SCHOOL, "2026-09-01T08:00:00+00:00")
    accept(session, ctx, AMY, "2026-09-04T09:00:00+00:00")
    for earlier in EARLIER:
        accept(session, ctx, earlier, earlier["occurred_at"])
    return accept(session, ctx, FRIDAY_NIGHT, "2026-11-27T23:55:00+00:00")


def duties_by_kind(session: Session, event_id: int) -> dict[str, Duty]:
    duties = session.scalars(select(Duty).where(Duty.event_id == event_id)).all()
    return {duty.kind: duty for duty in duties}


def test_it_finds_the_child_the_officer_did_not_list(session: Session, ctx: IntakeContext
                                                     ) -> None:
    accepted = record_scenario(session, ctx)
    inferred = session.scalars(select(IncidentPerson).where(
        IncidentPerson.incident_id == accepted.incident_id,
        IncidentPerson.recorded_by_officer.is_(False))).all()
    assert [(p.role, p.found_from) for p in inferred] == [
        ("child_normally_resident", "education record E-88")]


def test_it_raises_every_duty_with_the_right_due_time(session: Session, ctx: IntakeContext
                                                      ) -> None:
    accepted = record_scenario(session, ctx)
    duties = duties_by_kind(session, accepted.event_id)
    due = {kind: duty.due_at for kind, duty in duties.items()}
    assert due == {
        # 24 hours after the incident was recorded (Fri 23:55).
        "share_with_csc": utc("2026-11-28T23:55:00+00:00"),
        # 1 working day after the share reached social care on Friday night: Monday.
        "referral_decision": utc("2026-11-30T23:55:00+00:00"),
        # Before the next school day starts: Monday 08:30 London (GMT in November).
        "encompass_notice": utc("2026-11-30T08:30:00+00:00"),
        # 15 of 24 yes answers is high risk: MARAC referral, 1 working day.
        "marac_referral": utc("2026-11-30T23:55:00+00:00"),
        # Third domestic-abuse incident at the household in 12 months.
        "repeat_victim_review": utc("2026-11-28T23:55:00+00:00"),
        # Amy's previous incident (August) was standard risk, this one high: risk escalated,
        # so a joint strategy discussion within 1 working day.
        "strategy_discussion": utc("2026-11-30T23:55:00+00:00"),
    }


def test_it_names_the_rule_and_where_the_child_came_from(session: Session, ctx: IntakeContext
                                                         ) -> None:
    accepted = record_scenario(session, ctx)
    share = duties_by_kind(session, accepted.event_id)["share_with_csc"]
    assert "Rule child-at-risk-notification v1" in share.reason
    assert "education record E-88" in share.reason
    assert "not listed by the officer" in share.reason
    assert share.owner_agency_id == "police"
    assert share.partner_agency_id == "childrens_social_care"
    notice = duties_by_kind(session, accepted.event_id)["encompass_notice"]
    assert notice.partner_agency_id == "school-121234"
    assert "Abington Vale Primary School" in notice.reason


def test_it_stores_the_risk_level_with_the_incident(session: Session, ctx: IntakeContext
                                                    ) -> None:
    accepted = record_scenario(session, ctx)
    incident = session.get_one(Incident, accepted.incident_id)
    assert (incident.dash_yes_count, incident.actuarial_risk, incident.risk_level) == (
        15, "high", "high")


def test_it_writes_each_share_with_its_duty_and_minimal_content(session: Session,
                                                                ctx: IntakeContext) -> None:
    accepted = record_scenario(session, ctx)
    shares = session.scalars(select(Share).where(Share.event_id == accepted.event_id)).all()
    assert sorted(s.kind for s in shares) == ["encompass_notice", "share_with_csc"]
    for share in shares:
        assert share.delivered_at is not None and share.acknowledged_at is None
        assert "DPA 2018" in share.lawful_basis
        assert share.content["child_name"] == "Amy Smith"
        # Data minimisation: the DASH answers about the victim do not travel with the share.
        assert "dash" not in share.content


def test_the_worker_marks_breaches_and_escalates_to_the_supervisor(session: Session,
                                                                  ctx: IntakeContext) -> None:
    accepted = record_scenario(session, ctx)
    breached = mark_breaches(session, now=utc("2026-11-29T00:00:00+00:00"))
    # The two earlier incidents' duties were never discharged either, so they breach too.
    assert sorted(d.kind for d in breached if d.event_id == accepted.event_id) == [
        "repeat_victim_review", "share_with_csc"]
    duties = duties_by_kind(session, accepted.event_id)
    assert duties["share_with_csc"].status == "breached"
    # A share stalls between two agencies: both supervisors hear of it.
    assert duties["share_with_csc"].escalated_to == \
        "police supervisor and childrens_social_care supervisor"
    assert duties["encompass_notice"].status == "open"
    notices = session.scalars(select(Notification).where(
        Notification.duty_id == duties["share_with_csc"].id)).all()
    assert sorted((n.agency_id, n.role, n.kind) for n in notices) == [
        ("childrens_social_care", "supervisor", "escalation"),
        ("police", "supervisor", "escalation")]
    # A second pass finds nothing new: a breach is marked once.
    assert mark_breaches(session, now=utc("2026-11-29T00:05:00+00:00")) == []


def test_recording_the_same_incident_twice_raises_no_more_duties(session: Session,
                                                                 ctx: IntakeContext) -> None:
    accepted = record_scenario(session, ctx)
    again = accept(session, ctx, FRIDAY_NIGHT, "2026-11-28T00:10:00+00:00")
    assert again.outcome == "duplicate"
    assert len(duties_by_kind(session, accepted.event_id)) == 6
