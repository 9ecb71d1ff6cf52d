"""The child a concern form is opened for: who they are and where agencies record them,
if the user may see them (the children area's rule). Reading the child is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.children.service import may_see_person
from safeguard.errors import NotFound
from safeguard.people.models import Person, PersonIdentifier
from safeguard.people.service import KnownAddress, known_addresses, person_name


@dataclass(frozen=True)
class KnownChild:
    person: Person
    name: str
    ids: dict[str, str]  # scheme -> value
    addresses: list[KnownAddress]  # the newest first

    def address(self, address_id: int) -> KnownAddress | None:
        return next((a for a in self.addresses if a.address.id == address_id), None)


def known_child(session: Session, *, principal: Principal, person_id: int,
                why: str) -> KnownChild:
    """The child, if the user may see them; NotFound otherwise (as for any unseen person)."""
    person = session.get(Person, person_id)
    if person is None or not may_see_person(session, principal=principal, person_id=person_id):
        raise NotFound(f"person {person_id} not found")
    audit(session, principal=principal, action="read", entity="person", entity_id=person_id,
          person_id=person_id, why=why)
    ids = dict(session.execute(select(PersonIdentifier.scheme, PersonIdentifier.value)
                               .where(PersonIdentifier.person_id == person_id)
                               .order_by(PersonIdentifier.id)).all())
    return KnownChild(person, person_name(person), ids,
                      known_addresses(session, person_id=person_id))
