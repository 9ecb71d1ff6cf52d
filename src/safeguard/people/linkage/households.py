"""Households: people grouped by address (UPRN where known, else the normalised address — an
``Address`` row is already one or the other), with the dates each was recorded there."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.people.models import Address, Person, PersonRecord


@dataclass(frozen=True)
class Member:
    person: Person
    first_recorded: datetime
    last_recorded: datetime
    current: bool  # this is the newest address any agency records for them
    sources: tuple[str, ...]

    def age_on(self, day: date) -> int | None:
        dob = self.person.dob
        if dob is None:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class Household:
    address: Address
    first_recorded: datetime
    last_recorded: datetime
    members: list[Member]

    def children(self, on: date) -> list[Member]:
        return [m for m in self.members if (age := m.age_on(on)) is not None and age < 18]


def _newest_address(session: Session, person_ids: list[int]) -> dict[int, int]:
    newest: dict[int, tuple[datetime, int, int]] = {}
    rows = session.execute(
        select(PersonRecord.person_id, PersonRecord.recorded_at, PersonRecord.id,
               PersonRecord.address_id)
        .where(PersonRecord.person_id.in_(person_ids), PersonRecord.address_id.is_not(None)))
    for person_id, at, record_id, address_id in rows:
        if address_id is None:
            continue
        if person_id not in newest or (at, record_id) > newest[person_id][:2]:
            newest[person_id] = (at, record_id, address_id)
    return {person_id: value[2] for person_id, value in newest.items()}


def household_at(session: Session, *, address_id: int) -> Household | None:
    """Everyone any agency records at the address, first and last recorded there."""
    address = session.get(Address, address_id)
    if address is None:
        return None
    rows = session.execute(
        select(PersonRecord.person_id, func.min(PersonRecord.recorded_at),
               func.max(PersonRecord.recorded_at))
        .where(PersonRecord.address_id == address_id).group_by(PersonRecord.person_id)).all()
    if not rows:
        return None
    sources: dict[int, set[str]] = defaultdict(set)
    for person_id, source in session.execute(
            select(PersonRecord.person_id, PersonRecord.source)
            .where(PersonRecord.address_id == address_id)):
        sources[person_id].add(source)
    newest = _newest_address(session, [r[0] for r in rows])
    members = [Member(session.get_one(Person, person_id), first, last,
                      newest.get(person_id) == address_id, tuple(sorted(sources[person_id])))
               for person_id, first, last in rows]
    members.sort(key=lambda m: (not m.current, m.person.dob or date.min, m.person.id))
    return Household(address, min(r[1] for r in rows), max(r[2] for r in rows), members)


def households_of(session: Session, *, person_id: int) -> list[Household]:
    """Every household the person has been recorded in, the current one first."""
    address_ids = list(session.scalars(
        select(PersonRecord.address_id).where(PersonRecord.person_id == person_id,
                                              PersonRecord.address_id.is_not(None))
        .distinct()))
    found = [h for a in address_ids
             if a is not None and (h := household_at(session, address_id=a)) is not None]
    current = _newest_address(session, [person_id]).get(person_id)
    found.sort(key=lambda h: (h.address.id != current, -h.last_recorded.timestamp()))
    return found
