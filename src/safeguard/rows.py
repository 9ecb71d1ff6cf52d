"""Many rows into a table at once, for a bulk load: COPY on PostgreSQL, one executemany of
plain tuples on SQLite, the rows given column by column; ids for them; and a list of values
as one parameter of a query.

SQLAlchemy's executemany builds each row's parameters through the statement's compiled form,
which costs more per row than the database takes to store it; here each column's own bind
processor (the same conversion SQLAlchemy applies: UTC timestamps, JSON) is applied once per
value and the rows go to the driver as they are.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, func, select, text


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows ready for a table: each value as the database driver takes it."""

    table: Table
    names: tuple[str, ...]
    values: list[tuple[Any, ...]]

    def parted(self, column: str, among: Collection[Any]) -> tuple[Rows, Rows]:
        """The rows whose ``column`` is not among the values given, and those whose is."""
        at = self.names.index(column)
        rest: list[tuple[Any, ...]] = []
        these: list[tuple[Any, ...]] = []
        for row in self.values:
            (these if row[at] in among else rest).append(row)
        return Rows(self.table, self.names, rest), Rows(self.table, self.names, these)


def rows_of(dialect: Dialect, table: Table, columns: dict[str, list[Any]], *,
            ready: Collection[str] = ()) -> Rows:
    """Rows given column by column (each list holds one value per row, all of one length):
    the caller builds a list per column rather than a dict per row. ``ready`` names columns
    whose values are already as the database stores them (a JSON document's text), which
    skip the column's bind processor."""
    values = []
    for name, column in columns.items():
        process = (None if name in ready else
                   table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        values.append(column if process is None else _processed(column, process))
    return Rows(table, tuple(columns), list(zip(*values, strict=True)))


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


def insert_rows(connection: Connection, rows: Rows) -> None:
    """Insert prepared rows in one statement: COPY on PostgreSQL."""
    if not rows.values:
        return
    names = ", ".join(rows.names)
    if connection.dialect.name == "postgresql":
        types = [_binary_type(rows.table.c[name].type.compile(connection.dialect))
                 for name in rows.names]
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(
                f"COPY {rows.table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows.values:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in rows.names)
    connection.exec_driver_sql(f"INSERT INTO {rows.table.name} ({names}) VALUES ({marks})",
                               rows.values)


# COPY's binary format: each value as the server keeps it, where the text format has the
# driver write it out and the server parse it again (a timestamp, a date, a number); the
# driver's share of a COPY falls to about a fifth. Text columns are text either way; a JSON
# column's value is already its document's text (the column's bind processor, or ready).
_BINARY_TYPES = {"INTEGER": "int4", "BIGINT": "int8", "SMALLINT": "int2", "VARCHAR": "text",
                 "TEXT": "text", "JSON": "text", "DATE": "date", "BOOLEAN": "bool",
                 "TIMESTAMP WITH TIME ZONE": "timestamptz", "FLOAT": "float8",
                 "DOUBLE PRECISION": "float8"}


def _binary_type(compiled: str) -> str:
    """The driver's name for a column's type in COPY's binary format."""
    name = compiled.split("(")[0].strip()
    if name not in _BINARY_TYPES:
        raise TypeError(f"no binary COPY type for a column of type {compiled}")
    return _BINARY_TYPES[name]


def insert_columns(connection: Connection, table: Table, columns: dict[str, list[Any]], *,
                   ready: Collection[str] = ()) -> None:
    """Insert rows given column by column (:func:`rows_of`) in one statement."""
    insert_rows(connection, rows_of(connection.dialect, table, columns, ready=ready))


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


def new_ids(connection: Connection, table: Table, n: int) -> list[int]:
    """Ids for ``n`` new rows of the table, to insert with them (an INSERT ... RETURNING of
    many rows costs several times a plain one). On PostgreSQL they come from the table's
    sequence. SQLite has one writer: a transaction holds the write lock from its first
    insert, and a writer that took ids in between makes the caller's transaction fail as a
    whole, to be run again."""
    if not n:
        return []
    if connection.dialect.name == "postgresql":
        # One array, not a row per id: the driver reads it in one go, at under half the cost.
        # The sequence is looked up once (MATERIALIZED): named inside nextval, it was looked
        # up in the catalogue for every id, which cost several times the nextval itself.
        return sorted(connection.execute(
            text("WITH named AS MATERIALIZED (SELECT CAST(pg_get_serial_sequence(:name, 'id') "
                 "AS regclass) AS sequence) SELECT array_agg(nextval(named.sequence)) "
                 "FROM named, generate_series(1, :n)"), {"name": table.name, "n": n}
        ).scalar_one())
    last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + n + 1))


def one_of(connection: Connection, column: str, name: str) -> str:
    """SQL saying ``column`` is one of the values bound as ``name`` (given by
    :func:`values_of`): one parameter however many values, where a query of thousands of
    parameters costs more to build than to run."""
    if connection.dialect.name == "postgresql":
        return f"{column} = ANY(:{name})"
    return f"{column} IN (SELECT value FROM json_each(:{name}))"


def values_of(connection: Connection, values: Sequence[str | int]) -> Any:
    """The parameter :func:`one_of` reads: an array on PostgreSQL, a JSON array on SQLite."""
    if connection.dialect.name == "postgresql":
        return list(values)
    return json.dumps(list(values))
