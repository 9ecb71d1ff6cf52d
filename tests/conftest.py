"""Test fixtures: every database test runs on SQLite and on PostgreSQL, built by the real
migrations, each test inside a transaction that is rolled back (services' commits become
savepoints)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import User
from safeguard.access.service import Principal, principal_for_user
from safeguard.app import bind_state, create_app
from safeguard.config import Settings
from safeguard.db import make_engine
from safeguard.intake.service import IntakeContext, build_context

from .app_client import AppClient
from .factories import BACKENDS, PASSWORD, migrated_store, seed_users

# Test modules import this from here; it lives with the other factories now.
from .factories import fresh_postgres_database as fresh_postgres_database


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work goes first: the tests marked slow, then the groups that each run in one
    process (each backend's authorisation matrix, the browser tests). On several processes
    (scripts/test) each then starts at once beside the others and the quick tests fill in
    around it, instead of one being handed out last and running on alone; in one process the
    order changes nothing. The sort is stable, so each group keeps its own order."""
    items.sort(key=_how_soon)


def _how_soon(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") is not None:
        return 0
    group = item.get_closest_marker("xdist_group")
    if group is not None and str(group.args[0]).startswith("authorisation-matrix"):
        return 1
    if "browser" in getattr(item, "fixturenames", ()):
        return 2
    return 3


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    engine = make_engine(migrated_store(request.param, tmp_path_factory.mktemp("db"), "test"))
    # The sign-ins every test starts with are committed once per store: each test's own
    # changes to them roll back with the rest of its transaction.
    with Session(engine) as session:
        seed_users(session)
        session.commit()
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
    session.commit()  # what the test set up becomes visible to the app's sessions (a savepoint)
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False),
                        cookie_secure=False)
    # One app per store and process, bound afresh to each test's transaction and clock: its
    # routes resolve their dependencies once, not once a test.
    app = _APPS.get(engine)
    if app is None:
        app = _APPS[engine] = create_app(settings, engine=engine)
    bind_state(app, settings=settings, engine=engine, session_factory=factory, clock=clock)
    return app


_APPS: dict[Engine, FastAPI] = {}


@pytest.fixture
def client(app: FastAPI) -> Iterator[AppClient]:
    with AppClient(app) as client:
        yield client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def sign_in(client: AppClient, username: str) -> str:
    """Sign in through the real form; returns the session's CSRF token."""
    token = csrf_from(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                             "csrf_token": token, "next": "/duties"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/duties").text)


def sign_in_in_welsh(client: AppClient, username: str) -> str:
    """Signs in and chooses Cymraeg (kept on the user); returns the session's CSRF token."""
    token = sign_in(client, username)
    chosen = client.post("/account/language", data={"csrf_token": token, "language": "cy"},
                         follow_redirects=False)
    assert chosen.status_code == 303
    return token


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
