"""Refused requests leave a trace: a 403 or 404 for want of access is an audit entry.

The refused request's own transaction is rolled back with its error, so the entry is written
by the error handler in a transaction of its own (web.errors.audit_refusal). What was asked
for is read from the route's path parameters; the entry names the person concerned where
there is one, so a child's access history shows who tried and failed to see them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record, record_many
from safeguard.concerns.models import Concern
from safeguard.duties.models import Duty
from safeguard.incidents.models import IncidentPerson
from safeguard.people.models import Person
from safeguard.sharing.models import Share

REFUSED = "refused"
# Path parameter -> the audit trail's word for what it names.
ENTITIES = {
    "person_id": "person", "duty_id": "duty", "incident_id": "incident", "share_id": "share",
    "concern_id": "concern", "review_id": "match_review", "merge_id": "merge",
    "delivery_id": "delivery",
}
_MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing


def _people_concerned(session: Session, entity: str, entity_id: str) -> list[int]:
    try:
        key = int(entity_id)
    except ValueError:
        return []
    if not 0 < key <= _MAX_ID:
        return []
    query = {
        "person": select(Person.id).where(Person.id == key),
        "duty": select(Duty.subject_person_id).where(Duty.id == key),
        "share": select(Share.subject_person_id).where(Share.id == key),
        "concern": select(Concern.person_id).where(Concern.id == key),
        "incident": select(IncidentPerson.person_id).where(IncidentPerson.incident_id == key)
                    .order_by(IncidentPerson.id),
    }.get(entity)
    if query is None:
        return []
    return sorted({pid for pid in session.scalars(query) if pid is not None})


def record_refusal(session: Session, *, principal: Principal, route: str,
                   path_params: Mapping[str, object], reason: str) -> None:
    """One `refused` entry per person concerned (or one naming none): who, agency, when,
    what they asked for and why it was refused."""
    entity, entity_id = "route", route
    for param, word in ENTITIES.items():
        if param in path_params:
            entity, entity_id = word, str(path_params[param])
            break
    entity_id = entity_id[:64]  # the column's length; the whole route is in `why`
    why = f"refused {route}: {reason}"
    people = _people_concerned(session, entity, entity_id)
    if people:
        record_many(session, principal=principal, action=REFUSED, entity=entity,
                    person_ids=people, entity_id=entity_id, why=why)
    else:
        record(session, principal=principal, action=REFUSED, entity=entity,
               entity_id=entity_id, why=why)
