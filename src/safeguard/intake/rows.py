"""Many rows into a table at once, for the bulk load: COPY on PostgreSQL, one executemany of
plain tuples on SQLite.

SQLAlchemy's executemany builds each row's parameters through the statement's compiled form,
which costs more per row than the database takes to store it; here each column's own bind
processor (the same conversion SQLAlchemy applies: UTC timestamps, JSON) is applied once per
value and the rows go to the driver as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, text


def _values(connection: Connection, table: Table, columns: list[str],
            rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in columns]
    # Column by column: one comprehension each, not a generator per row.
    values = []
    for name, process in zip(columns, processors, strict=True):
        column = [row[name] for row in rows]
        if process is not None:
            column = _processed(column, process)
        values.append(column)
    return list(zip(*values, strict=True))


def _processed(column: list[Any], process: Any) -> list[Any]:
    """Each value through the column's bind processor, each distinct value once: a chunk's
    rows mostly share their timestamps (the load's clock, a file's recorded_at), and
    converting a timestamp costs more than looking it up."""
    done: dict[Any, Any] = {}
    try:
        return [None if value is None else done[value] if value in done
                else done.setdefault(value, process(value)) for value in column]
    except TypeError:  # unhashable values (JSON documents): each is its own anyway
        return [None if value is None else process(value) for value in column]


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows (each with the same keys)."""
    if not rows:
        return
    columns = list(rows[0])
    values = _values(connection, table, columns, rows)
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, \
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def insert_new_pairs(connection: Connection, table: Table, columns: tuple[str, str],
                     rows: Sequence[tuple[Any, Any]]) -> None:
    """Insert pairs a unique constraint may already hold (a stored person's blocking key),
    leaving those alone: one statement of two arrays on PostgreSQL."""
    if not rows:
        return
    first, second = columns
    if connection.dialect.name == "postgresql":
        connection.execute(text(
            f"INSERT INTO {table.name} ({first}, {second}) "
            f"SELECT * FROM unnest(CAST(:a AS {table.c[first].type.compile(connection.dialect)}[]),"
            f" CAST(:b AS {table.c[second].type.compile(connection.dialect)}[])) "
            "ON CONFLICT DO NOTHING"),
            {"a": [row[0] for row in rows], "b": [row[1] for row in rows]})
        return
    connection.exec_driver_sql(
        f"INSERT OR IGNORE INTO {table.name} ({first}, {second}) VALUES (?, ?)", list(rows))
