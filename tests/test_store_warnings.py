"""The worker and the web server say at start-up what the database's set-up will cost."""

from __future__ import annotations

from sqlalchemy import Engine

from safeguard.db import STALE_STATISTICS, store_warnings, warnings_for


def test_it_warns_when_postgresql_keeps_no_statistics_current() -> None:
    assert warnings_for({"autovacuum": "off"}) == [STALE_STATISTICS]
    assert warnings_for({"autovacuum": "on"}) == []


def test_it_reads_the_server_it_runs_on(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        assert store_warnings(engine) == []  # SQLite plans without kept statistics
        return
    with engine.connect() as connection:
        autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar()
    assert store_warnings(engine) == ([STALE_STATISTICS] if autovacuum == "off" else [])
