"""Migration 0006: a store whose addresses were keyed by the old rules is re-keyed, and the rows
of one address (the same text with and without a UPRN) are joined, their records with them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import ensure_core_agencies
from safeguard.audit.models import AuditEntry
from safeguard.db import make_engine
from safeguard.events.models import Event
from safeguard.migrate import upgrade
from safeguard.people.models import Address, Person, PersonRecord

from ..conftest import fresh_postgres_database

AT = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'addresses.db'}"
    return fresh_postgres_database(f"safeguard_addresses_{os.getpid()}")


def _record(session: Session, n: int, address: Address) -> None:
    event = Event(event_type="person", source="health", source_id=f"H-{n}", payload={},
                  payload_hash=str(n), received_via="import", actor="system")
    person = Person(given_name="Amy", family_name=f"Potts{n}", match_key=f"amy|potts{n}")
    session.add_all([event, person])
    session.flush()
    session.add(PersonRecord(person_id=person.id, event_id=event.id, source="health",
                             source_id=f"H-{n}", address_id=address.id, recorded_at=AT,
                             linked_by="new person"))


def test_the_upgrade_rekeys_addresses_and_joins_the_rows_of_one_address(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine, "0009")  # the revision before the re-keying
    with Session(engine) as session:
        ensure_core_agencies(session)
        # As the old rules stored them: the home with its UPRN, the same home sent without
        # one (a row of its own), the same again with the town typed into the first line,
        # and two dwellings whose text agrees but whose UPRNs differ.
        home = Address(uprn="100031234567", line1="41 Potts Street", town="Northampton",
                       postcode="NN1 3YF", match_key="41 potts street|NN13YF")
        copy = Address(line1="41 Potts Street", town="Northampton", postcode="NN1 3YF",
                       match_key="41 potts street|NN13YF")
        typed = Address(line1="41 Potts St, Northampton", town="Northampton",
                        postcode="NN1 3YF", match_key="41 potts street northampton|NN13YF")
        twin_a = Address(uprn="100031230001", line1="2 Mill Lane", postcode="NN2 2BB",
                         match_key="2 mill lane|NN22BB")
        twin_b = Address(uprn="100031230002", line1="2 Mill Ln", postcode="NN2 2BB",
                         match_key="2 mill lane|NN22BB")
        session.add_all([home, copy, typed, twin_a, twin_b])
        session.flush()
        for n, address in enumerate((home, copy, typed, twin_a, twin_b)):
            _record(session, n, address)
        session.commit()
        ids = [a.id for a in (home, copy, typed, twin_a, twin_b)]

    upgrade(engine)

    with Session(engine) as session:
        remaining = {a.id: a for a in session.scalars(select(Address))}
        assert sorted(remaining) == sorted([ids[0], ids[3], ids[4]])
        assert remaining[ids[0]].match_key == "41 potts street|NN13YF"
        placed = session.scalars(select(PersonRecord.address_id)
                                 .order_by(PersonRecord.source_id)).all()
        assert placed == [ids[0], ids[0], ids[0], ids[3], ids[4]]
        why = session.scalars(select(AuditEntry.why).where(AuditEntry.entity == "address")).all()
        assert why == [f"joined address rows {ids[1]}, {ids[2]} into {ids[0]}: the same "
                       "normalised first line and postcode (migration 0006)"]
    engine.dispose()
