"""Inspections: the plan, its actions and revisits are duties with clocks; the revisit report
as HTML and PDF (read back as text); the measures' document matches the declarations."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.config import InspectionSettings, Settings
from safeguard.duties.models import Duty
from safeguard.duties.service import mark_breaches
from safeguard.errors import Forbidden
from safeguard.inspections.models import Inspection
from safeguard.inspections.report import build_report, report_html, report_pdf
from safeguard.inspections.sample import sample_inspection
from safeguard.inspections.service import (
    add_action,
    add_finding,
    plan_of,
    record_inspection,
    schedule_revisit,
)
from safeguard.intake.service import IntakeContext
from safeguard.measures.docs import measures_markdown
from safeguard.measures.facts import refresh
from safeguard.rules.context import build_context
from safeguard.rules.inspections import plan_due

from ..forensics.scenario import SUBMITTED, submission
from ..forensics.scenario import accept as accept_device
from ..offenders.scenario import registration, send
from .store import T0, build, finish

DOC = Path(__file__).resolve().parents[2] / "docs" / "measures.md"
RULES = build_context(Settings())
LEAD = Principal(kind="user", id=9, name="chief", display_name="Chief Superintendent",
                 agency_id="police", agency_name="Police", agency_kind="police",
                 roles=frozenset({"senior_manager"}))


def test_the_measures_document_matches_the_declarations() -> None:
    assert DOC.read_text("utf-8") == measures_markdown(), \
        "run `python -m safeguard.measures.docs > docs/measures.md`"


def test_the_plan_is_due_six_weeks_after_publication_unless_configured() -> None:
    assert plan_due(date(2026, 6, 30), InspectionSettings()) == date(2026, 8, 11)
    assert plan_due(date(2026, 6, 30), InspectionSettings(action_plan_days=28)) == \
        date(2026, 7, 28)


@pytest.fixture
def inspected(session: Session) -> tuple[Session, int]:
    build(session)
    now = datetime(2026, 7, 1, 9, tzinfo=UTC)
    inspection = record_inspection(
        session, principal=LEAD, inspectorate="HMICFRS", title="Child protection inspection",
        started_on=date(2026, 9, 1), ended_on=date(2026, 10, 16),
        published_on=date(2026, 6, 30), report_url="https://example.org/report", now=now,
        ctx=RULES, settings=InspectionSettings())
    finding = add_finding(session, principal=LEAD, inspection=inspection,
                          kind="cause_of_concern", text="Shares with social care are slow.",
                          measures=["sharing-with-partners"])
    done = add_action(session, principal=LEAD, inspection=inspection, finding_id=finding.id,
                      text="Staff the MASH desk overnight.", owner_agency_id="police",
                      owner_name="Insp. Ward", due_on=date(2026, 8, 31), now=now, ctx=RULES)
    add_action(session, principal=LEAD, inspection=inspection, finding_id=finding.id,
               text="Acknowledge shares within 24 hours.",
               owner_agency_id="childrens_social_care", owner_name="Ms Okafor",
               due_on=date(2026, 9, 30), now=now, ctx=RULES)
    schedule_revisit(session, principal=LEAD, inspection=inspection, kind="light_touch",
                     on=date(2027, 1, 20), now=now, ctx=RULES, settings=InspectionSettings())
    finish(session, done.duty_id, at=datetime(2026, 8, 20, 12, tzinfo=UTC), outcome="done")
    duty = session.get(Duty, done.duty_id)
    assert duty is not None
    duty.discharge_note = "Rota in place from 18 August."
    refresh(session)
    return session, inspection.id


def test_each_action_is_a_duty_of_its_agency_that_breaches_on_its_date(
        inspected: tuple[Session, int]) -> None:
    session, inspection_id = inspected
    inspection = session.get(Inspection, inspection_id)
    assert inspection is not None
    plan = plan_of(session, inspection=inspection)
    assert plan.plan_duty is not None and plan.plan_duty.kind == "remedial_action_plan"
    assert [(a.duty.owner_agency_id, a.status) for a in plan.actions] == [
        ("police", "done"), ("childrens_social_care", "not_started")]
    breached = mark_breaches(session, now=datetime(2026, 10, 2, tzinfo=UTC))
    assert {d.kind for d in breached} == {"remedial_action_plan", "remedial_action"}
    plan = plan_of(session, inspection=plan.inspection)
    assert [(a.status, a.overdue) for a in plan.actions] == [
        ("done", False), ("not_started", True)]
    assert plan.actions[1].duty.escalated_to == "childrens_social_care supervisor"
    assert plan.revisits[0][1].due_at.date() == date(2027, 1, 6)  # 14 days before


def test_only_a_senior_manager_records_an_inspection(session: Session) -> None:
    with pytest.raises(Forbidden):
        record_inspection(session, principal=replace(LEAD, roles=frozenset({"supervisor"})),
                          inspectorate="HMICFRS", title="x", started_on=date(2026, 1, 1),
                          ended_on=date(2026, 1, 2), published_on=date(2026, 2, 1),
                          report_url=None, now=T0, ctx=RULES, settings=InspectionSettings())


def test_the_revisit_report_pdf_carries_its_headings_and_figures(
        inspected: tuple[Session, int], ctx: IntakeContext) -> None:
    session, inspection_id = inspected
    # A device waiting since 2 November, and an offender whose first home visit (due 28
    # days after registration in January) was never made.
    accept_device(session, ctx, submission("EX-R", suspect=None), SUBMITTED)
    send(session, ctx, registration())
    report = build_report(session, start=date(2026, 10, 1), end=date(2026, 11, 30),
                          inspection=session.get(Inspection, inspection_id),
                          settings=Settings(), now=datetime(2026, 12, 1, tzinfo=UTC))
    html = report_html(report)
    assert "<svg" in html and "Revisit report" in html
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(report_pdf(report))).pages)
    squashed = " ".join(text.split())
    for heading in ("Revisit report", "Measures", "1. Sharing with partners",
                    "Action plan progress", "What changed"):
        assert heading in squashed
    # Shares: 3 of 5 in the period (October 2 of 4, November 1 of 1): 60%; the baseline
    # (August to October) holds October's 2 of 4: 50%, so up 10 points.
    assert "Shares acknowledged within their clock: 60% against a baseline of 50% (up 10 " \
        "points)" in squashed
    assert "1 of 2 actions done" in squashed
    assert "Rota in place from 18 August." in squashed
    # Priority 3 (other offences): 28 days 15 hours waiting (from 09:00 on 2 November to
    # midnight on 1 December); one arrival in 90 days and no completion, so no clearance.
    assert "Priority 3 1 28 28.6 0" in squashed
    assert "Devices waiting: 1; past their clock: 0; the backlog does not clear" in squashed
    assert "Offender managers: 1; registered offenders: 1; over the target caseload of 50: " \
        "0; home visits overdue: 1." in squashed
    assert "Shah" not in squashed


def test_the_demos_sample_inspection_has_its_plan_part_done(session: Session) -> None:
    build(session)
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    inspection = sample_inspection(session, now=now, ctx=RULES,
                                   settings=InspectionSettings())
    mark_breaches(session, now=now)
    plan = plan_of(session, inspection=inspection)
    assert plan.plan_duty is not None and plan.plan_duty.outcome == "sent"
    assert plan.plan_duty.discharged_at is not None
    assert plan.plan_duty.discharged_at <= plan.plan_duty.due_at
    assert [plan.count(s) for s in ("done", "in_progress", "not_started", "overdue")] == [
        2, 2, 1, 1]
    [late] = [a for a in plan.actions if a.overdue]
    assert late.status == "in_progress" and late.evidence is not None
    assert len(plan.findings) == 3 and len(plan.revisits) == 1
