"""The audit log's hash chain: sealing entries after they are written, and verifying them.

Entries are written on the hot path (intake's ``record_many``, one INSERT for many rows, from
several processes at once), so they are not hashed there: hashing on insert would need every
writer to read the previous hash under one lock held to commit, putting every request of
every process in one queue. Instead a sealer (``safeguard audit seal``, and each worker pass)
takes unsealed entries in id order and appends one ``audit_chain`` row per entry:

    seal n: hash = SHA-256(hash of seal n-1 + "\\n" + JSON [n, entry id, at, actor, agency,
            action, entity, entity id, person id, why])        (seal 0's hash: 64 zeros)

The chain cannot fork: ``seq`` is audit_chain's primary key and ``entry_id`` is unique, so of
two sealers racing for the same place one fails and seals nothing; on PostgreSQL sealers also
queue on an advisory lock so the loser waits instead of failing, and on SQLite the write lock
already makes them take turns. The chain's order is the order entries were sealed: on
PostgreSQL an entry whose transaction commits late (a lower id seen after higher ones) is
sealed where it is found. Until sealed (a worker pass, seconds) an entry is protected by the
table's triggers and grants only; ``verify`` counts unsealed entries so a stalled sealer shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from safeguard.audit.models import AuditEntry, AuditSeal
from safeguard.db import table_of, transaction, utcnow

GENESIS = "0" * 64
# pg_advisory_xact_lock key for sealers ("safe" "a0d1"): any constant no other code uses.
SEAL_LOCK = 0x5AFEA0D1
SEAL_BATCH = 5000
# How far below the newest sealed entry a sealer looks for entries committed late. A full
# sweep (``seal --full``) looks at every entry; verify reports any the window missed.
SEAL_LOOKBACK = 50_000
MAX_PROBLEMS = 100

_log = table_of(AuditEntry)
_chain = table_of(AuditSeal)
_ENTRY_COLUMNS = (_log.c.id, _log.c.at, _log.c.actor, _log.c.agency_id, _log.c.action,
                  _log.c.entity, _log.c.entity_id, _log.c.person_id, _log.c.why)


def entry_hash(previous: str, seq: int, entry: Any) -> str:
    """The hash of seal ``seq`` over ``entry`` (anything with the audit_log columns as
    attributes). Every field is in it, and the place in the chain: an edit, a swap of two
    entries or an entry moved elsewhere in the chain changes it."""
    at: datetime = entry.at
    fields = [seq, entry.id, at.astimezone(UTC).isoformat(timespec="microseconds"),
              entry.actor, entry.agency_id, entry.action, entry.entity, entry.entity_id,
              entry.person_id, entry.why]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def _head(connection: Connection) -> tuple[int, str]:
    row = connection.execute(select(_chain.c.seq, _chain.c.hash)
                             .order_by(_chain.c.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


def seal(session: Session, *, limit: int = SEAL_BATCH, full: bool = False,
         now: datetime | None = None) -> int:
    """Chain up to ``limit`` unsealed entries, oldest id first; returns how many."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK})
    seq, previous = _head(connection)
    floor = 0
    if not full:
        newest = connection.execute(select(func.max(_chain.c.entry_id))).scalar() or 0
        # SQLite has one writer at a time, so ids are committed in order and every unsealed
        # entry lies above the newest sealed one: no window to search (and the write lock,
        # held since BEGIN, is held no longer than it must be).
        lookback = SEAL_LOOKBACK if connection.dialect.name == "postgresql" else 0
        floor = max(0, newest - lookback)
    entries = connection.execute(
        select(*_ENTRY_COLUMNS)
        .where(_log.c.id > floor, ~exists().where(_chain.c.entry_id == _log.c.id))
        .order_by(_log.c.id).limit(limit)).all()
    sealed_at = now or utcnow()
    seals = []
    for entry in entries:
        seq += 1
        previous = entry_hash(previous, seq, entry)
        seals.append({"seq": seq, "entry_id": entry.id, "hash": previous,
                      "sealed_at": sealed_at})
    if seals:
        connection.execute(insert(_chain), seals)
    return len(seals)


def seal_pending(factory: sessionmaker[Session], *, full: bool = False) -> int:
    """A job: seal every unsealed entry, one transaction per batch (so the write lock, on
    SQLite, is never held for long). Returns how many were sealed."""
    total = 0
    while True:
        with transaction(factory) as session:
            done = seal(session, full=full)
        total += done
        if done < SEAL_BATCH:
            return total


@dataclass(frozen=True)
class Head:
    rows: int  # seals in the chain; the last one's seq
    hash: str


def head(session: Session) -> Head:
    seq, digest = _head(session.connection())
    return Head(seq, digest)


@dataclass(frozen=True)
class Verification:
    head: Head
    unsealed: int
    problems: tuple[str, ...]
    hash_at: str | None  # the hash of the seal a checkpoint names, if there is one

    @property
    def intact(self) -> bool:
        return not self.problems


def _walk(connection: Connection) -> Iterator[Any]:
    query = (select(_chain.c.seq, _chain.c.entry_id, _chain.c.hash.label("seal_hash"),
                    *_ENTRY_COLUMNS)
             .select_from(_chain.outerjoin(_log, _log.c.id == _chain.c.entry_id))
             .order_by(_chain.c.seq))
    # Streamed (a server-side cursor on PostgreSQL), for a log of millions of entries.
    yield from connection.execute(query, execution_options={"yield_per": 10_000})


def verify(session: Session, *, at_rows: int | None = None) -> Verification:
    """Recompute the chain from the first seal. Each seal is checked against the hash the
    seal before it holds, so one edited entry is reported once, not with everything after
    it. A missing seq is a deletion; an entry that no longer matches its seal was edited,
    swapped with another or moved. Rows cut from the end leave a shorter chain that is
    still consistent: only a checkpoint (``at_rows``: its row count) shows that."""
    connection = session.connection()
    problems: list[str] = []
    expected, previous, hash_at = 1, GENESIS, None

    def problem(words: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(words)

    for row in _walk(connection):
        if row.seq != expected:
            problem(f"seals {expected} to {row.seq - 1} are missing: entries were deleted")
        if row.id is None:
            problem(f"seal {row.seq}: audit entry {row.entry_id} is missing: it was deleted")
        elif entry_hash(previous, row.seq, row) != row.seal_hash:
            problem(f"seal {row.seq} (audit entry {row.id}) does not match its entry: the "
                    "entry was edited, swapped with another, or its seal was rewritten")
        if row.seq == at_rows:
            hash_at = row.seal_hash
        previous, expected = row.seal_hash, row.seq + 1
    unsealed = connection.execute(
        select(func.count()).select_from(_log)
        .where(~exists().where(_chain.c.entry_id == _log.c.id))).scalar_one()
    return Verification(Head(expected - 1, previous), unsealed, tuple(problems), hash_at)
