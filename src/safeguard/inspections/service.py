"""Recording an inspection, its findings, the actions of its remedial plan and its revisits.

Each is a fact and so an event (stored as it arrived, like every other); the plan, each action
and each revisit's preparation are duties raised through casework, so their clocks breach and
escalate through the worker like any other duty, and they are discharged on the duty page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import raise_duties
from safeguard.config import InspectionSettings
from safeguard.duties.models import Duty, DutyStatus
from safeguard.errors import Forbidden, Invalid
from safeguard.events.service import store_event
from safeguard.inspections.models import Action, Finding, Inspection, Revisit
from safeguard.measures.declarations import MEASURES
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.inspections import (
    InspectionFacts,
    action_duty,
    action_plan_duty,
    revisit_duty,
)

SOURCE = "inspections"
FINDING_KINDS = {"cause_of_concern": "Cause of concern", "area_for_improvement":
                 "Area for improvement", "recommendation": "Recommendation"}
REVISIT_KINDS = {"light_touch": "Light-touch revisit", "full": "Full revisit"}
MEASURE_SLUGS = {m.slug for m in MEASURES}
# Who records an inspection and its plan: the partnership's senior managers.
RECORDER_ROLE = "senior_manager"


def may_record(principal: Principal) -> bool:
    return principal.has_role(RECORDER_ROLE)


def require_recorder(principal: Principal) -> None:
    if not may_record(principal):
        raise Forbidden("Only a senior manager records inspections and their action plans.")


def _event(session: Session, *, kind: str, payload: dict[str, Any], principal: Principal,
           via: str) -> int:
    stored = store_event(session, event_type=kind, source=SOURCE,
                         source_id=f"{kind}-{uuid.uuid4()}", payload=payload,
                         occurred_at=None, via=via, actor=principal.actor)
    return stored.event_id


def _raise(session: Session, *, draft: DutyDraft, event_id: int, now: datetime,
           principal: Principal, ctx: RuleContext) -> int:
    raised = raise_duties(session, drafts=[draft], event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    return raised.duty_ids[0]


def record_inspection(
    session: Session, *, principal: Principal, inspectorate: str, title: str,
    started_on: date, ended_on: date, published_on: date, report_url: str | None,
    now: datetime, ctx: RuleContext, settings: InspectionSettings, via: str = "form",
) -> Inspection:
    """The inspection, and the duty to send its remedial action plan (owned by the
    recorder's agency)."""
    require_recorder(principal)
    # The link is shown as a link: only a web address, never a script's.
    if report_url and not report_url.lower().startswith(("https://", "http://")):
        raise Invalid("report_url: must be a web address starting https://")
    payload = {"inspectorate": inspectorate, "title": title,
               "started_on": started_on.isoformat(), "ended_on": ended_on.isoformat(),
               "published_on": published_on.isoformat(), "report_url": report_url}
    event_id = _event(session, kind="inspection", payload=payload, principal=principal,
                      via=via)
    inspection = Inspection(event_id=event_id, inspectorate=inspectorate, title=title,
                            started_on=started_on, ended_on=ended_on,
                            published_on=published_on, report_url=report_url,
                            created_at=now, created_by=principal.actor)
    session.add(inspection)
    session.flush()
    facts = InspectionFacts(inspectorate, title, published_on, principal.agency_id)
    inspection.plan_duty_id = _raise(session, draft=action_plan_duty(facts, settings),
                                     event_id=event_id, now=now, principal=principal, ctx=ctx)
    audit(session, principal=principal, action="create", entity="inspection",
          entity_id=inspection.id, why="inspection recorded")
    return inspection


def add_finding(session: Session, *, principal: Principal, inspection: Inspection, kind: str,
                text: str, measures: Sequence[str]) -> Finding:
    require_recorder(principal)
    if kind not in FINDING_KINDS:
        raise Invalid(f"kind: must be one of {', '.join(FINDING_KINDS)}")
    unknown = sorted(set(measures) - MEASURE_SLUGS)
    if unknown:
        raise Invalid(f"measures: unknown measure {', '.join(unknown)}")
    finding = Finding(inspection_id=inspection.id, kind=kind, text=text.strip(),
                      measures=sorted(set(measures)))
    session.add(finding)
    session.flush()
    audit(session, principal=principal, action="create", entity="inspection_finding",
          entity_id=finding.id, why=f"finding of inspection {inspection.id}")
    return finding


def add_action(
    session: Session, *, principal: Principal, inspection: Inspection, finding_id: int | None,
    text: str, owner_agency_id: str, owner_name: str, due_on: date, now: datetime,
    ctx: RuleContext, via: str = "form",
) -> Action:
    """An action of the plan: a duty of its owning agency, due at the end of its day."""
    require_recorder(principal)
    payload = {"inspection_id": inspection.id, "finding_id": finding_id, "text": text,
               "owner_agency_id": owner_agency_id, "owner_name": owner_name,
               "due_on": due_on.isoformat()}
    event_id = _event(session, kind="inspection_action", payload=payload,
                      principal=principal, via=via)
    duty_id = _raise(session, draft=action_duty(
        text=text, owner_agency_id=owner_agency_id, owner_name=owner_name, due_on=due_on,
        inspection_title=inspection.title), event_id=event_id, now=now, principal=principal,
        ctx=ctx)
    action = Action(inspection_id=inspection.id, finding_id=finding_id, duty_id=duty_id,
                    text=text, owner_agency_id=owner_agency_id, owner_name=owner_name,
                    due_on=due_on)
    session.add(action)
    session.flush()
    audit(session, principal=principal, action="create", entity="inspection_action",
          entity_id=action.id, why=f"action of inspection {inspection.id}")
    return action


def schedule_revisit(
    session: Session, *, principal: Principal, inspection: Inspection, kind: str, on: date,
    now: datetime, ctx: RuleContext, settings: InspectionSettings, via: str = "form",
) -> Revisit:
    require_recorder(principal)
    if kind not in REVISIT_KINDS:
        raise Invalid(f"kind: must be one of {', '.join(REVISIT_KINDS)}")
    event_id = _event(session, kind="inspection_revisit",
                      payload={"inspection_id": inspection.id, "kind": kind,
                               "on": on.isoformat()}, principal=principal, via=via)
    duty_id = _raise(session, draft=revisit_duty(
        kind=kind, on=on, lead_agency_id=principal.agency_id,
        inspection_title=inspection.title, settings=settings), event_id=event_id, now=now,
        principal=principal, ctx=ctx)
    revisit = Revisit(inspection_id=inspection.id, kind=kind, on=on, duty_id=duty_id)
    session.add(revisit)
    session.flush()
    audit(session, principal=principal, action="create", entity="inspection_revisit",
          entity_id=revisit.id, why=f"revisit of inspection {inspection.id}")
    return revisit


@dataclass(frozen=True)
class ActionView:
    action: Action
    duty: Duty
    status: str  # done | withdrawn | overdue | open

    @property
    def status_words(self) -> str:
        return {"done": "Done", "withdrawn": "Withdrawn", "overdue": "Overdue",
                "open": "Open"}[self.status]


@dataclass(frozen=True)
class Plan:
    inspection: Inspection
    plan_duty: Duty | None
    findings: list[Finding]
    actions: list[ActionView]
    revisits: list[tuple[Revisit, Duty]]

    def count(self, status: str) -> int:
        return sum(1 for a in self.actions if a.status == status)


def _status(duty: Duty) -> str:
    if duty.status == DutyStatus.DISCHARGED:
        return "withdrawn" if duty.outcome == "withdrawn" else "done"
    return "overdue" if duty.status == DutyStatus.BREACHED else "open"


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.published_on.desc())))


def get_inspection(session: Session, *, inspection_id: int) -> Inspection | None:
    return session.get(Inspection, inspection_id)


def plan_of(session: Session, *, inspection: Inspection) -> Plan:
    """The inspection with its findings, actions (status from each action's duty) and
    revisits. No personal data: an action names its owner, never a child."""
    findings = list(session.scalars(select(Finding).where(
        Finding.inspection_id == inspection.id).order_by(Finding.id)))
    actions = [ActionView(a, d, _status(d)) for a, d in session.execute(
        select(Action, Duty).join(Duty, Duty.id == Action.duty_id)
        .where(Action.inspection_id == inspection.id).order_by(Action.due_on, Action.id))]
    revisits: list[tuple[Revisit, Duty]] = [(r, d) for r, d in session.execute(
        select(Revisit, Duty).join(Duty, Duty.id == Revisit.duty_id)
        .where(Revisit.inspection_id == inspection.id).order_by(Revisit.on))]
    plan_duty = session.get(Duty, inspection.plan_duty_id) if inspection.plan_duty_id else None
    return Plan(inspection, plan_duty, findings, actions, revisits)
