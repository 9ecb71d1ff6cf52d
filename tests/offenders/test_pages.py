"""The unit's pages: the board, capacity and an offender, for the public protection unit
only; a school or health user, or a police officer outside the unit, gets nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import create_api_key
from safeguard.audit.models import AuditEntry
from safeguard.duties.service import mark_breaches
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..factories import add_user
from ..web.test_pages_support import HILLSIDE, accept, school
from .scenario import REGISTERED, RUBY, duties, reg, registration, send


@pytest.fixture
def register(session: Session, ctx: IntakeContext, clock: Clock) -> int:
    add_user(session, "ppu.supervisor", "police", "practitioner supervisor public_protection",
             display_name="DS Ruth Kerr")
    accept(session, ctx, school(HILLSIDE, "Hillside Primary School"))
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    send(session, ctx, RUBY)
    send(session, ctx, registration(risk="high"))
    send(session, ctx, registration("RSO-2", risk="low", every=None, offender={
        "given_name": "Neil", "family_name": "Cross", "dob": "1970-01-09"},
        address={"line1": "1 Far Row", "town": "Corby", "postcode": "NN17 2AA"},
        offender_manager="DC 77 Ross"))
    clock.now = REGISTERED + timedelta(days=40)  # the first home visit is overdue
    mark_breaches(session, now=clock.now)  # as the worker does: escalated to supervisors
    session.commit()
    return reg(session).id


def test_the_unit_sees_the_board_with_the_overdue_visit_and_the_offender_page(
        client: AppClient, session: Session, register: int) -> None:
    sign_in(client, "ppu.supervisor")
    banner = client.get("/duties").text.split("govuk-notification-banner__content")[1]
    assert "Home visit to a registered sex offender" in banner and "Gary Pike" in banner
    board = client.get("/offenders")
    assert board.status_code == 200
    assert "Gary Pike" in board.text and "Neil Cross" in board.text
    assert "1 home visit is overdue." in board.text
    assert "Overdue" in board.text
    one = client.get("/offenders?manager=DC+77+Ross")
    assert "Neil Cross" in one.text and "Gary Pike" not in one.text
    page = client.get(f"/offenders/{register}")
    assert page.status_code == 200
    assert "Ruby Lane" in page.text
    assert "education record E-RUBY places the child at the offender&#39;s address" in page.text
    assert "Child near a registered sex offender: tell social care" in page.text
    capacity = client.get("/offenders/capacity")
    assert capacity.status_code == 200
    assert '<svg viewBox="0 0 720 300"' in capacity.text and 'id="staffing-table"' in capacity.text
    reads = session.scalars(select(AuditEntry.why).where(
        AuditEntry.actor == "user:ppu.supervisor", AuditEntry.action == "read")).all()
    assert "offender page" in reads and "offender caseload board" in reads


def test_a_school_health_or_other_police_user_gets_nothing_not_even_from_an_escalation(
        app: FastAPI, session: Session, register: int) -> None:
    [visit] = duties(session, "offender_home_visit")
    [share] = duties(session, "offender_child_share")
    for username in ("hillside.dsl", "health.visitor", "police.supervisor"):
        with AppClient(app) as client:
            sign_in(client, username)
            for path in ("/offenders", "/offenders/capacity", f"/offenders/{register}"):
                response = client.get(path)
                assert response.status_code == 403, (username, path)
                assert "Gary Pike" not in response.text and "Ruby Lane" not in response.text
            listed = client.get("/duties?status=all").text
            assert 'href="/offenders"' not in listed and "Gary Pike" not in listed
            if username == "police.supervisor":  # told of the breach, without the name
                assert f"Duty {visit.id} (Home visit to a registered sex offender)" in listed
            for duty in (visit, share):
                assert client.get(f"/duties/{duty.id}").status_code == 404, (username, duty.kind)


def test_children_s_social_care_see_the_share_they_are_sent_and_nothing_else(
        client: AppClient, session: Session, register: int) -> None:
    [visit] = duties(session, "offender_home_visit")
    [share] = duties(session, "offender_child_share")
    sign_in(client, "csc.worker")
    shown = client.get(f"/duties/{share.id}")
    assert shown.status_code == 200 and "Ruby Lane" in shown.text
    assert client.get(f"/duties/{visit.id}").status_code == 404
    assert client.get(f"/offenders/{register}").status_code == 403


def test_the_capacity_figures_are_served_as_json_to_the_unit_s_key_only(
        client: AppClient, session: Session, register: int) -> None:
    _, unit_key = create_api_key(session, agency_id="police", name="PPU system",
                                 roles="practitioner public_protection")
    _, other_key = create_api_key(session, agency_id="police", name="Records system",
                                  roles="practitioner")
    session.commit()
    figures = client.get("/api/v1/offenders/capacity",
                         headers={"Authorization": f"Bearer {unit_key}"})
    assert figures.status_code == 200
    [gary, neil] = sorted(figures.json()["managers"], key=lambda m: m["manager"])
    assert (gary["manager"], gary["overdue"], neil["offenders"]) == ("DC 1234 Shah", 1, 1)
    refused = client.get("/api/v1/offenders/capacity",
                         headers={"Authorization": f"Bearer {other_key}"})
    assert refused.status_code == 403
