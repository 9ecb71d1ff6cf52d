"""A database of a test's own, for tests whose transactions commit for real (from threads,
or through the app as it is served), on SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from safeguard.access.service import ensure_core_agencies
from safeguard.db import make_engine, make_session_factory, transaction

from ..factories import migrated_store


def own_database(backend: str, tmp_path: Path, name: str) -> Engine:
    engine = make_engine(migrated_store(backend, tmp_path, name), pool_size=12)
    with transaction(make_session_factory(engine)) as session:
        ensure_core_agencies(session)
    return engine
