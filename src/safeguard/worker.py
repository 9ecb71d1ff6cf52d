"""Background work on clocks: marking breaches and escalating them.

Each pass is one job owning one transaction. Rows are claimed with conditional updates (and
SKIP LOCKED on PostgreSQL), so several workers can run at once without doing a duty twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from safeguard.db import transaction, utcnow
from safeguard.duties.service import mark_breaches

log = logging.getLogger("safeguard.worker")


@dataclass(frozen=True)
class PassResult:
    breached: int


def run_once(factory: sessionmaker[Session], *, now: datetime | None = None) -> PassResult:
    total = 0
    while True:
        with transaction(factory) as session:
            batch = mark_breaches(session, now=now or utcnow())
            total += len(batch)
        if len(batch) < 500:
            return PassResult(breached=total)


def run_forever(
    factory: sessionmaker[Session], *, interval: float, stop: threading.Event,
    on_pass: Callable[[PassResult], None] | None = None,
) -> None:
    while not stop.is_set():
        try:
            result = run_once(factory)
            if on_pass:
                on_pass(result)
        except Exception:  # a failed pass must not stop the clocks: log and try again
            log.exception("worker pass failed")
        stop.wait(interval)


def start_in_thread(factory: sessionmaker[Session], *, interval: float
                    ) -> tuple[threading.Thread, threading.Event]:
    """The embedded (SQLite) set-up runs the worker beside the web server in one process."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(factory,),
                              kwargs={"interval": interval, "stop": stop},
                              name="safeguard-worker", daemon=True)
    thread.start()
    return thread, stop
