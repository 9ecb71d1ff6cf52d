"""Households: people grouped by address (UPRN where known, else the normalised address — an
``Address`` row is already one or the other), with the dates each was recorded there.

A person's households are read in a fixed number of queries however many addresses and
members there are: the child page shows every household of a child on one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.people.models import Address, Person, PersonRecord


@dataclass(frozen=True)
class Member:
    person: Person
    first_recorded: datetime
    last_recorded: datetime
    current: bool  # this is the newest address any agency records for them
    sources: tuple[str, ...]  # the agencies whose records place them here

    def age_on(self, day: date) -> int | None:
        dob = self.person.dob
        if dob is None:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def is_child_on(self, day: date) -> bool:
        age = self.age_on(day)
        return age is not None and age < 18


@dataclass(frozen=True)
class Household:
    address: Address
    first_recorded: datetime
    last_recorded: datetime
    members: list[Member]

    def children(self, on: date) -> list[Member]:
        return [m for m in self.members if m.is_child_on(on)]

    def member(self, person_id: int) -> Member | None:
        return next((m for m in self.members if m.person.id == person_id), None)


def _newest_address(session: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's newest recorded address (latest record wins; ties by record id)."""
    newest: dict[int, tuple[datetime, int, int]] = {}
    rows = session.execute(
        select(PersonRecord.person_id, PersonRecord.recorded_at, PersonRecord.id,
               PersonRecord.address_id)
        .where(PersonRecord.person_id.in_(sorted(set(person_ids))),
               PersonRecord.address_id.is_not(None)))
    for person_id, at, record_id, address_id in rows:
        if address_id is None:
            continue
        if person_id not in newest or (at, record_id) > newest[person_id][:2]:
            newest[person_id] = (at, record_id, address_id)
    return {person_id: value[2] for person_id, value in newest.items()}


def _households(session: Session, address_ids: list[int]) -> dict[int, Household]:
    """The households at these addresses, in four queries (records, persons, newest
    addresses, addresses) rather than a few per member."""
    if not address_ids:
        return {}
    spans: dict[tuple[int, int], list[datetime]] = {}
    sources: dict[tuple[int, int], set[str]] = defaultdict(set)
    for person_id, address_id, source, at in session.execute(
            select(PersonRecord.person_id, PersonRecord.address_id, PersonRecord.source,
                   PersonRecord.recorded_at)
            .where(PersonRecord.address_id.in_(address_ids))):
        if address_id is None:
            continue
        span = spans.setdefault((address_id, person_id), [at, at])
        span[0], span[1] = min(span[0], at), max(span[1], at)
        sources[(address_id, person_id)].add(source)
    person_ids = sorted({person_id for _, person_id in spans})
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    newest = _newest_address(session, person_ids)
    addresses = {a.id: a for a in session.scalars(select(Address)
                                                  .where(Address.id.in_(address_ids)))}
    grouped: dict[int, list[Member]] = defaultdict(list)
    for (address_id, person_id), (first, last) in spans.items():
        grouped[address_id].append(Member(
            persons[person_id], first, last, newest.get(person_id) == address_id,
            tuple(sorted(sources[(address_id, person_id)]))))
    found = {}
    for address_id, members in grouped.items():
        members.sort(key=lambda m: (not m.current, m.person.dob or date.min, m.person.id))
        found[address_id] = Household(addresses[address_id],
                                      min(m.first_recorded for m in members),
                                      max(m.last_recorded for m in members), members)
    return found


def households_of(session: Session, *, person_id: int) -> list[Household]:
    """Every household the person has been recorded in: their current one first, then the
    others, the one they were last recorded at first."""
    address_ids = sorted(a for a in session.scalars(
        select(PersonRecord.address_id).where(PersonRecord.person_id == person_id,
                                              PersonRecord.address_id.is_not(None))
        .distinct()) if a is not None)
    found = list(_households(session, address_ids).values())

    def order(household: Household) -> tuple[bool, float, int]:
        me = household.member(person_id)
        assert me is not None  # the person has a record at each of these addresses
        return (not me.current, -me.last_recorded.timestamp(), household.address.id)

    return sorted(found, key=order)
