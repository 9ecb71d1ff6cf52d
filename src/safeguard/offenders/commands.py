"""`safeguard offenders ...`: the public protection unit's figures from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.offenders.capacity import capacity

app = typer.Typer(help="Managing registered sex offenders.", no_args_is_help=True)


@app.command("capacity")
def capacity_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """Caseloads per offender manager against the target, visits overdue and due soon, and
    the officers the plans need by month beside the officers there are (aggregates only)."""
    settings = get_settings()
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        figures = capacity(session, now=utcnow(), settings=settings.offenders)
    if as_json:
        typer.echo(json.dumps(figures.as_json(), indent=2))
        return
    out = Console()
    out.print(f"{figures.offenders} registered offenders, {figures.officers} offender "
              f"managers; at the target caseload of {figures.target:g} the register needs "
              f"{figures.officers_for_target:.1f}.")
    managers = Table("offender manager", "offenders", "very high", "high", "medium", "low",
                     "weighted", "over target", "overdue", "due 30 days", "due 90 days",
                     title="Caseloads")
    for m in figures.managers:
        managers.add_row(m.manager, str(m.offenders), *(str(m.by_risk[r]) for r in (
            "very_high", "high", "medium", "low")), f"{m.weighted:g}",
            "yes" if m.over_target else "", str(m.overdue), str(m.due_30_days),
            str(m.due_90_days))
    out.print(managers)
    months = Table("month", "home visits due", "home visits made", "officers needed",
                   "officers there are", title="Staffing the plans need")
    for month in figures.months:
        months.add_row(month.label + (" (projected)" if month.projected else ""),
                       str(month.visits_due),
                       "" if month.visits_made is None else str(month.visits_made),
                       f"{month.officers_needed:.1f}", str(figures.officers))
    out.print(months)
    for warning in figures.warnings:
        out.print(f"[bold red]Warning:[/] {warning}")
