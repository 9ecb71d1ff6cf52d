"""The strategy discussion and case note forms and API: the same event and rules as the
service, as a practitioner and a partner's system use them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.duties.models import Duty
from safeguard.intake.service import IntakeContext
from safeguard.notes.models import CaseNote
from safeguard.strategy.models import StrategyAction

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..web.test_api import key_for
from .support import HELD, discussion, open_discussion


def _form(token: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": token, "held_at": "2026-11-28T09:00",
            "attendees.0.name": "Sam Okafor", "attendees.0.role": "Social worker",
            "attendees.0.agency": "childrens_social_care",
            "attendees.1.name": "DC Priya Patel", "attendees.1.role": "MASH officer",
            "attendees.1.agency": "police",
            # A spare row with only its agency chosen is left out.
            "attendees.2.agency": "health",
            "information.0.agency": "police", "information.0.summary": "Two incidents.",
            "decision": "section_47", "reasons": "Bruising with no account given.",
            "actions.1.text": "Joint visit.", "actions.1.owner_agency": "police",
            "actions.1.owner_name": "DC Priya Patel", "actions.1.due_on": "2026-11-30",
            **changes}


def test_social_care_record_a_discussion_on_the_form_and_the_childs_page_shows_it(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    mia, duty_id = open_discussion(session, ctx)
    clock.now = HELD + timedelta(hours=2)
    token = sign_in(client, "csc.worker")
    assert "Record a strategy discussion" in client.get(f"/children/{mia}").text
    assert client.get(f"/children/{mia}/strategy-discussions/new").status_code == 200
    response = client.post(f"/children/{mia}/strategy-discussions", data=_form(token),
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "DC Priya Patel" in page and "Two incidents." in page and "Joint visit." in page
    session.expire_all()
    assert session.get_one(Duty, duty_id).outcome == "section_47"
    action = session.scalars(select(StrategyAction)).one()
    assert (action.owner_agency_id, action.owner_name) == ("police", "DC Priya Patel")
    assert "Strategy discussion: Section 47 enquiry" in client.get(f"/children/{mia}").text


def test_a_row_that_does_not_add_up_is_named_on_the_form(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    mia, _ = open_discussion(session, ctx)
    clock.now = HELD + timedelta(hours=2)
    token = sign_in(client, "csc.worker")
    # The event's checks name the row of the form (the fifth attendee: the third listed).
    response = client.post(f"/children/{mia}/strategy-discussions",
                           data=_form(token, **{"attendees.4.name": "Grace Mensah"}))
    assert response.status_code == 422
    assert 'href="#attendees-4-role"' in response.text
    # And so do the store's (an action due before the discussion: the only one listed).
    response = client.post(f"/children/{mia}/strategy-discussions",
                           data=_form(token, **{"actions.1.due_on": "2026-11-01"}))
    assert response.status_code == 422
    assert 'href="#actions-1-due_on"' in response.text
    assert session.scalars(select(StrategyAction)).all() == []


def test_only_social_care_record_a_strategy_discussion(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    mia, _ = open_discussion(session, ctx)
    sign_in(client, "mash.officer")
    assert client.get(f"/children/{mia}/strategy-discussions/new").status_code == 403


def test_a_partners_system_records_and_reads_a_discussion_by_the_api(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    mia, _ = open_discussion(session, ctx)
    clock.now = HELD + timedelta(hours=2)
    csc = key_for(session, "childrens_social_care")
    response = client.post("/api/v1/strategy-discussions", json=discussion(mia), headers=csc)
    assert response.status_code == 201, response.text
    discussion_id = response.json()["discussion_id"]
    again = client.post("/api/v1/strategy-discussions", json=discussion(mia), headers=csc)
    assert (again.status_code, again.json()["discussion_id"]) == (200, discussion_id)
    read = client.get(f"/api/v1/strategy-discussions/{discussion_id}",
                      headers=key_for(session, "police")).json()
    assert read["decision"] == "section_47" and len(read["actions"]) == 2
    assert read["actions"][0]["status"] == "open"
    assert client.get(f"/api/v1/strategy-discussions/{discussion_id}",
                      headers=key_for(session, "probation")).status_code == 404
    refused = client.post("/api/v1/strategy-discussions", headers=csc,
                          json=discussion(mia, source_id="SD-2", attendees=[
                              {"name": "A", "role": "B", "agency": "nowhere"}]))
    assert refused.status_code == 422 and "attendees[0].agency" in refused.text


def test_a_case_note_is_added_on_the_form_and_by_the_api_and_read_per_its_visibility(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    mia, _ = open_discussion(session, ctx)
    clock.now = HELD
    token = sign_in(client, "csc.worker")
    assert client.get(f"/children/{mia}/notes/new").status_code == 200
    response = client.post(f"/children/{mia}/notes", data={
        "csrf_token": token, "at": "2026-11-28T08:00", "text": "Home visit: Mia calm.",
        "visibility": "mash"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Home visit: Mia calm." in client.get(f"/children/{mia}").text
    assert session.scalars(select(CaseNote.visibility)).one() == "mash"
    education = key_for(session, "education")
    added = client.post(f"/api/v1/persons/{mia}/notes", headers=education, json={
        "text": "Attendance 60% this term.", "at": HELD.isoformat(), "visibility": "all"})
    assert added.status_code == 201, added.text
    # A time without its offset could be UTC or London: refused, as in every event.
    assert client.post(f"/api/v1/persons/{mia}/notes", headers=education, json={
        "text": "Seen.", "at": "2026-11-28T08:00:00", "visibility": "all"}).status_code == 422
    # Education is no MASH partner: it reads its own note, not social care's.
    assert [n["text"] for n in client.get(f"/api/v1/persons/{mia}/notes",
                                          headers=education).json()] == [
        "Attendance 60% this term."]
    police = [n["text"] for n in client.get(f"/api/v1/persons/{mia}/notes",
                                            headers=key_for(session, "police")).json()]
    assert police == ["Attendance 60% this term.", "Home visit: Mia calm."]


def test_the_discussion_duty_points_social_care_to_the_full_record(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    mia, duty_id = open_discussion(session, ctx)
    sign_in(client, "csc.worker")
    assert f'href="/children/{mia}/strategy-discussions/new"' in client.get(
        f"/duties/{duty_id}").text
