"""Database engine, sessions and the column types every area shares.

One request or one job owns its transaction (:func:`transaction`); services never commit.
SQLite is the embedded default (WAL mode); PostgreSQL is used in production by URL.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, for the hot paths that write plain rows (no objects to track)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no timezone type, so values are normalised to UTC on the way in and tagged as
    UTC on the way out; naive datetimes are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin: without this,
    # SAVEPOINTs (one per imported line) do not work on pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the worker and the web server read while the other writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints are run by the writer queue after the write lock is given back (see
    # _WriterQueue.commit), not inside a COMMIT that every other writer is waiting behind.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    # Read pages straight from the mapped file, not by a read() each into SQLite's own 2 MiB
    # cache: resolving a person reads a few hundred persons and keys scattered through a
    # large file (at a million persons, bench/linkage.py --online: p50 3.69 -> 3.26 ms, p99
    # 5.42 -> 4.78 ms, medians of three runs each, taken in turn).
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


BUSY_TIMEOUT_SECONDS = 10.0
# Address space, not memory: pages are loaded as they are read and shared with the OS's cache.
# SQLite lowers it to its build's limit (2 GiB for Python's); a county's store outgrows 1 GiB,
# and the pages past the mapped part are read one read() at a time into a 2 MiB cache.
SQLITE_MMAP_BYTES = 1 << 34
# The page cache of a transaction that writes rows by the ten thousand (a bulk load's chunk),
# in KiB: SQLite's default 2 MiB cannot hold the index pages such a chunk dirties, and writes
# each again to the log each time it is evicted and changed again.
SQLITE_BULK_CACHE_KIB = 256 * 1024
# About as often as SQLite's own auto-checkpoint (1,000 pages) at intake's size of commit.
CHECKPOINT_EVERY_COMMITS = 50
_WRITER = "safeguard_writer_lock"
_DEFERRED = "safeguard_reading"
# An execution option: the transaction reads first and takes the writer lock only if it
# writes (a GET page). See _WriterQueue.begin.
READS_FIRST = "safeguard_reads_first"
# Statements that need the write lock. A SAVEPOINT counts: a transaction restarted for its
# first write (below) would lose a savepoint opened before it.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|CREATE|DROP|ALTER)\b",
                     re.IGNORECASE)


class _WriterQueue:
    """SQLite has one writer at a time, and every transaction here takes the write lock up
    front. Left to SQLite's busy handler, a waiting writer sleeps 1, 2, 5, 10... up to 100 ms
    between tries while the lock sits free; at a steady rate of incidents a writer in another
    process (`safeguard worker` delivering shares) was starved for seconds. So writers queue
    here instead and go as soon as the holder commits: the threads of one process on a lock,
    and the processes on one database on a file lock beside it (`<database>.writer`), on which
    the kernel wakes a waiting process the moment the holder lets go. The lock belongs to the
    database transaction, not to a thread: it is taken at BEGIN and given back at COMMIT or
    ROLLBACK, whichever thread ends it. One queue serves every engine of a process on the
    same file, so two engines in one thread cannot wait on each other's file lock."""

    def __init__(self, lock_file: Path | None) -> None:
        self.lock = threading.Lock()
        self.commits = itertools.count(1)  # next() on it is atomic: no lock needed
        self.fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600) if lock_file else None

    def begin(self, connection: Any) -> None:
        if connection.get_execution_options().get(READS_FIRST):
            # A page that only reads must not queue behind, or hold up, the writers: a plain
            # BEGIN is deferred and takes no lock, and WAL lets it read beside a writer.
            connection.exec_driver_sql("BEGIN")
            connection.info[_DEFERRED] = True
            return
        self._take(connection, connection.exec_driver_sql)

    def before_execute(self, connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        """A reading transaction's first write (a page's audit rows) takes the writer lock.
        SQLite cannot upgrade a read whose snapshot another writer has since moved past (it
        fails at once, SQLITE_BUSY_SNAPSHOT), so the read is ended - it wrote nothing - and a
        write transaction begun in its place. Only reads-first transactions do this: what a
        GET page writes (who read what, when a share was first opened) does not depend on
        its earlier reads being of the latest snapshot; a form's or an import's writes do,
        and they keep the lock from their first statement."""
        if connection.info.get(_DEFERRED) and _WRITES.match(statement):
            del connection.info[_DEFERRED]
            driver = cursor.connection
            driver.execute("COMMIT")
            self._take(connection, driver.execute)

    def _take(self, connection: Any, execute: Callable[[str], object]) -> None:
        # A holder in this process that never ends (which should not happen) slows the others
        # down to the busy handler's pace after the timeout; it never stops them.
        held = self.lock.acquire(timeout=BUSY_TIMEOUT_SECONDS)
        connection.info[_WRITER] = held
        try:
            if held and self.fd is not None:
                # Only the thread holding the process's lock gets here. Blocking is safe: the
                # holder is another process, whose lock the kernel drops if it dies.
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            # IMMEDIATE takes the write lock up front, so a transaction never fails half-way
            # when two writers meet (busy_timeout makes the other wait instead).
            execute("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def commit(self, connection: Any) -> None:
        """COMMIT here, then give the lock back. SQLAlchemy calls this hook just before it
        commits; giving the lock back then would send the next writer into SQLite's busy
        handler while this COMMIT runs. (SQLAlchemy's own commit finds no transaction open
        and does nothing.) Every CHECKPOINT_EVERY_COMMITS commits, the write-ahead log is
        copied into the database here too, after the lock is given back: a passive checkpoint
        runs beside the next writer instead of in front of it."""
        connection.exec_driver_sql("COMMIT")  # a failure is raised as SQLAlchemy's error
        read_only = connection.info.get(_DEFERRED, False)
        self.end(connection)
        if not read_only and next(self.commits) % CHECKPOINT_EVERY_COMMITS == 0:
            _checkpoint(connection.connection.driver_connection)

    def end(self, connection: Any) -> None:
        connection.info.pop(_DEFERRED, None)
        if connection.info.pop(_WRITER, False):
            self._release()

    def returned(self, _dbapi_connection: Any, record: Any) -> None:
        # A connection handed back to the pool mid-transaction is rolled back by the pool
        # without a rollback event: give the lock back with it.
        record.info.pop(_DEFERRED, None)
        if record.info.pop(_WRITER, False):
            self._release()

    def _release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.lock.release()


_queues: dict[str, _WriterQueue] = {}
_queues_lock = threading.Lock()


def _writer_queue(path: str | None) -> _WriterQueue:
    """The process's queue for a database file (a private one for an in-memory database)."""
    if path is None:
        return _WriterQueue(None)
    key = os.path.realpath(path)
    with _queues_lock:
        if key not in _queues:
            _queues[key] = _WriterQueue(Path(f"{key}.writer"))
        return _queues[key]


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        on_disk = path not in ("", ":memory:") and "mode=memory" not in url
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        writers = _writer_queue(path if on_disk else None)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "before_cursor_execute", writers.before_execute)
        event.listen(engine, "commit", writers.commit)
        event.listen(engine, "rollback", writers.end)
        event.listen(engine.pool, "checkin", writers.returned)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


STALE_STATISTICS = (
    "autovacuum is off on this PostgreSQL server, so nothing keeps the planner's statistics "
    "current as the store grows; intake's look-ups can then slow from a millisecond to "
    "seconds (docs/benchmarks.md, webhook delivery). Turn autovacuum on, or run ANALYZE "
    "after every bulk load and regularly.")


def warnings_for(server_settings: dict[str, str]) -> list[str]:
    """What an operator should put right in a PostgreSQL server's own settings."""
    return [STALE_STATISTICS] if server_settings.get("autovacuum") == "off" else []


def store_warnings(engine: Engine) -> list[str]:
    """The database set-up's warnings, said when the worker or the web server starts."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        autovacuum = str(connection.exec_driver_sql("SHOW autovacuum").scalar())
    return warnings_for({"autovacuum": autovacuum})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def reads_first(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for work that mostly reads (a GET page): on SQLite they take the writer lock
    only at their first write, if any. Elsewhere (PostgreSQL, whose readers never lock, or a
    test's factory bound to one connection) the same factory."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return factory
    return sessionmaker(class_=factory.class_,
                        **{**factory.kw, "bind": bind.execution_options(**{READS_FIRST: True})})


@contextmanager
def bulk_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that writes many rows at once (a bulk load's chunk). On SQLite: a page
    cache to hold them (SQLITE_BULK_CACHE_KIB, given back after), and the write-ahead log
    copied into the database after the commit, so the next chunk reads the database rather
    than a log that every chunk before it has grown."""
    bind = factory.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        with transaction(factory) as session:
            yield session
        return
    with transaction(factory) as session:
        driver: Any = session.connection().connection.driver_connection
        before = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size=-{SQLITE_BULK_CACHE_KIB}").close()
        try:
            yield session
        finally:
            driver.execute(f"PRAGMA cache_size={int(before)}").close()
    if isinstance(bind, Engine):  # not a test's connection, inside its own transaction
        raw = bind.raw_connection()
        try:
            _checkpoint(raw.driver_connection)
        finally:
            raw.close()


def _checkpoint(driver_connection: Any) -> None:
    """Copy the write-ahead log into the database beside any writer (PASSIVE), after a commit:
    a failure is logged, not raised, as the commit stands and the next checkpoint catches up."""
    try:
        driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
    except sqlite3.Error:
        log.exception("WAL checkpoint failed")


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The single place where work is committed or rolled back."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
