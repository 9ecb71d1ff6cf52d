"""SQLite writers queue on a lock that belongs to the database transaction: the threads of one
process on a lock, the processes on a lock file beside the database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from safeguard.db import (
    SQLITE_BULK_CACHE_KIB,
    bulk_transaction,
    make_engine,
    make_session_factory,
    transaction,
)

from .factories import migrated_store


def _count(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        value = conn.execute(text("SELECT count(*) FROM agencies WHERE id LIKE 'w-%'")).scalar()
    engine.dispose()
    return int(value or 0)


def _add(factory: sessionmaker[Session], name: str) -> None:
    with transaction(factory) as session:
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES (:id, :id, 'police')"),
                        {"id": name})


def _write_in_threads(factory: sessionmaker[Session], *, threads: int, each: int
                      ) -> list[BaseException]:
    """`threads` threads each adding `each` rows at once; what any of them raised."""
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(each):
                _add(factory, f"w-{n}-{i}")
        except BaseException as error:  # noqa: BLE001 (returned to the caller's assertion)
            failures.append(error)

    running = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(60)
    return failures


def test_a_request_that_commits_early_lets_the_job_it_waits_for_write(tmp_path: Path) -> None:
    # The import page commits its own transaction, then waits for the import job (another
    # thread) to write its batches: the writer lock must go with the commit, not the request.
    path = tmp_path / "w.db"
    migrated_store("sqlite", tmp_path, "w")
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    job = threading.Thread(target=_add, args=(factory, "w-job"))
    started = time.monotonic()
    with transaction(factory) as session:
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES ('w-req', 'r', "
                             "'police')"))
        session.commit()
        job.start()
        job.join(20)
    assert not job.is_alive()
    assert time.monotonic() - started < 5  # it did not wait out a lock or busy timeout
    assert _count(path) == 2
    engine.dispose()


def test_many_threads_write_one_at_a_time_and_none_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    migrated_store("sqlite", tmp_path, "w")
    engine = make_engine(f"sqlite:///{path}", pool_size=10)
    factory = make_session_factory(engine)
    assert _write_in_threads(factory, threads=6, each=20) == []
    assert _count(path) == 120
    engine.dispose()


def test_a_failed_transaction_gives_the_writer_lock_back(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    migrated_store("sqlite", tmp_path, "w")
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            session.execute(text("INSERT INTO agencies (id, name, kind) VALUES ('w-1', 'a', "
                                 "'police')"))
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    job = threading.Thread(target=_add, args=(factory, "w-2"))
    started = time.monotonic()
    job.start()
    job.join(20)
    assert time.monotonic() - started < 5
    assert _count(path) == 1  # the failed write was rolled back, the next one landed
    engine.dispose()


# Another process asks the kernel, without waiting, whether it could take the writer lock.
_PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("held")
"""


def _seen_from_another_process(lock_file: Path) -> str:
    return subprocess.run([sys.executable, "-c", _PROBE, str(lock_file)], capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()


def test_other_processes_queue_for_a_transaction_until_it_commits_or_rolls_back(
        tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    migrated_store("sqlite", tmp_path, "w")
    lock_file = tmp_path / "w.db.writer"
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    assert _seen_from_another_process(lock_file) == "free"
    with transaction(factory) as session:
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES ('w-1', 'a', "
                             "'police')"))
        assert _seen_from_another_process(lock_file) == "held"
    assert _seen_from_another_process(lock_file) == "free"
    try:
        with transaction(factory) as session:
            session.execute(text("INSERT INTO agencies (id, name, kind) VALUES ('w-2', 'b', "
                                 "'police')"))
            assert _seen_from_another_process(lock_file) == "held"
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    assert _seen_from_another_process(lock_file) == "free"
    assert _count(path) == 1
    engine.dispose()


_WRITER = """
import sys
from sqlalchemy import text
from safeguard.db import (
    SQLITE_BULK_CACHE_KIB,
    bulk_transaction,
    make_engine,
    make_session_factory,
    transaction,
)
factory = make_session_factory(make_engine(sys.argv[1]))
for i in range(int(sys.argv[2])):
    with transaction(factory) as session:
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES (:id, :id, 'police')"),
                        {"id": f"w-other-{i}"})
"""


def test_writers_in_two_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    migrated_store("sqlite", tmp_path, "w")
    url = f"sqlite:///{path}"
    engine = make_engine(url, pool_size=4)
    factory = make_session_factory(engine)
    other = subprocess.Popen([sys.executable, "-c", _WRITER, url, "60"])
    assert _write_in_threads(factory, threads=2, each=60) == []
    assert other.wait(60) == 0
    assert _count(path) == 180
    engine.dispose()


def test_a_sqlite_store_reads_its_pages_through_a_memory_map(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mapped.db'}")
    with engine.connect() as conn:
        # As much as the build allows (2 GiB for Python's): a county's store outgrows 1 GiB.
        assert (conn.execute(text("PRAGMA mmap_size")).scalar() or 0) > 1 << 30
    engine.dispose()


def test_a_bulk_transaction_writes_with_a_large_cache_then_gives_it_back_and_checkpoints(
        tmp_path: Path) -> None:
    migrated_store("sqlite", tmp_path, "bulk")
    engine = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        usual = conn.execute(text("PRAGMA cache_size")).scalar()
    with bulk_transaction(factory) as session:
        assert session.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_BULK_CACHE_KIB
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES (:id, :id, 'police')"),
                        [{"id": f"w-{n}"} for n in range(500)])
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA cache_size")).scalar() == usual
    # The rows are in the database file itself, not only in its write-ahead log.
    shutil.copy(tmp_path / "bulk.db", tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT count(*) FROM agencies WHERE id LIKE 'w-%'").fetchone() == (500,)
    copy.close()
    engine.dispose()
