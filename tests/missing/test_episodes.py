"""Missing episodes through intake, the worker's checks and the return interview, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM, ensure_agency
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.logs import JsonFormatter
from safeguard.missing.checks import check_school_day, check_still_missing
from safeguard.missing.models import MissingEntry, MissingEpisode
from safeguard.sharing.models import Share
from safeguard.worker import run_once

from .scenario import KNOWN, interview, report, returned, update

START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # when Amy was last seen


def _import(factory: sessionmaker[Session], ctx: IntakeContext, *events: Any) -> Any:
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    return import_lines(factory, lines, principal=SYSTEM, ctx=ctx)


def _duties(session: Session, kind: str) -> list[Duty]:
    return list(session.scalars(select(Duty).where(Duty.kind == kind).order_by(Duty.id)
                                .execution_options(populate_existing=True)))


def test_bad_missing_events_are_rejected_with_line_field_and_reason_and_the_rest_land(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    summary = _import(
        factory, ctx, *KNOWN,
        report(placing={"code": "926", "name": "Norfolk County Council"}),
        update("MP-U-1", "MP-NOPE", at="2026-11-20T21:00:00+00:00", note="Checked friends"),
        report("MP-2026-0002"),
        returned("MP-R-0", at="2026-11-20T17:00:00+00:00"),
        interview("RHI-0", offered_at="2026-11-21T10:00:00+00:00", outcome="completed",
                  held_at="2026-11-21T10:00:00+00:00", by_independent_person=True),
        update("MP-U-2", at="2026-11-20T22:00:00+00:00", risk="high",
               exploitation_indicators=["county_lines"], note="Seen with older males"))
    rejects = [(r.line, r.field) for r in summary.rejects]
    assert rejects == [(4, "report"), (5, "child"), (6, "returned_at"), (7, "report")]
    reasons = [r.reason for r in summary.rejects]
    assert "no missing report MP-NOPE is known" in reasons[0]
    assert "already missing in open episode MP-2026-0001" in reasons[1]
    assert "before the child was last seen" in reasons[2]
    assert "has not returned" in reasons[3]
    assert summary.accepted == 4

    episode = session.scalars(select(MissingEpisode)).one()
    assert episode.risk == "high" and episode.exploitation_indicators == ["county_lines"]
    assert [e.kind for e in session.scalars(select(MissingEntry).order_by(MissingEntry.id))] \
        == ["report", "update"]
    # Reported 20:00 at high risk: 1 hour (re-grading to high when already high adds none).
    [notice] = _duties(session, "missing_notify_csc")
    assert notice.due_at == START + timedelta(hours=3)
    assert session.scalar(select(Share.id).where(Share.duty_id == notice.id)) is not None
    # Norfolk is not registered: a task for social care, never a silent skip.
    [task] = [d for d in _duties(session, "data_quality") if "placing authority" in d.reason]
    assert task.owner_agency_id == "childrens_social_care"
    # One strategy discussion: high risk at report, exploitation added by the update.
    [discussion] = _duties(session, "strategy_discussion")
    assert discussion.evidence is not None and len(discussion.evidence) == 2
    assert "county lines" in discussion.evidence[1]


def test_a_registered_placing_authority_is_sent_the_notice(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    ensure_agency(session, agency_id="la-926", name="Norfolk County Council",
                  kind="childrens_social_care")
    session.commit()
    summary = _import(factory, ctx, *KNOWN, report(risk="low", placing={"code": "926"}))
    assert summary.rejects == []
    [placing] = _duties(session, "missing_notify_placing_authority")
    assert placing.partner_agency_id == "la-926"
    assert placing.due_at == START + timedelta(hours=26)
    assert _duties(session, "strategy_discussion") == []
    episode = session.scalars(select(MissingEpisode)).one()
    assert episode.placing_authority_name == "Norfolk County Council"


def test_the_worker_makes_each_time_driven_check_once_while_the_child_is_missing(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    _import(factory, ctx, *KNOWN, report(risk="medium"))
    assert _duties(session, "strategy_discussion") == []
    before = START + timedelta(hours=23, minutes=59)
    assert check_still_missing(session, now=before, ctx=ctx) == []
    after = START + timedelta(hours=24, minutes=1)
    [checked] = check_still_missing(session, now=after, ctx=ctx)
    assert check_still_missing(session, now=after + timedelta(hours=1), ctx=ctx) == []
    [discussion] = _duties(session, "strategy_discussion")
    assert discussion.evidence and "not been found 24 hours" in discussion.evidence[0]

    # Friday evening's report: checked for school on Monday 06:30, notice due 08:30.
    assert check_school_day(session, now=datetime(2026, 11, 23, 6, 29, tzinfo=UTC),
                            ctx=ctx) == []
    monday = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert check_school_day(session, now=monday, ctx=ctx) == [checked]
    assert check_school_day(session, now=monday, ctx=ctx) == []
    [notice] = _duties(session, "missing_school_notice")
    assert notice.partner_agency_id == "school-121234"
    assert notice.due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    kinds = [e.kind for e in session.scalars(select(MissingEntry).order_by(MissingEntry.id))]
    assert kinds == ["report", "still_missing", "school_check"]


def test_a_return_raises_the_interview_which_the_interview_event_discharges_flagged(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    summary = _import(
        factory, ctx, *KNOWN, report(risk="low"),
        returned("MP-R-1", at="2026-11-21T09:00:00+00:00"),
        interview("RHI-1", offered_at="2026-11-21T12:00:00+00:00", outcome="declined",
                  by_independent_person=False, provider="Oak House key worker",
                  reason="Did not want to talk"),
        report("MP-2026-0003", last_seen_at="2026-11-25T18:00:00+00:00",
               reported_at="2026-11-25T19:00:00+00:00", risk="low"))
    assert summary.rejects == []
    [interview_duty] = _duties(session, "return_home_interview")
    assert interview_duty.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert interview_duty.status == DISCHARGED and interview_duty.outcome == "declined"
    assert interview_duty.discharge_note is not None
    assert "FLAG: not held by an independent person" in interview_duty.discharge_note
    # Imported after its clock, it was owed from the return and done when offered (declined),
    # not when imported.
    assert interview_duty.created_at == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert interview_duty.discharged_at == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    first = session.scalars(select(MissingEpisode).where(
        MissingEpisode.reference == "MP-2026-0001")).one()
    assert first.interview_independent is False and first.returned_at is not None
    # Once returned, the child's next episode may open; the first is never checked again.
    checked = check_still_missing(session, now=datetime(2026, 11, 30, tzinfo=UTC), ctx=ctx)
    assert first.id not in checked and len(checked) == 1


def test_the_workers_pass_makes_the_checks_that_have_come_due_and_logs_what_it_did(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        caplog: pytest.LogCaptureFixture) -> None:
    _import(factory, ctx, *KNOWN, report(risk="low"))
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    caplog.set_level(logging.INFO, logger="safeguard.worker")
    first = run_once(factory, now=monday, rules=ctx)
    assert first.missing_checked == 2  # still missing after 24 hours, and on a school day
    # The pass is one JSON line: what it did, in counts, and how long it took; no names.
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["message"] == "worker pass" and line["pass"] == "clocks"
    assert line["missing_checked"] == 2 and line["breached"] == first.breached
    assert isinstance(line["duration_ms"], float) and "Amy" not in json.dumps(line)
    assert run_once(factory, now=monday, rules=ctx).missing_checked == 0
    assert [d.kind for d in _duties(session, "missing_school_notice")] == [
        "missing_school_notice"]


def test_re_grading_to_high_risk_tells_social_care_again_and_calls_a_discussion(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    _import(factory, ctx, *KNOWN, report(risk="medium"),
            update("MP-U-9", at="2026-11-20T23:00:00+00:00", risk="high"))
    first, again = _duties(session, "missing_notify_csc")
    assert first.due_at == START + timedelta(hours=26)
    assert again.due_at == START + timedelta(hours=6)  # 23:00 and one hour
    assert "re-graded to high risk" in again.reason
    [discussion] = _duties(session, "strategy_discussion")
    assert discussion.evidence == [
        "Missing episode MP-2026-0001 was re-graded from medium to high risk at "
        "Fri 20 Nov 2026, 23:00"]
