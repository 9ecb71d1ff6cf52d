"""Finding 8: the append-only tables are append-only against REPLACE on SQLite, and on
PostgreSQL against the role the service runs as (safeguard_app: SELECT and INSERT only on
them, owning nothing), TRUNCATE and disabling triggers included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, ProgrammingError
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.audit.chain import seal
from safeguard.audit.models import AuditEntry
from safeguard.audit.service import record
from safeguard.duties.models import DutyTransition
from safeguard.duties.service import mark_breaches
from safeguard.events.models import Event
from safeguard.intake.service import IntakeContext

from ..intake.test_friday_night_scenario import record_scenario

FORGED = {"audit_log": "why", "duty_transitions": "note", "events": "actor"}


def _replace(session: Session, model: type, row_id: int, *, new_id: bool = False) -> None:
    """Rewrite a row the way each database allows: SQLite's INSERT OR REPLACE, PostgreSQL's
    INSERT ... ON CONFLICT DO UPDATE; with ``new_id`` the clash is on another unique key."""
    table = model.__tablename__
    names = [column.name for column in model.__table__.columns]  # type: ignore[attr-defined]
    forged = FORGED[table]
    postgres = session.get_bind().dialect.name == "postgresql"
    values = ["'forged'" if name == forged else name for name in names]
    if new_id:
        values[names.index("id")] = f"nextval('{table}_id_seq')" if postgres else "NULL"
    columns, select_list = ", ".join(names), ", ".join(values)
    if postgres:
        target = "(source, source_id)" if new_id else "(id)"
        sql = (f"INSERT INTO {table} ({columns}) SELECT {select_list} FROM {table} "
               f"WHERE id = :id ON CONFLICT {target} DO UPDATE SET {forged} = 'forged'")
    else:
        sql = (f"INSERT OR REPLACE INTO {table} ({columns}) "
               f"SELECT {select_list} FROM {table} WHERE id = :id")
    session.execute(text(sql), {"id": row_id})


@pytest.mark.parametrize("model", [AuditEntry, DutyTransition, Event],
                         ids=["audit_log", "duty_transitions", "events"])
def test_it_refuses_to_replace_a_history_row_in_place(session: Session, ctx: IntakeContext,
                                                      model: type) -> None:
    record_scenario(session, ctx)
    session.flush()
    table = model.__tablename__
    row_id = session.scalars(select(model.id).order_by(model.id).limit(1)).one()
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        _replace(session, model, row_id)
    assert "forged" not in str(session.execute(
        text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one())


def test_it_refuses_to_replace_an_event_by_its_source_and_source_id(
        session: Session, ctx: IntakeContext) -> None:
    record_scenario(session, ctx)
    session.flush()
    first = session.scalars(select(Event.id).order_by(Event.id).limit(1)).one()
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        _replace(session, Event, first, new_id=True)
    assert session.get(Event, first) is not None


def _postgres_only(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("roles and TRUNCATE are PostgreSQL's; SQLite has neither (a file's "
                    "owner is its only role), and its REPLACE is tested above")


@contextmanager
def as_app_role(session: Session) -> Iterator[None]:
    session.execute(text("SET ROLE safeguard_app"))
    try:
        yield
    finally:
        session.execute(text("RESET ROLE"))


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_log", "DELETE FROM audit_log", "UPDATE audit_log SET why = 'x'",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL", "TRUNCATE events CASCADE",
    "DELETE FROM audit_chain", "DELETE FROM duty_transitions",
    "DROP TRIGGER audit_log_append_only ON audit_log",
])
def test_it_runs_the_service_as_a_role_that_cannot_erase_history(
        session: Session, statement: str) -> None:
    _postgres_only(session)
    record(session, principal=SYSTEM, action="read", entity="person", entity_id=1, why="t")
    session.flush()
    with as_app_role(session), pytest.raises(
            ProgrammingError, match="permission denied|must be owner"), session.begin_nested():
        session.execute(text(statement))
    assert session.scalar(text("SELECT count(*) FROM audit_log")) >= 1


def test_it_lets_the_service_role_do_its_work(session: Session, ctx: IntakeContext) -> None:
    _postgres_only(session)
    with as_app_role(session):
        accepted = record_scenario(session, ctx)  # events, persons, duties, shares, audit
        session.flush()
        assert mark_breaches(session, now=datetime(2027, 1, 1, tzinfo=UTC))  # claims, locks
        assert seal(session) > 0
        session.execute(text("UPDATE persons SET given_name = given_name WHERE id = :id"),
                        {"id": accepted.person_ids[0]})
        owner = session.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = "
                                    "'public' AND tableowner = 'safeguard_app'"))
    assert owner == 0


def test_it_refuses_truncate_even_to_the_tables_owner(session: Session) -> None:
    _postgres_only(session)
    for table in ("audit_log", "audit_chain", "duty_transitions", "events"):
        with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
            session.execute(text(f"TRUNCATE {table} CASCADE"))
