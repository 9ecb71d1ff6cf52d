"""The JSON API names what it identifies: beside each agency id its agency's name, beside
each actor (`user:…`, `api_key:…`) the person's or key's name and agency; the ids stay, for
the clients that read them. Duties, work, a share's acknowledgement and the child's record."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, User

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..intake.scenario import utc
from .test_api import key_for, record_scenario


def _agency(session: Session, agency_id: str) -> str:
    return session.get_one(Agency, agency_id).name


def test_a_duty_names_its_agencies_and_whoever_discharged_it(
        client: AppClient, session: Session, clock: Clock) -> None:
    record_scenario(client, session)
    csc = key_for(session, "childrens_social_care")
    duties = {d["kind"]: d for d in client.get("/api/v1/duties", headers=csc).json()}
    share = duties["share_with_csc"]
    assert (share["owner_agency"], share["owner_agency_name"]) == (
        "police", _agency(session, "police"))
    assert (share["partner_agency"], share["partner_agency_name"]) == (
        "childrens_social_care", _agency(session, "childrens_social_care"))
    assert share["discharged_by"] is None and share["discharged_by_name"] is None
    police = key_for(session, "police")
    notice = next(d for d in client.get("/api/v1/duties", headers=police).json()
                  if d["kind"] == "encompass_notice")
    assert notice["partner_agency"] == "school-121234"
    assert notice["partner_agency_name"] == "Abington Vale Primary School"

    clock.now = utc("2026-11-28T09:00:00+00:00")
    done = client.post(f"/api/v1/duties/{share['id']}/discharge", json={}, headers=csc).json()
    assert done["discharged_by"].startswith("api_key:")
    assert done["discharged_by_name"] == (
        f"childrens_social_care system, {_agency(session, 'childrens_social_care')}")
    again = client.get(f"/api/v1/duties/{share['id']}", headers=csc).json()
    assert again["discharged_by_name"] == done["discharged_by_name"]


def test_work_names_who_claimed_a_duty_and_its_agencies(
        client: AppClient, session: Session) -> None:
    record_scenario(client, session)
    decision = next(d for d in client.get(
        "/api/v1/duties", headers=key_for(session, "childrens_social_care")).json()
        if d["kind"] == "referral_decision")
    token = sign_in(client, "csc.worker")
    claimed = client.post(f"/api/v1/duties/{decision['id']}/claim",
                          headers={"X-CSRF-Token": token})
    assert claimed.status_code == 200, claimed.text
    worker = session.scalars(select(User).where(User.username == "csc.worker")).one()
    csc_name = _agency(session, "childrens_social_care")
    assert (claimed.json()["by"], claimed.json()["by_name"]) == (
        "user:csc.worker", f"{worker.display_name}, {csc_name}")
    [item] = client.get("/api/v1/work").json()
    assert (item["owner_agency"], item["owner_agency_name"]) == (
        "childrens_social_care", csc_name)
    assert item["holder"]["name"] == worker.display_name


def test_the_childs_record_names_each_records_agency_and_each_duty_s(
        client: AppClient, session: Session, clock: Clock) -> None:
    record_scenario(client, session)
    csc = key_for(session, "childrens_social_care")
    duties = client.get("/api/v1/duties", headers=csc).json()
    share = next(d for d in duties if d["kind"] == "share_with_csc")
    clock.now = utc("2026-11-28T09:00:00+00:00")
    client.post(f"/api/v1/duties/{share['id']}/discharge", json={}, headers=csc)
    child = client.get(f"/api/v1/persons/{share['subject_person_id']}", headers=csc).json()
    assert {(r["source"], r["source_name"]) for r in child["records"]} >= {
        ("education", _agency(session, "education"))}
    assert all(d["owner_agency_name"] for d in child["duties"])
    raised = [c for c in child["chronology"] if c["label"].startswith("Duty raised")]
    assert raised and all(c["agency_name"] == _agency(session, c["agency"]) for c in raised)
    [discharged] = [c for c in child["chronology"]
                    if c["label"].startswith("Duty discharged")]
    assert discharged["actor"].startswith("api_key:")
    assert discharged["actor_name"].startswith("childrens_social_care system, ")
    # The line the child's page shows under each entry names them too, never their ids.
    assert all(c["byline"] == f"owned by {c['agency_name']}" for c in raised)
    assert discharged["byline"] == f"by {discharged['actor_name']}"
    incident = next(c for c in child["chronology"] if c["label"].startswith("Police incident"))
    assert incident["agency"] is None and incident["actor_name"] is None
