"""Administrators see their agency's deliveries and re-drive dead ones (API and page); nobody
else sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import create_api_key
from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import DEAD, PENDING, Delivery
from safeguard.sharing.webhooks import set_endpoint

from ..app_client import AppClient
from ..conftest import csrf_from, sign_in
from ..factories import add_user
from .test_delivery_receiver import CSC, record_incidents


@pytest.fixture
def dead(session: Session, factory: sessionmaker[Session], ctx: IntakeContext
         ) -> list[Delivery]:
    """Two deliveries to social care: the first dead after its retries, the second pending."""
    record_incidents(factory, ctx, 0)
    set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    session.commit()
    record_incidents(factory, ctx, 2)
    rows = list(session.scalars(select(Delivery).order_by(Delivery.id)))
    rows[0].status, rows[0].attempts, rows[0].last_error = DEAD, 20, "HTTP 503: down"
    session.commit()
    return rows


def key(session: Session, agency: str, roles: str) -> dict[str, str]:
    _, plaintext = create_api_key(session, agency_id=agency, name=f"{agency} {roles}",
                                  roles=roles)
    session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def test_an_administrator_lists_deliveries_by_status_and_re_drives_a_dead_one(
        dead: list[Delivery], client: AppClient, session: Session) -> None:
    admin = key(session, CSC, "admin")
    listed = client.get("/api/v1/admin/deliveries", headers=admin).json()
    assert [d["id"] for d in listed] == [dead[1].id, dead[0].id]
    only_dead = client.get("/api/v1/admin/deliveries?status=dead", headers=admin).json()
    assert [(d["id"], d["status"], d["attempts"], d["last_error"]) for d in only_dead] == [
        (dead[0].id, DEAD, 20, "HTTP 503: down")]
    assert client.get("/api/v1/admin/deliveries?status=lost", headers=admin).status_code == 422
    response = client.post(f"/api/v1/admin/deliveries/{dead[0].id}/redrive", headers=admin)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == (PENDING, 0)
    again = client.post(f"/api/v1/admin/deliveries/{dead[0].id}/redrive", headers=admin)
    assert again.status_code == 409  # it is pending now, not dead


def test_the_sending_agency_s_administrator_sees_them_too(
        dead: list[Delivery], client: AppClient, session: Session) -> None:
    police = key(session, "police", "admin")
    assert len(client.get("/api/v1/admin/deliveries", headers=police).json()) == 2


def test_other_agencies_and_non_administrators_see_nothing(
        dead: list[Delivery], client: AppClient, session: Session) -> None:
    health_admin = key(session, "health", "admin")
    assert client.get("/api/v1/admin/deliveries", headers=health_admin).json() == []
    assert client.post(f"/api/v1/admin/deliveries/{dead[0].id}/redrive",
                       headers=health_admin).status_code == 404
    practitioner = key(session, CSC, "practitioner")
    assert client.get("/api/v1/admin/deliveries", headers=practitioner).status_code == 403
    assert client.post(f"/api/v1/admin/deliveries/{dead[0].id}/redrive",
                       headers=practitioner).status_code == 403
    session.expire_all()
    assert session.get_one(Delivery, dead[0].id).status == DEAD


def test_the_page_shows_dead_deliveries_and_re_drives_one_with_the_form(
        dead: list[Delivery], client: AppClient, session: Session) -> None:
    add_user(session, "csc.admin", CSC, "practitioner admin", display_name="Ada Admin")
    session.commit()
    sign_in(client, "csc.admin")
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    assert dead[0].idempotency_key in page.text and dead[1].idempotency_key not in page.text
    assert page.text.count(">Re-drive<") == 1 and "HTTP 503: down" in page.text
    token = csrf_from(page.text)
    url = f"/admin/deliveries/{dead[0].id}/redrive"
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert "will be sent again" in client.get(response.headers["location"]).text
    session.expire_all()
    assert session.get_one(Delivery, dead[0].id).status == PENDING
    pending = client.get("/admin/deliveries?status=pending").text
    assert dead[0].idempotency_key in pending and ">Re-drive<" not in pending


def test_the_page_is_for_administrators_only(dead: list[Delivery], client: AppClient) -> None:
    assert client.get("/admin/deliveries", follow_redirects=False).status_code == 303
    sign_in(client, "csc.worker")
    assert client.get("/admin/deliveries").status_code == 403
