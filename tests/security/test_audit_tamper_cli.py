"""Finding 8 end to end: `safeguard audit keygen | checkpoint | verify` on a real database of
each kind, as an operator and a witness would run them, before and after tampering."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from safeguard.access.service import SYSTEM
from safeguard.audit.chain import seal_pending, verify
from safeguard.audit.models import AuditEntry
from safeguard.audit.service import record, record_many
from safeguard.cli import app
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction

from ..factories import migrated_store
from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = migrated_store(request.param, tmp_path, "audit_cli")
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line) + "\n" for line in (SCHOOL, AMY, FRIDAY_NIGHT)))
    assert runner.invoke(app, ["import", str(events)]).exit_code == 0
    yield url
    get_settings.cache_clear()


def tamper(url: str, *statements: str) -> None:
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE audit_chain DISABLE TRIGGER USER"))
        else:
            for name in ("audit_log_no_update", "audit_chain_no_delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for statement in statements:
            connection.execute(text(statement))
        if postgres:
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE audit_chain ENABLE TRIGGER USER"))
    engine.dispose()


def test_a_witness_with_the_public_key_catches_an_edit_and_a_re_sealed_forgery(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = tmp_path / "signing.pem", tmp_path / "witness.pem"
    assert runner.invoke(app, ["audit", "keygen", "--private-key", str(private),
                               "--public-key", str(public)]).exit_code == 0
    monkeypatch.setenv("SAFEGUARD_AUDIT_SIGNING_KEY_FILE", str(private))
    get_settings.cache_clear()
    mark = tmp_path / "checkpoint.json"
    made = runner.invoke(app, ["audit", "checkpoint", "--out", str(mark)])
    assert made.exit_code == 0, made.output
    assert json.loads(mark.read_text())["rows"] > 0
    witness = ["audit", "verify", "--checkpoint", str(mark), "--public-key", str(public)]
    intact = runner.invoke(app, witness)
    assert intact.exit_code == 0 and "Intact" in intact.output, intact.output

    tamper(database_url, "UPDATE audit_log SET why = 'nothing happened' "
                         "WHERE id = (SELECT min(id) FROM audit_log)")
    edited = runner.invoke(app, ["audit", "verify"])
    assert edited.exit_code == 1 and "seal 1 " in edited.output, edited.output

    tamper(database_url, "DELETE FROM audit_chain")  # ... and re-seal, as a forger would
    assert runner.invoke(app, ["audit", "seal"]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # agrees with itself
    forged = runner.invoke(app, witness)
    assert forged.exit_code == 1 and "rewritten" in forged.output, forged.output


def test_sealers_running_at_once_keep_one_unbroken_chain(database_url: str) -> None:
    """Four workers sealing at once, while entries are still being written: one chain, each
    entry sealed once, nothing lost."""
    engine = (make_engine(database_url, pool_size=8) if database_url.startswith("postgresql")
              else make_engine(database_url))
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def write() -> None:
        for _ in range(20):
            with transaction(factory) as session:
                record_many(session, principal=SYSTEM, action="read", entity="person",
                            person_ids=[], why="")  # nothing: exercises the empty case
                for n in range(50):
                    record(session, principal=SYSTEM, action="read", entity="person",
                           entity_id=n, why="bulk")

    def sealer() -> None:
        try:
            for _ in range(10):
                seal_pending(factory)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=sealer)
                                                  for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    seal_pending(factory)
    with transaction(factory) as session:
        result = verify(session)
        total = session.scalar(select(func.count()).select_from(AuditEntry))
    engine.dispose()
    assert result.intact and result.unsealed == 0 and result.head.rows == total
