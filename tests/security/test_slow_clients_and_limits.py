"""Finding 9: one slow client stalled the service on SQLite. A body trickled to /api/v1/imports
held the writer lock (taken when the API key was looked up) for as long as it took to arrive,
and every other writer failed with "database is locked". Bodies are now read in full before
any route runs, capped (413); uploads are capped in lines and incidents in people; and a GET
takes no writer lock until it writes."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import create_api_key
from safeguard.app import create_app
from safeguard.audit.models import AuditEntry
from safeguard.config import Settings
from safeguard.db import make_session_factory, transaction
from safeguard.events.fields import MAX_PEOPLE_PER_INCIDENT

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL
from ..web.test_api import key_for
from .databases import own_database


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    """The app on a database of its own, as it is served: each request its own transaction
    on the engine (not the test's rolled-back connection). Returns (app, a health API key)."""
    engine = own_database(request.param, tmp_path, "served")
    url = engine.url.render_as_string(hide_password=False)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        _, key = create_api_key(session, agency_id="education", name="school records")
    app = create_app(Settings(database_url=url, cookie_secure=False), engine=engine,
                     session_factory=factory)
    yield app, key
    engine.dispose()


def _write_beside(factory: sessionmaker[Session]) -> float:
    """Seconds another writer took to commit a row."""
    started = time.monotonic()
    with transaction(factory) as session:
        session.execute(text("INSERT INTO agencies (id, name, kind) VALUES "
                             "('beside', 'beside', 'police')"))
    return time.monotonic() - started


def _open_transactions(engine: Engine) -> int:
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction'")) or 0)


def test_a_body_trickling_in_holds_no_transaction_and_blocks_no_writer(
    served: tuple[FastAPI, str],
) -> None:
    app, key = served
    engine: Engine = app.state.engine
    factory: sessionmaker[Session] = app.state.session_factory
    body = (json.dumps(SCHOOL) + "\n" + json.dumps(AMY) + "\n").encode()

    async def scenario() -> tuple[float, int, httpx.Response]:
        rest = asyncio.Event()

        async def trickle() -> AsyncIterator[bytes]:
            yield body[:10]
            await rest.wait()  # the client is slow: the rest comes later
            yield body[10:]

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            sending = asyncio.create_task(client.post(
                "/api/v1/imports", content=trickle(),
                headers={"Authorization": f"Bearer {key}",
                         "Content-Type": "application/x-ndjson"}))
            await asyncio.sleep(0.5)
            waited = await asyncio.to_thread(_write_beside, factory)
            open_meanwhile = await asyncio.to_thread(_open_transactions, engine)
            rest.set()
            return waited, open_meanwhile, await sending

    # In a thread of its own: another test in this process (the browser's) may have left an
    # event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        waited, open_meanwhile, response = pool.submit(asyncio.run, scenario()).result()
    assert waited < 2, f"a writer waited {waited:.1f} s behind a slow upload"
    assert open_meanwhile == 0
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2


def test_a_get_takes_no_writer_lock_while_another_transaction_writes(
    served: tuple[FastAPI, str],
) -> None:
    app, key = served
    factory: sessionmaker[Session] = app.state.session_factory
    holding = threading.Event()
    done = threading.Event()

    def long_writer() -> None:
        with transaction(factory) as session:
            session.execute(text("INSERT INTO agencies (id, name, kind) VALUES "
                                 "('long', 'long', 'police')"))
            holding.set()
            done.wait(30)

    writer = threading.Thread(target=long_writer)
    writer.start()
    try:
        assert holding.wait(10)
        with AppClient(app) as client:
            started = time.monotonic()
            response = client.get("/api/v1/duties",
                                  headers={"Authorization": f"Bearer {key}"})
            took = time.monotonic() - started
    finally:
        done.set()
        writer.join(30)
    assert response.status_code == 200 and response.json() == []
    assert took < 2, f"a read waited {took:.1f} s behind a writer"


def test_a_get_that_audits_what_it_read_writes_its_audit_rows(
    served: tuple[FastAPI, str],
) -> None:
    app, key = served
    factory: sessionmaker[Session] = app.state.session_factory
    headers = {"Authorization": f"Bearer {key}"}
    with AppClient(app) as client:
        assert client.post("/api/v1/events", json=SCHOOL, headers=headers).status_code == 201
        created = client.post("/api/v1/events", json=AMY, headers=headers)
        assert created.status_code == 201, created.text
        with transaction(factory) as session:
            before = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        person = client.get("/api/v1/duties", headers=headers)
        assert person.status_code == 200
        child = client.get(f"/api/v1/persons/{_person_of(factory)}", headers=headers)
        assert child.status_code == 200, child.text
    with transaction(factory) as session:
        after = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    assert after > before


def _person_of(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        return int(session.scalar(text(
            "SELECT person_id FROM person_records WHERE source_id = 'E-88'")) or 0)


@pytest.fixture
def limited(engine: Engine, factory: sessionmaker[Session], session: Session, clock: Clock
            ) -> Iterator[AppClient]:
    """The app with small limits, so a test need not send megabytes."""
    session.commit()
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False),
                        cookie_secure=False, max_body_bytes=4000, max_import_lines=3)
    with AppClient(create_app(settings, engine=engine, session_factory=factory,
                               clock=clock)) as client:
        yield client


def test_a_body_over_the_limit_is_refused_with_413_before_any_route_runs(
    limited: AppClient, session: Session,
) -> None:
    response = limited.post("/api/v1/imports", content=b"x" * 4001,
                            headers=key_for(session, "police"))
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]
    # A browser gets a page saying so.
    token = sign_in(limited, "health.visitor")
    page = limited.post("/imports", data={"csrf_token": token},
                        files={"file": ("big.jsonl", b"x" * 5000)},
                        headers={"Accept": "text/html"})
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "The request is too large" in page.text


def test_an_upload_of_more_lines_than_the_limit_is_refused_whole(
    limited: AppClient, session: Session,
) -> None:
    lines = "\n".join(json.dumps(dict(AMY, source_id=f"E-{n}")) for n in range(4))
    response = limited.post("/api/v1/imports", content=lines.encode(),
                            headers=key_for(session, "education"))
    assert response.status_code == 413
    assert "at most 3" in response.json()["detail"]
    token = sign_in(limited, "health.visitor")
    page = limited.post("/imports", data={"csrf_token": token},
                        files={"file": ("many.jsonl", lines.encode())})
    assert page.status_code == 422 and "no more than 3" in page.text


def test_an_incident_naming_more_people_than_the_limit_is_refused_naming_the_field(
    client: AppClient, session: Session,
) -> None:
    people = [{"role": "witness", "given_name": f"W{n}", "family_name": "Crowd"}
              for n in range(MAX_PEOPLE_PER_INCIDENT + 1)]
    response = client.post("/api/v1/events", json=dict(FRIDAY_NIGHT, people=people),
                           headers=key_for(session, "police"))
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == "people"
    assert f"at most {MAX_PEOPLE_PER_INCIDENT}" in problem["reason"]


def test_a_reading_transaction_writes_after_another_has_committed_since_it_read(
    served: tuple[FastAPI, str],
) -> None:
    # SQLite refuses to upgrade a read whose snapshot another writer has moved past
    # (SQLITE_BUSY_SNAPSHOT, "database is locked" at once); a reading transaction's first
    # write therefore starts a write transaction in its place.
    app, _ = served
    factory: sessionmaker[Session] = app.state.session_factory
    with transaction(app.state.reads_first_factory) as reader:
        assert reader.scalar(text("SELECT count(*) FROM agencies")) is not None
        assert _write_beside(factory) < 2  # the reader held no lock
        reader.execute(text("INSERT INTO agencies (id, name, kind) VALUES "
                            "('after', 'after', 'police')"))
    with transaction(factory) as session:
        assert session.scalar(text(
            "SELECT count(*) FROM agencies WHERE id IN ('beside', 'after')")) == 2
