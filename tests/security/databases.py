"""A database of a test's own, for tests whose transactions commit for real (from threads,
or through the app as it is served), on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from safeguard.access.service import ensure_core_agencies
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.migrate import upgrade

from ..conftest import fresh_postgres_database


def own_database(backend: str, tmp_path: Path, name: str) -> Engine:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
    else:
        url = fresh_postgres_database(f"safeguard_{name}_{os.getpid()}")
    engine = make_engine(url, pool_size=12)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        ensure_core_agencies(session)
    return engine
