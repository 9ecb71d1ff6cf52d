"""Inspections: the remedial action plan, each of its actions and each revisit are duties with
clocks, owners and escalation like any other (pure functions: facts in, drafts out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from safeguard.access.models import AgencyKind, Role
from safeguard.config import InspectionSettings
from safeguard.dates import london_date
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.kinds import DutyKind, Outcome, Rule, Side
from safeguard.workdays import LONDON

PLAN_RULE = Rule("remedial-action-plan", "1")
ACTION_RULE = Rule("remedial-action", "1")
REVISIT_RULE = Rule("inspection-revisit", "1")
# A clock given as a day ends at the end of that day, London time.
END_OF_DAY = time(23, 59)


@dataclass(frozen=True)
class InspectionFacts:
    inspectorate: str
    title: str
    published_on: date
    lead_agency_id: str


def end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def _words(day: date) -> str:
    return london_date(day)


def plan_due(published_on: date, settings: InspectionSettings) -> date:
    return published_on + timedelta(days=settings.action_plan_days)


def action_plan_duty(facts: InspectionFacts, settings: InspectionSettings) -> DutyDraft:
    """The lead agency sends the inspectorate its remedial action plan (6 weeks by default)."""
    due = plan_due(facts.published_on, settings)
    return ACTION_PLAN.draft(
        rule=PLAN_RULE, subject_person_id=None, due_at=end_of(due),
        owner_agency_id=facts.lead_agency_id,
        reason=(f"{facts.inspectorate} published \u201c{facts.title}\u201d on "
                f"{_words(facts.published_on)}. The remedial action plan is due "
                f"{settings.action_plan_days} days after publication, by {_words(due)}."))


def action_duty(*, text: str, owner_agency_id: str, owner_name: str, due_on: date,
                inspection_title: str) -> DutyDraft:
    """One action of the plan: owned by its agency, named to a person, due on its date."""
    return REMEDIAL_ACTION.draft(
        rule=ACTION_RULE, subject_person_id=None, due_at=end_of(due_on),
        owner_agency_id=owner_agency_id, evidence=(f"Owner: {owner_name}",),
        reason=(f"remedial action after \u201c{inspection_title}\u201d, owned by {owner_name}: "
                f"{text} Due by {_words(due_on)}."))


def revisit_duty(*, kind: str, on: date, lead_agency_id: str, inspection_title: str,
                 settings: InspectionSettings) -> DutyDraft:
    """A revisit's preparation: evidence and the revisit report ready ahead of the visit."""
    ready = on - timedelta(days=settings.revisit_preparation_days)
    words = kind.replace("_", " ")
    return REVISIT.draft(
        rule=REVISIT_RULE, subject_person_id=None, due_at=end_of(ready),
        owner_agency_id=lead_agency_id,
        reason=(f"a {words} revisit of \u201c{inspection_title}\u201d is on {_words(on)}. The "
                f"revisit report and the action plan's evidence are due "
                f"{settings.revisit_preparation_days} days before, by {_words(ready)}."))


ACTION_PLAN = DutyKind(
    name="remedial_action_plan", title="Remedial action plan to the inspectorate",
    owner=AgencyKind.POLICE, owner_role=Role.SENIOR_MANAGER,
    clock="6 weeks after the inspection report is published",
    discharged_by=Side.OWNER, action="Record the plan as sent",
    outcomes=(Outcome("sent", "Plan sent to the inspectorate"),),
    summary="The force sends the inspectorate its plan to put right what the inspection found.",
)
REMEDIAL_ACTION = DutyKind(
    name="remedial_action", title="Remedial action",
    owner=AgencyKind.POLICE,
    clock="the date the action plan sets for the action",
    discharged_by=Side.OWNER, action="Record the action as done",
    outcomes=(Outcome("done", "Done (evidence in the note)"),
              Outcome("withdrawn", "Withdrawn by agreement (reason in the note)")),
    summary="One action of the remedial plan, owned by an agency and a named person.",
)
REVISIT = DutyKind(
    name="inspection_revisit", title="Inspection revisit preparation",
    owner=AgencyKind.POLICE, owner_role=Role.SENIOR_MANAGER,
    clock="14 days before the revisit",
    discharged_by=Side.OWNER, action="Record the revisit as prepared",
    outcomes=(Outcome("prepared", "Revisit report and evidence ready"),),
    summary="The revisit report and the action plan's evidence are ready before inspectors "
            "return.",
)
