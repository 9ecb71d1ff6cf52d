"""Test fixtures: every database test runs on SQLite and on PostgreSQL, built by the real
migrations, each test inside a transaction that is rolled back (services' commits become
savepoints)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import User
from safeguard.access.service import (
    Principal,
    ensure_core_agencies,
    ensure_user,
    principal_for_user,
)
from safeguard.app import create_app
from safeguard.config import Settings
from safeguard.db import make_engine
from safeguard.intake.service import IntakeContext, build_context
from safeguard.migrate import upgrade

POSTGRES_URL = os.environ.get("SAFEGUARD_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# CI sets this so that an unreachable PostgreSQL fails the run instead of skipping.
REQUIRE_POSTGRES = os.environ.get("SAFEGUARD_REQUIRE_POSTGRES") == "1"
PASSWORD = "test-only-password"
USERS = {
    "mash.officer": ("DC Priya Patel", "police", "practitioner mash_researcher"),
    "police.supervisor": ("DS Tom Reid", "police", "practitioner supervisor"),
    "csc.worker": ("Sam Okafor", "childrens_social_care", "practitioner mash_researcher"),
    "csc.supervisor": ("Helen Price", "childrens_social_care", "practitioner supervisor"),
    "health.visitor": ("Grace Mensah", "health", "practitioner"),
}


def fresh_postgres_database(name: str) -> str:
    """Create an empty database next to POSTGRES_URL and return its URL (or skip/fail)."""
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except OperationalError as error:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {str(error).splitlines()[0]}"
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    return re.sub(r"/[^/]+$", f"/{name}", POSTGRES_URL)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = fresh_postgres_database(f"safeguard_test_{os.getpid()}")
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                        expire_on_commit=False)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        ensure_core_agencies(session)
        for username, (name, agency, roles) in USERS.items():
            ensure_user(session, username=username, display_name=name, agency_id=agency,
                        roles=roles, password=PASSWORD)
        session.flush()
        yield session


@pytest.fixture
def ctx() -> IntakeContext:
    return build_context(Settings())


@pytest.fixture
def principal(session: Session) -> Callable[[str], Principal]:
    def get(username: str) -> Principal:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return principal_for_user(session, user=user)

    return get


class Clock:
    """A settable clock for the app, so deadlines and breaches are tested deterministically."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 23, 55, tzinfo=UTC))


@pytest.fixture
def app(engine: Engine, factory: sessionmaker[Session], session: Session, clock: Clock
        ) -> FastAPI:
    session.commit()  # the seeded users become visible to the app's sessions (a savepoint)
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False),
                        cookie_secure=False)
    return create_app(settings, engine=engine, session_factory=factory, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def sign_in(client: TestClient, username: str) -> str:
    """Sign in through the real form; returns the session's CSRF token."""
    token = csrf_from(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                             "csrf_token": token, "next": "/duties"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/duties").text)


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
