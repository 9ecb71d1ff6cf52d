"""Test factories shared by the whole suite (this module holds no tests): the sign-ins every
database test starts with, empty stores on each backend, and incidents in bulk.

Users get a password hash made once per test process, with the cheap argon2 parameters the
suite chooses (tests/__init__.py): a production hash costs 64 MiB and a good part of a second
by design, and hashing for every user of every test used to be most of the suite's time.
Signing in through the form still verifies the hash.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import tempfile
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import ensure_core_agencies, ensure_user, hash_password
from safeguard.db import make_engine
from safeguard.migrate import upgrade

from .intake.scenario import AMY, SCHOOL, incident

POSTGRES_URL = os.environ.get("SAFEGUARD_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# CI sets this so that an unreachable PostgreSQL fails the run instead of skipping.
REQUIRE_POSTGRES = os.environ.get("SAFEGUARD_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]

PASSWORD = "test-only-password"
# username: (display name, agency, roles): the sign-ins every database test starts with.
USERS = {
    "mash.officer": ("DC Priya Patel", "police", "practitioner mash_researcher"),
    "police.supervisor": ("DS Tom Reid", "police", "practitioner supervisor"),
    "csc.worker": ("Sam Okafor", "childrens_social_care", "practitioner mash_researcher"),
    "csc.supervisor": ("Helen Price", "childrens_social_care", "practitioner supervisor"),
    "health.visitor": ("Grace Mensah", "health", "practitioner"),
}


@cache
def password_hash() -> str:
    """The argon2 hash of PASSWORD, made on first use and kept for the test process."""
    return hash_password(PASSWORD)


def add_user(session: Session, username: str, agency_id: str, roles: str = "practitioner",
             display_name: str | None = None) -> User:
    """A user who signs in with PASSWORD (flushed, not committed)."""
    return ensure_user(session, username=username, display_name=display_name or username.title(),
                       agency_id=agency_id, roles=roles, password_hash=password_hash())


def seed_users(session: Session) -> None:
    """The core agencies and USERS."""
    ensure_core_agencies(session)
    for username, (name, agency, roles) in USERS.items():
        add_user(session, username, agency, roles, display_name=name)
    session.flush()


def free_port() -> int:
    """A port on the loopback address no one is listening on (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_postgres_database(name: str, *, template: str | None = None) -> str:
    """Create an empty database next to POSTGRES_URL (a copy of the template database, when
    one is named) and return its URL (or skip/fail)."""
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        admin.dispose()
    except OperationalError as error:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {str(error).splitlines()[0]}"
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    return re.sub(r"/[^/]+$", f"/{name}", POSTGRES_URL)


def empty_store(backend: str, folder: Path, name: str) -> str:
    """The URL of an empty database of its own on this backend: a file in the folder, or a
    PostgreSQL database named for the test process (so parallel processes never share one)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{name}.db'}"
    return fresh_postgres_database(f"safeguard_{name}_{os.getpid()}")


@cache
def _migrated_template(backend: str) -> str:
    """A store built by the real migrations once per test process: the model every
    :func:`migrated_store` of the process is copied from."""
    if backend == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='safeguard-template-')) / 'head.db'}"
    else:
        url = fresh_postgres_database(f"safeguard_template_{os.getpid()}")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # PostgreSQL copies a template no one is connected to
    return url


def migrated_store(backend: str, folder: Path, name: str) -> str:
    """The URL of a database of its own on this backend, already at the migrations' head: a
    copy of the process's migrated store (running every migration for each test that needs a
    store of its own took seconds a time). Tests of the migrations themselves start from
    :func:`empty_store`."""
    template = _migrated_template(backend)
    if backend == "sqlite":
        target = folder / f"{name}.db"
        with sqlite3.connect(template.removeprefix("sqlite:///")) as source, \
                sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite:///{target}"
    return fresh_postgres_database(f"safeguard_{name}_{os.getpid()}",
                                   template=template.rsplit("/", 1)[1])


def incident_lines(count: int, *, start: int = 0) -> list[str]:
    """JSON Lines: the school, then `count` Friday-night incidents at addresses of their own,
    each with a child the school knows there (four duties an incident, two of them shares)."""
    lines = [json.dumps(SCHOOL)]
    for n in range(start, start + count):
        address = {"uprn": f"2000{n:08d}", "line1": f"{n + 1} Beech Road",
                   "town": "Northampton", "postcode": "NN1 1AA"}
        # Forty children need forty pupil numbers: one shared would be a data-quality task
        # for each record after the first, so these children carry none.
        lines.append(json.dumps(dict(AMY, source_id=f"E-{n}", address=address,
                                     given_name=f"Amy{n}", ids={})))
        event = incident(f"INC-{n}", "2026-11-27T22:40:00+00:00", "2026-11-27T23:55:00+00:00")
        lines.append(json.dumps(dict(event, address=address)))
    return lines
