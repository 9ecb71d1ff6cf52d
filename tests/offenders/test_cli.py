"""`safeguard offenders capacity` prints the unit's figures, as a table or as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from safeguard.cli import app

from ..test_cli import database, runner, write_lines
from .scenario import registration

__all__ = ["database"]  # the fixture, shared with the CLI tests


def test_capacity_prints_caseloads_overdue_visits_and_the_staffing_the_plans_need(
        database: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    lines = [registration(f"RSO-{n}", risk=risk, every=every, offender={
        "given_name": f"Offender{n}", "family_name": "Synthetic", "dob": "1970-01-01"},
        address={"line1": f"{n} Elm Close", "postcode": "NN3 3CC"},
        registered_at=(now - timedelta(days=days)).isoformat(), offender_manager=manager)
        for n, (risk, every, days, manager) in enumerate([
            ("high", 28, 60, "DC 1 Shah"), ("low", None, 10, "DC 1 Shah"),
            ("very_high", 7, 3, "DC 2 Ross")])]
    assert runner.invoke(app, ["import", str(write_lines(tmp_path / "r.jsonl", *lines))]
                         ).exit_code == 0
    result = runner.invoke(app, ["offenders", "capacity", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    shah, ross = sorted(figures["managers"], key=lambda m: m["manager"])
    assert (shah["manager"], shah["offenders"], shah["overdue"]) == ("DC 1 Shah", 2, 1)
    assert shah["by_risk"] == {"very_high": 0, "high": 1, "medium": 0, "low": 1}
    assert (ross["overdue"], ross["due_30_days"]) == (0, 1)
    assert figures["officers"] == 2
    projected = [m for m in figures["months"] if m["projected"]]
    assert len(projected) == 6 and len(figures["months"]) == 18
    # Every 7 days and every 28 days: about 4.3 + 1.1 visits in a whole month.
    assert 4 <= projected[1]["visits_due"] <= 7
    table = runner.invoke(app, ["offenders", "capacity"])
    assert "1 home visit is overdue." in table.output
    assert "Caseloads" in table.output and "Staffing the plans need" in table.output
