"""The demo's history: of the duties already due when the demo starts, most were done in time by
the agency that owed them, so the demo does not open with most of its duties breached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.duties.models import BREACHED, DISCHARGED, Duty
from safeguard.duties.service import mark_breaches
from safeguard.intake.service import IntakeContext
from safeguard.seed import HISTORY_NOTE, LATE_NOTE, act_on_past_duties
from safeguard.sharing.models import Share

from .web.test_pages_support import RECORDED, accept, record_incident

LATER = RECORDED + timedelta(days=10)


def test_the_duties_already_due_are_done_in_time_by_the_agencies_that_owed_them(
    session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    duties = session.scalars(select(Duty).order_by(Duty.id)).all()
    assert act_on_past_duties(session, now=LATER, seed=1, ctx=ctx,
                              in_time=1.0) == len(duties) == 3
    for duty in duties:
        assert duty.status == DISCHARGED and duty.discharged_at is not None
        assert RECORDED <= duty.discharged_at <= duty.due_at
        assert duty.discharge_note == HISTORY_NOTE
        assert duty.discharged_by == "system:demo-history"
    # A share is done by its partner acknowledging it.
    shares = session.scalars(select(Share)).all()
    assert shares and all(s.acknowledged_at is not None for s in shares)
    assert mark_breaches(session, now=LATER) == []


def test_the_others_are_left_to_breach_when_the_worker_runs(
    session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    assert act_on_past_duties(session, now=LATER, seed=1, ctx=ctx, in_time=0.0) == 0
    assert {d.status for d in mark_breaches(session, now=LATER)} == {BREACHED}
    assert act_on_past_duties(session, now=RECORDED, seed=1, ctx=ctx) == 0  # nothing due yet


def _concern(source: str, source_id: str, at: str) -> dict[str, Any]:
    return {"event": "concern", "source": source, "source_id": source_id, "kind": "neglect",
            "occurred_at": at, "recorded_at": at, "summary": "Often hungry at school.",
            "child": {"given_name": "Ava", "family_name": "Hill", "dob": "2015-02-03"}}


def test_a_meeting_not_held_in_time_is_mostly_held_late_after_escalation(
    session: Session, ctx: IntakeContext,
) -> None:
    accept(session, ctx, _concern("health", "H-1", "2026-11-23T10:00:00+00:00"))
    accept(session, ctx, _concern("education", "E-1", "2026-11-24T10:00:00+00:00"))
    [discussion] = session.scalars(select(Duty).where(Duty.kind == "strategy_discussion"))
    assert act_on_past_duties(session, now=LATER, seed=1, ctx=ctx, in_time=0.0,
                              held_late=1.0) == 1
    assert discussion.status == DISCHARGED and discussion.discharge_note == LATE_NOTE
    assert discussion.breached_at is not None and discussion.discharged_at is not None
    assert discussion.due_at < discussion.breached_at < discussion.discharged_at < LATER
    # Held late: it escalated at its deadline like any breached duty.
    assert discussion.escalation_level == 1
