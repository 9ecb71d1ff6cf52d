"""Duties as the JSON API and `safeguard duties --json` show them: each agency id and actor
with its name beside it (access/names.py), the id kept for the clients that read it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.names import Names
from safeguard.duties.models import BREACHED, OPEN, Duty
from safeguard.events.models import Event
from safeguard.rules.catalogue import KINDS


class DutyOut(BaseModel):
    id: int
    kind: str
    title: str
    status: str
    overdue: bool
    owner_agency: str
    owner_agency_name: str
    owner_role: str | None
    partner_agency: str | None
    partner_agency_name: str | None
    subject_person_id: int | None
    event_source_id: str
    due_at: datetime
    created_at: datetime
    breached_at: datetime | None
    escalated_at: datetime | None
    escalated_to: str | None
    discharged_at: datetime | None
    discharged_by: str | None
    discharged_by_name: str | None
    outcome: str | None
    reason: str
    rule: str


class DischargeIn(BaseModel):
    outcome: str | None = None
    note: str | None = None


def duties_out(session: Session, duties: Sequence[Duty], *, now: datetime) -> list[DutyOut]:
    event_ids = {duty.event_id for duty in duties}
    rows = session.execute(select(Event.id, Event.source_id).where(Event.id.in_(event_ids)))
    sources = {event_id: source_id for event_id, source_id in rows}
    names = Names(session)
    return [
        DutyOut(
            id=duty.id, kind=duty.kind, title=KINDS[duty.kind].title, status=duty.status,
            overdue=duty.status in (OPEN, BREACHED) and duty.due_at < now,
            owner_agency=duty.owner_agency_id, owner_agency_name=names.agency(duty.owner_agency_id),
            owner_role=duty.owner_role, partner_agency=duty.partner_agency_id,
            partner_agency_name=names.agency(duty.partner_agency_id) or None,
            subject_person_id=duty.subject_person_id,
            event_source_id=sources.get(duty.event_id, ""), due_at=duty.due_at,
            created_at=duty.created_at, breached_at=duty.breached_at,
            escalated_at=duty.escalated_at, escalated_to=duty.escalated_to,
            discharged_at=duty.discharged_at, discharged_by=duty.discharged_by,
            discharged_by_name=names.actor(duty.discharged_by) or None,
            outcome=duty.outcome, reason=duty.reason,
            rule=f"{duty.rule_name} v{duty.rule_version}",
        )
        for duty in duties
    ]


class OutcomeOut(BaseModel):
    name: str
    words: str
    recorded_by: str


class ShareFieldOut(BaseModel):
    key: str
    label: str


class DutyKindOut(BaseModel):
    name: str
    title: str
    summary: str
    owner_agency: str
    owner_role: str | None
    partner_agency: str | None
    participants: list[str]
    clock: str
    discharged_by: str
    action: str
    outcomes: list[OutcomeOut]
    share_purpose: str | None
    share_fields: list[ShareFieldOut]
    data_quality: bool


def kinds_out() -> list[DutyKindOut]:
    return [DutyKindOut(
        name=k.name, title=k.title, summary=k.summary, owner_agency=k.owner.value,
        owner_role=k.owner_role.value if k.owner_role else None,
        partner_agency=k.partner.value if k.partner else None,
        participants=[a.value for a in k.participants], clock=k.clock,
        discharged_by=k.discharged_by.value, action=k.action,
        outcomes=[OutcomeOut(name=o.name, words=o.words, recorded_by=o.recorded_by.value)
                  for o in k.outcomes],
        share_purpose=k.share.purpose if k.share else None,
        share_fields=[ShareFieldOut(key=f.key, label=f.label)
                      for f in (k.share.fields if k.share else ())],
        data_quality=k.data_quality) for k in KINDS.values()]
