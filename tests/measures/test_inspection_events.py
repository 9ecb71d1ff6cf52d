"""Inspections by import, JSON API and form: the same events; an action's progress (not started,
in progress, done with evidence) and editing what was recorded, audited."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM, Principal, create_api_key
from safeguard.audit.models import AuditEntry
from safeguard.duties.models import DISCHARGED, OPEN, Duty, DutyTransition
from safeguard.errors import Forbidden
from safeguard.events.models import Event
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.inspections.editing import edit_action, edit_finding, edit_inspection
from safeguard.inspections.models import Action, Finding, Inspection
from safeguard.inspections.service import (
    add_action,
    add_finding,
    plan_of,
    record_inspection,
    update_action,
)
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.rules.context import RuleContext

from ..app_client import AppClient
from ..conftest import csrf_from, sign_in
from .inspection_scenario import ACTION, INSPECTION

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
LEAD = Principal(kind="user", id=9, name="chief", display_name="Chief Superintendent",
                 agency_id="police", agency_name="Police", agency_kind="police",
                 roles=frozenset({"senior_manager"}))
CSC = replace(LEAD, name="csc", agency_id="childrens_social_care",
              agency_kind="childrens_social_care", roles=frozenset({"practitioner"}))


def _import(factory: sessionmaker[Session], ctx: IntakeContext, *events: Any) -> Any:
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    return import_lines(factory, lines, principal=SYSTEM, ctx=ctx)


def _rejects(summary: Any) -> list[tuple[int, str]]:
    return [(r.line, r.field) for r in summary.rejects]


def test_an_imported_inspection_lands_with_its_findings_plan_actions_and_revisit(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    summary = _import(
        factory, ctx, INSPECTION, ACTION,
        {**ACTION, "source_id": "HMI-2026-A2", "finding": "2", "owner_agency": "police",
         "owner_name": "Insp. Ward", "due_on": "2026-10-31"},
        {"event": "inspection_finding", "source": "police", "source_id": "HMI-2026-F3",
         "inspection": "HMI-2026", "kind": "area_for_improvement", "text": "Devices wait.",
         "measures": ["devices-awaiting-examination"]},
        {"event": "inspection_revisit", "source": "police", "source_id": "HMI-2026-R1",
         "inspection": "HMI-2026", "kind": "light_touch", "on": "2027-03-01"},
        {"event": "inspection_action_update", "source": "childrens_social_care",
         "source_id": "HMI-2026-A1-U1", "action": "HMI-2026-A1",
         "at": "2026-11-20T10:00:00+00:00", "status": "in_progress",
         "evidence": "Rota drafted."},
        {"event": "inspection_action_update", "source": "police",
         "source_id": "HMI-2026-A2-U1", "action": "HMI-2026-A2",
         "at": "2026-10-20T10:00:00+00:00", "status": "done", "evidence": "Desk staffed."})
    assert summary.rejects == [] and summary.accepted == 7
    inspection = session.scalars(select(Inspection)).one()
    plan = plan_of(session, inspection=inspection)
    assert [(f.ref, f.kind, f.measures) for f in plan.findings] == [
        ("F1", "cause_of_concern", ["sharing-with-partners"]),
        ("2", "recommendation", ["further-concerns", "joint-work"]),
        ("HMI-2026-F3", "area_for_improvement", ["devices-awaiting-examination"])]
    assert plan.plan_duty is not None and plan.plan_duty.owner_agency_id == "police"
    done, started = plan.actions
    assert (done.status, done.evidence, done.duty.status) == ("done", "Desk staffed.",
                                                             DISCHARGED)
    assert done.duty.discharged_at == datetime(2026, 10, 20, 10, tzinfo=UTC)
    assert (started.status, started.evidence) == ("in_progress", "Rota drafted.")
    assert started.duty.owner_agency_id == "childrens_social_care"
    assert started.action.finding_id == plan.findings[0].id
    assert [plan.count(s) for s in ("done", "in_progress", "not_started")] == [1, 1, 0]
    assert plan.revisits[0][0].on == date(2027, 3, 1)


def test_bad_inspection_lines_are_rejected_with_line_field_and_reason_and_the_rest_land(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    bad_measure = {**INSPECTION, "source_id": "HMI-X", "findings": [
        {"kind": "recommendation", "text": "x", "measures": ["no-such-measure"]}]}
    summary = _import(
        factory, ctx, INSPECTION,
        {**INSPECTION, "source_id": "HMI-B", "ended_on": "2026-03-01"},
        bad_measure,
        {**ACTION, "inspection": "HMI-NONE"},
        {**ACTION, "finding": "F9"},
        {**ACTION, "owner_agency": "nowhere"},
        {"event": "inspection_action_update", "source": "police", "source_id": "U-1",
         "action": "HMI-2026-A1", "at": "2026-11-20T10:00:00+00:00", "status": "done"},
        ACTION,
        {"event": "inspection_action_update", "source": "police", "source_id": "U-2",
         "action": "HMI-2026-A1", "at": "2026-11-20T10:00:00+00:00",
         "status": "in_progress"})
    assert _rejects(summary) == [(2, "(line)"), (3, "findings[0].measures"),
                                 (4, "inspection"), (5, "finding"), (6, "owner_agency"),
                                 (7, "(line)"), (9, "(line)")]
    reasons = {r.line: r.reason for r in summary.rejects}
    assert "ended_on is before started_on" in reasons[2]
    assert "unknown measure no-such-measure" in reasons[3]
    assert "evidence is required" in reasons[7]
    # Only the owning agency reports an action's progress.
    assert "owning agency" in reasons[9]
    assert summary.accepted == 2
    assert session.scalars(select(Inspection.title)).all() == ["Child protection inspection"]


def test_the_json_api_records_an_inspection_as_a_senior_manager_only(
        session: Session, client: AppClient) -> None:
    _, manager = create_api_key(session, agency_id="police", name="plans",
                                roles="senior_manager")
    _, worker = create_api_key(session, agency_id="police", name="cases")
    session.commit()
    refused = client.post("/api/v1/events", json=INSPECTION,
                          headers={"Authorization": f"Bearer {worker}"})
    assert refused.status_code == 403
    made = client.post("/api/v1/events", json=INSPECTION,
                       headers={"Authorization": f"Bearer {manager}"})
    assert made.status_code == 201 and len(made.json()["duty_ids"]) == 1
    invalid = client.post("/api/v1/events", json={**ACTION, "due_on": "soon"},
                          headers={"Authorization": f"Bearer {manager}"})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["field"] == "due_on"


def _recorded(session: Session, ctx: RuleContext) -> tuple[Inspection, Finding, Action]:
    inspection = record_inspection(
        session, principal=LEAD, inspectorate="HMICFRS", title="Inspection",
        started_on=date(2026, 3, 2), ended_on=date(2026, 3, 13),
        published_on=date(2026, 6, 30), report_url=None, now=NOW, ctx=ctx,
        settings=ctx.inspections)
    finding = add_finding(session, principal=LEAD, inspection=inspection,
                          kind="cause_of_concern", text="Slow.", measures=["joint-work"])
    action = add_action(session, principal=LEAD, inspection=inspection,
                        finding_id=finding.id, text="Meet in a day.",
                        owner_agency_id="childrens_social_care", owner_name="Ms Price",
                        due_on=date(2026, 12, 31), now=NOW, ctx=ctx)
    return inspection, finding, action


def test_what_a_form_records_is_stored_as_the_import_would_send_it(
        session: Session, ctx: IntakeContext) -> None:
    _recorded(session, ctx)
    events = session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.event_type for e in events] == ["inspection", "inspection_finding",
                                              "inspection_action"]
    for event in events:
        assert EVENT_ADAPTER.validate_python(event.payload).source == "police"
    assert events[2].payload["inspection"] == events[0].source_id
    assert events[2].payload["finding"] == events[1].source_id


def test_an_action_goes_from_not_started_to_in_progress_to_done_by_its_own_agency(
        session: Session, ctx: IntakeContext) -> None:
    _, _, action = _recorded(session, ctx)
    with pytest.raises(Forbidden):
        update_action(session, principal=LEAD, action=action, status="in_progress",
                      evidence=None, at=NOW, ctx=ctx)
    update_action(session, principal=CSC, action=action, status="in_progress",
                  evidence="Rota drafted.", at=NOW, ctx=ctx)
    assert (action.progress, action.evidence) == ("in_progress", "Rota drafted.")
    update_action(session, principal=CSC, action=action, status="done",
                  evidence="Rota in place.", at=NOW, ctx=ctx)
    duty = session.get_one(Duty, action.duty_id)
    assert duty.status == DISCHARGED and duty.discharge_note == "Rota in place."
    assert session.scalars(select(AuditEntry.why).where(
        AuditEntry.entity == "inspection_action", AuditEntry.action == "write")).all() == [
        "progress of an action: in_progress", "progress of an action: done"]


def test_editing_moves_an_open_duty_s_deadline_and_is_audited(
        session: Session, ctx: IntakeContext) -> None:
    inspection, finding, action = _recorded(session, ctx)
    with pytest.raises(Forbidden):
        edit_finding(session, principal=CSC, finding=finding, kind="recommendation",
                     text="x", measures=[])
    assert edit_inspection(session, principal=LEAD, inspection=inspection,
                           inspectorate="HMICFRS", title="Inspection (corrected)",
                           started_on=date(2026, 3, 2), ended_on=date(2026, 3, 13),
                           published_on=date(2026, 7, 7), report_url=None, now=NOW,
                           ctx=ctx) == ["title", "published_on"]
    plan = session.get_one(Duty, inspection.plan_duty_id)
    assert plan.due_at.date() == date(2026, 8, 18)  # 42 days after 7 July
    assert edit_finding(session, principal=LEAD, finding=finding, kind="recommendation",
                        text="Slow.", measures=["further-concerns"]) == ["kind", "measures"]
    assert edit_action(session, principal=LEAD, action=action, text="Meet in a day.",
                       owner_name="Helen Price", due_on=date(2027, 1, 15),
                       finding_id=None, now=NOW) == ["owner_name", "due_on", "finding_id"]
    duty = session.get_one(Duty, action.duty_id)
    assert duty.status == OPEN and duty.due_at.date() == date(2027, 1, 15)
    moved = session.scalars(select(DutyTransition.note).where(
        DutyTransition.action == "due_changed")).all()
    assert len(moved) == 2
    assert session.scalars(select(AuditEntry.why).where(
        AuditEntry.why.like("edited:%")).order_by(AuditEntry.id)).all() == [
        "edited: title, published_on", "edited: kind, measures",
        "edited: owner_name, due_on, finding_id"]


def test_the_owning_agency_reports_progress_on_the_web_and_others_find_no_such_page(
        session: Session, client: AppClient, ctx: IntakeContext) -> None:
    _, _, action = _recorded(session, ctx)
    session.commit()
    sign_in(client, "health.visitor")
    assert client.get(f"/inspections/actions/{action.id}").status_code == 404
    client.cookies.clear()
    sign_in(client, "csc.worker")
    page = client.get(f"/inspections/actions/{action.id}")
    assert page.status_code == 200 and "Update an action" in page.text
    saved = client.post(f"/inspections/actions/{action.id}", follow_redirects=False,
                        data={"status": "in_progress", "evidence": "Under way.",
                              "csrf_token": csrf_from(page.text)})
    assert saved.status_code == 303
    shown = client.get(f"/inspections/{action.inspection_id}")
    assert "In progress" in shown.text and "Under way." in shown.text
