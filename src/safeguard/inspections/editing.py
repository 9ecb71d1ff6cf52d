"""Correcting what was recorded of an inspection: its details, a finding, an action.

A senior manager's, like recording (inspections.service.require_recorder); each change is
audited with what it changed. A date that sets a duty's clock (publication for the plan, an
action's due date) moves that duty's deadline while it is open, with the change in the duty's
history; a breached or discharged duty keeps its own, since the worker has already acted on
it. An action's owning agency is not edited: its duty is that agency's (withdraw the action
and add another).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.duties.models import OPEN, Duty, DutyTransition
from safeguard.errors import InvalidField
from safeguard.inspections.models import Action, Finding, Inspection
from safeguard.inspections.service import check_finding, require_recorder
from safeguard.rules.context import RuleContext
from safeguard.rules.inspections import end_of, plan_due

DUE_CHANGED = "due_changed"


def _changes(row: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; name the fields changed (never their content)."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _move_due(session: Session, *, duty_id: int | None, due: datetime, now: datetime,
              actor: str, why: str) -> None:
    duty = session.get(Duty, duty_id) if duty_id is not None else None
    if duty is None or duty.status != OPEN or duty.due_at == due:
        return
    previous = duty.due_at
    duty.due_at = due
    session.add(DutyTransition(
        duty_id=duty.id, at=now, action=DUE_CHANGED, from_status=duty.status,
        to_status=duty.status, actor=actor,
        note=f"{why}. Due {previous.isoformat()} now {due.isoformat()}."))


def _audit(session: Session, *, principal: Principal, entity: str, entity_id: int,
           changed: list[str]) -> None:
    if changed:
        audit(session, principal=principal, action="write", entity=entity,
              entity_id=entity_id, why=f"edited: {', '.join(changed)}")


def edit_inspection(session: Session, *, principal: Principal, inspection: Inspection,
                    inspectorate: str, title: str, started_on: date, ended_on: date,
                    published_on: date, report_url: str | None, now: datetime,
                    ctx: RuleContext) -> list[str]:
    """Returns the fields changed."""
    require_recorder(principal)
    if ended_on < started_on:
        raise InvalidField("ended_on", "the inspection must end on or after its first day")
    if report_url and not report_url.lower().startswith(("https://", "http://")):
        raise InvalidField("report_url", "must be a web address starting https://")
    for name, value in (("inspectorate", inspectorate), ("title", title)):
        if not value.strip():
            raise InvalidField(name, f"enter the {name}")
    changed = _changes(inspection, {
        "inspectorate": inspectorate.strip(), "title": title.strip(), "started_on": started_on,
        "ended_on": ended_on, "published_on": published_on, "report_url": report_url or None})
    if "published_on" in changed:
        _move_due(session, duty_id=inspection.plan_duty_id,
                  due=end_of(plan_due(published_on, ctx.inspections)), now=now,
                  actor=principal.actor, why="the inspection's publication date corrected")
    _audit(session, principal=principal, entity="inspection", entity_id=inspection.id,
           changed=changed)
    return changed


def edit_finding(session: Session, *, principal: Principal, finding: Finding, kind: str,
                 text: str, measures: Sequence[str]) -> list[str]:
    require_recorder(principal)
    check_finding(kind=kind, text=text, measures=measures)
    changed = _changes(finding, {"kind": kind, "text": text.strip(),
                                 "measures": sorted(set(measures))})
    _audit(session, principal=principal, entity="inspection_finding", entity_id=finding.id,
           changed=changed)
    return changed


def edit_action(session: Session, *, principal: Principal, action: Action, text: str,
                owner_name: str, due_on: date, finding_id: int | None, now: datetime
                ) -> list[str]:
    require_recorder(principal)
    if not text.strip():
        raise InvalidField("text", "enter what is to be done")
    if not owner_name.strip():
        raise InvalidField("owner_name", "name the action's owner")
    finding = session.get(Finding, finding_id) if finding_id is not None else None
    if finding_id is not None and (finding is None
                                   or finding.inspection_id != action.inspection_id):
        raise InvalidField("finding", "the inspection has no such finding")
    changed = _changes(action, {"text": text.strip(), "owner_name": owner_name.strip(),
                                "due_on": due_on, "finding_id": finding_id})
    if "due_on" in changed:
        _move_due(session, duty_id=action.duty_id, due=end_of(due_on), now=now,
                  actor=principal.actor, why="the action's due date changed")
    _audit(session, principal=principal, entity="inspection_action", entity_id=action.id,
           changed=changed)
    return changed
