"""Writing the audit trail. Every read or write of a person's data calls :func:`record`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry


def record(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    why: str,
    person_id: int | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=principal.actor,
            agency_id=principal.agency_id or None,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            person_id=person_id,
            why=why,
        )
    )


def record_many(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: str,
    person_ids: Sequence[int],
    why: str,
    entity_id: object | None = None,
) -> None:
    """One entry per person, e.g. when a list page shows several children or an incident
    names several people; the entity is each person unless `entity_id` names one.

    The entries go in one statement, not one per person: intake writes them on every event.
    """
    if not person_ids:
        return
    session.execute(insert(AuditEntry), [
        {"actor": principal.actor, "agency_id": principal.agency_id or None, "action": action,
         "entity": entity, "entity_id": str(person_id if entity_id is None else entity_id),
         "person_id": person_id, "why": why}
        for person_id in person_ids])


def entries_for_person(session: Session, *, person_id: int, limit: int = 200) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.person_id == person_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
