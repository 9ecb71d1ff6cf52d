"""`safeguard worker`: the breach pass and webhook delivery until stopped, or one pass of each.

A module of its own, which `cli` adds to the `safeguard` command, so that a worker can also be
started as `python -m safeguard.worker_command`: the same command, in a process that loads only
what the worker runs, not the web pages, PDF reports or batch linkage of the other commands.
Workers are restarted after a crash or a deploy and several run side by side, so their start-up
is paid often (docs/benchmarks.md measures it)."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from safeguard.command_line import Safeguard, console, warn_about_store
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory
from safeguard.logs import configure as configure_logging
from safeguard.worker import PassResult, deliver_due, run_all, run_once


def worker(
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    interval: Annotated[float | None, typer.Option(help="seconds between passes")
                        ] = None,
) -> None:
    """Mark breached duties, escalate them, and deliver shares to partners' webhooks."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    warn_about_store(engine)
    factory = make_session_factory(engine)
    if once:
        _report_pass(run_once(factory))
        sent = deliver_due(factory, settings=settings.delivery)
        if sent.claimed:
            console.print(f"Sent {sent.claimed} shares to partners' webhooks: {sent.delivered} "
                          f"delivered, {sent.retried} to retry, {sent.dead} dead letters.")
        return
    stop = threading.Event()
    console.print("Worker running; Ctrl-C to stop. Each pass is logged as a JSON line.")
    configure_logging()
    try:
        # The breach pass and webhook delivery; run several of these for more throughput.
        run_all(factory, interval=interval or settings.worker_interval_seconds,
                settings=settings.delivery, stop=stop)
    except KeyboardInterrupt:
        stop.set()


def _report_pass(result: PassResult) -> None:
    if result.breached:
        console.print(f"Breached and escalated {result.breached} duties.")
    if result.escalated_again:
        console.print(f"Escalated {result.escalated_again} duties to the second level.")
    if result.sealed:
        console.print(f"Sealed {result.sealed} audit entries into the hash chain.")
    if result.missing_checked:
        console.print(f"Made {result.missing_checked} time-driven checks of missing episodes.")
    if result.emailed:
        console.print(f"Sent {result.emailed} email notifications.")


# The command alone: one command, so its options follow the module's name directly.
app = Safeguard(help="safeguard worker: breaches, escalations and webhook deliveries.",
                pretty_exceptions_enable=False)
app.command()(worker)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
