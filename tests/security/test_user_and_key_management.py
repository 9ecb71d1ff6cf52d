"""Finding 15: users and API keys are managed, not edited in SQL — the service and the
administrator's pages (/admin/users, /admin/api-keys). Roles and agencies are checked against
the known set; an agency's administrator manages its own agency only; every change is
audited; disabling a user, revoking or rotating a key ends access at the next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import ApiKey, User
from safeguard.access.service import (
    SYSTEM,
    Principal,
    authenticate_user,
    create_api_key,
    ensure_user,
    principal_for_api_key,
)
from safeguard.accounts.service import (
    add_user,
    disable_user,
    issue_api_key,
    list_api_keys,
    list_users,
    reset_password,
    revoke_api_key,
    rotate_api_key,
)
from safeguard.audit.models import AuditEntry
from safeguard.errors import Conflict, Forbidden, Invalid, NotFound

from ..app_client import AppClient
from ..conftest import PASSWORD, csrf_from, sign_in

NOW = datetime(2026, 11, 27, 23, 55, tzinfo=UTC)
KNOWN_ROLES = "practitioner, supervisor, senior_manager, admin"


@pytest.fixture
def admin(session: Session, principal: Callable[[str], Principal]) -> Principal:
    ensure_user(session, username="police.admin", display_name="Pat Admin", agency_id="police",
                roles="practitioner admin", password=PASSWORD)
    session.commit()
    return principal("police.admin")


def audit_rows(session: Session, entity: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                                .order_by(AuditEntry.id)))


def test_it_refuses_an_unknown_role_and_names_the_known_ones(
        session: Session, admin: Principal) -> None:
    with pytest.raises(Invalid, match=f"unknown role god: the roles are {KNOWN_ROLES}"):
        add_user(session, principal=admin, username="jo.bloggs", display_name="Jo Bloggs",
                 agency_id="police", roles="practitioner god")
    with pytest.raises(Invalid, match="unknown role god"):
        create_api_key(session, agency_id="police", name="Force system", roles="god")
    with pytest.raises(Invalid, match="give at least one role"):
        issue_api_key(session, principal=admin, agency_id="police", name="x", roles=[])


def test_it_refuses_an_unknown_agency_and_names_the_known_ones(
        session: Session, principal: Callable[[str], Principal]) -> None:
    with pytest.raises(Invalid, match="unknown agency 'nowhere': the agencies are police, "):
        add_user(session, principal=SYSTEM, username="jo.bloggs", display_name="Jo Bloggs",
                 agency_id="nowhere", roles="practitioner")
    with pytest.raises(Invalid, match="unknown agency 'school-999999'"):
        create_api_key(session, agency_id="school-999999", name="School MIS")


def test_it_refuses_a_taken_username_a_bad_username_and_a_short_password(
        session: Session, admin: Principal) -> None:
    with pytest.raises(Conflict, match="the username mash.officer is taken"):
        add_user(session, principal=admin, username="MASH.officer", display_name="Another",
                 agency_id="police", roles="practitioner")
    with pytest.raises(Invalid, match="a username is"):
        add_user(session, principal=admin, username="robert'); drop table users",
                 display_name="Bobby", agency_id="police", roles="practitioner")
    with pytest.raises(Invalid, match="12 to 128 characters"):
        reset_password(session, principal=admin, username="mash.officer", password="short")


def test_an_administrator_manages_their_own_agency_only(
        session: Session, admin: Principal, principal: Callable[[str], Principal]) -> None:
    with pytest.raises(Forbidden, match="own agency"):
        add_user(session, principal=admin, username="new.visitor", display_name="New Visitor",
                 agency_id="health", roles="practitioner")
    with pytest.raises(NotFound):
        disable_user(session, principal=admin, username="health.visitor")
    with pytest.raises(NotFound):
        reset_password(session, principal=admin, username="csc.worker")
    health_key, _ = create_api_key(session, agency_id="health", name="GP system")
    with pytest.raises(NotFound):
        revoke_api_key(session, principal=admin, key_id=health_key.id, now=NOW)
    with pytest.raises(NotFound):
        rotate_api_key(session, principal=admin, key_id=health_key.id, now=NOW)
    assert {u.agency_id for u in list_users(session, principal=admin)} == {"police"}
    assert health_key.id not in {k.id for k in list_api_keys(session, principal=admin)}
    # A supervisor is no administrator.
    with pytest.raises(Forbidden, match="only an administrator"):
        list_users(session, principal=principal("police.supervisor"))
    with pytest.raises(Invalid, match="your own account"):
        disable_user(session, principal=admin, username="police.admin")


def test_it_audits_every_change_without_the_secret(session: Session, admin: Principal) -> None:
    user, password = add_user(session, principal=admin, username="new.officer",
                              display_name="New Officer", agency_id="police",
                              roles="practitioner supervisor")
    _, reset_to = reset_password(session, principal=admin, username="new.officer")
    disable_user(session, principal=admin, username="new.officer")
    key, plaintext = issue_api_key(session, principal=admin, agency_id="police",
                                   name="Force records system")
    new_key, new_plaintext = rotate_api_key(session, principal=admin, key_id=key.id, now=NOW)
    revoke_api_key(session, principal=admin, key_id=new_key.id, now=NOW)
    users = audit_rows(session, "user")
    keys = audit_rows(session, "api_key")
    assert [(r.actor, r.agency_id, r.action, r.entity_id) for r in users] == [
        ("user:police.admin", "police", "write", str(user.id))] * 3
    assert [r.why for r in users] == [
        "user new.officer added to police with roles practitioner supervisor",
        "password of new.officer reset", "user new.officer disabled"]
    assert [r.entity_id for r in keys] == [str(key.id), str(key.id), str(new_key.id),
                                           str(new_key.id)]
    assert "revoked" in keys[1].why and f"replacing key {key.id}" in keys[2].why
    secrets = [password, reset_to, plaintext, new_plaintext]
    assert all(s and s not in r.why for s in secrets for r in users + keys)


def test_a_reset_password_replaces_the_old_one(session: Session, admin: Principal) -> None:
    _, generated = reset_password(session, principal=admin, username="mash.officer")
    assert generated and len(generated) >= 20
    assert authenticate_user(session, username="mash.officer", password=PASSWORD) is None
    assert authenticate_user(session, username="mash.officer", password=generated) is not None
    reset_password(session, principal=admin, username="mash.officer",
                   password="chosen at a prompt")
    assert authenticate_user(session, username="mash.officer",
                             password="chosen at a prompt") is not None


def test_rotating_a_key_issues_a_new_one_and_revokes_the_old(
        session: Session, admin: Principal) -> None:
    key, old = issue_api_key(session, principal=admin, agency_id="police", name="Niche RMS",
                             roles="practitioner supervisor")
    new_key, new = rotate_api_key(session, principal=admin, key_id=key.id, now=NOW)
    assert principal_for_api_key(session, plaintext=old) is None
    found = principal_for_api_key(session, plaintext=new)
    assert found is not None and found.id == new_key.id
    assert (new_key.name, new_key.agency_id, new_key.roles) == (
        "Niche RMS", "police", "practitioner supervisor")
    with pytest.raises(Conflict, match="already revoked"):
        revoke_api_key(session, principal=admin, key_id=key.id, now=NOW)


def admin_client(app: FastAPI) -> AppClient:
    client = AppClient(app)
    sign_in(client, "police.admin")
    return client


def test_the_users_page_adds_a_user_who_can_then_sign_in(
        app: FastAPI, admin: Principal, session: Session) -> None:
    with admin_client(app) as client:
        page = client.get("/admin/users")
        assert page.status_code == 200 and "mash.officer" in page.text
        assert "health.visitor" not in page.text, "another agency's users are not listed"
        token = csrf_from(page.text)
        added = client.post("/admin/users", data={
            "csrf_token": token, "username": "sam.new", "display_name": "Sam New",
            "roles": ["practitioner", "supervisor"]})
        assert added.status_code == 200
        assert added.headers["cache-control"] == "no-store"
        assert "Sam New can now sign in as sam.new" in added.text
        password = added.text.split('<code class="app-secret">')[1].split("</code>")[0]
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "sam.new"))
    assert user is not None and (user.agency_id, user.roles) == ("police",
                                                                 "practitioner supervisor")
    assert authenticate_user(session, username="sam.new", password=password) is not None


def test_the_users_page_explains_a_refusal(app: FastAPI, admin: Principal) -> None:
    with admin_client(app) as client:
        token = csrf_from(client.get("/admin/users").text)
        for data, message in (
                ({"username": "x y", "display_name": "X", "roles": "practitioner"},
                 "A username is"),
                ({"username": "jo.new", "display_name": "Jo", "roles": "god"},
                 "Unknown role god"),
                ({"username": "mash.officer", "display_name": "Jo", "roles": "practitioner"},
                 "The username mash.officer is taken")):
            response = client.post("/admin/users", data={"csrf_token": token, **data})
            assert response.status_code == 422
            assert "There is a problem" in response.text and message in response.text


def test_disabling_a_user_on_the_page_ends_their_access_at_once(
        app: FastAPI, admin: Principal, session: Session) -> None:
    worker = AppClient(app)
    sign_in(worker, "mash.officer")
    assert worker.get("/duties").status_code == 200
    officer = session.scalar(select(User).where(User.username == "mash.officer"))
    assert officer is not None
    with admin_client(app) as client:
        token = csrf_from(client.get("/admin/users").text)
        response = client.post(f"/admin/users/{officer.id}/disable",
                               data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        assert "their access has ended" in client.get(response.headers["location"]).text
    after = worker.get("/duties", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/sign-in")
    worker.close()


def test_another_agencys_user_or_key_is_not_found_on_the_pages(
        app: FastAPI, admin: Principal, session: Session) -> None:
    visitor = session.scalar(select(User).where(User.username == "health.visitor"))
    key, _ = create_api_key(session, agency_id="health", name="GP system")
    session.commit()
    assert visitor is not None
    with admin_client(app) as client:
        token = csrf_from(client.get("/admin/users").text)
        for url in (f"/admin/users/{visitor.id}/disable", f"/admin/users/{visitor.id}/reset",
                    f"/admin/api-keys/{key.id}/revoke", f"/admin/api-keys/{key.id}/rotate"):
            assert client.post(url, data={"csrf_token": token}).status_code == 404, url
        assert client.post(f"/admin/users/{visitor.id}/disable",
                           data={"csrf_token": "forged"}).status_code == 403
    session.expire_all()
    assert session.get_one(User, visitor.id).active
    assert session.get_one(ApiKey, key.id).revoked_at is None


def test_the_pages_are_for_administrators_only(client: AppClient) -> None:
    sign_in(client, "police.supervisor")
    for path in ("/admin/users", "/admin/api-keys"):
        response = client.get(path)
        assert response.status_code == 403
        assert "only an administrator" in response.text


def test_the_keys_page_issues_rotates_and_revokes_a_key(
        app: FastAPI, admin: Principal, session: Session) -> None:
    with admin_client(app) as client:
        token = csrf_from(client.get("/admin/api-keys").text)
        issued = client.post("/admin/api-keys", data={
            "csrf_token": token, "name": "Force records system", "roles": "practitioner"})
        assert issued.status_code == 200
        first = issued.text.split('<code class="app-secret">')[1].split("</code>")[0]
        assert client.get("/api/v1/duties",
                          headers={"Authorization": f"Bearer {first}"}).status_code == 200
        session.expire_all()
        key = session.scalar(select(ApiKey).where(ApiKey.name == "Force records system"))
        assert key is not None
        rotated = client.post(f"/admin/api-keys/{key.id}/rotate", data={"csrf_token": token})
        second = rotated.text.split('<code class="app-secret">')[1].split("</code>")[0]
        for plaintext, status in ((first, 401), (second, 200)):
            assert client.get("/api/v1/duties", headers={
                "Authorization": f"Bearer {plaintext}"}).status_code == status
        session.expire_all()
        new = session.scalar(select(ApiKey).where(ApiKey.name == "Force records system",
                                                  ApiKey.revoked_at.is_(None)))
        assert new is not None
        revoked = client.post(f"/admin/api-keys/{new.id}/revoke", data={"csrf_token": token},
                              follow_redirects=False)
        assert revoked.status_code == 303
        assert client.get("/api/v1/duties", headers={
            "Authorization": f"Bearer {second}"}).status_code == 401
        refused = client.post("/admin/api-keys", data={"csrf_token": token, "name": "",
                                                       "roles": "practitioner"})
        assert refused.status_code == 422 and "Name the system" in refused.text
