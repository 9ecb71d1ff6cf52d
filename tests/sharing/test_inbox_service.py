"""The partner inbox as a service: open (audited, first opening kept), acknowledge, reply;
escalation of unacknowledged shares at two levels; share records and their CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.casework.service import acknowledge_share
from safeguard.config import Settings
from safeguard.duties.models import Duty, DutyTransition, Notification
from safeguard.duties.service import escalate_second_level, mark_breaches
from safeguard.errors import Conflict, NotFound
from safeguard.intake.service import IntakeContext
from safeguard.rules.context import build_context
from safeguard.sharing.models import Share
from safeguard.sharing.records import RecordFilter, records_csv, search_records
from safeguard.sharing.service import (
    InboxFilter,
    inbox_page,
    minimal_content,
    open_share,
    record_reply,
)

from ..web.test_pages_support import RECORDED, record_incident

RULES = build_context(Settings())

Who = Callable[[str], Principal]
LATER = RECORDED + timedelta(hours=2)


def csc_share(session: Session, ids: dict[str, int]) -> Share:
    share = session.scalar(select(Share).where(Share.duty_id == ids["share_with_csc"]))
    assert share is not None
    return share


def audits(session: Session, share: Share) -> list[tuple[str, str]]:
    return [(a.actor, a.why) for a in session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "share",
                                 AuditEntry.entity_id == str(share.id)).order_by(AuditEntry.id))]


def test_the_inbox_lists_shares_to_the_agency_waiting_first_by_deadline(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = record_incident(session, ctx)
    rows, total = inbox_page(session, principal=principal("csc.worker"), filters=InboxFilter())
    assert total == 1 and rows[0][1].id == ids["share_with_csc"]
    # The police sent it: it is not in their inbox.
    assert inbox_page(session, principal=principal("mash.officer"),
                      filters=InboxFilter())[1] == 0


def test_opening_a_share_is_audited_and_keeps_the_first_opening(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = record_incident(session, ctx)
    share = csc_share(session, ids)
    open_share(session, share_id=share.id, principal=principal("csc.worker"), now=LATER)
    open_share(session, share_id=share.id, principal=principal("csc.supervisor"),
               now=LATER + timedelta(hours=1))
    assert share.opened_at == LATER
    assert audits(session, share) == [
        ("user:csc.worker", "opened the share in the partner inbox"),
        ("user:csc.supervisor", "opened the share in the partner inbox")]


def test_another_agency_cannot_open_a_share_not_addressed_to_it(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    share = csc_share(session, record_incident(session, ctx))
    with pytest.raises(NotFound):
        open_share(session, share_id=share.id, principal=principal("health.visitor"), now=LATER)


def test_acknowledging_discharges_the_sharing_duty_and_moves_it_down_the_inbox(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = record_incident(session, ctx)
    share = csc_share(session, ids)
    acknowledge_share(session, share_id=share.id, principal=principal("csc.worker"), now=LATER,
                      ctx=RULES, note="With the MASH team.")
    duty = session.get_one(Duty, ids["share_with_csc"])
    assert (duty.status, duty.discharge_note) == ("discharged", "With the MASH team.")
    assert (share.acknowledged_at, share.acknowledged_by) == (LATER, "user:csc.worker")
    assert ("user:csc.worker", "acknowledged the share") in audits(session, share)
    csc = principal("csc.worker")
    assert inbox_page(session, principal=csc, filters=InboxFilter())[1] == 0
    assert inbox_page(session, principal=csc,
                      filters=InboxFilter(include_acknowledged=True))[1] == 1


def test_a_reply_is_kept_with_who_and_when_audited_and_never_overwritten(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    share = csc_share(session, record_incident(session, ctx))
    record_reply(session, share_id=share.id, principal=principal("csc.worker"), now=LATER,
                 text="  Allocated to the assessment team.  ")
    assert (share.reply, share.replied_at, share.replied_by) == (
        "Allocated to the assessment team.", LATER, "user:csc.worker")
    assert ("user:csc.worker", "recorded a reply to the share") in audits(session, share)
    with pytest.raises(Conflict):
        record_reply(session, share_id=share.id, principal=principal("csc.worker"),
                     now=LATER, text="Changed my mind")


def notices(session: Session, duty_id: int) -> list[tuple[str, str]]:
    return sorted((n.agency_id, n.role) for n in session.scalars(
        select(Notification).where(Notification.duty_id == duty_id)))


def test_a_breached_share_escalates_to_both_supervisors_then_to_both_senior_managers(
    session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    due = session.get_one(Duty, ids["share_with_csc"]).due_at
    breach_at = due + timedelta(minutes=1)
    mark_breaches(session, now=breach_at)
    duty = session.get_one(Duty, ids["share_with_csc"])
    assert (duty.status, duty.escalation_level) == ("breached", 1)
    assert notices(session, duty.id) == [("childrens_social_care", "supervisor"),
                                         ("police", "supervisor")]
    # Not yet: 23 hours after the breach.
    assert escalate_second_level(session, now=breach_at + timedelta(hours=23), after_hours=24) == []
    second = escalate_second_level(session, now=breach_at + timedelta(hours=24), after_hours=24)
    assert [d.id for d in second] == [duty.id]
    session.refresh(duty)
    assert duty.escalation_level == 2
    assert duty.escalated_to == ("police senior manager and childrens_social_care "
                                 "senior manager")
    assert notices(session, duty.id) == [
        ("childrens_social_care", "senior_manager"), ("childrens_social_care", "supervisor"),
        ("police", "senior_manager"), ("police", "supervisor")]
    notes = session.scalars(select(DutyTransition.note).where(
        DutyTransition.duty_id == duty.id, DutyTransition.action == "escalated")
        .order_by(DutyTransition.id)).all()
    assert len(notes) == 2 and "second-level escalation" in (notes[1] or "")
    # Once only, however often the worker asks.
    assert escalate_second_level(session, now=breach_at + timedelta(days=3), after_hours=24) == []


def test_a_share_acknowledged_after_its_breach_does_not_reach_the_second_level(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = record_incident(session, ctx)
    due = session.get_one(Duty, ids["share_with_csc"]).due_at
    mark_breaches(session, now=due + timedelta(minutes=1))
    acknowledge_share(session, ctx=RULES, share_id=csc_share(session, ids).id,
                      principal=principal("csc.worker"), now=due + timedelta(hours=2))
    assert escalate_second_level(session, now=due + timedelta(days=2), after_hours=24) == []


def test_an_owners_duty_escalates_only_to_its_own_supervisor(
    session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    referral = session.get_one(Duty, ids["referral_decision"])
    mark_breaches(session, now=referral.due_at + timedelta(minutes=1))
    assert notices(session, referral.id) == [("childrens_social_care", "supervisor")]
    # Level 2 is for shares: the two shares go up, the referral decision does not.
    second = escalate_second_level(session, now=referral.due_at + timedelta(days=5), after_hours=24)
    assert sorted(d.kind for d in second) == ["encompass_notice", "share_with_csc"]


def test_share_content_is_limited_to_the_fields_its_kind_declares() -> None:
    content = {"child_name": "Mia", "police_reference": "INC-1", "dash_answers": {"q1": True}}
    assert minimal_content("share_with_csc", content) == {"child_name": "Mia",
                                                          "police_reference": "INC-1"}
    # Local configuration may narrow a share, never widen it past its declaration.
    assert minimal_content("share_with_csc", content,
                           {"share_with_csc": ("child_name",)}) == {"child_name": "Mia"}
    assert minimal_content("share_with_csc", content,
                           {"share_with_csc": ("child_name", "dash_answers")}) == {
        "child_name": "Mia"}
    # A kind that is not a share carries nothing to anyone.
    assert minimal_content("marac_referral", content) == {}


def test_share_records_are_searchable_and_show_who_shared_what_and_why(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    record_incident(session, ctx)
    police = principal("mash.officer")
    found, total = search_records(session, principal=police, filters=RecordFilter(),
                                  why="test")
    assert total == 2
    record = next(r for r in found if r.share.kind == "share_with_csc")
    assert record.shared_by == "user:mash.officer"
    assert record.reference == "INC-20261127-2240" and record.child == "Mia Jones"
    assert "police_reference" in record.fields and "dash" not in record.fields
    assert "DPA 2018" in record.share.lawful_basis
    for filters, expected in [
        (RecordFilter(kind="encompass_notice"), 1),
        (RecordFilter(child="mia jon"), 2), (RecordFilter(child="leo"), 0),
        (RecordFilter(reference="inc-2026"), 2), (RecordFilter(reference="nope"), 0),
        (RecordFilter(agency="childrens_social_care"), 1),
        (RecordFilter(date_from=datetime(2026, 11, 27, tzinfo=UTC).date(),
                      date_to=datetime(2026, 11, 27, tzinfo=UTC).date()), 2),
        (RecordFilter(date_from=datetime(2026, 11, 28, tzinfo=UTC).date()), 0),
    ]:
        assert search_records(session, principal=police, filters=filters, why="t")[1] == \
            expected, filters
    # Health neither sent nor received any: it sees none.
    assert search_records(session, principal=principal("health.visitor"),
                          filters=RecordFilter(), why="t")[1] == 0


def test_the_csv_export_has_a_row_per_share_and_defuses_formulas(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    record_incident(session, ctx)
    found, _ = search_records(session, principal=principal("mash.officer"),
                              filters=RecordFilter(), why="t")
    found[0].share.purpose = "=HYPERLINK(\"x\")"
    rows = list(csv.DictReader(io.StringIO(records_csv(found))))
    assert len(rows) == 2 and rows[0]["purpose"].startswith("'=")
    assert {r["shared_by"] for r in rows} == {"user:mash.officer"}
    assert all(r["lawful_basis"] and r["fields_shared"] for r in rows)
