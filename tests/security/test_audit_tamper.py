"""Finding 8: the audit log is tamper-evident. Each entry is sealed into a hash chain;
verifying finds an edit, a deletion, a swap of two entries, and (against a signed checkpoint)
entries cut from the end or rewritten with their seals recomputed, and a checkpoint that a
forger signed or altered.

The tamperer here is whoever owns the database: the triggers are disabled first, as an owner
can (the service's own role cannot: test_append_only.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM, Principal
from safeguard.audit import checkpoint as checkpoints
from safeguard.audit.chain import head, seal, verify
from safeguard.audit.models import AuditEntry, AuditSeal
from safeguard.audit.service import record, record_many
from safeguard.intake.service import IntakeContext
from safeguard.worker import run_once

from ..intake.test_friday_night_scenario import record_scenario

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@contextmanager
def as_owner_without_triggers(session: Session) -> Iterator[None]:
    """What an attacker holding the owner's credentials does first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in ("audit_log", "audit_chain"):
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:  # DDL is transactional in SQLite: the test's rollback puts the triggers back
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_chain_no_update",
                     "audit_chain_no_delete"):
            session.execute(text(f"DROP TRIGGER {name}"))
    yield
    if postgres:
        for table in ("audit_log", "audit_chain"):
            session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def entries(session: Session, count: int = 6) -> list[int]:
    for n in range(count):
        record(session, principal=SYSTEM, action="read", entity="person", entity_id=n,
               why=f"reading number {n}")
    session.flush()
    return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def sealed(session: Session, count: int = 6) -> list[int]:
    ids = entries(session, count)
    seal(session, now=NOW)
    return ids


def seq_of(session: Session, entry_id: int) -> int:
    """Where the entry sits in the chain (the database may hold others' committed entries)."""
    return session.scalars(select(AuditSeal.seq).where(AuditSeal.entry_id == entry_id)).one()


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_it_seals_every_entry_into_one_chain_including_bulk_writes(
        session: Session, ctx: IntakeContext, principal: object) -> None:
    accepted = record_scenario(session, ctx)  # intake writes with record_many
    worker: Principal = principal("csc.worker")  # type: ignore[operator]
    record_many(session, principal=worker, action="read", entity="person",
                person_ids=accepted.person_ids, why="listed")
    session.flush()
    total = session.scalar(select(func.count()).select_from(AuditEntry))
    assert seal(session) == total
    assert seal(session) == 0  # nothing sealed twice
    result = verify(session)
    assert result.intact and result.unsealed == 0 and result.head.rows == total


def test_it_detects_an_edited_entry(session: Session) -> None:
    ids = sealed(session)
    edited = seq_of(session, ids[2])
    with as_owner_without_triggers(session):
        session.execute(update(AuditEntry).where(AuditEntry.id == ids[2])
                        .values(why="nothing to see"))
    result = verify(session)
    assert [p for p in result.problems if f"seal {edited} " in p and "edited" in p], \
        result.problems
    assert len(result.problems) == 1  # the entries after it are still checked, and fine


def test_it_detects_a_deleted_entry(session: Session) -> None:
    ids = sealed(session)
    gone = seq_of(session, ids[3])
    with as_owner_without_triggers(session):
        session.execute(delete(AuditSeal).where(AuditSeal.entry_id == ids[3]))
        session.execute(delete(AuditEntry).where(AuditEntry.id == ids[3]))
    assert any(f"seals {gone} to {gone} are missing" in p for p in verify(session).problems)


def test_it_detects_two_entries_swapped(session: Session) -> None:
    ids = sealed(session)
    places = seq_of(session, ids[1]), seq_of(session, ids[4])
    first, second = (session.get_one(AuditEntry, i) for i in (ids[1], ids[4]))
    one, other = first.why, second.why
    with as_owner_without_triggers(session):
        session.execute(update(AuditEntry).where(AuditEntry.id == ids[1]).values(why=other))
        session.execute(update(AuditEntry).where(AuditEntry.id == ids[4]).values(why=one))
    problems = verify(session).problems
    assert len(problems) == 2
    assert f"seal {places[0]} " in problems[0] and f"seal {places[1]} " in problems[1]


def test_it_detects_entries_cut_from_the_end_against_a_checkpoint(
        session: Session, key: Ed25519PrivateKey) -> None:
    ids = sealed(session)
    mark = checkpoints.sign(head(session), private_key=key, now=NOW)
    with as_owner_without_triggers(session):
        for entry_id in ids[-2:]:
            session.execute(delete(AuditSeal).where(AuditSeal.entry_id == entry_id))
            session.execute(delete(AuditEntry).where(AuditEntry.id == entry_id))
    result = verify(session, at_rows=mark.rows)
    assert result.intact  # the chain agrees with itself: only the checkpoint shows the cut
    problems = checkpoints.problems_against(mark, result, public_key=key.public_key())
    assert problems and "removed from the end" in problems[0]


def test_it_catches_a_forger_who_rewrites_entries_and_recomputes_the_chain(
        session: Session, key: Ed25519PrivateKey) -> None:
    ids = sealed(session)
    mark = checkpoints.sign(head(session), private_key=key, now=NOW)
    with as_owner_without_triggers(session):
        session.execute(update(AuditEntry).where(AuditEntry.id == ids[0])
                        .values(actor="user:someone.else"))
        session.execute(delete(AuditSeal))
    seal(session, now=NOW)  # the forger re-seals: a chain that agrees with itself
    result = verify(session, at_rows=mark.rows)
    assert result.intact
    problems = checkpoints.problems_against(mark, result, public_key=key.public_key())
    assert problems and "rewritten" in problems[0]


def test_it_refuses_a_checkpoint_the_forger_signed_or_altered(
        session: Session, key: Ed25519PrivateKey) -> None:
    sealed(session)
    honest = checkpoints.sign(head(session), private_key=key, now=NOW)
    own_key = checkpoints.sign(head(session), private_key=Ed25519PrivateKey.generate(),
                               now=NOW)
    altered = checkpoints.Checkpoint(honest.rows - 2, honest.head_hash, honest.at,
                                     honest.key_id, honest.signature)
    result = verify(session, at_rows=honest.rows)
    assert checkpoints.problems_against(honest, result, public_key=key.public_key()) == []
    for forged in (own_key, altered):
        problems = checkpoints.problems_against(forged, result, public_key=key.public_key())
        assert problems and "not signed by the witness's key" in problems[0]


def test_it_cannot_give_two_entries_one_place_in_the_chain(session: Session) -> None:
    """Two sealers racing both read the same head; the second's seal collides on seq."""
    ids = sealed(session, 2)
    top = head(session).rows
    extra = entries(session, 1)[-1]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(AuditSeal(seq=top, entry_id=extra, hash="0" * 64, sealed_at=NOW))
        session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(AuditSeal(seq=top + 1, entry_id=ids[0], hash="0" * 64, sealed_at=NOW))
        session.flush()


def test_it_refuses_to_rewrite_a_seal(session: Session) -> None:
    sealed(session, 1)
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(update(AuditSeal).values(hash="0" * 64))


def test_the_worker_pass_seals_what_was_written_since_the_last(
        session: Session, factory: sessionmaker[Session]) -> None:
    before = verify(session)
    entries(session, 3)
    session.commit()
    assert run_once(factory, now=NOW).sealed == before.unsealed + 3
    after = verify(session)
    assert after.intact and after.unsealed == 0
    assert after.head.rows == before.head.rows + before.unsealed + 3


def test_a_checkpoint_file_round_trips_and_its_private_key_is_the_owners_alone(
        tmp_path: Path, session: Session) -> None:
    sealed(session)
    private, public = tmp_path / "audit.key", tmp_path / "audit.pub"
    checkpoints.generate_keys(private, public)
    assert private.stat().st_mode & 0o077 == 0
    mark = checkpoints.sign(head(session), private_key=checkpoints.load_private_key(private),
                            now=NOW)
    checkpoints.write(mark, tmp_path / "checkpoint.json")
    assert checkpoints.read(tmp_path / "checkpoint.json") == mark
    assert checkpoints.problems_against(
        mark, verify(session, at_rows=mark.rows),
        public_key=checkpoints.load_public_key(public)) == []
