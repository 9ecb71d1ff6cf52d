"""`safeguard custody ...`: the children in police custody now, for a terminal or a script."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safeguard.access.service import Principal
from safeguard.config import get_settings
from safeguard.custody.board import board
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.rules.catalogue import KINDS
from safeguard.workdays import LONDON

app = typer.Typer(help="Children in police custody.", no_args_is_help=True)
# The command reads as the custody suite's operator would: its reads are audited as such.
OPERATOR = Principal("system", 0, "cli", "safeguard custody CLI", "police", "Police",
                     "police", frozenset({"practitioner"}))


@app.command("board")
def board_command(
    suite: Annotated[str, typer.Option(help="one custody suite only")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per child")] = False,
) -> None:
    """Children in custody now: hours held, hours since charge, stage and what is due next."""
    factory = make_session_factory(make_engine(get_settings().database_url))
    now = utcnow()
    with transaction(factory) as session:
        rows = board(session, principal=OPERATOR, now=now, suite=suite)
        found = [{
            "custody_record": row.detention.reference, "child": row.child,
            "custody_suite": row.detention.custody_suite,
            "hours_detained": round(row.hours_detained, 1),
            "hours_since_charge": round(row.hours_since_charge, 1)
            if row.hours_since_charge is not None else None,
            "stage": row.stage,
            "due_next": KINDS[row.next_duty.kind].title if row.next_duty else None,
            "due_at": row.next_duty.due_at.isoformat() if row.next_duty else None,
            "overdue": row.overdue} for row in rows]
    if as_json:
        for item in found:
            typer.echo(json.dumps(item, ensure_ascii=False))
        return
    table = Table(title=f"Children in police custody at {now.astimezone(LONDON):%H:%M %d %b}")
    for column in ("Record", "Child", "Suite", "Hours", "Since charge", "Stage", "Due next"):
        table.add_column(column)
    for item in found:
        due = item["due_at"] and f"{item['due_next']} by {item['due_at']}" + (
            " (OVERDUE)" if item["overdue"] else "")
        table.add_row(str(item["custody_record"]), str(item["child"]),
                      str(item["custody_suite"]), str(item["hours_detained"]),
                      str(item["hours_since_charge"] or "—"), str(item["stage"]),
                      str(due or "nothing open"))
    Console().print(table)
