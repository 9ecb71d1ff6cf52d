"""`safeguard webhook set` makes a secret and prints it once; `list` never shows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from safeguard.audit.models import AuditEntry
from safeguard.cli import app
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.sharing.models import WebhookEndpoint

from ..factories import migrated_store

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = migrated_store("sqlite", tmp_path, "cli")
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield url
    get_settings.cache_clear()


def stored(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        rows = [(e.agency_id, e.url, e.secret) for e in session.scalars(select(WebhookEndpoint))]
    engine.dispose()
    return rows


def test_it_sets_an_endpoint_with_a_new_secret_printed_once(database: str) -> None:
    first = runner.invoke(app, ["webhook", "set", "childrens_social_care",
                                "https://csc.example.org/hook"])
    assert first.exit_code == 0, first.output
    secret = first.stdout.strip().splitlines()[-1]
    assert len(secret) >= 43
    assert stored(database) == [("childrens_social_care", "https://csc.example.org/hook", secret)]
    again = runner.invoke(app, ["webhook", "set", "childrens_social_care",
                                "https://csc.example.org/v2"])
    rotated = again.stdout.strip().splitlines()[-1]
    assert rotated != secret
    assert stored(database) == [("childrens_social_care", "https://csc.example.org/v2", rotated)]
    listed = runner.invoke(app, ["webhook", "list"])
    assert listed.exit_code == 0 and "https://csc.example.org/v2" in listed.stdout
    assert rotated not in listed.stdout


@pytest.mark.parametrize("command", [["set", "nobody", "https://x.example.org/"],
                                     ["rotate", "nobody"], ["retire", "nobody"]])
def test_it_refuses_an_unknown_agency_naming_it_and_the_known_ones(
        database: str, command: list[str]) -> None:
    result = runner.invoke(app, ["webhook", *command])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"traceback: {result.exception!r}"
    assert "unknown agency 'nobody': the agencies are police, childrens_social_care" \
        in " ".join(result.stderr.split())
    assert stored(database) == []


def test_it_refuses_a_url_that_is_not_http_in_one_line(database: str) -> None:
    result = runner.invoke(app, ["webhook", "set", "health", "ftp://health.example.org/"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "must start with https://" in result.stderr and stored(database) == []


def test_setting_rotating_and_retiring_an_endpoint_is_audited(database: str) -> None:
    for command in (["set", "health", "https://health.example.org/hook"],
                    ["rotate", "health"], ["retire", "health"]):
        assert runner.invoke(app, ["webhook", *command]).exit_code == 0
    engine = make_engine(database)
    with transaction(make_session_factory(engine)) as session:
        entries = session.execute(select(AuditEntry.actor, AuditEntry.why).where(
            AuditEntry.entity == "webhook_endpoint").order_by(AuditEntry.id)).all()
    engine.dispose()
    assert [why.split(" ")[0:2] for _, why in entries] == [
        ["webhook", "endpoint"], ["signing", "secret"], ["previous", "signing"]]
    assert all(actor.startswith("system:cli:") for actor, _ in entries)
    secret = stored(database)[0][2]
    assert all(secret not in why for _, why in entries)


def rollover(url: str) -> tuple[str | None, object]:
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        found = (endpoint.previous_secret, endpoint.previous_valid_until)
    engine.dispose()
    return found


def test_it_rotates_a_secret_keeping_the_previous_until_retired(database: str) -> None:
    first = runner.invoke(app, ["webhook", "set", "childrens_social_care",
                                "https://csc.example.org/hook"]).stdout.strip().splitlines()[-1]
    rotated = runner.invoke(app, ["webhook", "rotate", "childrens_social_care",
                                  "--keep-days", "2"])
    assert rotated.exit_code == 0, rotated.output
    second = rotated.stdout.strip().splitlines()[-1]
    assert second.startswith("whsec_") and second != first
    assert [row[2] for row in stored(database)] == [second]
    previous, until = rollover(database)
    assert previous == first and until is not None
    listed = runner.invoke(app, ["webhook", "list"]).stdout
    assert "previous secret valid until" in listed and first not in listed and second not in listed
    assert runner.invoke(app, ["webhook", "retire", "childrens_social_care"]).exit_code == 0
    assert rollover(database) == (None, None)


def test_it_refuses_to_rotate_an_agency_without_an_endpoint(database: str) -> None:
    for command in (["rotate", "health"], ["retire", "health"]):
        result = runner.invoke(app, ["webhook", *command])
        assert result.exit_code == 1 and "no webhook endpoint" in result.output
