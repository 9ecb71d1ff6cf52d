"""An administrator gives a user a work email address on /admin/users, when adding them or
later, changes or removes it; a malformed address is refused with a message at the field
and nothing is made; each change is audited (never the address itself), and the list
shows each user's address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import Principal, ensure_user
from safeguard.audit.models import AuditEntry

from ..app_client import AppClient
from ..conftest import PASSWORD, csrf_from, sign_in


@pytest.fixture
def admin(session: Session, principal: Callable[[str], Principal]) -> Principal:
    ensure_user(session, username="police.admin", display_name="Pat Admin", agency_id="police",
                roles="practitioner admin", password=PASSWORD)
    session.commit()
    return principal("police.admin")


def _client(app: FastAPI) -> AppClient:
    client = AppClient(app)
    sign_in(client, "police.admin")
    return client


def _user(session: Session, username: str) -> User | None:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def _audited(session: Session, user: User) -> list[str]:
    return [why for why in session.scalars(
        select(AuditEntry.why).where(AuditEntry.entity == "user",
                                     AuditEntry.entity_id == str(user.id))
        .order_by(AuditEntry.id))]


def test_a_user_added_with_an_email_address_has_it_and_the_list_shows_it(
        app: FastAPI, admin: Principal, session: Session) -> None:
    with _client(app) as client:
        token = csrf_from(client.get("/admin/users").text)
        added = client.post("/admin/users", data={
            "csrf_token": token, "username": "sam.new", "display_name": "Sam New",
            "email": "  sam.new@police.example.gov.uk ", "roles": "practitioner"})
        assert added.status_code == 200
        assert "sam.new@police.example.gov.uk" in added.text
    user = _user(session, "sam.new")
    assert user is not None and user.email == "sam.new@police.example.gov.uk"
    assert _audited(session, user) == ["user sam.new added to police with roles practitioner",
                                       "email address of sam.new set"]


def test_a_malformed_address_is_refused_at_its_field_and_no_user_is_made(
        app: FastAPI, admin: Principal, session: Session) -> None:
    with _client(app) as client:
        token = csrf_from(client.get("/admin/users").text)
        refused = client.post("/admin/users", data={
            "csrf_token": token, "username": "jo.new", "display_name": "Jo New",
            "email": "jo.new at police", "roles": "practitioner"})
        assert refused.status_code == 422
        assert 'href="#email"' in refused.text
        assert "Give an email address like name@agency.gov.uk" in refused.text
        assert 'id="email-error"' in refused.text  # the message sits at the field
        assert 'value="jo.new at police"' in refused.text  # what was typed stays
    assert _user(session, "jo.new") is None


def test_an_administrator_changes_and_removes_a_users_address(
        app: FastAPI, admin: Principal, session: Session) -> None:
    officer = _user(session, "mash.officer")
    assert officer is not None and officer.email is None
    path = f"/admin/users/{officer.id}/email"
    with _client(app) as client:
        listed = client.get("/admin/users").text
        assert f'href="{path}"' in listed
        page = client.get(path)
        assert page.status_code == 200 and "Change email address" in page.text
        token = csrf_from(page.text)
        bad = client.post(path, data={"csrf_token": token, "email": "priya@@police"})
        assert bad.status_code == 422 and 'id="email-error"' in bad.text
        assert "Give an email address like name@agency.gov.uk" in bad.text
        saved = client.post(path, data={"csrf_token": token,
                                        "email": "priya.patel@police.example.gov.uk"})
        assert "emails go there" in saved.text
        assert "priya.patel@police.example.gov.uk" in saved.text
        changed = client.post(path, data={"csrf_token": token,
                                          "email": "p.patel@police.example.gov.uk"})
        assert changed.status_code == 200
        removed = client.post(path, data={"csrf_token": token, "email": ""})
        assert "the user receives no emails" in removed.text
    officer = _user(session, "mash.officer")
    assert officer is not None and officer.email is None
    assert _audited(session, officer)[-3:] == [
        "email address of mash.officer set", "email address of mash.officer changed",
        "email address of mash.officer removed"]


def test_another_agencys_user_has_no_email_page_for_this_administrator(
        app: FastAPI, admin: Principal, session: Session) -> None:
    visitor = _user(session, "health.visitor")
    assert visitor is not None
    with _client(app) as client:
        assert client.get(f"/admin/users/{visitor.id}/email").status_code == 404
        token = csrf_from(client.get("/admin/users").text)
        response = client.post(f"/admin/users/{visitor.id}/email",
                               data={"csrf_token": token, "email": "x@health.example.org"})
        assert response.status_code == 404
    visitor = _user(session, "health.visitor")
    assert visitor is not None and visitor.email is None
