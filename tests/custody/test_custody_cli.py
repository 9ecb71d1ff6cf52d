"""`safeguard custody board` on an SQLite file: an import of a custody record, then the board."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from safeguard.cli import app

from ..test_cli import database as database
from ..test_cli import write_lines

runner = CliRunner()


def test_the_board_command_lists_a_child_in_custody_as_json(database: Path,
                                                             tmp_path: Path) -> None:
    now = datetime.now(UTC)
    lines = write_lines(tmp_path / "custody.jsonl", {
        "event": "custody_detention", "source": "police", "source_id": "CR-CLI",
        "detainee": {"given_name": "Rhys", "family_name": "Carden", "dob": "2012-07-07"},
        "arrived_at": (now - timedelta(hours=3)).isoformat(),
        "detention_authorised_at": (now - timedelta(hours=2)).isoformat(),
        "custody_suite": "Riverside custody suite", "offence": "criminal damage"}, {
        "event": "custody_update", "source": "police", "source_id": "CR-CLI-1",
        "detention": "CR-CLI", "step": "transferred",
        "at": (now - timedelta(hours=1)).isoformat()})
    imported = runner.invoke(app, ["import", str(lines)])
    assert imported.exit_code == 1, imported.output  # a transfer before any request: refused
    rejects = (tmp_path / "custody.jsonl.rejects.jsonl").read_text("utf-8")
    assert "transferred needs a transfer requested first" in rejects
    shown = runner.invoke(app, ["custody", "board", "--json"])
    assert shown.exit_code == 0, shown.output
    [row] = [json.loads(line) for line in shown.output.splitlines()]
    assert row["child"] == "Rhys Carden" and row["stage"] == "Not charged"
    assert row["hours_detained"] == 2.0
    assert row["due_next"] == "Tell a parent the child is in custody"
    assert row["overdue"] is True
