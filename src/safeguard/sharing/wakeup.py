"""Waking an idle delivery worker the moment a share is queued (PostgreSQL LISTEN/NOTIFY).

An idle worker otherwise polls, up to `DeliverySettings.idle_seconds` apart, so a share
queued just after a poll waits that long before it is sent. On PostgreSQL intake sends a
notification in the transaction that queues a delivery; the server delivers it only when
that transaction commits, so a worker it wakes finds the rows there to claim. Polling stays
as the safety net: a notification can be missed (a dropped connection), a row never is.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import psycopg
from sqlalchemy import Connection, Engine, text

log = logging.getLogger("safeguard.worker")

CHANNEL = "safeguard_deliveries"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")


def notify_queued(connection: Connection) -> None:
    """Tell listening workers, at commit, that deliveries were queued (PostgreSQL only;
    the server folds repeats within one transaction into one notification)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_NOTIFY)


class Wakeup:
    """Waits between delivery cycles: returns early when a share is queued (PostgreSQL), or
    when the worker is stopped; elsewhere it simply waits."""

    def __init__(self, engine: Engine, stop: threading.Event) -> None:
        self._stop = stop
        self._conninfo = (engine.url.set(drivername="postgresql")
                          .render_as_string(hide_password=False)
                          if engine.dialect.name == "postgresql" else None)
        self._listener: psycopg.Connection[tuple[object, ...]] | None = None
        self._retry_at = 0.0  # after a failed connection, poll a while before trying again

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; True if woken by a queued share."""
        listener = self._listen()
        if listener is None:
            self._stop.wait(seconds)
            return False
        try:
            woken = any(True for _ in listener.notifies(timeout=seconds, stop_after=1))
        except psycopg.Error:
            log.warning("lost the delivery notifications' connection; polling until it is back")
            self.close()
            self._stop.wait(seconds)
            return False
        if woken:
            # Several commits may have notified: one cycle claims all their rows.
            for _ in listener.notifies(timeout=0):
                pass
        return woken

    def _listen(self) -> psycopg.Connection[tuple[object, ...]] | None:
        if self._conninfo is None or self._listener is not None:
            return self._listener
        if time.monotonic() < self._retry_at:
            return None
        try:
            self._listener = psycopg.connect(self._conninfo, autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            log.warning("cannot listen for delivery notifications; polling for 30 s")
            self.close()
            self._retry_at = time.monotonic() + 30
        return self._listener

    def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(psycopg.Error):
                self._listener.close()
            self._listener = None
