"""The bulk load of person records: the same persons as one line at a time, resumable after a
kill, and every bad line reported while the good ones land."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.audit.models import AuditEntry
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.duties.models import Duty
from safeguard.events.models import Event
from safeguard.intake import bulk_store
from safeguard.intake.bulk import LoadInterrupted, bulk_load
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.people.models import (
    Address,
    MatchReview,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonLink,
    PersonRecord,
)
from safeguard.seed import seed_reference_data

from ..factories import migrated_store

HOME = {"line1": "14 Elm Grove", "town": "Northampton", "postcode": "NN3 6TR"}
AWAY = {"line1": "2 Mill Lane", "town": "Kettering", "postcode": "NN16 8AB"}


def person(source: str, source_id: str, given: str | None, family: str | None,
           dob: str | None, sex: str | None = None, address: dict[str, str] | None = None,
           **ids: str) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "person", "source": source, "source_id": source_id,
                             "recorded_at": "2026-10-01T09:00:00+00:00"}
    for name, value in (("given_name", given), ("family_name", family), ("dob", dob),
                        ("sex", sex), ("address", address)):
        if value is not None:
            event[name] = value
    if ids:
        event["ids"] = ids
    return event


# Twins (one birthday, one home, one surname), their older brother, a mistyped name, a
# nickname, a record with no date of birth, and a stranger sharing a name elsewhere.
FAMILY = [
    person("health", "H-1", "Olivia", "Brown", "2015-03-10", "female", HOME, nhs="9993982598"),
    person("health", "H-2", "Sophie", "Brown", "2015-03-10", "female", HOME, nhs="9997919076"),
    person("health", "H-3", "Jack", "Brown", "2012-07-01", "male",
           dict(HOME, uprn="100031234567"), nhs="9994833782"),
    person("police", "P-1", "Olivia", "Brown", "2015-03-10", "female", HOME),
    person("police", "P-2", "Sophie", "Browne", "2015-03-10", None, HOME),
    person("childrens_social_care", "C-1", "Jak", "Brown", "2012-07-01", "male", HOME),
    person("childrens_social_care", "C-2", "Jack", "Brown", "2012-07-01", None, HOME),
    person("police", "P-3", "Liam", "Carter", None, "male",
           dict(AWAY, line1="2 Mill Lane, Kettering")),
    person("health", "H-4", "Liam", "Carter", "1990-11-23", "male", AWAY, nhs="9998762324"),
    person("childrens_social_care", "C-3", "Olivia", "Brown", "2001-01-30", "female", AWAY),
    person("police", "P-4", None, "Brown", None, "unknown", HOME),
    person("education", "E-1", "Sophie", "Brown", "2015-03-10", "female", HOME,
           upn="C928200115736"),
]


def lines(events: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(event) for event in events]


def partition(session: Session) -> set[frozenset[str]]:
    """The records as grouped into persons, by each record's (source, source_id)."""
    groups: dict[int, set[str]] = defaultdict(set)
    for person_id, source, source_id in session.execute(
            select(PersonRecord.person_id, PersonRecord.source, PersonRecord.source_id)):
        groups[person_id].add(f"{source}:{source_id}")
    return {frozenset(group) for group in groups.values()}


def filed(session: Session) -> dict[frozenset[str], frozenset[str]]:
    """The candidate index: each person (as its records) and the keys it is filed under."""
    records: dict[int, set[str]] = defaultdict(set)
    for person_id, source, source_id in session.execute(
            select(PersonRecord.person_id, PersonRecord.source, PersonRecord.source_id)):
        records[person_id].add(f"{source}:{source_id}")
    keys: dict[int, set[str]] = defaultdict(set)
    for person_id, key in session.execute(select(PersonBlockingKey.person_id,
                                                 PersonBlockingKey.key)):
        keys[person_id].add(key)
    return {frozenset(records[person_id]): frozenset(held) for person_id, held in keys.items()}


def addresses(session: Session) -> dict[str, tuple[str | None, ...]]:
    """Each record's address as stored (the same text may be filed once, as one address)."""
    return {source_id: (line1, postcode, uprn) for source_id, line1, postcode, uprn in
            session.execute(select(PersonRecord.source_id, Address.line1, Address.postcode,
                                   Address.uprn)
                            .join(Address, Address.id == PersonRecord.address_id))}


def as_kept(session: Session) -> dict[str, tuple[Any, ...]]:
    """Each record as read back: its fields, its event as it arrived, its audit entry."""
    return {record.source_id: (record.given_name, record.dob, record.sex, record.recorded_at,
                               event.payload, event.received_at.tzinfo is not None,
                               record.address_id is not None)
            for record, event in session.execute(
                select(PersonRecord, Event).join(Event, Event.id == PersonRecord.event_id))}


def before_the_first_load(session: Session) -> None:
    """The test's session takes its savepoint now, before the first load's."""
    session.connection()


def forget(session: Session) -> None:
    """Undo what the first load stored (back to the test session's savepoint: the event
    store and the audit log are append-only), so the second starts from the same empty
    store."""
    session.rollback()
    assert set(counts(session).values()) == {0}


def counts(session: Session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Event, Person, PersonRecord, PersonIdentifier, PersonLink,
                          PersonBlockingKey, MatchReview, AuditEntry, Address)}


# Read in this process, or in parts of three lines by two others.
READERS = pytest.mark.parametrize("workers", [1, 2], ids=["read-here", "read-in-processes"])


@READERS
def test_a_bulk_load_makes_the_same_persons_as_one_line_at_a_time(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        workers: int) -> None:
    before_the_first_load(session)
    one_by_one = import_lines(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx)
    assert not one_by_one.rejects
    expected, places = partition(session), addresses(session)
    stored, kept, index = counts(session), as_kept(session), filed(session)
    forget(session)

    summary = bulk_load(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx, chunk_size=5,
                        workers=workers, part_size=3)
    assert not summary.rejects
    assert summary.accepted == len(FAMILY)
    assert partition(session) == expected
    assert addresses(session) == places
    assert filed(session) == index
    session.expire_all()
    assert as_kept(session) == kept
    assert counts(session) == stored
    # Twins are never one person; the file is not trivially one person per record.
    assert not any({"health:H-1", "health:H-2"} <= group for group in expected)
    assert len(expected) < len(FAMILY)
    # Every record has its event, its link's evidence and its audit entry.
    found = counts(session)
    assert found["events"] == found["person_records"] == found["person_links"] == len(FAMILY)
    assert found["audit_log"] >= len(FAMILY)


def test_a_bulk_file_joins_the_persons_already_in_the_store(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    import_lines(factory, lines(FAMILY[:3]), principal=SYSTEM, ctx=ctx)
    persons = counts(session)["persons"]
    summary = bulk_load(factory, lines(FAMILY[3:7]), principal=SYSTEM, ctx=ctx)
    assert summary.persons_created == 0
    assert counts(session)["persons"] == persons
    olivia = session.scalar(select(PersonRecord.person_id).where(PersonRecord.source_id == "H-1"))
    assert session.scalar(select(PersonRecord.person_id)
                          .where(PersonRecord.source_id == "P-1")) == olivia


@READERS
def test_a_killed_load_resumes_where_it_stopped_and_ends_as_an_unbroken_one(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        workers: int) -> None:
    before_the_first_load(session)
    whole = bulk_load(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx, chunk_size=4)
    expected, expected_counts = partition(session), counts(session)
    forget(session)

    with pytest.raises(LoadInterrupted):
        bulk_load(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx, chunk_size=4,
                  stop_after_chunks=2)
    assert counts(session)["person_records"] == 8
    resumed = bulk_load(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx, chunk_size=4,
                        workers=workers, part_size=3)
    assert (resumed.duplicates, resumed.accepted) == (8, 4)
    assert partition(session) == expected
    assert counts(session) == expected_counts
    again = bulk_load(factory, lines(FAMILY + FAMILY[:1]), principal=SYSTEM, ctx=ctx,
                      workers=workers, part_size=3)
    assert (again.duplicates, again.accepted) == (len(FAMILY) + 1, 0)
    assert counts(session) == expected_counts
    assert whole.accepted == len(FAMILY)


@READERS
def test_bad_lines_are_rejected_by_line_and_field_and_the_good_ones_land(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        workers: int) -> None:
    bad_nhs = person("health", "H-9", "Amy", "Smith", "2016-05-01", nhs="9434765918")
    future = person("health", "H-10", "Amy", "Smith", "2999-01-01")
    amended = dict(FAMILY[1], given_name="Sophia")  # H-2 again, with other content
    text = [*lines(FAMILY[:2]), "{not json", json.dumps(bad_nhs), "", json.dumps(future),
            *lines(FAMILY[2:4]), *lines(FAMILY[:1]), json.dumps(amended)]
    summary = bulk_load(factory, text, principal=SYSTEM, ctx=ctx, workers=workers,
                        part_size=2)
    assert [(r.line, r.field) for r in summary.rejects] == [
        (3, "(line)"), (4, "ids.nhs"), (6, "dob"), (10, "source_id")]
    assert summary.rejects[1].source_id == "H-9"
    assert (summary.accepted, summary.duplicates) == (4, 1)
    assert session.scalar(select(func.count()).select_from(PersonRecord)) == 4


def test_an_id_stored_from_one_source_is_another_event_from_another_and_a_repeat_from_it(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    import_lines(factory, lines(FAMILY[:1]), principal=SYSTEM, ctx=ctx)  # health H-1
    same_id = person("police", "H-1", "Olivia", "Brown", "2015-03-10", "female", HOME)
    amended = dict(FAMILY[0], given_name="Livvy")
    summary = bulk_load(factory, [*lines(FAMILY[:1]), json.dumps(same_id), json.dumps(amended)],
                        principal=SYSTEM, ctx=ctx)
    assert (summary.duplicates, summary.accepted) == (1, 1)
    assert [(r.line, r.field) for r in summary.rejects] == [(3, "source_id")]
    assert session.scalars(select(PersonRecord.source).where(
        PersonRecord.source_id == "H-1").order_by(PersonRecord.id)).all() == ["health", "police"]


def load_one_at_a_time(factory: sessionmaker[Session], text: list[str],
                       ctx: IntakeContext) -> int:
    return import_lines(factory, text, principal=SYSTEM, ctx=ctx).duties_raised


def load_in_bulk(factory: sessionmaker[Session], text: list[str], ctx: IntakeContext) -> int:
    return bulk_load(factory, text, principal=SYSTEM, ctx=ctx).duties_raised


LOADERS = pytest.mark.parametrize("load", [load_one_at_a_time, load_in_bulk],
                                  ids=["one-at-a-time", "bulk"])


def person_of(session: Session, source_id: str) -> int | None:
    return session.scalar(select(PersonRecord.person_id)
                          .where(PersonRecord.source_id == source_id))


@LOADERS
def test_a_possible_match_goes_to_review_in_bulk_as_online(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        load: Any) -> None:
    # Her name, birthday and sex, another surname and another home: between the thresholds.
    maybe = person("police", "P-9", "Olivia", "Smith", "2015-03-10", "female", AWAY)
    load(factory, lines([FAMILY[0], maybe]), ctx)
    [review] = session.scalars(select(MatchReview)).all()
    record = session.scalar(select(PersonRecord).where(PersonRecord.source_id == "P-9"))
    assert record is not None and review.record_id == record.id
    assert review.candidate_person_id == person_of(session, "H-1") != record.person_id
    assert 0.5 <= review.probability < 0.95
    assert session.scalar(select(PersonLink.outcome).where(
        PersonLink.record_id == record.id)) == "possible"


@LOADERS
def test_an_identifier_another_person_holds_is_a_data_quality_task_in_bulk_as_online(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        load: Any) -> None:
    stranger = person("police", "P-8", "Mary", "Jones", "1980-02-02", "female", AWAY,
                      nhs="9993982598")
    assert load(factory, lines([FAMILY[0], stranger]), ctx) == 1
    [duty] = session.scalars(select(Duty)).all()
    assert duty.subject_person_id == person_of(session, "P-8") != person_of(session, "H-1")
    assert session.scalar(select(PersonIdentifier.person_id).where(
        PersonIdentifier.value == "9993982598")) == person_of(session, "H-1")


def test_a_record_kept_online_while_a_bulk_load_writes_goes_to_review_with_its_person(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    # Liam Carter's records are in the load's later chunks. While the first chunk is being
    # written, the police keep another record of him online: he is not in the store yet,
    # so it makes a person of its own, and the load, which read the store before it, makes
    # him a second.
    before_the_first_load(session)
    meanwhile = person("police", "P-7", "Liam", "Carter", "1990-11-23", "male", AWAY)
    written: list[int] = []

    def keep_one_online(lines_done: int) -> None:
        written.append(lines_done)
        if len(written) == 2:  # the first chunk is committed
            assert not import_lines(factory, lines([meanwhile]), principal=SYSTEM,
                                    ctx=ctx).rejects

    summary = bulk_load(factory, lines(FAMILY), principal=SYSTEM, ctx=ctx, chunk_size=4,
                        progress=keep_one_online)
    assert not summary.rejects
    online, loaded = person_of(session, "P-7"), person_of(session, "H-4")
    assert online is not None and loaded is not None and online != loaded
    record = session.scalar(select(PersonRecord).where(PersonRecord.source_id == "P-7"))
    assert record is not None
    [review] = session.scalars(select(MatchReview).where(
        MatchReview.record_id == record.id)).all()
    assert review.candidate_person_id == loaded and review.status == "open"
    assert summary.reviews == session.scalar(select(func.count()).select_from(MatchReview))
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.why.like("checking 1 records kept during a bulk load%"))) == 1


def test_chunks_grow_with_the_records_the_store_holds(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    first = bulk_load(factory, lines(FAMILY[:8]), principal=SYSTEM, ctx=ctx, chunk_size=1)
    assert first.chunks == 8  # a store of fewer than eight records: one line a chunk
    # Eight records held, then ten: chunks of a quarter of them, two lines each.
    second = bulk_load(factory, lines(FAMILY[8:]), principal=SYSTEM, ctx=ctx, chunk_size=1)
    assert (second.chunks, second.accepted) == (2, 4)


def test_a_load_storing_each_chunk_while_it_builds_the_next_ends_as_one_line_at_a_time(
        engine: Engine, tmp_path: Path, ctx: IntakeContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Factories bound to engines, as the command line's: on PostgreSQL each chunk is stored
    # by a thread of its own while the next is built. Killed after two chunks and run again.
    backend = engine.dialect.name
    factories = {}
    for name in ("one_by_one", "in_bulk"):
        own = make_engine(migrated_store(backend, tmp_path, f"threaded_{name}"))
        factories[name] = make_session_factory(own)
        with transaction(factories[name]) as setup:
            seed_reference_data(setup)
    stored_by: set[str] = set()
    store = bulk_store.store_chunk

    def noting_the_thread(*args: Any, **kwargs: Any) -> int:
        stored_by.add(threading.current_thread().name)
        return store(*args, **kwargs)

    monkeypatch.setattr(bulk_store, "store_chunk", noting_the_thread)
    assert not import_lines(factories["one_by_one"], lines(FAMILY), principal=SYSTEM,
                            ctx=ctx).rejects
    with pytest.raises(LoadInterrupted):
        bulk_load(factories["in_bulk"], lines(FAMILY), principal=SYSTEM, ctx=ctx,
                  chunk_size=3, stop_after_chunks=2)
    resumed = bulk_load(factories["in_bulk"], lines(FAMILY), principal=SYSTEM, ctx=ctx,
                        chunk_size=3)
    assert (resumed.duplicates, resumed.accepted) == (6, len(FAMILY) - 6)
    with transaction(factories["one_by_one"]) as expected, \
            transaction(factories["in_bulk"]) as loaded:
        assert partition(loaded) == partition(expected)
        assert filed(loaded) == filed(expected)
        assert counts(loaded) == counts(expected)
    threads = {name.split("_")[0] for name in stored_by}
    assert threads == ({"bulk-store"} if backend == "postgresql" else {"MainThread"})
    for factory in factories.values():
        bind = factory.kw["bind"]
        assert isinstance(bind, Engine)
        bind.dispose()
