"""`safeguard forensics ...`: the digital forensics unit's backlog from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.forensics.queue import backlog, backlog_document

app = typer.Typer(help="The digital forensics unit's queue of seized devices.",
                  no_args_is_help=True)
out = Console()


def _words(value: object) -> str:
    return "-" if value is None else str(value)


@app.command("backlog")
def backlog_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    extra_examiners: Annotated[int, typer.Option(
        min=0, help="forecast as if this many more examiners were at work")] = 0,
) -> None:
    """Devices waiting by priority, their ages and breaches, and when the backlog clears."""
    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        report = backlog(session, now=utcnow(), settings=settings.forensics,
                         extra_examiners=extra_examiners)
    if as_json:
        out.print_json(json.dumps(backlog_document(report)))
        return
    table = Table(title=f"Devices waiting: {report.waiting}, past their clock: "
                        f"{report.breached}")
    for heading in ("Priority", "Waiting", "Oldest (days)", "Median (days)", "Breached",
                    "Wait for a new device (weeks)", "Clock met"):
        table.add_column(heading, justify="right")
    f = report.forecast
    for row, outlook in zip(report.priorities, f.outlooks, strict=True):
        median = None if row.median_days is None else f"{row.median_days:.1f}"
        wait = "never at these rates" if outlook.wait_weeks is None \
            else f"{outlook.wait_weeks:.1f}"
        table.add_row(str(row.priority), str(row.waiting), _words(row.oldest_days),
                      _words(median), str(row.breached), wait,
                      "yes" if outlook.clock_met else "no")
    out.print(table)
    out.print(f"Last {report.rate_window_days} days: {f.arrivals_per_week:.1f} arrivals and "
              f"{f.completions_per_week:.1f} completions a week"
              + (f" (with {f.extra_examiners} more examiners)" if f.extra_examiners else ""))
    out.print("Clears: " + (f"in {f.clears_in_weeks:.0f} weeks, by {report.clears_on}"
                            if f.clears_in_weeks is not None else "never at these rates"))
    out.print(f"Examiners needed to meet every clock: {f.examiners_needed} "
              f"(at {f.devices_per_examiner_per_week:g} devices a week each; completions now "
              f"amount to {f.examiners_now:.1f})")
