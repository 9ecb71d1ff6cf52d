"""Storing a bulk load's chunks (:mod:`.bulk`), each in a transaction of its own, and on
PostgreSQL while the next chunk is built.

A chunk's rows take the database server longer to store (index entries, a foreign-key check
per row and key) than this process takes to build them, and each waits for the other when
they take turns. On PostgreSQL the next chunk is therefore built while the last is stored:
ids come from the tables' sequences, which no transaction holds, and who holds an identifier
is read as it stands, with the holders the load itself has found or made kept in memory
(:class:`.bulk_write.WriteState`), so a chunk's build never reads what the chunk before it
is still storing. With the factory bound to an engine, two chunks are stored at once, so
that the server works on two cores (:class:`ChunkWriter`). SQLite takes one writer at a
time and gives ids under its write lock: there each chunk is built inside its own
transaction, and nothing overlaps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import Principal
from safeguard.db import bulk_transaction, table_of
from safeguard.forensics import service as forensics
from safeguard.forensics.models import Device
from safeguard.intake.bulk_write import ChunkRows
from safeguard.intake.service import IntakeContext, record_gaps
from safeguard.offenders import service as offenders
from safeguard.offenders.models import OffenderRegistration
from safeguard.people.models import Person, PersonBlockingKey, PersonRecord
from safeguard.rows import insert_new_pairs, insert_rows

Build = Callable[[Connection], ChunkRows]


@dataclass(frozen=True, slots=True)
class Stored:
    """A chunk committed: its rows, and the duties storing it raised."""

    rows: ChunkRows
    duties: int


class ChunkWriter:
    """Builds and stores chunks in turn: :meth:`prepare` the next chunk, let the oldest ones
    in flight finish (:meth:`make_room`), then :meth:`start` storing the next; at the end,
    :meth:`drain`. On PostgreSQL a chunk is built before the one before it is stored, so
    storing it never relies on what that one stored. Bound to an engine, two chunks are
    stored at once, each by a thread and a connection of its own: a chunk stores the rows
    that do not name the persons the chunk before it made while that one is still storing,
    then waits for it to commit before the rest, so chunks commit in the file's order and
    neither waits on the other's locks. ``last`` is the number of the last chunk to commit
    (the rest roll back, as after a kill)."""

    def __init__(self, factory: sessionmaker[Session], reader: Connection | None, *,
                 principal: Principal, ctx: IntakeContext, last: int | None = None) -> None:
        self._factory, self._reader = factory, reader
        self._principal, self._ctx, self._last = principal, ctx, last
        bind = factory.kw.get("bind")
        threaded = reader is not None and isinstance(bind, Engine)
        self._executor = ThreadPoolExecutor(2, "bulk-store") if threaded else None
        self._pending: deque[Future[Stored] | Callable[[], Stored]] = deque()
        self._started = 0

    @property
    def overlapping(self) -> bool:
        """Whether a chunk is stored while the one before it still is."""
        return self._executor is not None

    def prepare(self, build: Build) -> Build:
        """The next chunk: built now where it can be, or on storing it."""
        if self._reader is None:
            return build
        rows = build(self._reader)
        return lambda _: rows

    def make_room(self) -> Iterator[Stored]:
        """The chunks that must commit before another starts, as each does."""
        while len(self._pending) >= (2 if self._executor else 1):
            yield self._finish(self._pending.popleft())

    def drain(self) -> Iterator[Stored]:
        while self._pending:
            yield self._finish(self._pending.popleft())

    def start(self, build: Build) -> None:
        self._started += 1
        number = self._started
        if self._executor is None:
            self._pending.append(lambda: self._store(build, number, None))
            return
        before = self._pending[-1] if self._pending else None
        previous = None if not isinstance(before, Future) else before.result
        self._pending.append(self._executor.submit(self._store, build, number, previous))

    def close(self) -> None:
        """Stop: chunks being stored by a thread are let finish (committed or rolled back, as
        a kill would leave them); those not yet begun are dropped."""
        for pending in self._pending:
            if isinstance(pending, Future):
                pending.exception()
        self._pending.clear()
        if self._executor is not None:
            self._executor.shutdown()

    @staticmethod
    def _finish(pending: Future[Stored] | Callable[[], Stored]) -> Stored:
        return pending.result() if isinstance(pending, Future) else pending()

    def _store(self, build: Build, number: int, previous: Callable[[], Stored] | None
               ) -> Stored:
        with bulk_transaction(self._factory) as session:
            rows = build(session.connection())
            duties = store_chunk(session, rows, previous=previous, principal=self._principal,
                                 ctx=self._ctx)
            if self._last is not None and number > self._last:
                raise NotStored(f"chunk {number} comes after the last to store")
        return Stored(rows, duties)


class NotStored(RuntimeError):
    """A chunk after the last the load was to store: rolled back."""


@contextmanager
def chunk_writer(factory: sessionmaker[Session], *, principal: Principal, ctx: IntakeContext,
                 last: int | None = None) -> Iterator[ChunkWriter]:
    """A :class:`ChunkWriter` for the factory's database. On PostgreSQL, chunks are built on a
    connection of the writer's own (autocommit) if the factory is bound to an engine, or on
    the connection it is bound to (a test's, inside its own transaction) between the
    transactions that store them."""
    bind = factory.kw.get("bind")
    with ExitStack() as stack:
        reader = None
        if bind is not None and bind.dialect.name == "postgresql":
            reader = (stack.enter_context(
                bind.connect().execution_options(isolation_level="AUTOCOMMIT"))
                if isinstance(bind, Engine) else bind)
        writer = ChunkWriter(factory, reader, principal=principal, ctx=ctx, last=last)
        stack.callback(writer.close)
        yield writer


def store_chunk(session: Session, rows: ChunkRows, *,
                previous: Callable[[], object] | None = None, principal: Principal,
                ctx: IntakeContext) -> int:
    """Store a built chunk in the caller's transaction; returns the duties raised.
    ``previous`` waits for the chunk before to commit (and raises if it did not)."""
    connection = session.connection()
    for table_rows in rows.inserts:
        insert_rows(connection, table_rows)
    if previous is not None:
        previous()
    for table_rows in rows.after_previous:
        insert_rows(connection, table_rows)
    insert_new_pairs(connection, table_of(PersonBlockingKey), ("person_id", "key"),
                     rows.stored_keys)
    _fill_gaps(session, rows)
    return _duties(session, rows, principal=principal, ctx=ctx)


def _fill_gaps(session: Session, rows: ChunkRows) -> None:
    """A stored person's unknown date of birth or sex taken from the first record giving it;
    never overwritten (sources disagree and none is master)."""
    if not rows.gaps:
        return
    persons_table = table_of(Person)
    column = persons_table.c
    session.connection().execute(
        update(persons_table).where(column.id == bindparam("pid")).values(
            dob=func.coalesce(column.dob, bindparam("new_dob", type_=column.dob.type)),
            sex=func.coalesce(column.sex, bindparam("new_sex", type_=column.sex.type))),
        rows.gaps)


def _duties(session: Session, rows: ChunkRows, *, principal: Principal,
            ctx: IntakeContext) -> int:
    """What the online path raises for a person record, for the few records that call for
    it: an identifier conflict is a data-quality task; a record placing someone at a seized
    device's suspect's address or a registered offender's goes through the same rules as
    online (those addresses read first in one query each, so a chunk with neither pays two
    queries)."""
    raised = 0
    chunk, persons, now = rows.lines, rows.persons, rows.now
    for n, found in rows.conflicts.items():
        line = chunk[n]
        raised += len(record_gaps(
            session, conflicts=found, person_id=persons[n], source=line.data.source,
            reference=line.data.source_id, event_id=rows.event_ids[n],
            recorded_at=line.data.recorded_at or now, ctx=ctx, now=now, actor=principal.actor))
    if all(line.address is None for line in chunk):
        return raised
    # Every such address, not those of the chunk: a county has thousands of them, and a
    # chunk's twenty thousand addresses as parameters of a query cost more than reading them.
    devices = set(session.scalars(select(Device.suspect_address_id).distinct().where(
        Device.suspect_address_id.is_not(None))))
    registered = set(session.scalars(select(OffenderRegistration.address_id).distinct().where(
        OffenderRegistration.address_id.is_not(None), OffenderRegistration.ended.is_(False))))
    for n, line in enumerate(chunk):
        address_id = line.address.id if line.address is not None else None
        if address_id in devices:
            record = session.get_one(PersonRecord, rows.record_ids[n])
            raised += len(forensics.child_recorded(
                session, record=record, event_id=rows.event_ids[n], principal=principal,
                ctx=ctx, now=now))
        if address_id in registered:
            raised += len(offenders.child_record_arrived(
                session, person_id=persons[n], address_id=address_id,
                event_id=rows.event_ids[n], recorded_at=line.data.recorded_at or now,
                principal=principal, ctx=ctx, now=now))
    return raised
