"""What the custody board and the detention page read: children in custody now, their clocks.

Seen by the police (the custody suite) and children's social care (the council's
out-of-hours team); each read is audited. Adults are never on the board, and the council
never sees an adult's detention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.custody.models import Detention, DetentionStep
from safeguard.custody.service import detention_duty_ids
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.errors import Forbidden, NotFound
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.rules.custody import AFTER_CHARGE_MIDNIGHT, CUSTODY_KINDS, TRANSFER_REQUEST

# The custody suite and the council's out-of-hours team.
BOARD_AGENCIES = (AgencyKind.POLICE.value, AgencyKind.CHILDRENS_SOCIAL_CARE.value)
STAGES = (("", "Any stage"), ("not_charged", "Not charged"), ("charged", "Charged"),
          ("bail_refused", "Bail refused"))


def may_use_board(principal: Principal) -> bool:
    return principal.agency_kind in BOARD_AGENCIES


def require_board(principal: Principal) -> None:
    if not may_use_board(principal):
        raise Forbidden("the custody board is for the police and children's social care")


@dataclass(frozen=True)
class BoardRow:
    detention: Detention
    child: str
    hours_detained: float
    hours_since_charge: float | None
    stage: str
    next_duty: Duty | None
    overdue: bool


def _stage(detention: Detention) -> str:
    if detention.transfer_requested_at:
        return "Transfer requested"
    if detention.bail_refused_at:
        return "Bail refused"
    if detention.charged_at:
        return "Charged"
    return "Not charged"


def suites(session: Session) -> list[str]:
    return list(session.scalars(select(Detention.custody_suite).distinct()
                                .where(Detention.child.is_(True))
                                .order_by(Detention.custody_suite)))


def board(session: Session, *, principal: Principal, now: datetime, suite: str = "",
          stage: str = "", overdue_only: bool = False) -> list[BoardRow]:
    """Children in custody now, longest held first, each with what is due next."""
    require_board(principal)
    query = select(Detention, Person).join(Person, Person.id == Detention.person_id).where(
        Detention.child.is_(True), Detention.ended_at.is_(None),
        Detention.authorised_at <= now)
    if suite:
        query = query.where(Detention.custody_suite == suite)
    if stage == "not_charged":
        query = query.where(Detention.charged_at.is_(None))
    elif stage == "charged":
        query = query.where(Detention.charged_at.is_not(None),
                            Detention.bail_refused_at.is_(None))
    elif stage == "bail_refused":
        query = query.where(Detention.bail_refused_at.is_not(None))
    found = session.execute(query.order_by(Detention.authorised_at, Detention.id)).all()
    person_ids = sorted({person.id for _, person in found})
    open_duties = session.scalars(select(Duty).where(
        Duty.subject_person_id.in_(person_ids), Duty.kind.in_(CUSTODY_KINDS),
        Duty.status != DISCHARGED).order_by(Duty.due_at, Duty.id)).all() if person_ids else []
    by_person: dict[int | None, list[Duty]] = {}
    for duty in open_duties:  # by due time, so each child's first is what is due next
        by_person.setdefault(duty.subject_person_id, []).append(duty)
    rows = []
    for detention, person in found:
        # This detention's, not an earlier one's (a child detained before).
        since = detention.arrived_at - timedelta(minutes=1)
        upcoming = next((d for d in by_person.get(person.id, []) if d.created_at >= since),
                        None)
        overdue = upcoming is not None and upcoming.due_at < now
        if overdue_only and not overdue:
            continue
        rows.append(BoardRow(
            detention=detention, child=person_name(person),
            hours_detained=(now - detention.authorised_at) / timedelta(hours=1),
            hours_since_charge=(now - detention.charged_at) / timedelta(hours=1)
            if detention.charged_at else None,
            stage=_stage(detention), next_duty=upcoming, overdue=overdue))
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({row.detention.person_id for row in rows}),
                why="listed on the custody board")
    return rows


@dataclass(frozen=True)
class DetentionView:
    detention: Detention
    child: str
    steps: list[DetentionStep]
    duties: list[Duty]
    certificate: DetentionStep | None


def view_detention(session: Session, *, principal: Principal, detention_id: int
                   ) -> DetentionView:
    """One detention with its steps and duties, the reading audited. The council sees a
    child's detention only."""
    require_board(principal)
    detention = session.get(Detention, detention_id)
    if detention is None or (not detention.child
                             and principal.agency_kind != AgencyKind.POLICE.value):
        raise NotFound(f"detention {detention_id} not found")
    person = session.get_one(Person, detention.person_id)
    steps = list(session.scalars(select(DetentionStep).where(
        DetentionStep.detention_id == detention.id).order_by(DetentionStep.at,
                                                             DetentionStep.id)))
    duties = list(session.scalars(select(Duty).where(
        Duty.id.in_(detention_duty_ids(session, detention=detention)))
        .order_by(Duty.due_at, Duty.id)))
    audit(session, principal=principal, action="read", entity="custody_detention",
          entity_id=detention.id, person_id=detention.person_id, why="viewed the detention")
    certificate = next((s for s in reversed(steps) if s.step == "certificate"), None)
    return DetentionView(detention, person_name(person), steps, duties, certificate)


def detentions_of(session: Session, *, person_id: int) -> list[Detention]:
    """A child's detentions, for their chronology."""
    return list(session.scalars(select(Detention).where(
        Detention.person_id == person_id, Detention.child.is_(True))
        .order_by(Detention.arrived_at)))


@dataclass(frozen=True)
class Figures:
    """What an inspector counts of children in custody over a period."""

    since: datetime
    detained: int
    charged: int
    refused_bail: int
    transferred: int
    certificates: int
    held_at_midnight: int
    requests_in_time: int
    requests: int


def figures(session: Session, *, since: datetime, until: datetime) -> Figures:
    """Children detained between the two times: how many were charged, refused bail, moved
    to local authority accommodation or kept on a certificate, still held at midnight after
    charge (their midnight duty breached), and asked for accommodation in time."""
    window = (Detention.child.is_(True), Detention.arrived_at >= since,
              Detention.arrived_at < until)
    detained = select(Detention.id).where(*window)

    def count(*where: Any) -> int:
        return session.scalar(select(func.count()).select_from(Detention).where(
            *window, *where)) or 0

    def steps(step: str) -> int:
        return session.scalar(select(func.count(func.distinct(DetentionStep.detention_id)))
                              .where(DetentionStep.step == step,
                                     DetentionStep.detention_id.in_(detained))) or 0

    events = select(Detention.event_id).where(*window).union(
        select(DetentionStep.event_id).where(DetentionStep.detention_id.in_(detained)))
    duties = select(Duty.kind, Duty.breached_at, Duty.discharged_at, Duty.due_at).where(
        Duty.event_id.in_(events), Duty.kind.in_((AFTER_CHARGE_MIDNIGHT.name,
                                                  TRANSFER_REQUEST.name)))
    rows = session.execute(duties).all()
    asks = [row for row in rows if row.kind == TRANSFER_REQUEST.name]
    return Figures(
        since=since, detained=count(), charged=count(Detention.charged_at.is_not(None)),
        refused_bail=count(Detention.bail_refused_at.is_not(None)),
        transferred=steps("transferred"), certificates=steps("certificate"),
        held_at_midnight=sum(1 for row in rows if row.kind == AFTER_CHARGE_MIDNIGHT.name
                             and row.breached_at is not None),
        requests_in_time=sum(1 for row in asks if row.discharged_at is not None
                             and row.discharged_at <= row.due_at),
        requests=len(asks))
