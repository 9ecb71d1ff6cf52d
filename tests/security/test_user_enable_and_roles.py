"""Finding 15, completed: a disabled user can be enabled again, and a user's roles changed,
from the known set only; changing roles ends the user's sessions at once (finding 6); both
on the administrator's page as well as through the service, every change audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import User, UserSession
from safeguard.access.service import SYSTEM, Principal, authenticate_user
from safeguard.accounts.service import disable_user, enable_user, set_roles
from safeguard.audit.models import AuditEntry
from safeguard.errors import Invalid, NotFound

from ..app_client import AppClient
from ..conftest import PASSWORD, csrf_from, sign_in
from ..factories import add_user

NOW = datetime(2026, 11, 27, 23, 55, tzinfo=UTC)


@pytest.fixture
def admin(session: Session, principal: Callable[[str], Principal]) -> Principal:
    add_user(session, "police.admin", "police", "practitioner admin", display_name="Pat Admin")
    session.commit()
    return principal("police.admin")


def user(session: Session, username: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def whys(session: Session, target: User) -> list[str]:
    """Changes to the user (sign-ins are audited on the user too, but are not changes)."""
    return [why for why in session.scalars(select(AuditEntry.why).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == str(target.id))
        .order_by(AuditEntry.id)) if not why.startswith("signed ")]


def signed_in(client: AppClient) -> bool:
    return client.get("/duties", follow_redirects=False).status_code == 200


def test_an_enabled_user_signs_in_again_and_both_changes_are_audited(
        session: Session, admin: Principal) -> None:
    disable_user(session, principal=admin, username="police.supervisor")
    assert authenticate_user(session, username="police.supervisor", password=PASSWORD) is None
    enabled = enable_user(session, principal=admin, username="Police.Supervisor ")
    assert enabled.active
    assert authenticate_user(session, username="police.supervisor", password=PASSWORD)
    enable_user(session, principal=admin, username="police.supervisor")  # already: no change
    assert whys(session, enabled) == ["user police.supervisor disabled",
                                      "user police.supervisor enabled"]


def test_roles_are_checked_against_the_known_set(session: Session, admin: Principal) -> None:
    with pytest.raises(Invalid, match="unknown role god: the roles are practitioner, "
                                      "supervisor, senior_manager, admin, mash_researcher"):
        set_roles(session, principal=admin, username="police.supervisor",
                  roles="practitioner god", now=NOW)
    with pytest.raises(Invalid, match="give at least one role"):
        set_roles(session, principal=admin, username="police.supervisor", roles=[], now=NOW)
    assert user(session, "police.supervisor").roles == "practitioner supervisor"


def test_an_administrator_changes_roles_in_their_own_agency_only_and_keeps_their_own_admin(
        session: Session, admin: Principal) -> None:
    with pytest.raises(NotFound, match="in your agency"):
        set_roles(session, principal=admin, username="health.visitor",
                  roles="practitioner supervisor", now=NOW)
    with pytest.raises(Invalid, match="cannot remove your own administrator role"):
        set_roles(session, principal=admin, username="police.admin", roles="practitioner",
                  now=NOW)
    with pytest.raises(NotFound, match="in your agency"):
        enable_user(session, principal=admin, username="health.visitor")
    set_roles(session, principal=SYSTEM, username="health.visitor",
              roles="practitioner, supervisor", now=NOW)
    assert user(session, "health.visitor").roles == "practitioner supervisor"


def test_changing_roles_ends_the_users_sessions_at_once_and_is_audited(
        app: FastAPI, session: Session) -> None:
    with AppClient(app) as worker:
        sign_in(worker, "police.supervisor")
        assert signed_in(worker)
        set_roles(session, principal=SYSTEM, username="police.supervisor",
                  roles="practitioner", now=NOW)
        session.commit()
        ended = session.scalars(select(UserSession).join(User).where(
            User.username == "police.supervisor")).one()
        assert (ended.revoked_at, ended.revoked_why) == (NOW, "roles changed")
        assert not signed_in(worker)
        assert worker.get("/api/v1/duties").status_code == 401
    target = user(session, "police.supervisor")
    assert target.roles == "practitioner"
    assert whys(session, target) == ["roles of police.supervisor changed from practitioner "
                                     "supervisor to practitioner; 1 session(s) ended"]
    set_roles(session, principal=SYSTEM, username="police.supervisor", roles="practitioner",
              now=NOW)
    assert len(whys(session, target)) == 1, "the same roles again change nothing"


def test_the_users_page_changes_roles_and_enables_users_of_its_own_agency_only(
        app: FastAPI, admin: Principal, session: Session) -> None:
    target = user(session, "police.supervisor")
    visitor = user(session, "health.visitor")
    visitor.active = False
    session.commit()
    with AppClient(app) as worker, AppClient(app) as client:
        sign_in(worker, "police.supervisor")
        sign_in(client, "police.admin")
        listing = client.get("/admin/users").text
        assert f'href="/admin/users/{target.id}/roles"' in listing
        form = client.get(f"/admin/users/{target.id}/roles")
        assert form.status_code == 200 and "Change roles" in form.text
        assert 'value="supervisor" checked' in form.text
        assert 'value="senior_manager" checked' not in form.text
        token = csrf_from(form.text)
        url = f"/admin/users/{target.id}/roles"
        for roles, message in ((["god"], "Unknown role god"), ([], "Give at least one role")):
            refused = client.post(url, data={"csrf_token": token, "roles": roles})
            assert refused.status_code == 422 and message in refused.text
            assert "There is a problem" in refused.text
        assert client.post(url, data={"csrf_token": "forged", "roles": ["practitioner"]}
                           ).status_code == 403
        assert signed_in(worker)
        saved = client.post(url, data={"csrf_token": token,
                                        "roles": ["practitioner", "senior_manager"]},
                            follow_redirects=False)
        assert saved.status_code == 303
        assert "sign in again to use them" in client.get(saved.headers["location"]).text
        assert not signed_in(worker)
        assert user(session, "police.supervisor").roles == "practitioner senior_manager"

        client.post(f"/admin/users/{target.id}/disable", data={"csrf_token": token})
        listing = client.get("/admin/users").text
        assert f'action="/admin/users/{target.id}/enable"' in listing
        enabled = client.post(f"/admin/users/{target.id}/enable",
                              data={"csrf_token": token}, follow_redirects=False)
        assert enabled.status_code == 303
        assert "they may sign in again" in client.get(enabled.headers["location"]).text

        # Another agency's user is not found: neither enabled nor given roles.
        assert client.get(f"/admin/users/{visitor.id}/roles").status_code == 404
        for path, data in (("enable", {}), ("roles", {"roles": ["admin"]})):
            response = client.post(f"/admin/users/{visitor.id}/{path}",
                                   data={"csrf_token": token, **data})
            assert response.status_code == 404, path
    assert sign_in(AppClient(app), "police.supervisor")
    assert [why.split(" ")[0] for why in whys(session, target)] == ["roles", "user", "user"]
    actors = set(session.scalars(select(AuditEntry.actor).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == str(target.id),
        AuditEntry.actor != f"user:{target.username}")))
    assert actors == {admin.actor}
    visitor = user(session, "health.visitor")
    assert (visitor.active, visitor.roles) == (False, "practitioner")

