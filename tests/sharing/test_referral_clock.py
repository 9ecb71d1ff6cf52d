"""A share with children's social care starts the referral decision's clock: one decision per
child and event, however the shares are written."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.config import get_settings
from safeguard.db import utcnow
from safeguard.duties.models import Duty
from safeguard.duties.service import create_duties
from safeguard.events.service import store_event
from safeguard.intake.service import IntakeContext
from safeguard.people.models import Person
from safeguard.rules.context import build_context
from safeguard.rules.drafts import DutyDraft
from safeguard.sharing.models import Share
from safeguard.sharing.service import create_shares

REFERRAL_DECISION = "referral_decision"
SHARE_WITH_CSC = "share_with_csc"

CSC = "childrens_social_care"


def _share_drafts(person_id: int, rules: range) -> list[DutyDraft]:
    return [DutyDraft(kind=SHARE_WITH_CSC, owner_agency_id="police", partner_agency_id=CSC,
                      subject_person_id=person_id, due_at=utcnow() + timedelta(days=1),
                      reason="test share", rule_name=f"share-rule-{n}", rule_version="1",
                      share_content={"child_name": "Amy Smith", "police_reference": "INC-1"})
            for n in rules]


def _decisions(session: Session, event_id: int) -> int:
    return session.scalar(select(func.count(Duty.id)).where(
        Duty.event_id == event_id, Duty.kind == REFERRAL_DECISION)) or 0


def test_two_shares_about_one_child_in_a_new_event_start_one_referral_decision(
        session: Session, ctx: IntakeContext) -> None:
    event = store_event(session, event_type="incident", source="police", source_id="INC-1",
                        payload={"n": 1}, occurred_at=None, via="test", actor="system:test")
    child = Person(given_name="Amy", family_name="Smith", match_key="amy smith")
    session.add(child)
    session.flush()
    now = utcnow()
    created = create_duties(session, drafts=_share_drafts(child.id, range(2)),
                            event_id=event.event_id, now=now, actor="system:test",
                            none_stored=True)
    shared = create_shares(session, created=created, now=now, ctx=ctx, actor="system:test",
                           none_stored=True)

    assert len(shared.shares) == 2
    assert [d.parent_duty_id for d in shared.on_arrival] == [created[0].id]
    assert _decisions(session, event.event_id) == 1

    # A later transaction's share about the same child and event finds the stored decision.
    later = create_duties(session, drafts=_share_drafts(child.id, range(2, 3)),
                          event_id=event.event_id, now=now, actor="system:test")
    again = create_shares(session, created=later, now=now, ctx=ctx, actor="system:test")
    assert again.on_arrival == []
    assert _decisions(session, event.event_id) == 1


def test_a_referral_decision_does_not_name_a_child_the_share_withheld(
        session: Session, ctx: IntakeContext, monkeypatch: pytest.MonkeyPatch) -> None:
    # Social care is to receive the police reference only (config sharing.share_fields).
    monkeypatch.setenv("SAFEGUARD_SHARING_SHARE_FIELDS",
                       json.dumps({SHARE_WITH_CSC: ["police_reference"]}))
    get_settings.cache_clear()
    try:
        ctx = build_context(get_settings())  # the context is built from the settings once
        event = store_event(session, event_type="incident", source="police",
                            source_id="INC-1", payload={"n": 1}, occurred_at=None, via="test",
                            actor="system:test")
        child = Person(given_name="Amy", family_name="Smith", match_key="amy smith")
        session.add(child)
        session.flush()
        now = utcnow()
        created = create_duties(session, drafts=_share_drafts(child.id, range(1)),
                                event_id=event.event_id, now=now, actor="system:test")
        shared = create_shares(session, created=created, now=now, ctx=ctx, actor="system:test")
    finally:
        get_settings.cache_clear()

    share = session.get_one(Share, shared.shares[0].id)
    assert share.content == {"police_reference": "INC-1"}
    decision = session.get_one(Duty, shared.on_arrival[0].id)
    assert "Amy" not in decision.reason and "INC-1" in decision.reason
