"""What the public protection unit reads: the caseload board and one offender's page. Each
names offenders (and children), so each read is refused outside the unit and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.duties.models import Duty
from safeguard.errors import NotFound
from safeguard.offenders.access import require_unit
from safeguard.offenders.capacity import active
from safeguard.offenders.models import (
    OffenderAssessment,
    OffenderChild,
    OffenderNotification,
    OffenderRegistration,
    OffenderVisit,
)
from safeguard.people.models import Address, Person
from safeguard.people.service import address_label, person_name

BOARD_LIMIT = 200


@dataclass(frozen=True)
class BoardRow:
    registration_id: int
    reference: str
    name: str
    risk: str
    mappa: str
    manager: str
    next_visit_due: datetime | None
    next_notification_due: datetime | None
    overdue: bool


def board(session: Session, *, principal: Principal, now: datetime, manager: str | None,
          overdue_only: bool = False) -> tuple[list[BoardRow], int]:
    """Offenders on the register (one manager's, or all), the visit due soonest first."""
    require_unit(principal)
    reg = OffenderRegistration
    query = select(reg, Person).join(Person, Person.id == reg.person_id).where(active(now))
    if manager:
        query = query.where(reg.offender_manager == manager)
    if overdue_only:
        query = query.where(or_(reg.next_visit_due < now, reg.next_notification_due < now))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(reg.next_visit_due.is_(None), reg.next_visit_due,
                                          reg.id).limit(BOARD_LIMIT)).all()
    found = [BoardRow(
        registration_id=r.id, reference=r.reference, name=person_name(p), risk=r.risk,
        mappa=f"{r.mappa_category} / {r.mappa_level}", manager=r.offender_manager,
        next_visit_due=r.next_visit_due, next_notification_due=r.next_notification_due,
        overdue=any(d is not None and d < now for d in (r.next_visit_due,
                                                        r.next_notification_due)))
        for r, p in rows]
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({r.person_id for r, _ in rows}),
                why="offender caseload board" + (f" ({manager})" if manager else ""))
    return found, total


@dataclass(frozen=True)
class LinkedChildRow:
    person_id: int
    name: str
    found_at: datetime
    found_from: str
    share_duty_id: int | None


@dataclass(frozen=True)
class OffenderPage:
    registration: OffenderRegistration
    name: str
    address: str | None
    assessments: list[OffenderAssessment]
    visits: list[OffenderVisit]
    notifications: list[OffenderNotification]
    children: list[LinkedChildRow]
    duties: list[Duty]


def offender_page(session: Session, *, principal: Principal, registration_id: int
                  ) -> OffenderPage:
    require_unit(principal)
    reg = session.get(OffenderRegistration, registration_id)
    if reg is None:
        raise NotFound(f"registration {registration_id} not found")
    person = session.get_one(Person, reg.person_id)
    address = session.get(Address, reg.address_id) if reg.address_id is not None else None

    children = [LinkedChildRow(link.person_id, person_name(child), link.found_at,
                               link.found_from, link.share_duty_id)
                for link, child in session.execute(
                    select(OffenderChild, Person).join(Person, Person.id == OffenderChild.person_id)
                    .where(OffenderChild.registration_id == reg.id)
                    .order_by(OffenderChild.found_at))]
    duty_ids = select(OffenderChild.share_duty_id).where(OffenderChild.registration_id == reg.id)
    duties = list(session.scalars(select(Duty).where(
        or_(Duty.subject_person_id == reg.person_id, Duty.id.in_(duty_ids)),
        Duty.kind.like("offender%")).order_by(Duty.due_at.desc(), Duty.id.desc())))
    audit(session, principal=principal, action="read", entity="offender_registration",
          entity_id=reg.id, person_id=reg.person_id, why="offender page")
    if children:
        record_many(session, principal=principal, action="read", entity="person",
                    person_ids=sorted({c.person_id for c in children}),
                    why=f"children linked to registered offender {reg.reference}")
    return OffenderPage(
        registration=reg, name=person_name(person),
        address=address_label(address) if address else None,
        assessments=list(session.scalars(select(OffenderAssessment).where(
            OffenderAssessment.registration_id == reg.id).order_by(OffenderAssessment.at))),
        visits=list(session.scalars(select(OffenderVisit).where(
            OffenderVisit.registration_id == reg.id).order_by(OffenderVisit.visited_at))),
        notifications=list(session.scalars(select(OffenderNotification).where(
            OffenderNotification.registration_id == reg.id)
            .order_by(OffenderNotification.notified_at))),
        children=children, duties=duties)


def managers(session: Session, *, now: datetime) -> list[str]:
    reg = OffenderRegistration
    return list(session.scalars(select(reg.offender_manager).where(active(now))
                                .distinct().order_by(reg.offender_manager)))
