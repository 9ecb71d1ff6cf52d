"""The migrations build the schema the models describe, on both backends, up and down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from safeguard.db import make_engine
from safeguard.migrate import check, downgrade, upgrade

from .factories import BACKENDS, empty_store


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_store(request.param, tmp_path, "migrations")


def test_migrations_match_the_models_and_go_down_and_up_again(empty_url: str) -> None:
    engine = make_engine(empty_url)
    check(engine)  # upgrades to head, then fails if models and schema differ
    assert "duties" in inspect(engine).get_table_names()
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "audit_log" in inspect(engine).get_table_names()
    engine.dispose()
