"""Recording an inspection, its findings, the actions of its remedial plan and its revisits.

Each is a fact and so an event (events/inspections.py), stored as it arrived like every other:
the import and the JSON API send it through intake, which hands it here
(`accept_inspection_event`); a form's is stored here in the same format. The plan, each
action and each revisit's preparation are duties raised through casework, so their clocks
breach and escalate through the worker like any other duty, and they are discharged on the
duty page. Editing them is editing.py's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import discharge, raise_duties
from safeguard.config import InspectionSettings
from safeguard.duties.models import Duty, DutyStatus
from safeguard.errors import Forbidden, InvalidField
from safeguard.events.inspections import (
    InspectionActionEvent,
    InspectionActionUpdateEvent,
    InspectionEvent,
    InspectionEvents,
    InspectionFindingEvent,
)
from safeguard.events.models import Event
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
           via: str, event_id: int | None) -> int:
    """The event already stored (intake's), or one stored now in the import's format, with a
    reference of its own that later events (an import's too) name it by."""
    if event_id is not None:
        return event_id
    source_id = f"{kind}-{uuid.uuid4()}"
    raw = {"event": kind, "source": principal.agency_id, "source_id": source_id,
           **{k: v for k, v in payload.items() if v is not None}}
    stored = store_event(session, event_type=kind, source=principal.agency_id,
                         source_id=source_id, payload=raw, occurred_at=None, via=via,
                         actor=principal.actor)
    return stored.event_id


def reference_of(session: Session, *, event_id: int) -> str:
    """What an import names a recorded inspection or action by: its event's source_id."""
    return session.get_one(Event, event_id).source_id


def _raise(session: Session, *, draft: DutyDraft, event_id: int, now: datetime,
           principal: Principal, ctx: RuleContext) -> int:
    raised = raise_duties(session, drafts=[draft], event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    return raised.duty_ids[0]


def record_inspection(
    session: Session, *, principal: Principal, inspectorate: str, title: str,
    started_on: date, ended_on: date, published_on: date, report_url: str | None,
    now: datetime, ctx: RuleContext, settings: InspectionSettings, via: str = "form",
    event_id: int | None = None,
) -> Inspection:
    """The inspection, and the duty to send its remedial action plan (owned by the
    recorder's agency)."""
    require_recorder(principal)
    if ended_on < started_on:
        raise InvalidField("ended_on", "the inspection must end on or after its first day")
    # The link is shown as a link: only a web address, never a script's.
    if report_url and not report_url.lower().startswith(("https://", "http://")):
        raise InvalidField("report_url", "must be a web address starting https://")
    payload = {"inspectorate": inspectorate, "title": title,
               "started_on": started_on.isoformat(), "ended_on": ended_on.isoformat(),
               "published_on": published_on.isoformat(), "report_url": report_url}
    event_id = _event(session, kind="inspection", payload=payload, principal=principal,
                      via=via, event_id=event_id)
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


def check_finding(*, kind: str, text: str, measures: Sequence[str], at: str = "") -> None:
    """A finding's kind, text and measures, each named by its field (``at``: where the
    finding sits in an event, e.g. "findings[1].")."""
    if kind not in FINDING_KINDS:
        raise InvalidField(f"{at}kind", f"must be one of {', '.join(FINDING_KINDS)}")
    if not text.strip():
        raise InvalidField(f"{at}text", "enter the finding")
    unknown = sorted(set(measures) - MEASURE_SLUGS)
    if unknown:
        raise InvalidField(f"{at}measures", f"unknown measure {', '.join(unknown)}: use "
                                            f"{', '.join(sorted(MEASURE_SLUGS))}")


def add_finding(session: Session, *, principal: Principal, inspection: Inspection, kind: str,
                text: str, measures: Sequence[str], via: str = "form",
                event_id: int | None = None, inline: tuple[int, str] | None = None
                ) -> Finding:
    """A finding: sent with its inspection (``inline``: its ref there, the event the
    inspection's), or an event of its own whose source_id is its ref."""
    require_recorder(principal)
    at = "" if inline is None else f"findings[{inline[0]}]."
    check_finding(kind=kind, text=text, measures=measures, at=at)
    ref = inline[1] if inline is not None else None
    if inline is None:
        event_id = _event(session, kind="inspection_finding", payload={
            "inspection": reference_of(session, event_id=inspection.event_id), "kind": kind,
            "text": text, "measures": sorted(set(measures))}, principal=principal, via=via,
            event_id=event_id)
        ref = reference_of(session, event_id=event_id)
    if ref is not None and session.scalar(select(Finding.id).where(
            Finding.inspection_id == inspection.id, Finding.ref == ref)) is not None:
        raise InvalidField(f"{at}ref" if at else "source_id",
                           f"inspection {inspection.id} already has a finding {ref!r}")
    finding = Finding(inspection_id=inspection.id, kind=kind, text=text.strip(),
                      measures=sorted(set(measures)), ref=ref)
    session.add(finding)
    session.flush()
    audit(session, principal=principal, action="create", entity="inspection_finding",
          entity_id=finding.id, why=f"finding of inspection {inspection.id}")
    return finding


def add_action(
    session: Session, *, principal: Principal, inspection: Inspection, finding_id: int | None,
    text: str, owner_agency_id: str, owner_name: str, due_on: date, now: datetime,
    ctx: RuleContext, via: str = "form", event_id: int | None = None,
) -> Action:
    """An action of the plan: a duty of its owning agency, due at the end of its day."""
    require_recorder(principal)
    if session.get(Agency, owner_agency_id) is None:
        raise InvalidField("owner_agency", f"no agency {owner_agency_id!r} is known")
    finding = session.get(Finding, finding_id) if finding_id is not None else None
    if finding_id is not None and (finding is None or finding.inspection_id != inspection.id):
        raise InvalidField("finding", f"inspection {inspection.id} has no such finding")
    payload = {"inspection": reference_of(session, event_id=inspection.event_id),
               "finding": finding.ref if finding else None, "text": text,
               "owner_agency": owner_agency_id, "owner_name": owner_name,
               "due_on": due_on.isoformat()}
    event_id = _event(session, kind="inspection_action", payload=payload,
                      principal=principal, via=via, event_id=event_id)
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
    event_id: int | None = None,
) -> Revisit:
    require_recorder(principal)
    if kind not in REVISIT_KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(REVISIT_KINDS)}")
    event_id = _event(session, kind="inspection_revisit",
                      payload={"inspection": reference_of(session, event_id=inspection.event_id),
                               "kind": kind, "on": on.isoformat()}, principal=principal,
                      via=via, event_id=event_id)
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


STATUS_WORDS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done",
                "withdrawn": "Withdrawn"}


@dataclass(frozen=True)
class ActionView:
    action: Action
    duty: Duty
    status: str  # not_started | in_progress | done | withdrawn
    overdue: bool  # past its date and not done

    @property
    def status_words(self) -> str:
        words = STATUS_WORDS[self.status]
        return f"{words}, overdue" if self.overdue else words

    @property
    def evidence(self) -> str | None:
        """What shows it done (the discharge's note), else the evidence gathered so far."""
        return self.duty.discharge_note if self.status in ("done", "withdrawn") \
            else self.action.evidence


@dataclass(frozen=True)
class Plan:
    inspection: Inspection
    plan_duty: Duty | None
    findings: list[Finding]
    actions: list[ActionView]
    revisits: list[tuple[Revisit, Duty]]

    def count(self, status: str) -> int:
        if status == "overdue":
            return sum(1 for a in self.actions if a.overdue)
        return sum(1 for a in self.actions if a.status == status)


def _view(action: Action, duty: Duty) -> ActionView:
    if duty.status == DutyStatus.DISCHARGED:
        status = "withdrawn" if duty.outcome == "withdrawn" else "done"
    else:
        status = action.progress
    return ActionView(action, duty, status, duty.status == DutyStatus.BREACHED)


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.published_on.desc())))


def get_inspection(session: Session, *, inspection_id: int) -> Inspection | None:
    return session.get(Inspection, inspection_id)


def plan_of(session: Session, *, inspection: Inspection) -> Plan:
    """The inspection with its findings, actions (status from each action's duty) and
    revisits. No personal data: an action names its owner, never a child."""
    findings = list(session.scalars(select(Finding).where(
        Finding.inspection_id == inspection.id).order_by(Finding.id)))
    actions = [_view(a, d) for a, d in session.execute(
        select(Action, Duty).join(Duty, Duty.id == Action.duty_id)
        .where(Action.inspection_id == inspection.id).order_by(Action.due_on, Action.id))]
    revisits: list[tuple[Revisit, Duty]] = [(r, d) for r, d in session.execute(
        select(Revisit, Duty).join(Duty, Duty.id == Revisit.duty_id)
        .where(Revisit.inspection_id == inspection.id).order_by(Revisit.on))]
    plan_duty = session.get(Duty, inspection.plan_duty_id) if inspection.plan_duty_id else None
    return Plan(inspection, plan_duty, findings, actions, revisits)


# ------------------------------------------------------------------ an action's progress


def may_update(principal: Principal, action: Action) -> bool:
    """The action's owning agency reports its progress (and discharges its duty)."""
    return principal.agency_id == action.owner_agency_id


def update_action(session: Session, *, principal: Principal, action: Action, status: str,
                  evidence: str | None, at: datetime, ctx: RuleContext, via: str = "form",
                  event_id: int | None = None) -> Action:
    """Not started, in progress (with the evidence so far), or done or withdrawn: its duty
    discharged with the evidence as the note (its owning agency's to discharge)."""
    if not may_update(principal, action):
        raise Forbidden("Only the action's owning agency reports its progress.")
    if status not in STATUS_WORDS:
        raise InvalidField("status", f"must be one of {', '.join(STATUS_WORDS)}")
    duty = session.get_one(Duty, action.duty_id)
    if duty.status == DutyStatus.DISCHARGED:
        raise InvalidField("action", f"the action is already {duty.outcome or 'done'}; "
                                     "its progress is no longer recorded")
    evidence = (evidence or "").strip() or None
    if status in ("done", "withdrawn") and evidence is None:
        raise InvalidField("evidence", f"give the evidence that the action is {status}")
    _event(session, kind="inspection_action_update", payload={
        "action": reference_of(session, event_id=duty.event_id), "at": at.isoformat(),
        "status": status, "evidence": evidence}, principal=principal, via=via,
        event_id=event_id)
    action.progress_at = at
    if status in ("done", "withdrawn"):
        discharge(session, duty_id=duty.id, principal=principal, now=at, ctx=ctx,
                  outcome=status, note=evidence)
    else:
        action.progress = status
        action.evidence = evidence if evidence is not None else action.evidence
    audit(session, principal=principal, action="write", entity="inspection_action",
          entity_id=action.id, why=f"progress of an action: {status}")
    return action


# ------------------------------------------------------------------ events from intake


def _by_reference(session: Session, *, kind: str, reference: str, field: str) -> int:
    """The event (of this kind) a later event names by its source_id, from any source."""
    found = list(session.scalars(select(Event.id).where(
        Event.event_type == kind, Event.source_id == reference).limit(2)))
    if not found:
        raise InvalidField(field, f"no {kind.replace('_', ' ')} {reference!r} is known; "
                                  f"send the {kind} first")
    if len(found) > 1:
        raise InvalidField(field, f"{reference!r} names more than one {kind}: give its "
                                  "source a reference of its own")
    return found[0]


def inspection_by_reference(session: Session, *, reference: str) -> Inspection:
    event_id = _by_reference(session, kind="inspection", reference=reference,
                             field="inspection")
    return session.scalars(select(Inspection).where(Inspection.event_id == event_id)).one()


def action_by_reference(session: Session, *, reference: str) -> Action:
    event_id = _by_reference(session, kind="inspection_action", reference=reference,
                             field="action")
    return session.scalars(select(Action).join(Duty, Duty.id == Action.duty_id)
                           .where(Duty.event_id == event_id)).one()


def _acting(session: Session, *, principal: Principal, source: str) -> Principal:
    """Who records: the user or key that sent it, or, for an import by the system, the
    source agency's senior management on its behalf."""
    if principal.kind != "system":
        return principal
    agency = session.get(Agency, source)
    if agency is None:
        raise InvalidField("source", f"no agency {source!r} is known")
    return replace(principal, agency_id=agency.id, agency_name=agency.name,
                   agency_kind=agency.kind,
                   roles=frozenset({RECORDER_ROLE, "practitioner"}))


def accept_inspection_event(session: Session, *, event_id: int, data: InspectionEvents,
                            via: str, principal: Principal, ctx: RuleContext, now: datetime
                            ) -> list[int]:
    """An inspection event the import or the JSON API sent (through intake); returns the
    ids of the duties it raised."""
    principal = _acting(session, principal=principal, source=data.source)
    if isinstance(data, InspectionEvent):
        inspection = record_inspection(
            session, principal=principal, inspectorate=data.inspectorate, title=data.title,
            started_on=data.started_on, ended_on=data.ended_on,
            published_on=data.published_on, report_url=data.report_url, now=now, ctx=ctx,
            settings=ctx.inspections, via=via, event_id=event_id)
        for n, item in enumerate(data.findings):
            add_finding(session, principal=principal, inspection=inspection, kind=item.kind,
                        text=item.text, measures=item.measures,
                        inline=(n, item.ref or str(n + 1)))
        return [inspection.plan_duty_id] if inspection.plan_duty_id else []
    if isinstance(data, InspectionActionUpdateEvent):
        update_action(session, principal=principal,
                      action=action_by_reference(session, reference=data.action),
                      status=data.status, evidence=data.evidence, at=min(data.at, now),
                      ctx=ctx, via=via, event_id=event_id)
        return []
    inspection = inspection_by_reference(session, reference=data.inspection)
    if isinstance(data, InspectionFindingEvent):
        add_finding(session, principal=principal, inspection=inspection, kind=data.kind,
                    text=data.text, measures=data.measures, via=via, event_id=event_id)
        return []
    if isinstance(data, InspectionActionEvent):
        finding_id = None
        if data.finding is not None:
            finding_id = session.scalar(select(Finding.id).where(
                Finding.inspection_id == inspection.id, Finding.ref == data.finding))
            if finding_id is None:
                raise InvalidField("finding", f"the inspection has no finding {data.finding!r}")
        action = add_action(session, principal=principal, inspection=inspection,
                            finding_id=finding_id, text=data.text,
                            owner_agency_id=data.owner_agency, owner_name=data.owner_name,
                            due_on=data.due_on, now=now, ctx=ctx, via=via, event_id=event_id)
        return [action.duty_id]
    revisit = schedule_revisit(session, principal=principal, inspection=inspection,
                               kind=data.kind, on=data.on, now=now, ctx=ctx,
                               settings=ctx.inspections, via=via, event_id=event_id)
    return [revisit.duty_id]
