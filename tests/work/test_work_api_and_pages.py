"""The work queues over HTTP: a user claims through the JSON API and finds the duty in their
queue, breached once its deadline passes, on the API and the page; the supervision view is
a supervisor's alone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..factories import add_user
from ..web.test_api import key_for
from ..web.test_pages_support import record_incident


def test_a_claim_through_the_api_fills_my_work_and_a_breach_is_flagged(
        session: Session, ctx: IntakeContext, client: AppClient, clock: Clock) -> None:
    duty_id = record_incident(session, ctx)["referral_decision"]
    token = sign_in(client, "csc.worker")
    claimed = client.post(f"/api/v1/duties/{duty_id}/claim",
                          headers={"X-CSRF-Token": token})
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["action"], claimed.json()["holder"]["name"]) == (
        "claimed", "Sam Okafor")
    [item] = client.get("/api/v1/work").json()
    assert (item["id"], item["breached"], item["holder"]["name"]) == (
        duty_id, False, "Sam Okafor")
    assert client.get("/api/v1/work/supervision").status_code == 403
    assert client.get("/work/supervision").status_code == 403

    clock.now += timedelta(days=4)
    [item] = client.get("/api/v1/work").json()
    assert item["breached"] is True
    page = client.get("/work")
    assert page.status_code == 200
    assert 'data-breached="true"' in page.text and "overdue by" in page.text

    refused = client.post(f"/api/v1/duties/{duty_id}/assign", json={"to_team_id": 1},
                          headers={"X-CSRF-Token": token})
    assert refused.status_code in (403, 422)


def test_a_supervisor_sees_who_holds_what_and_reassigns_with_a_reason(
        session: Session, ctx: IntakeContext, client: AppClient) -> None:
    duty_id = record_incident(session, ctx)["referral_decision"]
    worker = sign_in(client, "csc.worker")
    client.post(f"/api/v1/duties/{duty_id}/claim", headers={"X-CSRF-Token": worker})
    client.cookies.clear()
    token = sign_in(client, "csc.supervisor")
    loads = {load["name"]: load for load in client.get("/api/v1/work/supervision").json()}
    assert loads["Sam Okafor"]["open"] == 1
    holder = loads["Sam Okafor"]["holder"]
    [item] = client.get(f"/api/v1/work/supervision/duties?holder={holder}").json()
    assert item["id"] == duty_id
    assert f'href="/work/supervision?holder={holder}#holder-duties"' in client.get(
        "/work/supervision").text
    form = client.get(f"/duties/{duty_id}").text
    assert "Sam Okafor holds this duty." in form
    match = re.search(r'<option value="(user-\d+)"[^>]*>Helen Price</option>', form)
    assert match is not None
    refused = client.post(f"/duties/{duty_id}/assign", follow_redirects=False,
                          data={"csrf_token": token, "holder": match.group(1), "reason": ""})
    assert refused.status_code == 422 and "Give a reason for taking the duty from Sam Okafor" \
        in refused.text
    done = client.post(f"/duties/{duty_id}/assign", follow_redirects=False,
                       data={"csrf_token": token, "holder": match.group(1),
                             "reason": "Sam is on leave."})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "The duty is assigned." in page
    assert "Reassigned to Helen Price from Sam Okafor: Sam is on leave." in page


def test_an_administrator_makes_a_team_and_staffs_it_on_the_admin_pages(
        session: Session, client: AppClient) -> None:
    add_user(session, "csc.admin", "childrens_social_care", "admin")
    session.commit()
    token = sign_in(client, "csc.admin")
    refused = client.post("/admin/teams", data={"csrf_token": token, "name": "  "})
    assert refused.status_code == 422 and "Give the team a name" in refused.text
    made = client.post("/admin/teams", data={"csrf_token": token, "name": "CSC duty team"},
                       follow_redirects=False)
    assert made.status_code == 303
    team_url = made.headers["location"]
    page = client.get(team_url).text
    match = re.search(r'<option value="(\d+)">Sam Okafor \(csc.worker\)</option>', page)
    assert match is not None and "Nobody is in this team yet." in page
    client.post(f"{team_url}/members", data={"csrf_token": token, "user_id": match.group(1)})
    page = client.get(team_url).text
    assert "Sam Okafor" in page.split("Add a member")[0]
    client.post(f"{team_url}/remove", data={"csrf_token": token, "user_id": match.group(1)})
    assert "Nobody is in this team yet." in client.get(team_url).text
    assert "CSC duty team" in client.get("/admin/teams").text


def test_the_duty_list_api_filters_by_who_holds_each_duty(
        session: Session, ctx: IntakeContext, client: AppClient) -> None:
    ids = record_incident(session, ctx)
    token = sign_in(client, "csc.worker")
    client.post(f"/api/v1/duties/{ids['referral_decision']}/claim",
                headers={"X-CSRF-Token": token})

    def listed(held: str) -> set[int]:
        answer = client.get(f"/api/v1/duties?held={held}")
        assert answer.status_code == 200, answer.text
        return {duty["id"] for duty in answer.json()}

    everything = {duty["id"] for duty in client.get("/api/v1/duties").json()}
    assert listed("me") == {ids["referral_decision"]}
    assert ids["referral_decision"] not in listed("nobody")
    assert listed("nobody") == everything - {ids["referral_decision"]}
    assert client.get("/api/v1/duties?held=someone").status_code == 422
    client.cookies.clear()
    # A system's key holds no duty of its own: "mine" is refused, "nobody" answered.
    key = key_for(session, "childrens_social_care")
    assert client.get("/api/v1/duties?held=me", headers=key).status_code == 422
    assert client.get("/api/v1/duties?held=nobody", headers=key).status_code == 200
