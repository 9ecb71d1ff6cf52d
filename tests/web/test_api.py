"""The JSON API: API keys, recording events, duties, discharge, and the child's picture."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import create_api_key
from safeguard.sharing.models import Share

from ..app_client import AppClient
from ..conftest import Clock
from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL, utc


def key_for(session: Session, agency: str) -> dict[str, str]:
    _, plaintext = create_api_key(session, agency_id=agency, name=f"{agency} system")
    session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def record_scenario(client: AppClient, session: Session) -> dict[str, object]:
    education, police = key_for(session, "education"), key_for(session, "police")
    assert client.post("/api/v1/events", json=SCHOOL, headers=education).status_code == 201
    assert client.post("/api/v1/events", json=AMY, headers=education).status_code == 201
    response = client.post("/api/v1/events", json=FRIDAY_NIGHT, headers=police)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_it_refuses_requests_without_a_key(client: AppClient) -> None:
    response = client.get("/api/v1/duties")
    assert response.status_code == 401
    assert client.get("/api/v1/duties",
                      headers={"Authorization": "Bearer sg_wrong"}).status_code == 401


def test_an_agency_may_record_events_only_as_itself(client: AppClient, session: Session
                                                    ) -> None:
    response = client.post("/api/v1/events", json=FRIDAY_NIGHT,
                           headers=key_for(session, "health"))
    assert response.status_code == 403
    assert "may not record events for source 'police'" in response.json()["detail"]


def test_an_invalid_event_gets_422_with_field_and_reason(client: AppClient, session: Session
                                                         ) -> None:
    bad = dict(AMY, dob="2099-01-01")
    response = client.post("/api/v1/events", json=bad, headers=key_for(session, "education"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "dob"


def test_recording_an_incident_returns_its_duties_and_shares(client: AppClient,
                                                             session: Session) -> None:
    body = record_scenario(client, session)
    assert body["outcome"] == "new"
    assert len(body["duty_ids"]) == 4  # type: ignore[arg-type]
    shared = session.execute(select(Share.id, Share.duty_id).where(
        Share.id.in_(body["share_ids"]))).all()  # type: ignore[arg-type]
    assert {duty_id for _, duty_id in shared} <= set(body["duty_ids"])  # type: ignore[arg-type]
    assert len(shared) == 2  # social care's notification and the school's Encompass notice
    again = client.post("/api/v1/events", json=FRIDAY_NIGHT, headers=key_for(session, "police"))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    changed = dict(FRIDAY_NIGHT, summary="something else")
    assert client.post("/api/v1/events", json=changed,
                       headers=key_for(session, "police")).status_code == 409


def test_each_agency_sees_only_its_own_duties(client: AppClient, session: Session) -> None:
    record_scenario(client, session)
    kinds = {agency: sorted(d["kind"] for d in client.get(
        "/api/v1/duties", headers=key_for(session, agency)).json())
        for agency in ("police", "childrens_social_care", "health")}
    assert kinds["police"] == ["encompass_notice", "marac_referral", "referral_decision",
                               "share_with_csc"]
    assert kinds["childrens_social_care"] == ["referral_decision", "share_with_csc"]
    assert kinds["health"] == []


def test_social_care_acknowledges_the_share_and_records_a_decision(
        client: AppClient, session: Session, clock: Clock) -> None:
    record_scenario(client, session)
    csc = key_for(session, "childrens_social_care")
    duties = {d["kind"]: d for d in client.get("/api/v1/duties", headers=csc).json()}
    clock.now = utc("2026-11-28T09:00:00+00:00")
    ack = client.post(f"/api/v1/duties/{duties['share_with_csc']['id']}/discharge", json={},
                      headers=csc)
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "discharged"
    assert ack.json()["discharged_at"] == "2026-11-28T09:00:00Z"
    decision_url = f"/api/v1/duties/{duties['referral_decision']['id']}/discharge"
    assert client.post(decision_url, json={}, headers=csc).status_code == 422
    ok = client.post(decision_url, json={"outcome": "strategy_discussion"}, headers=csc)
    assert ok.json()["outcome"] == "strategy_discussion"
    assert client.post(decision_url, json={"outcome": "early_help"},
                       headers=csc).status_code == 409


def test_the_police_cannot_acknowledge_their_own_share(client: AppClient, session: Session
                                                       ) -> None:
    record_scenario(client, session)
    police = key_for(session, "police")
    share = next(d for d in client.get("/api/v1/duties", headers=police).json()
                 if d["kind"] == "share_with_csc")
    response = client.post(f"/api/v1/duties/{share['id']}/discharge", json={}, headers=police)
    assert response.status_code == 403


def test_the_child_record_shows_identifiers_duties_and_chronology(client: AppClient,
                                                                 session: Session) -> None:
    record_scenario(client, session)
    csc = key_for(session, "childrens_social_care")
    subject = client.get("/api/v1/duties", headers=csc).json()[0]["subject_person_id"]
    child = client.get(f"/api/v1/persons/{subject}", headers=csc).json()
    assert child["name"] == "Amy Smith"
    assert child["identifiers"] == {"upn": "B801200005001"}
    assert child["school"] == "Abington Vale Primary School"
    labels = [item["label"] for item in child["chronology"]]
    assert any("Police incident INC-2026-000123" in label for label in labels)
    assert any(label.startswith("Duty raised") for label in labels)
    assert client.get(f"/api/v1/persons/{subject}",
                      headers=key_for(session, "health")).status_code == 404


def test_the_openapi_document_describes_the_api(client: AppClient, session: Session) -> None:
    paths = client.get("/openapi.json", headers=key_for(session, "police")).json()["paths"]
    assert {"/api/v1/events", "/api/v1/duties", "/api/v1/duties/{duty_id}/discharge",
            "/api/v1/persons/{person_id}"} <= set(paths)
