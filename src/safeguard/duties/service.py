"""One mechanism for every duty: creation from drafts, discharge, breach and escalation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from safeguard.access.models import Role, TeamMember
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.db import table_of
from safeguard.duties.models import (
    BREACHED,
    DISCHARGED,
    DUPLICATE,
    OPEN,
    Duty,
    DutyHolder,
    DutyTransition,
    Notification,
)
from safeguard.errors import Conflict, Forbidden, Invalid, NotFound
from safeguard.rules.catalogue import KINDS, SHARE_KINDS, kind_of
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.kinds import Outcome, Side


def dedupe_key(draft: DutyDraft, event_id: int) -> str:
    """One duty per rule, event, kind, subject and partner: re-running rules adds nothing."""
    return (f"{draft.rule_name}:{event_id}:{draft.kind}:{draft.subject_person_id}:"
            f"{draft.partner_agency_id or '-'}")


@dataclass(frozen=True)
class CreatedDuty:
    """A duty just written, with the draft it came from (intake needs no more of it)."""

    id: int
    draft: DutyDraft
    event_id: int
    parent_duty_id: int | None


# Built once: intake writes duties for every incident, and building a statement costs more
# than running it. sort_by_parameter_order pairs each returned id with its row.
_INSERT_DUTY = insert(table_of(Duty)).returning(table_of(Duty).c.id,
                                                sort_by_parameter_order=True)
_INSERT_TRANSITION = insert(table_of(DutyTransition))


def create_duties(
    session: Session, *, drafts: Sequence[DutyDraft], event_id: int, now: datetime,
    actor: str, parent_duty_id: int | None = None, none_stored: bool = False,
) -> list[CreatedDuty]:
    """Create the drafted duties that do not exist yet (re-running rules adds nothing).

    The duties and their history are written as rows, not objects (nothing reads them back
    here), because an incident raises several at once and intake speed is what keeps shares
    flowing. A caller that knows no stored duty can have these keys (the event was stored by
    this transaction, so its rules have never run) says `none_stored` and the existence check
    is skipped; the unique dedupe key still refuses a duplicate outright.
    """
    keyed = [(dedupe_key(draft, event_id), draft) for draft in drafts]
    if not keyed:
        return []
    # Rows the duties refer to (the event, the child) may still be pending objects.
    session.flush()
    existing: set[str] = set()
    if not none_stored:
        existing.update(session.scalars(select(Duty.dedupe_key).where(
            Duty.dedupe_key.in_([key for key, _ in keyed]))))
    kept: list[DutyDraft] = []
    rows: list[dict[str, Any]] = []
    for key, draft in keyed:
        if key in existing:
            continue
        existing.add(key)  # a rule that drafts the same duty twice still gets one
        kept.append(draft)
        rows.append({
            "kind": draft.kind, "status": OPEN, "owner_agency_id": draft.owner_agency_id,
            "owner_role": draft.owner_role, "partner_agency_id": draft.partner_agency_id,
            "subject_person_id": draft.subject_person_id, "event_id": event_id,
            "parent_duty_id": parent_duty_id, "due_at": draft.due_at, "created_at": now,
            "reason": draft.reason, "rule_name": draft.rule_name,
            "rule_version": draft.rule_version, "dedupe_key": key, "escalation_level": 0,
            "participants": list(draft.participants) or None,
            "evidence": list(draft.evidence) or None,
        })
    if not rows:
        return []
    connection = session.connection()
    ids = connection.execute(_INSERT_DUTY, rows).scalars().all()
    created = [CreatedDuty(duty_id, draft, event_id, parent_duty_id)
               for duty_id, draft in zip(ids, kept, strict=True)]
    connection.execute(_INSERT_TRANSITION, [
        {"duty_id": duty.id, "at": now, "action": "created", "from_status": None,
         "to_status": OPEN, "actor": actor, "note": duty.draft.reason} for duty in created])
    return created


def open_strategy_discussion(session: Session, *, person_id: int) -> int | None:
    """The child's undischarged strategy discussion (at most one: a unique index), locked on
    PostgreSQL so that evidence added to it by two transactions is not lost."""
    return session.scalar(select(Duty.id).where(
        Duty.subject_person_id == person_id, Duty.kind == STRATEGY_DISCUSSION.name,
        Duty.status != DISCHARGED).with_for_update())


def add_evidence(session: Session, *, duty_id: int, lines: Sequence[str], now: datetime,
                 actor: str) -> list[str] | None:
    """Add facts to an undischarged duty's evidence (a further concern about a child whose
    strategy discussion is open) and to its history; returns the lines that were new, or
    None if the duty has been discharged meanwhile (nothing is added to it then)."""
    duty = session.scalars(select(Duty).where(Duty.id == duty_id).with_for_update()
                           .execution_options(populate_existing=True)).one()
    if duty.status == DISCHARGED:
        return None
    known = list(duty.evidence or [])
    new = [line for line in dict.fromkeys(lines) if line not in known]
    if not new:
        return []
    duty.evidence = known + new  # a new list: the JSON column sees the change
    session.add(DutyTransition(duty_id=duty.id, at=now, action="evidence_added",
                               from_status=duty.status, to_status=duty.status, actor=actor,
                               note=" ".join(new)))
    session.flush()
    return new


@dataclass(frozen=True)
class DischargeChoice:
    """How a principal may discharge a duty: as which side, with which outcomes, and whether
    one of them must be chosen (a side that discharges only by recording an outcome)."""

    side: Side
    outcomes: tuple[Outcome, ...]
    outcome_required: bool


def _sides(principal: Principal, duty: Duty) -> list[Side]:
    sides = []
    if principal.agency_id == duty.owner_agency_id and (
            duty.owner_role is None or principal.has_role(duty.owner_role)):
        sides.append(Side.OWNER)
    if duty.partner_agency_id is not None and principal.agency_id == duty.partner_agency_id:
        sides.append(Side.PARTNER)
    return sides


def discharge_choice(principal: Principal, duty: Duty) -> DischargeChoice | None:
    """None when the principal may not discharge the duty at all."""
    kind = kind_of(duty.kind)
    for side in _sides(principal, duty):
        outcomes = kind.outcomes_for(side)
        if side is kind.discharged_by:
            return DischargeChoice(side, outcomes, outcome_required=bool(outcomes))
        if outcomes:  # the other side acts only by recording one of its outcomes
            return DischargeChoice(side, outcomes, outcome_required=True)
    return None


def record_discharge(
    session: Session, *, duty_id: int, principal: Principal, now: datetime,
    outcome: str | None = None, note: str | None = None,
) -> Duty:
    """Discharge a duty the principal may discharge, with an outcome its side may record.

    Only the duty's own state and history change here; `casework.service.discharge` is the
    one entry point, which also acknowledges a share and raises what discharging triggers.
    """
    duty = session.get(Duty, duty_id)
    if duty is None or not may_see(principal, duty):
        raise NotFound(f"duty {duty_id} not found")
    kind = kind_of(duty.kind)
    choice = discharge_choice(principal, duty)
    if choice is None:
        side = kind.discharged_by
        who = duty.partner_agency_id if side is Side.PARTNER else duty.owner_agency_id
        role = f" ({duty.owner_role})" if duty.owner_role and side is Side.OWNER else ""
        raise Forbidden(f"only {who}{role} may discharge duty {duty_id}")
    if duty.status == DISCHARGED:
        raise Conflict(f"duty {duty_id} was already discharged at {duty.discharged_at}")
    names = [o.name for o in choice.outcomes]
    if outcome is None and choice.outcome_required:
        raise Invalid(f"outcome must be one of {', '.join(names)}")
    if outcome is not None and outcome not in names:
        raise Invalid(f"outcome must be one of {', '.join(names)}" if names
                      else f"a {kind.title.lower()} takes no outcome")
    previous = duty.status
    duty.status, duty.discharged_at, duty.discharged_by = DISCHARGED, now, principal.actor
    duty.outcome, duty.discharge_note = outcome, note
    session.add(DutyTransition(duty_id=duty.id, at=now, action="discharged",
                               from_status=previous, to_status=DISCHARGED,
                               actor=principal.actor, note=note))
    session.flush()
    return duty


def close_as_duplicate(session: Session, *, duty: Duty, of: Duty, now: datetime, actor: str,
                       why: str) -> None:
    """Close an undischarged duty that repeats another (two records of one child merged):
    discharged with the outcome "duplicate", its history saying which duty it repeats and why,
    never deleted."""
    previous = duty.status
    duty.status, duty.discharged_at, duty.discharged_by = DISCHARGED, now, actor
    duty.outcome = DUPLICATE
    duty.discharge_note = f"Duplicate of duty {of.id}: {why}"
    session.add(DutyTransition(duty_id=duty.id, at=now, action="closed_as_duplicate",
                               from_status=previous, to_status=DISCHARGED, actor=actor,
                               note=duty.discharge_note))


def _is_share(duty: Duty) -> bool:
    return KINDS[duty.kind].is_share and duty.partner_agency_id is not None


def _escalation_agencies(duty: Duty) -> list[str]:
    """A share stalls between two agencies, so both sides' managers hear of it (and so do
    they of a kind that declares its breach the partner's concern too)."""
    both = _is_share(duty) or (KINDS[duty.kind].escalates_to_partner
                               and duty.partner_agency_id is not None)
    if both and duty.partner_agency_id != duty.owner_agency_id:
        return [duty.owner_agency_id, str(duty.partner_agency_id)]
    return [duty.owner_agency_id]


def _claimable(query: Select[Duty], session: Session) -> Select[Duty]:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def mark_breaches(session: Session, *, now: datetime, batch: int = 500,
                  only: Sequence[int] | None = None) -> list[Duty]:
    """Mark open duties past due as breached and escalate each to its team's supervisor
    (a share: the supervisors of both the sending and the receiving agency). Level 1.
    ``only``: these duties alone (the demo's history breaches one at its own time).

    Each row is claimed with a conditional update, so two workers never breach or escalate
    the same duty twice; on PostgreSQL, SKIP LOCKED keeps them off each other's rows.
    """
    due = select(Duty).where(Duty.status == OPEN, Duty.due_at < now)
    if only is not None:
        due = due.where(Duty.id.in_(only))
    query = _claimable(due.order_by(Duty.due_at).limit(batch), session)
    breached = []
    for duty in session.scalars(query).all():
        agencies = _escalation_agencies(duty)
        to = " and ".join(f"{agency} supervisor" for agency in agencies)
        claimed = session.execute(
            update(Duty).where(Duty.id == duty.id, Duty.status == OPEN)
            .values(status=BREACHED, breached_at=now, escalated_at=now, escalated_to=to,
                    escalation_level=1)
            .execution_options(synchronize_session="fetch")
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        title = KINDS[duty.kind].title
        session.add(DutyTransition(duty_id=duty.id, at=now, action="breached",
                                   from_status=OPEN, to_status=BREACHED, actor="system:worker",
                                   note=f"not discharged by {duty.due_at.isoformat()}"))
        session.add(DutyTransition(duty_id=duty.id, at=now, action="escalated",
                                   from_status=BREACHED, to_status=BREACHED,
                                   actor="system:worker", note=f"escalated to {to}"))
        for agency in agencies:
            session.add(Notification(
                created_at=now, agency_id=agency, role="supervisor", duty_id=duty.id,
                kind="escalation",
                message=f"Duty {duty.id} ({title}) was due {duty.due_at.isoformat()} and is "
                        "breached.",
            ))
        breached.append(duty)
    session.flush()
    return breached


SECOND_LEVEL_ROLE = Role.SENIOR_MANAGER


def escalate_second_level(session: Session, *, now: datetime, after_hours: float,
                          batch: int = 500) -> list[Duty]:
    """Shares still unacknowledged `after_hours` (config: sharing.second_level_hours) after
    their breach escalate again, to the senior managers of both agencies. Level 2.

    Claimed like mark_breaches: a conditional update on the escalation level (and SKIP LOCKED
    on PostgreSQL), so each duty reaches level 2 exactly once however many workers run.
    """
    hours = after_hours
    share_kinds = list(SHARE_KINDS)
    query = _claimable(
        select(Duty).where(Duty.status == BREACHED, Duty.escalation_level == 1,
                           Duty.kind.in_(share_kinds), Duty.partner_agency_id.is_not(None),
                           Duty.breached_at <= now - timedelta(hours=hours))
        .order_by(Duty.breached_at, Duty.id).limit(batch), session)
    escalated = []
    for duty in session.scalars(query).all():
        agencies = _escalation_agencies(duty)
        to = " and ".join(f"{agency} {SECOND_LEVEL_ROLE.replace('_', ' ')}"
                          for agency in agencies)
        claimed = session.execute(
            update(Duty).where(Duty.id == duty.id, Duty.status == BREACHED,
                               Duty.escalation_level == 1)
            .values(escalation_level=2, escalated_at=now, escalated_to=to)
            .execution_options(synchronize_session="fetch"))
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        title = KINDS[duty.kind].title
        session.add(DutyTransition(duty_id=duty.id, at=now, action="escalated",
                                   from_status=BREACHED, to_status=BREACHED,
                                   actor="system:worker",
                                   note=f"second-level escalation to {to}: still not "
                                        f"acknowledged {hours:g} hours after the breach"))
        for agency in agencies:
            session.add(Notification(
                created_at=now, agency_id=agency, role=SECOND_LEVEL_ROLE, duty_id=duty.id,
                kind="escalation",
                message=f"Duty {duty.id} ({title}) was due {duty.due_at.isoformat()} and is "
                        f"still not acknowledged {hours:g} hours after its breach.",
            ))
        escalated.append(duty)
    session.flush()
    return escalated


# Roles whose duties nobody else at the owning agency sees: the register of sex offenders is
# the police public protection unit's alone (a share of it still reaches its partner).
SIGHT_ROLES = (Role.PUBLIC_PROTECTION.value,)


def _hidden_by_role(principal: Principal, duty: Duty) -> bool:
    return (duty.owner_role in SIGHT_ROLES and principal.agency_id == duty.owner_agency_id
            and not principal.has_role(duty.owner_role))


def may_see(principal: Principal, duty: Duty) -> bool:
    if _hidden_by_role(principal, duty):
        return False
    return principal.agency_id in (duty.owner_agency_id, duty.partner_agency_id) or \
        principal.agency_id in (duty.participants or [])


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """SQL: the duties `principal` may see (may_see): its agency takes part, and no role the
    principal lacks keeps the duty within its owning agency."""
    hidden = [role for role in SIGHT_ROLES if not principal.has_role(role)]
    if not hidden:
        return takes_part(principal.agency_id)
    return and_(takes_part(principal.agency_id), or_(
        Duty.owner_role.is_(None), Duty.owner_role.not_in(hidden),
        Duty.owner_agency_id != principal.agency_id))


def takes_part(agency_id: str) -> ColumnElement[bool]:
    """SQL: the agency owns, is partner in or participates in (a strategy discussion) Duty.

    Participants are a JSON list; matching its text works the same on SQLite and PostgreSQL.
    """
    return or_(Duty.owner_agency_id == agency_id, Duty.partner_agency_id == agency_id,
               cast(Duty.participants, String).like(f'%"{agency_id}"%'))


def get_duty(session: Session, *, duty_id: int, principal: Principal) -> Duty:
    duty = session.get(Duty, duty_id)
    if duty is None or not may_see(principal, duty):
        raise NotFound(f"duty {duty_id} not found")
    return duty


def view_duty(session: Session, *, duty_id: int, principal: Principal, why: str) -> Duty:
    """A duty the principal may see, its reading audited (a duty's reason names the child)."""
    duty = get_duty(session, duty_id=duty_id, principal=principal)
    audit(session, principal=principal, action="read", entity="duty", entity_id=duty.id,
          person_id=duty.subject_person_id, why=why)
    return duty


@dataclass(frozen=True)
class DutyFilter:
    status: str | None = None  # open | breached | discharged | undischarged | None (all)
    kind: str | None = None
    agency: str | None = None  # restricts to duties this agency owns or is partner in
    overdue: bool = False
    person_id: int | None = None
    # Who holds it: "me" (the user `held_for`), "teams" (a team of theirs), "nobody".
    held: str | None = None
    held_for: int | None = None


def _held(f: DutyFilter) -> ColumnElement[bool]:
    if f.held == "nobody":
        return ~exists().where(DutyHolder.duty_id == Duty.id)
    if f.held_for is None:
        raise Invalid("a duty's holder is asked of a signed-in person")
    holder = DutyHolder.user_id == f.held_for if f.held == "me" else DutyHolder.team_id.in_(
        select(TeamMember.team_id).where(TeamMember.user_id == f.held_for))
    return exists().where(DutyHolder.duty_id == Duty.id, holder)


def _filtered(query: Select[Duty], f: DutyFilter, now: datetime) -> Select[Duty]:
    if f.status == "undischarged":
        query = query.where(Duty.status.in_((OPEN, BREACHED)))
    elif f.status:
        query = query.where(Duty.status == f.status)
    if f.kind:
        query = query.where(Duty.kind == f.kind)
    if f.agency:
        query = query.where(takes_part(f.agency))
    if f.overdue:
        query = query.where(Duty.status.in_((OPEN, BREACHED)), Duty.due_at < now)
    if f.person_id is not None:
        query = query.where(Duty.subject_person_id == f.person_id)
    if f.held:
        query = query.where(_held(f))
    return query


def list_duties(
    session: Session, *, principal: Principal | None, filters: DutyFilter, now: datetime,
    why: str | None, limit: int = 100, offset: int = 0,
) -> tuple[list[Duty], int]:
    """Duties by due time. A principal sees only duties its agency owns, is partner or takes
    part in; their reading is audited with `why` (None only where no duty is shown, as for a
    count)."""
    query = select(Duty)
    if principal is not None:
        query = query.where(visible_to(principal))
    query = _filtered(query, filters, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Duty.due_at, Duty.id).limit(limit)
                                .offset(offset)))
    if principal is not None and why is not None:
        record_many(session, principal=principal, action="read", entity="person",
                    person_ids=sorted({d.subject_person_id for d in rows
                                       if d.subject_person_id is not None}), why=why)
    return rows, total


def transitions(session: Session, *, duty_id: int) -> list[DutyTransition]:
    return list(session.scalars(
        select(DutyTransition).where(DutyTransition.duty_id == duty_id)
        .order_by(DutyTransition.at, DutyTransition.id)))


def notifications_for(session: Session, *, principal: Principal, unread_only: bool = False,
                      limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.agency_id == principal.agency_id,
                                       Notification.role.in_(sorted(principal.roles)))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.created_at.desc()).limit(limit)))


def mark_notifications_seen(session: Session, *, principal: Principal, ids: Sequence[int],
                            now: datetime) -> int:
    """A supervisor has seen these escalations; they leave every supervisor's banner.

    Only notifications addressed to the principal's agency and roles can be marked.
    """
    if not ids:
        return 0
    result = session.execute(
        update(Notification)
        .where(Notification.id.in_(list(ids)), Notification.read_at.is_(None),
               Notification.agency_id == principal.agency_id,
               Notification.role.in_(sorted(principal.roles)))
        .values(read_at=now).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
