"""Finding 15 on the command line: `safeguard user add|disable|reset|list` and
`safeguard api-key create|list|revoke|rotate`, against a store of its own on SQLite and on
PostgreSQL. A refusal is one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from safeguard.access.models import User
from safeguard.access.service import authenticate_user, principal_for_api_key
from safeguard.audit.models import AuditEntry
from safeguard.cli import app
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction

from ..factories import migrated_store

runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[str]:
    url = migrated_store(request.param, tmp_path_factory.mktemp("cli"), "accounts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_DATABASE_URL", url)
        get_settings.cache_clear()
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        yield url
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), f"traceback: {result.exception!r}"
    return result.exit_code, result.stdout, result.stderr


def test_it_refuses_an_unknown_role_or_agency_with_one_clear_line(store: str) -> None:
    code, _, err = run("user", "add", "jo.god", "--name", "Jo", "--agency", "police",
                       "--roles", "god")
    assert code == 2
    assert "unknown role god: the roles are practitioner, supervisor, senior_manager, " \
           "admin" in err
    code, _, err = run("user", "add", "jo.nowhere", "--name", "Jo", "--agency", "nowhere")
    assert code == 2 and "unknown agency 'nowhere'" in err
    code, _, err = run("api-key", "create", "nowhere", "Some system")
    assert code == 2 and "unknown agency 'nowhere'" in err
    code, _, err = run("api-key", "create", "police", "Some system", "--roles", "god")
    assert code == 2 and "unknown role god" in err
    assert run("user", "disable", "no.such.user")[0] == 2
    assert run("api-key", "revoke", "999999")[0] == 2


def test_it_adds_resets_lists_and_disables_a_user(store: str) -> None:
    code, password, err = run("user", "add", "Dana.Cli", "--name", "Dana Cli", "--agency",
                              "health", "--roles", "practitioner,supervisor")
    assert code == 0 and "One-time password" in err
    password = password.strip()
    code, listed, _ = run("user", "list", "--agency", "health", "--json")
    assert {"username": "dana.cli", "name": "Dana Cli", "agency": "health",
            "roles": ["practitioner", "supervisor"], "active": True} in [
        {k: v for k, v in row.items() if k != "created_at"} for row in json.loads(listed)]
    code, reset, _ = run("user", "reset", "dana.cli")
    assert code == 0 and reset.strip() != password
    code, _, _ = run("user", "reset", "dana.cli", "--prompt",
                     input="typed at the prompt\ntyped at the prompt\n")
    assert code == 0
    factory = make_session_factory(make_engine(store))
    with transaction(factory) as session:
        assert authenticate_user(session, username="dana.cli", password=reset.strip()) is None
        assert authenticate_user(session, username="dana.cli",
                                 password="typed at the prompt") is not None
    assert run("user", "disable", "dana.cli")[0] == 0
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "dana.cli"))
        assert user is not None and not user.active
        assert authenticate_user(session, username="dana.cli",
                                 password="typed at the prompt") is None
        actors = session.scalars(select(AuditEntry.actor).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))).all()
    assert len(actors) == 4 and all(a.startswith("system:cli:") for a in actors)


def test_it_creates_lists_rotates_and_revokes_an_api_key(store: str) -> None:
    code, first, _ = run("api-key", "create", "probation", "Case management")
    assert code == 0 and first.startswith("sg_")
    code, listed, _ = run("api-key", "list", "--agency", "probation", "--json")
    keys = json.loads(listed)
    assert [(k["name"], k["prefix"]) for k in keys] == [("Case management", first[:10])]
    assert first.strip() not in listed
    code, second, _ = run("api-key", "rotate", str(keys[0]["id"]))
    assert code == 0
    factory = make_session_factory(make_engine(store))
    with transaction(factory) as session:
        assert principal_for_api_key(session, plaintext=first.strip()) is None
        assert principal_for_api_key(session, plaintext=second.strip()) is not None
    new_id = json.loads(run("api-key", "list", "--agency", "probation", "--json")[1])[0]["id"]
    assert run("api-key", "revoke", str(new_id))[0] == 0
    with transaction(factory) as session:
        assert principal_for_api_key(session, plaintext=second.strip()) is None
    every = json.loads(run("api-key", "list", "--agency", "probation", "--all", "--json")[1])
    assert len(every) == 2 and all(k["revoked"] for k in every)
    code, _, err = run("api-key", "revoke", str(new_id))
    assert code == 2 and "already revoked" in err


def test_it_enables_a_user_and_changes_their_roles_from_the_known_set(store: str) -> None:
    assert run("user", "add", "robin.cli", "--name", "Robin Cli", "--agency", "police")[0] == 0
    assert run("user", "disable", "robin.cli")[0] == 0
    code, _, err = run("user", "enable", "robin.cli")
    assert code == 0 and "robin.cli is enabled" in err
    code, _, err = run("user", "roles", "robin.cli", "--roles", "practitioner god")
    assert code == 2 and "unknown role god: the roles are practitioner" in err
    assert run("user", "roles", "no.such.user", "--roles", "practitioner")[0] == 2
    code, _, err = run("user", "roles", "robin.cli", "--roles", "supervisor,practitioner")
    assert code == 0 and "now has the roles practitioner supervisor" in err
    code, listed, _ = run("user", "list", "--agency", "police", "--json")
    robin = next(row for row in json.loads(listed) if row["username"] == "robin.cli")
    assert (robin["active"], robin["roles"]) == (True, ["practitioner", "supervisor"])
    factory = make_session_factory(make_engine(store))
    with transaction(factory) as session:
        user = session.scalars(select(User).where(User.username == "robin.cli")).one()
        whys = session.scalars(select(AuditEntry.why).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))
            .order_by(AuditEntry.id)).all()
    assert whys[1:] == ["user robin.cli disabled", "user robin.cli enabled",
                        "roles of robin.cli changed from practitioner to practitioner "
                        "supervisor"]


def test_it_sets_where_a_users_email_notifications_go(store: str) -> None:
    assert run("user", "add", "erin.cli", "--name", "Erin Cli", "--agency", "health")[0] == 0
    code, _, err = run("user", "email", "erin.cli", "erin.cli@health.example.nhs.uk")
    assert code == 0 and "notifications go to erin.cli@health.example.nhs.uk" in err
    code, _, err = run("user", "email", "erin.cli", "erin at health")
    assert code == 2 and "give an email address like name@agency.gov.uk" in err
    with transaction(make_session_factory(make_engine(store))) as session:
        assert session.scalar(select(User.email).where(User.username == "erin.cli")) == \
            "erin.cli@health.example.nhs.uk"
