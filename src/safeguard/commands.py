"""What more than one top-level command uses: an import drawn with a progress bar, the web
server with its worker, and the force area's population option (what every entry point uses,
the worker's too, is in command_line)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.command_line import console, warn_about_store
from safeguard.config import Settings, get_settings
from safeguard.db import make_engine, make_session_factory
from safeguard.intake.bulk import bulk_load, collector_paused
from safeguard.intake.importer import ImportSummary, count_lines, import_lines
from safeguard.logs import configure as configure_logging
from safeguard.rules.context import build_context
from safeguard.synth.offenders import MAX_FORCE_POPULATION
from safeguard.worker import start_in_thread

# The people of the force area the modelled households are part of: it sizes the register.
ForcePopulation = Annotated[int, typer.Option(
    min=0, max=MAX_FORCE_POPULATION,
    help="people in the force area (the register of sex offenders is ~1 per 700 of them)")]


def run_import(factory: sessionmaker[Session], path: Path, *, settings: Settings,
               live_from: datetime | None, bulk: bool = False, workers: int = 1
               ) -> ImportSummary:
    ctx = build_context(settings, live_from=live_from)
    # Read as bytes: each line is decoded on its own, so one that is not UTF-8 is a reject
    # with its number instead of stopping the import.
    with path.open("rb") as handle:
        total = count_lines(handle)
    columns = (TextColumn("[bold]Importing"), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("lines"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress, \
            path.open("rb") as handle:
        # A bulk load reads and links every line before it writes the first.
        task = progress.add_task("(read and linked first)" if bulk else "", total=total)
        if bulk:
            with collector_paused():
                return bulk_load(factory, handle, principal=SYSTEM, ctx=ctx, workers=workers,
                                 progress=lambda n: progress.advance(task, n))
        return import_lines(factory, handle, principal=SYSTEM, ctx=ctx,
                            progress=lambda n: progress.advance(task, n))


def print_summary(summary: ImportSummary, rejects_path: Path) -> None:
    console.print(f"{summary.lines} lines: {summary.accepted} imported "
                  f"({', '.join(f'{n} {t}' for t, n in sorted(summary.by_type.items()))}), "
                  f"{summary.duplicates} already imported, {summary.rejected_lines} rejected; "
                  f"{summary.duties_raised} duties raised.")
    if summary.rejects:
        table = Table("line", "field", "reason", title=f"Rejected (also in {rejects_path})")
        for reject in summary.rejects[:50]:
            table.add_row(str(reject.line), reject.field, reject.reason)
        console.print(table)
        if len(summary.rejects) > 50:
            console.print(f"... and {len(summary.rejects) - 50} more in {rejects_path}")


def serve_app(*, host: str, port: int, with_worker: bool) -> None:
    """Serve the pages and API, with the worker in threads beside them if asked. Settings are
    the process's own (`get_settings`), which the app's factory reads too; the app opens its
    own engine on the same database."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    warn_about_store(engine)
    # Each request and each worker pass as a JSON line (safeguard.logs); uvicorn's own
    # access log is left off, since it would repeat each address with its ids and query.
    configure_logging()
    if with_worker:
        start_in_thread(make_session_factory(engine), interval=settings.worker_interval_seconds,
                        delivery=settings.delivery)
    # The app is named, not imported: uvicorn imports it and calls its factory only here, so
    # importing this module (as every command of the CLI does) does not load every page and
    # API; a command other than serve, a worker above all, starts without them.
    uvicorn.run("safeguard.app:create_app", factory=True, host=host, port=port,
                log_level="warning", log_config=None)
