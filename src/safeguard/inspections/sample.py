"""The demo's sample inspection: published four months before the demo's day, its plan sent
in time, its actions part-done (two done with evidence, two in progress, one of them overdue,
and one not started) and a light-touch revisit ahead. Synthetic, like everything in the demo."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.casework.service import discharge
from safeguard.config import InspectionSettings
from safeguard.inspections.models import Inspection
from safeguard.inspections.service import (
    add_action,
    add_finding,
    record_inspection,
    schedule_revisit,
    update_action,
)
from safeguard.rules.context import RuleContext
from safeguard.workdays import LONDON

NOTE = "Synthetic demo history."
# (finding, the measures that evidence it, its actions: text, agency, named owner, due in
# days from the demo's day (negative: past), and its progress: done or in progress with this
# evidence, or not started).
FINDINGS = (
    ("Notifications about children at domestic-abuse incidents reach children's social care "
     "late, and some not at all.", ["sharing-with-partners", "risk-at-incidents"], (
         ("Staff the MASH police desk until midnight, seven days a week.", "police",
          "Det. Insp. Rachel Ward", -60,
          ("done", "Rota in place; desk staffed every night since.")),
         ("Acknowledge every police notification within 24 hours.", "childrens_social_care",
          "Helen Price, MASH manager", -20,
          ("in_progress", "Weekend cover agreed; weekday cover recruiting.")),
     )),
    ("Officers do not always record the children at a domestic-abuse incident.",
     ["risk-at-incidents"], (
         ("Brief every response officer on recording children at incidents.", "police",
          "Ch. Insp. Marcus Bell", -45,
          ("done", "Briefing delivered to 412 of 430 officers.")),
         ("Audit 50 incidents a month for children not listed.", "police",
          "Ch. Insp. Marcus Bell", 30,
          ("in_progress", "First two monthly audits done; the third under way.")),
     )),
    ("Concerns from several agencies are not jointly assessed in time.",
     ["further-concerns", "joint-work"], (
         ("Hold strategy discussions within one working day of the trigger.",
          "childrens_social_care", "Helen Price, MASH manager", 45, None),
     )),
)


def _as(agency_id: str, roles: frozenset[str]) -> Principal:
    return Principal("system", 0, "demo-history", "Synthetic demo history", agency_id,
                     agency_id, agency_id, roles)


def sample_inspection(session: Session, *, now: datetime, ctx: RuleContext,
                      settings: InspectionSettings) -> Inspection:
    lead = _as("police", frozenset({"senior_manager", "practitioner"}))
    today = now.astimezone(LONDON).date()
    published = today - timedelta(days=120)
    recorded_at = now - timedelta(days=119)
    inspection = record_inspection(
        session, principal=lead, inspectorate="HMICFRS",
        title="National child protection inspection (synthetic)",
        started_on=published - timedelta(days=110), ended_on=published - timedelta(days=98),
        published_on=published, report_url=None, now=recorded_at, ctx=ctx,
        settings=settings, via="import")
    assert inspection.plan_duty_id is not None
    discharge(session, duty_id=inspection.plan_duty_id, principal=lead,
              now=recorded_at + timedelta(days=35), ctx=ctx, outcome="sent", note=NOTE)
    for text, measures, actions in FINDINGS:
        finding = add_finding(session, principal=lead, inspection=inspection,
                              kind="cause_of_concern", text=text, measures=measures)
        for action_text, agency, owner, due_in, progress in actions:
            action = add_action(
                session, principal=lead, inspection=inspection, finding_id=finding.id,
                text=action_text, owner_agency_id=agency, owner_name=owner,
                due_on=today + timedelta(days=due_in), now=recorded_at + timedelta(days=36),
                ctx=ctx, via="import")
            if progress is not None:
                status, evidence = progress
                update_action(session, principal=_as(agency, frozenset({"practitioner"})),
                              action=action, status=status, evidence=evidence,
                              at=min(now, now + timedelta(days=due_in - 5)), ctx=ctx,
                              via="import")
    schedule_revisit(session, principal=lead, inspection=inspection, kind="light_touch",
                     on=today + timedelta(days=60), now=recorded_at + timedelta(days=36),
                     ctx=ctx, settings=settings, via="import")
    return inspection
