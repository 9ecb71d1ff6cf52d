"""The migrations build the schema the models describe, on both backends, up and down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect

from safeguard.db import make_engine
from safeguard.migrate import check, downgrade, upgrade

from .conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return fresh_postgres_database(f"safeguard_migrations_{os.getpid()}")


def test_migrations_match_the_models_and_go_down_and_up_again(empty_url: str) -> None:
    engine = make_engine(empty_url)
    check(engine)  # upgrades to head, then fails if models and schema differ
    assert "duties" in inspect(engine).get_table_names()
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "audit_log" in inspect(engine).get_table_names()
    engine.dispose()
