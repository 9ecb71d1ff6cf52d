"""Finding 6: signing out ends the session; disabling a user or changing their roles ends
theirs; password and code guesses are throttled per account and per address without
revealing whether an account exists; two-factor sign-in (TOTP) for people."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from safeguard.access.models import Agency, SignInAttempt, User, UserSession, UserTwoFactor
from safeguard.access.two_factor import set_required
from safeguard.app import create_app
from safeguard.cli import app as cli
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction

from ..app_client import AppClient
from ..conftest import PASSWORD, Clock, csrf_from, sign_in
from ..sharing.test_webhook_cli import database  # noqa: F401 (a fixture)

TOO_MANY = "Too many failed sign-in attempts."


@pytest.fixture
def wall(app: FastAPI) -> Clock:
    """The clock sessions and throttling read (the real time outside these tests)."""
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    app.state.security_clock = clock
    return clock


def attempt(client: AppClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/sign-in").text)
    return client.post("/sign-in", data={"username": username, "password": password,
                                         "csrf_token": token, "next": "/duties"},
                       follow_redirects=False).status_code


def signed_in(client: AppClient) -> bool:
    return client.get("/duties", follow_redirects=False).status_code == 200


def user(session: Session, username: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


# --- sessions -------------------------------------------------------------------------------

def test_signing_out_ends_the_session_so_a_saved_cookie_no_longer_signs_in(
        app: FastAPI, client: AppClient, wall: Clock) -> None:
    token = sign_in(client, "csc.worker")
    saved = client.cookies["safeguard_session"]
    assert client.post("/sign-out", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    with AppClient(app) as thief:
        thief.cookies.set("safeguard_session", saved)
        assert not signed_in(thief)
        assert thief.get("/api/v1/duties").status_code == 401


def test_disabling_a_user_ends_their_session_and_enabling_them_does_not_revive_it(
        client: AppClient, session: Session, wall: Clock) -> None:
    sign_in(client, "csc.worker")
    saved = client.cookies["safeguard_session"]
    user(session, "csc.worker").active = False
    session.commit()
    assert not signed_in(client)
    user(session, "csc.worker").active = True
    session.commit()
    client.cookies.set("safeguard_session", saved)
    assert not signed_in(client)
    ended = session.scalars(select(UserSession)).one()
    assert ended.revoked_at == wall.now and ended.revoked_why == "user disabled"


def test_changing_a_users_roles_ends_their_session(
        client: AppClient, session: Session, wall: Clock) -> None:
    sign_in(client, "police.supervisor")
    assert signed_in(client)
    user(session, "police.supervisor").roles = "practitioner"
    session.commit()
    assert not signed_in(client)
    assert client.get("/api/v1/duties").status_code == 401
    assert sign_in(client, "police.supervisor")  # signing in again gives the new roles


def test_a_session_ends_after_idle_time_and_after_its_maximum_age(
        client: AppClient, wall: Clock) -> None:
    sign_in(client, "csc.worker")
    wall.now += timedelta(minutes=29)
    assert signed_in(client)
    wall.now += timedelta(minutes=31)
    assert not signed_in(client)  # 31 minutes without a request
    sign_in(client, "csc.worker")
    for _ in range(17):  # busy all day, a request every 29 minutes
        wall.now += timedelta(minutes=29)
        assert signed_in(client) is (_ < 16)  # 8 hours after sign-in it ends regardless


def test_the_database_holds_only_a_hash_of_the_session_token(
        client: AppClient, session: Session, wall: Clock) -> None:
    long_ago = wall.now - timedelta(days=40)
    session.add(UserSession(token_hash="0" * 64, user_id=user(session, "csc.worker").id,
                            grant="-", created_at=long_ago, last_seen_at=long_ago,
                            expires_at=long_ago + timedelta(hours=8)))
    session.commit()
    sign_in(client, "csc.worker")
    session.expire_all()
    row = session.scalars(select(UserSession)).one()  # the month-old one was deleted
    cookie = client.cookies["safeguard_session"]
    assert row.token_hash not in cookie and len(row.token_hash) == 64
    assert row.created_at == row.last_seen_at == wall.now
    assert row.expires_at == wall.now + timedelta(hours=8)


# --- throttling -----------------------------------------------------------------------------

def test_password_guesses_are_throttled_per_account_for_a_growing_time(
        client: AppClient, session: Session, wall: Clock) -> None:
    for _ in range(5):
        assert attempt(client, "csc.worker", "guess") == 401
    page = client.post("/sign-in", data={"username": "csc.worker", "password": PASSWORD,
                                          "csrf_token": csrf_from(client.get("/sign-in").text)},
                       follow_redirects=False)
    assert page.status_code == 429 and TOO_MANY in page.text and "Wait 1 minute" in page.text
    assert page.headers["Retry-After"] == "60"
    wall.now += timedelta(seconds=61)
    assert attempt(client, "csc.worker", "guess") == 401  # the sixth guess...
    assert attempt(client, "csc.worker", PASSWORD) == 429  # ...now waits 2 minutes
    wall.now += timedelta(seconds=119)
    assert attempt(client, "csc.worker", PASSWORD) == 429
    wall.now += timedelta(seconds=2)
    assert attempt(client, "csc.worker", PASSWORD) == 303
    outcomes = [a.outcome for a in session.scalars(select(SignInAttempt)
                                                   .order_by(SignInAttempt.id))]
    assert outcomes == ["failed"] * 5 + ["refused", "failed", "refused", "refused",
                                         "succeeded"]


def test_the_refusal_reads_the_same_whether_or_not_the_account_exists(
        client: AppClient, wall: Clock) -> None:
    pages = []
    for name in ("csc.worker", "no.such.person"):
        for _ in range(5):
            assert attempt(client, name, "guess") == 401
        token = csrf_from(client.get("/sign-in").text)
        pages.append(client.post("/sign-in", data={"username": name, "password": "guess",
                                                   "csrf_token": token}))
    assert [p.status_code for p in pages] == [429, 429]
    # Each page's form token and script nonce are its own; nothing else may differ.
    def plain(text: str, name: str) -> str:
        return re.sub(r'(value|nonce)="[^"]*"', "", text).replace(name, "X")

    assert plain(pages[0].text, "csc.worker") == plain(pages[1].text, "no.such.person")


def test_guesses_from_one_address_at_many_accounts_are_throttled(
        client: AppClient, wall: Clock) -> None:
    for n in range(20):
        assert attempt(client, f"user{n}", "Password1") == 401
    assert attempt(client, "csc.worker", PASSWORD) == 429
    wall.now += timedelta(seconds=61)
    assert attempt(client, "csc.worker", PASSWORD) == 303


def test_throttling_holds_across_processes(
        app: FastAPI, engine: object, factory: sessionmaker[Session], wall: Clock) -> None:
    settings = Settings(database_url="sqlite://", cookie_secure=False)
    other = create_app(settings, engine=app.state.engine, session_factory=factory)
    other.state.security_clock = wall
    with AppClient(app) as first, AppClient(other) as second:
        for _ in range(5):
            assert attempt(first, "csc.worker", "guess") == 401
        assert attempt(second, "csc.worker", PASSWORD) == 429


# --- two-factor sign-in ---------------------------------------------------------------------

def secret_on(html: str) -> str:
    match = re.search(r'id="secret">([A-Z2-7 ]+)<', html)
    assert match, "page shows no secret"
    return match.group(1).replace(" ", "")


def code_form(client: AppClient, code: str) -> int:
    token = csrf_from(client.get("/sign-in/code").text)
    return client.post("/sign-in/code", data={"code": code, "csrf_token": token},
                       follow_redirects=False).status_code


@pytest.fixture
def enrolled(client: AppClient, session: Session, wall: Clock) -> Iterator[str]:
    """csc.worker with an authenticator, signed out again; yields its secret."""
    token = sign_in(client, "csc.worker")
    page = client.get("/account/two-factor")
    assert "<svg" in page.text and 'autocomplete="one-time-code"' in page.text
    secret = secret_on(page.text)
    wrong = client.post("/account/two-factor", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 422
    done = client.post("/account/two-factor", data={
        "code": pyotp.TOTP(secret).at(wall.now), "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert "You sign in with your password and a code" in client.get("/account/two-factor").text
    client.post("/sign-out", data={"csrf_token": token})
    wall.now += timedelta(seconds=30)
    yield secret


def test_a_user_who_enrolled_gives_a_code_after_the_password_and_each_code_works_once(
        client: AppClient, wall: Clock, enrolled: str) -> None:
    assert attempt(client, "csc.worker", PASSWORD) == 303
    assert not signed_in(client)  # the password alone does not sign in
    assert code_form(client, "123456") == 401
    code = pyotp.TOTP(enrolled).at(wall.now)
    assert code_form(client, code) == 303
    assert signed_in(client)
    client.post("/sign-out", data={"csrf_token": csrf_from(client.get("/duties").text)})
    assert attempt(client, "csc.worker", PASSWORD) == 303
    assert code_form(client, code) == 401  # seen once, never again
    wall.now += timedelta(seconds=30)
    assert code_form(client, pyotp.TOTP(enrolled).at(wall.now)) == 303


def test_the_half_signed_in_state_lapses(client: AppClient, wall: Clock, enrolled: str
                                         ) -> None:
    assert attempt(client, "csc.worker", PASSWORD) == 303
    wall.now += timedelta(minutes=6)
    assert client.get("/sign-in/code", follow_redirects=False).headers["location"] == "/sign-in"


def test_code_guesses_are_throttled_with_the_password_guesses(
        client: AppClient, wall: Clock, enrolled: str) -> None:
    assert attempt(client, "csc.worker", PASSWORD) == 303
    # The wrong code tried while enrolling (the fixture) was the first failure.
    for _ in range(4):
        assert code_form(client, "000000") == 401
    assert code_form(client, pyotp.TOTP(enrolled).at(wall.now)) == 429


def test_an_agency_that_requires_two_factor_has_its_users_enrol_at_sign_in(
        client: AppClient, session: Session, wall: Clock) -> None:
    set_required(session, required=True, agency_id="police")
    session.commit()
    assert attempt(client, "mash.officer", PASSWORD) == 303
    page = client.get("/sign-in/code").text
    assert "Set up two-factor sign-in" in page and "<svg" in page
    assert not signed_in(client)
    assert code_form(client, pyotp.TOTP(secret_on(page)).at(wall.now)) == 303
    assert signed_in(client)
    # Other agencies are not affected.
    with AppClient(client.app) as other:
        assert attempt(other, "csc.worker", PASSWORD) == 303 and signed_in(other)


def test_the_command_requires_two_factor_of_an_agency_or_a_user(database: str) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "require-2fa", "--agency", "police"]).exit_code == 0
    assert runner.invoke(cli, ["user", "require-2fa", "--agency", "nowhere"]).exit_code == 1
    assert runner.invoke(cli, ["user", "require-2fa"]).exit_code != 0
    engine = make_engine(database)
    with transaction(make_session_factory(engine)) as tx:
        assert tx.get_one(Agency, "police").require_two_factor
        tx.add(User(username="u1", display_name="U", agency_id="health", roles="practitioner",
                    password_hash="x"))
    assert runner.invoke(cli, ["user", "require-2fa", "--user", "u1"]).exit_code == 0
    assert runner.invoke(cli, ["user", "require-2fa", "--agency", "police", "--off"]
                         ).exit_code == 0
    assert runner.invoke(cli, ["user", "reset-2fa", "u1"]).exit_code == 0
    with transaction(make_session_factory(engine)) as tx:
        assert not tx.get_one(Agency, "police").require_two_factor
        assert [(r.required, r.secret) for r in tx.scalars(select(UserTwoFactor))] == [
            (True, None)]
    engine.dispose()
