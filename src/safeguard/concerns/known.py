"""The child a concern form is opened for: who they are and where agencies record them.

Whether the user may see a child is the children area's rule, and children comes after
concerns in the order of areas, so it registers its check here (`on_may_see`), the way later
areas hook into duties. Reading the child for the form is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
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


# (session, principal, person id) -> whether the principal may see the person
MaySee = Callable[[Session, Principal, int], bool]
_checks: list[MaySee] = []


def on_may_see(check: MaySee) -> None:
    if check not in _checks:
        _checks.append(check)


def known_child(session: Session, *, principal: Principal, person_id: int,
                why: str) -> KnownChild:
    """The child, if the user may see them; NotFound otherwise (as for any unseen person)."""
    if not _checks:
        raise RuntimeError("no visibility check registered: import safeguard.children.service")
    person = session.get(Person, person_id)
    if person is None or not all(check(session, principal, person_id) for check in _checks):
        raise NotFound(f"person {person_id} not found")
    audit(session, principal=principal, action="read", entity="person", entity_id=person_id,
          person_id=person_id, why=why)
    ids = dict(session.execute(select(PersonIdentifier.scheme, PersonIdentifier.value)
                               .where(PersonIdentifier.person_id == person_id)
                               .order_by(PersonIdentifier.id)).all())
    return KnownChild(person, person_name(person), ids,
                      known_addresses(session, person_id=person_id))
