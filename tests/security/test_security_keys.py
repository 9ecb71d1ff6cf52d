"""Finding 6, WebAuthn: security keys as a second factor. A key registered for this site
completes sign-in after the password; an answer for another site (phishing), to an old
challenge, from another user's key or from a cloned key (its counter gone backwards) is
refused; registering and signing in are audited; resetting two-factor sign-in forgets keys.
On SQLite and PostgreSQL, with a software authenticator (tests/security/software_authenticator)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn.helpers import bytes_to_base64url

from safeguard.access.models import User, UserSecurityKey
from safeguard.access.security_keys import (
    RelyingParty,
    authenticate,
    authentication_options,
    keys_of,
    register,
    registration_options,
)
from safeguard.access.two_factor import reset
from safeguard.audit.models import AuditEntry
from safeguard.errors import Invalid

from ..app_client import AppClient
from ..conftest import PASSWORD, csrf_from, sign_in
from .software_authenticator import SoftwareKey

SITE = RelyingParty(id="safeguard.example", origin="https://safeguard.example")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def registered(session: Session, username: str, key: SoftwareKey) -> UserSecurityKey:
    options, challenge = registration_options(session, user=user(session, username), rp=SITE)
    return register(session, user=user(session, username), challenge=challenge, rp=SITE,
                    response=key.create(options, origin=SITE.origin), name=" Blue  key ",
                    now=NOW)


def answer(session: Session, username: str, key: SoftwareKey, **how: object
           ) -> UserSecurityKey | None:
    owner = user(session, username)
    options, challenge = authentication_options(session, user_id=owner.id, rp=SITE)
    origin = str(how.pop("origin", SITE.origin))
    return authenticate(session, user_id=owner.id, challenge=challenge, rp=SITE, now=NOW,
                        response=key.get(options, origin=origin, **how))  # type: ignore[arg-type]


def test_a_key_registered_for_this_site_signs_in_and_its_counter_advances(
        session: Session) -> None:
    key = SoftwareKey()
    stored = registered(session, "csc.worker", key)
    assert (stored.name, stored.sign_count) == ("Blue key", 0)
    assert b"PRIVATE" not in stored.public_key and len(stored.public_key) < 100
    assert answer(session, "csc.worker", key) == stored
    assert answer(session, "csc.worker", key) == stored
    assert (stored.sign_count, stored.last_used_at) == (2, NOW)
    with pytest.raises(Invalid, match="already registered"):
        registered(session, "csc.worker", key)


def test_an_answer_for_another_site_an_old_challenge_or_another_users_key_is_refused(
        session: Session) -> None:
    key = SoftwareKey()
    registered(session, "csc.worker", key)
    assert answer(session, "csc.worker", key, origin="https://safeguard.example.evil") is None
    assert answer(session, "csc.worker", key, rp_id="evil.example") is None
    owner = user(session, "csc.worker")
    old_options, _ = authentication_options(session, user_id=owner.id, rp=SITE)
    _, current = authentication_options(session, user_id=owner.id, rp=SITE)
    assert authenticate(session, user_id=owner.id, challenge=current, rp=SITE, now=NOW,
                        response=key.get(old_options, origin=SITE.origin)) is None
    # Another user's key, though it signs correctly, does not sign this user in.
    registered(session, "csc.supervisor", SoftwareKey())
    other = user(session, "csc.supervisor")
    options, challenge = authentication_options(session, user_id=other.id, rp=SITE)
    assert authenticate(session, user_id=other.id, challenge=challenge, rp=SITE, now=NOW,
                        response=key.get(_with_key(options, key), origin=SITE.origin)) is None
    with pytest.raises(Invalid, match="could not be registered"):
        options, challenge = registration_options(session, user=owner, rp=SITE)
        register(session, user=owner, challenge=challenge, rp=SITE, name="Phished",
                 response=SoftwareKey().create(options, origin="https://evil.example"),
                 now=NOW)


def _with_key(options_json: str, key: SoftwareKey) -> str:
    """Options naming a key the server did not ask for (another user's)."""
    options = json.loads(options_json)
    options["allowCredentials"] = [{"id": bytes_to_base64url(key.credential_id),
                                    "type": "public-key"}]
    return json.dumps(options)


def test_a_cloned_key_whose_counter_goes_backwards_is_refused(session: Session) -> None:
    key = SoftwareKey()
    stored = registered(session, "csc.worker", key)
    assert answer(session, "csc.worker", key, counter=5) == stored
    assert answer(session, "csc.worker", key, counter=3) is None
    assert stored.sign_count == 5


def test_resetting_two_factor_forgets_the_users_keys(session: Session) -> None:
    registered(session, "csc.worker", SoftwareKey())
    reset(session, username="csc.worker", now=NOW)
    assert keys_of(session, user_id=user(session, "csc.worker").id) == []


def sign_in_with_key(client: AppClient, username: str, key: SoftwareKey) -> str:
    """The password, then the key; returns where the sign-in leads."""
    page = client.get("/sign-in")
    typed = client.post("/sign-in", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_from(page.text),
        "next": "/children"}, follow_redirects=False)
    assert typed.headers["location"] == "/sign-in/code"
    code_page = client.get("/sign-in/code")
    assert "Use your security key" in code_page.text
    assert 'src="/static/js/security-keys.js' in code_page.text
    token = csrf_from(code_page.text)
    assert client.get("/duties", follow_redirects=False).status_code == 303
    options = client.post("/sign-in/security-key/options", data={"csrf_token": token})
    done = client.post("/sign-in/security-key", data={
        "csrf_token": token, "credential": key.get(options.text, origin="http://testserver")})
    assert done.status_code == 200, done.text
    redirect: str = done.json()["redirect"]
    return redirect


def test_a_user_registers_a_key_on_the_page_and_signs_in_with_it_after_the_password(
        app: FastAPI, session: Session) -> None:
    key, origin = SoftwareKey(), "http://testserver"
    with AppClient(app) as client:
        token = sign_in(client, "csc.worker")
        options = client.post("/account/security-keys/options", data={"csrf_token": token})
        assert options.status_code == 200
        made = client.post("/account/security-keys", data={
            "csrf_token": token, "key_name": "Blue key",
            "credential": key.create(options.text, origin=origin)})
        assert made.json() == {"redirect": "/account/two-factor"}
        assert "Blue key" in client.get("/account/two-factor").text
        replayed = client.post("/account/security-keys", data={
            "csrf_token": token, "credential": key.create(options.text, origin=origin)})
        assert replayed.status_code == 400, "a challenge is used once"
        client.post("/sign-out", data={"csrf_token": token})

        assert sign_in_with_key(client, "csc.worker", key) == "/children"
        assert client.get("/duties", follow_redirects=False).status_code == 200
    worker = user(session, "csc.worker")
    session.expire_all()
    whys = session.scalars(select(AuditEntry.why).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == str(worker.id))).all()
    assert "registered a security key (Blue key) for two-factor sign-in" in whys
    assert "signed in with a security key (Blue key)" in whys


def test_a_key_answer_is_refused_without_the_password_first(client: AppClient) -> None:
    token = csrf_from(client.get("/sign-in").text)
    for path in ("/sign-in/security-key/options", "/sign-in/security-key"):
        refused = client.post(path, data={"csrf_token": token, "credential": "{}"})
        assert refused.status_code == 401 and "password first" in refused.json()["error"]


def test_a_user_removes_their_own_key_but_not_a_colleagues(
        app: FastAPI, session: Session) -> None:
    mine = SoftwareKey()
    origin = RelyingParty(id="testserver", origin="http://testserver")
    worker = user(session, "csc.worker")
    options, challenge = registration_options(session, user=worker, rp=origin)
    own = register(session, user=worker, challenge=challenge, rp=origin, name="Blue key",
                   response=mine.create(options, origin=origin.origin), now=NOW)
    colleagues = registered(session, "csc.supervisor", SoftwareKey())
    session.commit()
    colleagues_id = colleagues.id
    with AppClient(app) as client:
        sign_in_with_key(client, "csc.worker", mine)
        token = csrf_from(client.get("/duties").text)
        page = client.get("/account/two-factor").text
        assert f'action="/account/security-keys/{own.id}/remove"' in page
        assert client.post(f"/account/security-keys/{colleagues.id}/remove",
                           data={"csrf_token": token}).status_code == 404
        assert client.post(f"/account/security-keys/{own.id}/remove",
                           data={"csrf_token": "forged"}).status_code == 403
        removed = client.post(f"/account/security-keys/{own.id}/remove",
                              data={"csrf_token": token}, follow_redirects=False)
        assert removed.status_code == 303
    session.expire_all()
    assert keys_of(session, user_id=worker.id) == []
    assert [k.id for k in keys_of(session, user_id=user(session, "csc.supervisor").id)] == [
        colleagues_id]
    assert session.scalar(select(AuditEntry.why).where(
        AuditEntry.why == "removed a security key (Blue key)")) is not None
