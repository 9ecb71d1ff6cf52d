"""The bulk load of person records: a county's first million records in minutes, not hours.

Every line is validated exactly as the normal import validates it (a bad line is rejected by
its number, field and reason; the good lines still land). The file's person records are then
linked in one batch together with every record the store already holds
(:func:`people.bulk.plan_links`: the shipped model, the guard, constrained clustering) and
written set-based, in chunks, with what the online path writes for a person event: the event
row, the person, the record, its identifiers, its blocking keys, the link's evidence, the
possible matches for review, the audit entry, and the duties the online path would raise (an
identifier another person already holds; a child placed at a seized device's suspect's address
or a registered offender's).

Resumable: each chunk commits with its events, and an event is kept once by (source,
source_id); a load killed at any point and run again finds the committed lines already
imported, links the rest together with them, and carries on. Lines the batch does not take
(other events, and a school's own records of pupils, whose check needs the council's
enrolment records already stored) go through the normal import one at a time after it.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import Principal
from safeguard.db import table_of, transaction
from safeguard.events.models import Event
from safeguard.intake.bulk_read import PART, Line, NumberedLine, read_parts
from safeguard.intake.bulk_store import Stored, chunk_writer
from safeguard.intake.bulk_write import BulkSummary, WriteState, build_chunk
from safeguard.intake.importer import Reject, import_one
from safeguard.intake.service import IntakeContext
from safeguard.people.bulk import AddressBook, Plan, plan_links
from safeguard.people.linkage.features import Features
from safeguard.people.linkage.online import record_features
from safeguard.people.linkage.relink import review_records_linked_meanwhile
from safeguard.people.models import Person, PersonIdentifier, PersonRecord
from safeguard.people.names import name_key
from safeguard.rows import one_of, values_of

# Lines a chunk commits together, at least: big enough that a chunk's rows share the index
# pages they change (each is written once a chunk), small enough that a kill loses little work.
CHUNK = 20_000
# And at least this part of the records the store holds: once its indexes outgrow a chunk,
# the chunk's keys fall on nearly every leaf page, and each commit writes them all again (on
# SQLite twice: to the log, then the database); chunks growing with the store write each
# page a bounded number of times, and a kill loses at most this part of what was loaded.
GROWTH = 4


class LoadInterrupted(RuntimeError):
    """Raised by ``stop_after_chunks``: the load stops as a kill would, chunks committed."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off, for a process that does nothing but a bulk load
    (the command line's): each full collection walks every object still alive, and a load
    holds a million lines' objects, none of them in a cycle; the walks cost a large share of
    reading, placing and linking them (docs/benchmarks.md). Not for a web server's process,
    whose other requests' cycles would wait for the load to end."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def bulk_load(
    factory: sessionmaker[Session], lines: Iterable[str | bytes], *, principal: Principal,
    ctx: IntakeContext, via: str = "import", chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None, stop_after_chunks: int | None = None,
    workers: int = 1, part_size: int = PART,
) -> BulkSummary:
    """Load a JSON Lines file of person events in one batch; see the module's docstring."""
    summary = BulkSummary()
    clock = _Clock(summary)
    batch, rest = _read(factory, lines, summary, principal=principal, workers=workers,
                        part_size=part_size)
    if progress:  # the lines rejected and those already imported
        progress(summary.lines - len(batch) - len(rest))
    clock.lap("read")
    with transaction(factory) as session:
        plan = plan_links(session, [(line.key, line.features) for line in batch])
        # The store as the plan read it: records kept after this were not linked with the file.
        read_up_to, held = session.execute(select(
            func.coalesce(func.max(PersonRecord.id), 0), func.count())).one()
    summary.pairs_scored = plan.pairs_scored
    clock.lap("link")
    number_of = {line.key: line.number for line in batch}
    state = WriteState(last_line={group: number_of[keys[-1]]
                                  for group, keys in plan.groups.items()})
    del number_of
    placements = {p.key: p for p in plan.placements}
    headline = _headlines(batch, plan)

    def stored(done: Stored) -> None:
        summary.chunks += 1
        summary.accepted += len(done.rows.lines)
        summary.by_type["person"] += len(done.rows.lines)
        summary.persons_created += done.rows.persons_created
        summary.reviews += done.rows.reviews
        summary.duties_raised += done.duties
        _analyse_as_it_grows(factory, summary.chunks)
        if progress:
            progress(len(done.rows.lines))
        if stop_after_chunks is not None and summary.chunks >= stop_after_chunks:
            raise LoadInterrupted(f"stopped after {summary.chunks} chunks")

    with chunk_writer(factory, principal=principal, ctx=ctx, last=stop_after_chunks) as writer:
        state.overlapping = writer.overlapping
        start = 0
        while start < len(batch):
            chunk = batch[start:start + max(chunk_size, (held + start) // GROWTH)]
            start += len(chunk)
            following = writer.prepare(partial(
                build_chunk, chunk=chunk, placements=placements, plan=plan, state=state,
                headline=headline, principal=principal, via=via))
            for done in writer.make_room():
                stored(done)
            writer.start(following)
        for done in writer.drain():
            stored(done)
    with transaction(factory) as session:
        summary.reviews += review_records_linked_meanwhile(
            session, after_record_id=read_up_to, loaded_records=state.records,
            loaded_persons=set(state.person_of_group.values()), model=plan.model,
            principal=principal)
    clock.lap("write")
    for start in range(0, len(rest), 500):
        with transaction(factory) as session:
            for number, text in rest[start:start + 500]:
                import_one(session, number, text, summary, principal, ctx, via)
        if progress:
            progress(len(rest[start:start + 500]))
    clock.lap("other events")
    summary.rejects.sort(key=lambda reject: reject.line)
    return summary


def _analyse_as_it_grows(factory: sessionmaker[Session], chunks: int) -> None:
    """Statistics for the tables the load reads back as it writes, after chunks 1, 2, 4, 8...:
    each time they have about doubled. A new store's tables have none, and autovacuum may be
    off or behind a load this fast; without them PostgreSQL plans the look-up of who holds an
    identifier as a scan of the whole table, once a chunk."""
    if chunks & (chunks - 1):
        return
    with transaction(factory) as session:
        for model in (Person, PersonRecord, PersonIdentifier):
            session.execute(text(f"ANALYZE {table_of(model).name}"))


class _Clock:
    """Seconds spent in each step of the load, for the operator and the benchmark."""

    def __init__(self, summary: BulkSummary) -> None:
        self._summary, self._since = summary, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self._summary.seconds[step] = round(now - self._since, 3)
        self._since = now


def _read(factory: sessionmaker[Session], lines: Iterable[str | bytes], summary: BulkSummary,
          *, principal: Principal, workers: int, part_size: int
          ) -> tuple[list[Line], list[NumberedLine]]:
    """The file read part by part, in its order (:func:`.bulk_read.read_parts`: validated,
    perhaps by other processes meanwhile); of each part, the lines whose events the store
    does not hold yet, each with its address found or stored (as the online path would, in
    the file's order) and its features for linking. Returns those lines and the lines for
    the normal import."""
    batch: list[Line] = []
    rest: list[NumberedLine] = []
    digests: dict[tuple[str, str], str] = {}
    with transaction(factory) as session:
        book = AddressBook(session)
        for part in read_parts(lines, principal=principal, workers=workers,
                               part_size=part_size):
            summary.lines += part.count
            summary.rejects += part.rejects
            rest += part.rest
            for line in _new_only(session, part.lines, summary, digests):
                line.key = f"n{len(batch)}"
                if line.given_address is not None:
                    line.address = book.place(line.given_address)
                    line.given_address = None  # placed: the text is not kept
                line.features = _features(line)
                batch.append(line)
        book.save(session)
    return batch, rest


def _new_only(session: Session, lines: list[Line], summary: BulkSummary,
              digests: dict[tuple[str, str], str]) -> Iterator[Line]:
    """The lines whose events are not stored yet: a repeat is a duplicate, other content
    under a used (source, source_id) a conflict, as the normal import reports them.
    ``digests``: each event seen so far (stored, or earlier in the file), to its digest."""
    connection = session.connection()
    # By source and id: the unique index leads with the source, and a look-up by id alone
    # reads every stored event, once a part, as a load into a full store goes on.
    look_up = text(f"SELECT source_id, payload_hash FROM {table_of(Event).name} "
                   f"WHERE source = :source AND {one_of(connection, 'source_id', 'ids')}")
    by_source: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        by_source[line.data.source].add(line.data.source_id)
    for source, ids in sorted(by_source.items()):
        digests.update(((source, source_id), digest) for source_id, digest in connection.execute(
            look_up, {"source": source, "ids": values_of(connection, sorted(ids))}))
    for line in lines:
        key = (line.data.source, line.data.source_id)
        digest = digests.get(key)
        if digest == line.digest:
            summary.duplicates += 1
        elif digest is not None:
            summary.rejects.append(Reject(
                line.number, "source_id", f"{line.data.source} event {line.data.source_id} was "
                "already imported with different content; amendments are not applied",
                line.data.source_id))
        else:
            digests[key] = line.digest
            yield line


def _features(line: Line) -> Features:
    data = line.data
    return record_features(given_name=data.given_name, family_name=data.family_name,
                           dob=data.dob, sex=data.sex, address=line.address,
                           ids=line.ids)


def _headlines(batch: list[Line], plan: Plan) -> dict[int, dict[str, Any]]:
    """A new person's headline, as the online path leaves it: the names of its first
    record, the date of birth and sex of the first records that give them."""
    by_key = {line.key: line.data for line in batch}
    out: dict[int, dict[str, Any]] = {}
    for group, keys in plan.groups.items():
        first = by_key[keys[0]]
        out[group] = {
            "given_name": first.given_name, "family_name": first.family_name,
            "dob": next((by_key[k].dob for k in keys if by_key[k].dob), None),
            "sex": next((by_key[k].sex for k in keys if by_key[k].sex), None),
            "match_key": name_key(first.given_name, first.family_name)}
    return out
