"""`safeguard forensics backlog [--json]` on an SQLite file: the figures the forecast page
shows, after an import whose bad step is reported by line and field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeguard.cli import app
from safeguard.config import get_settings

from ..factories import migrated_store
from .scenario import step, submission

runner = CliRunner()


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", migrated_store("sqlite", tmp_path, "cli"))
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    source = tmp_path / "devices.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in (
        submission("EX-1", threat_to_life=True),
        submission("EX-2", suspect=None),
        step("EX-2/C", "completed", "2026-11-05T09:00:00+00:00", submission_id="EX-2"),
    )) + "\n")
    result = runner.invoke(app, ["import", str(source), "--json"])
    assert result.exit_code == 1  # the completed step came before the device was started
    yield source
    get_settings.cache_clear()


def test_the_import_reports_an_out_of_order_step_by_line_and_field(imported: Path) -> None:
    rejects = [json.loads(line) for line in
               imported.with_name("devices.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [(3, "step")]


def test_backlog_prints_the_figures_as_json_and_as_a_table(imported: Path) -> None:
    result = runner.invoke(app, ["forensics", "backlog", "--json", "--extra-examiners", "2"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert [p["waiting"] for p in figures["priorities"]] == [1, 0, 1]
    assert figures["forecast"]["extra_examiners"] == 2
    # Nothing completed in 90 days; two examiners at 6 a week clear two devices at once.
    assert figures["rates"]["completions"] == 0
    assert figures["forecast"]["completions_per_week"] == 12.0
    table = runner.invoke(app, ["forensics", "backlog"])
    assert table.exit_code == 0
    assert "Devices waiting: 2" in table.stdout and "Examiners needed" in table.stdout
