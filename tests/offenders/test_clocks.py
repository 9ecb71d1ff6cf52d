"""Each clock of the register, through the events that set and meet it."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext

from .scenario import REGISTERED, duties, reg, registration, send


def _event(event: str, source_id: str, **fields: object) -> dict[str, object]:
    return {"event": event, "source": "police", "source_id": source_id, "registration": "RSO-1",
            **fields}


def test_a_visit_meets_the_clock_and_a_shorter_plan_brings_the_next_visit_forward(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(risk="medium", every=56))
    visited = REGISTERED + timedelta(days=50)
    send(session, ctx, _event("offender_visit", "V-1", visited_at=visited.isoformat(),
                              by="DC 1234 Shah", home_visit=True), now=visited)
    first, second = duties(session, "offender_home_visit")
    assert (first.status, first.outcome) == ("discharged", "visited")
    assert second.due_at == visited + timedelta(days=56)
    assessed = visited + timedelta(days=10)
    send(session, ctx, _event("offender_assessment", "A-1", at=assessed.isoformat(),
                              risk="high", visit_every_days=14), now=assessed)
    *_, replaced, third = duties(session, "offender_home_visit")
    assert (replaced.id, replaced.outcome) == (second.id, "rescheduled")
    assert third.due_at == visited + timedelta(days=14)
    assert third.status == "open"
    assert reg(session).risk == "high"
    assert reg(session).next_visit_due == third.due_at


def test_a_change_notified_on_the_fourth_day_raises_a_duty_to_consider_enforcement(
        session: Session, ctx: IntakeContext) -> None:
    send(session, ctx, registration(risk="low", every=None))
    changed = REGISTERED + timedelta(days=20)
    on_day_3 = changed + timedelta(days=2)
    send(session, ctx, _event("offender_notification", "N-1", kind="change_of_name",
                              notified_at=on_day_3.isoformat(), changed_at=changed.isoformat()),
         now=on_day_3)
    assert duties(session, "offender_consider_enforcement") == []
    on_day_4 = changed + timedelta(days=3, hours=1)
    send(session, ctx, _event("offender_notification", "N-2", kind="change_of_name",
                              notified_at=on_day_4.isoformat(), changed_at=changed.isoformat()),
         now=on_day_4)
    [enforce] = duties(session, "offender_consider_enforcement")
    assert "1 day after the 3-day limit" in enforce.reason
    assert "s84" in enforce.reason
    assert duties(session, "offender_home_visit") == []  # reactive management


def test_unknown_early_and_ended_registrations_are_rejected_by_line_and_field(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    ended = registration("RSO-9", registration_ends="2026-03-01")
    lines = [json.dumps(event) for event in (
        registration(),
        _event("offender_visit", "V-1", registration="RSO-404", by="DC 1", home_visit=True,
               visited_at=(REGISTERED + timedelta(days=1)).isoformat()),
        _event("offender_visit", "V-2", by="DC 1", home_visit=True,
               visited_at=(REGISTERED - timedelta(days=1)).isoformat()),
        ended,
        _event("offender_notification", "N-9", registration="RSO-9", kind="annual",
               notified_at="2026-03-02T10:00:00+00:00"),
        _event("offender_visit", "V-3", by="DC 1", home_visit=False,
               visited_at=(REGISTERED + timedelta(days=2)).isoformat()),
    )]
    session.commit()
    summary = import_lines(factory, lines, principal=SYSTEM, ctx=ctx)
    rejects = [(r.line, r.field) for r in summary.rejects]
    assert rejects == [(2, "registration"), (3, "visited_at"), (5, "registration")]
    reasons = [r.reason for r in summary.rejects]
    assert "no registration RSO-404" in reasons[0]
    assert "before registration RSO-1 began" in reasons[1]
    assert "ended on 2026-03-01" in reasons[2]
    assert summary.accepted == 3
