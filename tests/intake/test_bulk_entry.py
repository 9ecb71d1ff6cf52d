"""The bulk load from the command line and through the API: the same checks, audit and
report as the normal import."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeguard import commands
from safeguard.audit.models import AuditEntry
from safeguard.cli import app as cli
from safeguard.intake.bulk import collector_paused
from safeguard.people.models import PersonRecord

from ..app_client import AppClient
from ..test_cli import database  # noqa: F401 (a fixture)
from ..web.test_api import key_for
from .scenario import FRIDAY_NIGHT
from .test_bulk import FAMILY


def test_the_cli_bulk_import_loads_persons_then_other_events_and_reports_rejects(
    database: Path, tmp_path: Path,  # noqa: F811 (the fixture)
) -> None:
    source = tmp_path / "county.jsonl"
    bad = dict(FAMILY[0], source_id="H-99", sex="woman")
    source.write_text("\n".join(json.dumps(e) for e in [*FAMILY, bad, FRIDAY_NIGHT]) + "\n")
    result = CliRunner().invoke(cli, ["import", "--bulk", str(source), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["by_type"] == {"incident": 1, "person": len(FAMILY)}
    assert [(r["line"], r["field"]) for r in summary["rejects"]] == [(len(FAMILY) + 1, "sex")]
    again = CliRunner().invoke(cli, ["import", "--bulk", "--workers", "2", str(source),
                                     "--json"])
    repeat = json.loads(again.stdout[again.stdout.index("{"):])
    assert (repeat["accepted"], repeat["duplicates"]) == (0, len(FAMILY) + 1)
    refused = CliRunner().invoke(cli, ["import", "--bulk", "--workers", "0", str(source)])
    assert refused.exit_code == 2
    assert "--workers" in refused.output


def test_the_api_bulk_import_refuses_another_agencys_records_and_audits_its_own(
    client: AppClient, session: Session,
) -> None:
    health = [e for e in FAMILY if e["source"] == "health"]
    police = FAMILY[3]
    body = "\n".join(json.dumps(e) for e in [*health, police]).encode()
    response = client.post("/api/v1/imports?bulk=true", content=body,
                           headers={**key_for(session, "health"),
                                    "Content-Type": "application/x-ndjson"})
    assert response.status_code == 207, response.text
    summary = response.json()
    assert summary["accepted"] == len(health)
    [reject] = summary["rejects"]
    assert reject["line"] == len(health) + 1 and "may not record events" in reject["reason"]
    assert session.scalar(select(func.count()).select_from(PersonRecord)) == len(health)
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "person_record", AuditEntry.why.like("api of health record %"))
    ) == len(health)


def test_the_cli_bulk_import_runs_with_the_cyclic_collector_paused_and_restarts_it(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    collecting: list[bool] = []
    real = commands.bulk_load

    def watched(*args: Any, **kwargs: Any) -> Any:
        collecting.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(commands, "bulk_load", watched)
    source = tmp_path / "county.jsonl"
    source.write_text("\n".join(json.dumps(e) for e in FAMILY) + "\n")
    result = CliRunner().invoke(cli, ["import", "--bulk", str(source), "--json"])
    assert result.exit_code == 0, result.output
    assert collecting == [False] and gc.isenabled()


def test_the_collector_runs_again_after_a_load_that_fails() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the load failed")
    assert gc.isenabled()
