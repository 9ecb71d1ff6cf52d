"""An idle delivery worker is woken when a share is queued, not at its next poll."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from safeguard.sharing.wakeup import Wakeup, notify_queued


def test_it_wakes_an_idle_worker_when_queued_deliveries_commit(engine: Engine) -> None:
    wakeup = Wakeup(engine, threading.Event())
    try:
        assert wakeup.wait(0.01) is False  # listening, nothing queued
        with engine.connect() as connection:
            notify_queued(connection)
            # Not before the commit: the rows would not be there to claim yet.
            assert wakeup.wait(0.3) is False
            connection.commit()
        # PostgreSQL wakes the worker at once; elsewhere it polls, as before.
        postgresql = engine.dialect.name == "postgresql"
        assert wakeup.wait(5 if postgresql else 0.01) is postgresql
        assert wakeup.wait(0.01) is False  # each notification wakes it once
    finally:
        wakeup.close()
