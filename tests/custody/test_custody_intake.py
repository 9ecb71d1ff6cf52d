"""A child's detention through intake, on both backends: duties raised, discharged by the
steps that answer them, refused out of order, breached and escalated by the worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.custody.board import figures
from safeguard.custody.models import Detention, DetentionStep
from safeguard.duties.models import Duty, Notification
from safeguard.duties.service import mark_breaches
from safeguard.errors import Invalid
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import Accepted, IntakeContext, accept_event
from safeguard.sharing.models import Share

AUTHORISED = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)  # Sunday 19:00


def _send(session: Session, who: Principal, ctx: IntakeContext, event: dict[str, Any]
          ) -> Accepted:
    data = EVENT_ADAPTER.validate_python(event)
    return accept_event(session, data=data, raw=event, via="api", principal=who, ctx=ctx,
                        now=datetime.fromisoformat(str(event.get("at") or event["arrived_at"])))


def detention(ref: str, dob: str | None = "2011-03-02", **extra: Any) -> dict[str, Any]:
    detainee: dict[str, Any] = {"given_name": "Jayden", "family_name": f"Cole{ref[-2:]}"}
    if dob:
        detainee["dob"] = dob
    return {"event": "custody_detention", "source": "police", "source_id": ref,
            "detainee": detainee, "arrived_at": (AUTHORISED - timedelta(minutes=15)).isoformat(),
            "detention_authorised_at": AUTHORISED.isoformat(),
            "custody_suite": "Northgate custody suite", "offence": "robbery", **extra}


def update(ref: str, n: int, step: str, hours: float, source: str = "police",
           **extra: Any) -> dict[str, Any]:
    return {"event": "custody_update", "source": source, "source_id": f"{ref}-{n}",
            "detention": ref, "step": step,
            "at": (AUTHORISED + timedelta(hours=hours)).isoformat(), **extra}


def kinds(session: Session, ref: str) -> dict[str, Duty]:
    found = session.scalars(select(Duty).join(Detention, Detention.person_id ==
                                              Duty.subject_person_id)
                            .where(Detention.reference == ref).order_by(Duty.id)).all()
    return {duty.kind: duty for duty in found}


Send = Callable[[dict[str, Any]], Accepted]


@pytest.fixture
def send(session: Session, principal: Callable[[str], Principal], ctx: IntakeContext) -> Send:
    police, csc = principal("mash.officer"), principal("csc.worker")
    return lambda event: _send(session, csc if event["source"] != "police" else police, ctx,
                               event)


def test_a_childs_night_in_custody_runs_every_clock_and_step(session: Session,
                                                             send: Send) -> None:
    ref = "CR-0001"
    raised = send(detention(ref))
    assert len(raised.duty_ids) == 5
    send(update(ref, 1, "parent_informed", 0.5))
    send(update(ref, 2, "appropriate_adult_requested", 0.6))
    send(update(ref, 3, "appropriate_adult_arrived", 1.5))
    send(update(ref, 4, "review", 6, inspector="Insp. Hale"))  # due at 6 h exactly
    send(update(ref, 5, "charged", 3.5))
    send(update(ref, 6, "bail_refused", 4.17))  # 23:10 on a Sunday
    requested = send(update(ref, 7, "transfer_requested", 4.5, accommodation="non_secure"))
    assert len(requested.share_ids) == 1
    send(update(ref, 8, "la_response", 5, source="childrens_social_care", offered="none"))
    duties = kinds(session, ref)
    for kind in ("custody_inform_parent", "custody_appropriate_adult_requested",
                 "custody_appropriate_adult_present", "custody_transfer_request",
                 "custody_accommodation_answer", "custody_accommodation_request"):
        assert duties[kind].status == "discharged", kind
    assert duties["custody_accommodation_answer"].outcome == "none"
    share = session.scalar(select(Share).where(Share.duty_id ==
                                               duties["custody_accommodation_request"].id))
    assert share is not None and share.acknowledged_at is not None
    # The "none" to a non-secure request reached the council's senior manager at once.
    assert duties["custody_no_accommodation"].owner_role == "senior_manager"
    alerts = session.scalars(select(Notification).where(
        Notification.agency_id == "childrens_social_care",
        Notification.role == "senior_manager")).all()
    assert any("no non-secure place" in alert.message for alert in alerts)
    # The review at 6 h exactly was on time; the next is due 9 h after it.
    reviews = [d for d in session.scalars(select(Duty).where(
        Duty.kind == "custody_pace_review",
        Duty.subject_person_id == duties["custody_inform_parent"].subject_person_id)
        .order_by(Duty.id))]
    assert [r.status for r in reviews] == ["discharged", "open"]
    assert reviews[1].due_at == AUTHORISED + timedelta(hours=15)
    send(update(ref, 9, "certificate", 7, reason="impracticable",
                explanation="No placement could be reached before court."))
    duties = kinds(session, ref)
    assert duties["custody_transfer_or_certificate"].outcome == "certificate"
    assert duties["custody_certificate_notice"].partner_agency_id == "childrens_social_care"
    assert session.scalar(select(Notification.id).where(
        Notification.kind == "custody_certificate", Notification.role == "supervisor"))
    send(update(ref, 10, "taken_to_court", 14))
    duties = kinds(session, ref)
    assert duties["custody_pace_review"].outcome == "detention_ended"
    assert duties["custody_no_accommodation"].status == "discharged"
    with pytest.raises(Invalid, match="the detention has ended"):
        send(update(ref, 11, "review", 15, inspector="Insp. Hale"))
    assert len(session.scalars(select(DetentionStep)).all()) == 10


def test_a_step_out_of_order_is_refused_and_nothing_of_it_is_stored(
        session: Session, send: Send) -> None:
    send(detention("CR-0002"))
    with pytest.raises(Invalid, match="transfer_requested needs bail refused first"):
        send(update("CR-0002", 1, "transfer_requested", 1, accommodation="secure"))
    with pytest.raises(Invalid, match="no custody record CR-9999"):
        send(update("CR-9999", 1, "charged", 1))


def test_an_adult_detention_is_kept_but_raises_no_duty(session: Session, send: Send) -> None:
    # 18th birthday on the day of arrival (29 November).
    accepted = send(detention("CR-0003", dob="2008-11-29"))
    assert accepted.duty_ids == []
    stored = session.scalars(select(Detention).where(Detention.reference == "CR-0003")).one()
    assert (stored.child, stored.age, stored.age_basis) == (False, 18, "date_of_birth")
    assert send(update("CR-0003", 1, "charged", 2)).duty_ids == []


def test_a_stated_age_is_recorded_and_an_unknown_age_asks_for_the_record_to_be_put_right(
        session: Session, send: Send) -> None:
    send(detention("CR-0004", dob=None, age_stated=15))
    stated = session.scalars(select(Detention).where(Detention.reference == "CR-0004")).one()
    assert (stated.age, stated.age_basis, stated.child) == (15, "stated", True)
    unknown = send(detention("CR-0005", dob=None))
    duties = session.scalars(select(Duty).where(Duty.id.in_(unknown.duty_ids))).all()
    assert "data_quality" in {d.kind for d in duties}
    assert len(duties) == 6


def test_a_child_still_in_custody_after_charge_at_midnight_escalates_to_both_agencies(
        session: Session, send: Send) -> None:
    send(detention("CR-0006"))
    send(update("CR-0006", 1, "charged", 3))  # 22:00 Sunday
    midnight = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert not [d for d in mark_breaches(session, now=midnight)
                if d.kind == "custody_after_charge_midnight"]
    breached = [d for d in mark_breaches(session, now=midnight + timedelta(seconds=1))
                if d.kind == "custody_after_charge_midnight"]
    assert len(breached) == 1
    told = {n.agency_id for n in session.scalars(select(Notification).where(
        Notification.duty_id == breached[0].id))}
    assert told == {"police", "childrens_social_care"}
    counted = figures(session, since=AUTHORISED - timedelta(days=1), until=midnight)
    assert (counted.detained, counted.charged, counted.held_at_midnight) == (1, 1, 1)


def test_a_review_is_breached_only_after_6_hours(session: Session, send: Send) -> None:
    send(detention("CR-0007"))
    six = AUTHORISED + timedelta(hours=6)
    assert "custody_pace_review" not in {d.kind for d in mark_breaches(session, now=six)}
    assert "custody_pace_review" in {
        d.kind for d in mark_breaches(session, now=six + timedelta(seconds=1))}
