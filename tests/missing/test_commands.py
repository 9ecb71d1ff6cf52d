"""`safeguard missing now` and `safeguard missing ssda903` on an SQLite file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeguard.cli import app
from safeguard.config import get_settings

from ..factories import migrated_store
from .scenario import KNOWN, report, returned

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", migrated_store("sqlite", path.parent, path.stem))
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield path
    get_settings.cache_clear()


def test_the_commands_list_the_missing_and_write_the_return(database: Path, tmp_path: Path
                                                            ) -> None:
    events = [*KNOWN,
              report("MP-1", last_seen_at="2026-05-01T18:00:00+01:00",
                     reported_at="2026-05-01T20:00:00+01:00", risk="low"),
              returned("MP-1-R", "MP-1", at="2026-05-02T09:00:00+01:00"),
              report("MP-2", risk="high")]
    source = tmp_path / "missing.jsonl"
    source.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    registered = runner.invoke(app, ["missing", "placing-authority", "926", "Norfolk"])
    assert registered.exit_code == 0 and "agency la-926" in registered.output
    assert runner.invoke(app, ["missing", "placing-authority", "92", "Typo"]).exit_code == 2
    events[2]["placing_authority"] = {"code": "926"}
    source.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    assert runner.invoke(app, ["import", str(source), "--json"]).exit_code == 0

    now = runner.invoke(app, ["missing", "now", "--json"])
    assert now.exit_code == 0, now.output
    assert [(r["reference"], r["risk"]) for r in json.loads(now.stdout)] == [("MP-2", "high")]
    duties = json.loads(runner.invoke(app, ["duties", "--json"]).stdout)
    assert any(d["kind"] == "missing_notify_placing_authority" and d["partner_agency"]
               == "la-926" for d in duties)

    out = tmp_path / "ssda903.csv"
    written = runner.invoke(app, ["missing", "ssda903", "--year", "2027", "--out", str(out)])
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["MIS_START"], r["MIS_END"], r["MISSING"]) for r in rows] == [
        ("01/05/2026", "02/05/2026", "M"), ("20/11/2026", "", "M")]
