"""`safeguard missing ...`: the children missing now, and the SSDA903 missing module."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safeguard.access.service import SYSTEM
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.errors import InvalidField
from safeguard.missing.service import register_placing_authority
from safeguard.missing.views import missing_now, ssda903_missing

app = typer.Typer(help="Children missing from home or care.", no_args_is_help=True)
console = Console()


@app.command("now")
def now_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The children missing now, highest risk first, then longest missing."""
    factory = make_session_factory(make_engine(get_settings().database_url))
    with transaction(factory) as session:
        rows = missing_now(session, now=utcnow())
        record_many(session, principal=SYSTEM, action="read", entity="person",
                    person_ids=sorted({r.episode.person_id for r in rows}),
                    why="listed the children missing now (CLI)")
        found = [{"episode_id": r.episode.id, "reference": r.episode.reference,
                  "child": r.name, "risk": r.episode.risk,
                  "missing_from": r.episode.missing_from,
                  "last_seen_at": r.episode.last_seen_at.isoformat(),
                  "hours_missing": round(r.hours, 1)} for r in rows]
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table("Episode", "Child", "Risk", "From", "Last seen", "Hours")
    for row in found:
        table.add_row(str(row["reference"]), str(row["child"]), str(row["risk"]),
                      str(row["missing_from"]), str(row["last_seen_at"]),
                      f"{row['hours_missing']:.0f}")
    console.print(table)


@app.command("placing-authority")
def placing_authority_command(
    code: Annotated[str, typer.Argument(help="the council's DfE local-authority code")],
    name: Annotated[str, typer.Argument(help="the council's name")],
) -> None:
    """Register another council that places children here (agency la-CODE), so the police's
    missing notices about its children reach it."""
    factory = make_session_factory(make_engine(get_settings().database_url))
    try:
        with transaction(factory) as session:
            agency = register_placing_authority(session, code=code, name=name)
            agency_id = agency.id
    except InvalidField as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from error
    console.print(f"Placing authority {name} is agency {agency_id}: add its users with "
                  f"`safeguard user add ... --agency {agency_id}`.")


@app.command("ssda903")
def ssda903_command(
    year: Annotated[int, typer.Option(help="the collection year ending 31 March YEAR")],
    out: Annotated[Path | None, typer.Option(help="CSV file (default: standard output)")
                   ] = None,
) -> None:
    """Looked-after children's missing episodes in the SSDA903 missing module's columns."""
    factory = make_session_factory(make_engine(get_settings().database_url))
    with transaction(factory) as session:
        columns, rows = ssda903_missing(session, year=year)
        audit(session, principal=SYSTEM, action="read", entity="missing_export",
              entity_id=year, person_id=None,
              why=f"exported the SSDA903 missing module for {year} (CLI, {len(rows)} rows)")
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if out:
            handle.close()
