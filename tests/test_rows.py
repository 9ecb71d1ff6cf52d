"""Many rows at once (safeguard.rows): the ids a bulk load takes for its rows."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from safeguard.db import table_of, utcnow
from safeguard.events.models import Event
from safeguard.rows import insert_columns, new_ids


def _store_events(connection: Connection, ids: list[int]) -> None:
    n = len(ids)
    insert_columns(connection, table_of(Event), {
        "id": ids, "event_type": ["person"] * n, "source": ["mash"] * n,
        "source_id": [f"rows-test-{i}" for i in ids], "payload": ["{}"] * n,
        "payload_hash": ["0" * 64] * n, "received_at": [utcnow()] * n,
        "received_via": ["import"] * n, "actor": ["test"] * n}, ready=("payload",))


def test_ids_for_new_rows_are_distinct_in_order_and_never_given_again(
        connection: Connection) -> None:
    events = table_of(Event)
    before = connection.scalar(select(func.coalesce(func.max(events.c.id), 0)))
    first = new_ids(connection, events, 500)
    assert len(set(first)) == 500
    assert first == sorted(first)
    assert min(first) > before
    _store_events(connection, first)
    second = new_ids(connection, events, 3)
    assert len(set(second)) == 3
    assert min(second) > max(first)
    _store_events(connection, second)
    assert connection.scalar(select(func.count()).select_from(events).where(
        events.c.id.in_(first + second))) == 503


def test_no_ids_are_taken_for_no_rows(connection: Connection) -> None:
    assert new_ids(connection, table_of(Event), 0) == []
