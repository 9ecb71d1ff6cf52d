"""The `safeguard` command end to end on an SQLite file: upgrade, import, duties, worker."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeguard.cli import app
from safeguard.config import get_settings

from .factories import migrated_store
from .intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL
from .sharing.test_delivery_receiver import CSC, Receiver

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", migrated_store("sqlite", tmp_path, "cli"))
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield path
    get_settings.cache_clear()


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_import_reports_rejects_by_line_and_exits_non_zero(database: Path, tmp_path: Path
                                                           ) -> None:
    source = write_lines(tmp_path / "events.jsonl", SCHOOL, AMY,
                         dict(AMY, source_id="E-90", dob="not a date"), FRIDAY_NIGHT)
    result = runner.invoke(app, ["import", str(source), "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert (summary["accepted"], summary["rejected"], summary["duties_raised"]) == (3, 1, 4)
    rejects = [json.loads(line) for line in
               (tmp_path / "events.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [(3, "dob")]


def test_a_clean_import_exits_zero_and_is_idempotent(database: Path, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "events.jsonl", SCHOOL, AMY, FRIDAY_NIGHT)
    assert runner.invoke(app, ["import", str(source)]).exit_code == 0
    again = runner.invoke(app, ["import", str(source), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout[again.stdout.index("{"):])["duplicates"] == 3


def test_duties_json_prints_every_field_the_issue_names(database: Path, tmp_path: Path
                                                        ) -> None:
    runner.invoke(app, ["import", str(write_lines(tmp_path / "e.jsonl", SCHOOL, AMY,
                                                   FRIDAY_NIGHT))])
    result = runner.invoke(app, ["duties", "--json"])
    assert result.exit_code == 0, result.output
    duties = json.loads(result.stdout)
    assert len(duties) == 4
    for duty in duties:
        assert {"id", "kind", "status", "owner_agency", "subject_person_id", "event_source_id",
                "due_at", "created_at", "discharged_at", "reason"} <= set(duty)
        assert duty["event_source_id"] == "INC-2026-000123"
        assert duty["due_at"].endswith("Z") or "+" in duty["due_at"]
    kinds = json.loads(runner.invoke(app, ["duties", "--json", "--kind", "marac_referral"]
                                     ).stdout)
    assert [d["kind"] for d in kinds] == ["marac_referral"]


def test_the_worker_breaches_overdue_duties(database: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(write_lines(tmp_path / "e.jsonl", SCHOOL, AMY,
                                                   FRIDAY_NIGHT))])
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0
    now = datetime.now(UTC)
    duties = json.loads(runner.invoke(app, ["duties", "--json"]).stdout)
    # The incident was recorded on 27 Nov 2026: its 24-hour share is overdue by any real clock;
    # whatever else is past due must be breached too, and nothing that is not yet due.
    assert any(d["kind"] == "share_with_csc" and d["status"] == "breached" for d in duties)
    for duty in duties:
        overdue = datetime.fromisoformat(duty["due_at"]) < now
        assert duty["status"] == ("breached" if overdue else "open"), duty["kind"]
        if overdue:
            assert duty["escalated_to"].startswith(f"{duty['owner_agency']} supervisor")


def test_synth_is_deterministic(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl"):
        result = runner.invoke(app, ["synth", "--seed", "7", "--households", "60",
                                     "--force-population", "14000", "--out",
                                     str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    registrations = (tmp_path / "a.jsonl").read_text("utf-8").count('"offender_registration"')
    assert registrations == 14000 // 700  # the force area's register


def test_the_worker_once_also_delivers_due_shares_to_partner_webhooks(
        database: Path, tmp_path: Path) -> None:
    receiver = Receiver().start()
    try:
        result = runner.invoke(app, ["webhook", "set", CSC, receiver.url(CSC)])
        assert result.exit_code == 0, result.output
        receiver.secrets[CSC] = result.stdout.strip().splitlines()[-1]
        runner.invoke(app, ["import", str(write_lines(tmp_path / "e.jsonl", SCHOOL, AMY,
                                                       FRIDAY_NIGHT))])
        result = runner.invoke(app, ["worker", "--once"])
    finally:
        receiver.stop()
    assert result.exit_code == 0, result.output
    assert "1 delivered" in result.output
    assert receiver.bad_signatures == 0
    [document] = receiver.documents.values()
    assert document["kind"] == "share_with_csc"
    assert document["subject"]["police_reference"] == FRIDAY_NIGHT["source_id"]


def test_rebuild_keys_refiles_every_person_under_their_records_keys(database: Path,
                                                                    tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(write_lines(tmp_path / "e.jsonl", SCHOOL, AMY,
                                                  FRIDAY_NIGHT))])
    with sqlite3.connect(database) as connection:
        filed = connection.execute(
            "SELECT person_id, key FROM person_blocking_keys ORDER BY 1, 2").fetchall()
        persons = connection.execute("SELECT count(*) FROM persons").fetchone()[0]
        connection.execute("DELETE FROM person_blocking_keys")  # as if the key rules changed
    assert filed and persons >= 2

    result = runner.invoke(app, ["db", "rebuild-keys", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert f"Re-filed {persons} persons" in result.output
    with sqlite3.connect(database) as connection:
        assert connection.execute(
            "SELECT person_id, key FROM person_blocking_keys ORDER BY 1, 2").fetchall() == filed
        audited = connection.execute(
            "SELECT count(*) FROM audit_log WHERE why = 're-filing blocking keys'").fetchone()[0]
    assert audited == persons  # one entry per batch of one


def test_the_safeguard_worker_script_is_the_lean_worker_command() -> None:
    from importlib.metadata import entry_points

    from safeguard import worker_command

    (script,) = entry_points(group="console_scripts", name="safeguard-worker")
    assert script.load() is worker_command.app
