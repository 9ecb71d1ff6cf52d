"""The episode page, the missing-now list, the child's missing tab and the SSDA903 export."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.intake.importer import import_lines
from safeguard.missing.models import MissingEpisode

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_api import key_for
from .scenario import KNOWN, report, returned, update


def test_police_and_social_care_read_the_episode_and_only_social_care_exports_it(
        client: AppClient, session: Session) -> None:
    ctx = client.app.state.rules  # type: ignore[attr-defined]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    events = [*KNOWN,
              report("MP-2026-0009", last_seen_at="2026-03-31T23:30:00+00:00",
                     reported_at="2026-04-01T01:00:00+01:00", risk="no_apparent_risk"),
              returned("MP-R-9", "MP-2026-0009", at="2026-04-02T10:00:00+01:00"),
              report(risk="high", exploitation_indicators=["county_lines"]),
              update("MP-U-1", at="2026-11-20T21:00:00+00:00",
                     note="Checked with the school: not seen since 15:30")]
    summary = import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM, ctx=ctx)
    assert summary.rejects == []
    episode = session.scalars(select(MissingEpisode).where(
        MissingEpisode.reference == "MP-2026-0001")).one()

    sign_in(client, "mash.officer")
    page = client.get(f"/missing/{episode.id}")
    assert page.status_code == 200
    assert "moj-timeline" in page.text and "Checked with the school" in page.text
    assert "county lines" in page.text and "Missing now" in page.text
    live = client.get("/missing")
    assert live.status_code == 200 and "MP-2026-0001" in live.text
    assert "MP-2026-0009" not in live.text  # returned
    assert client.get("/missing/ssda903.csv?year=2026").status_code == 403
    child = client.get(f"/children/{episode.person_id}")
    assert "Missing (1 in 90 days)" in child.text  # April's episode is months before
    assert f'href="/missing/{episode.id}"' in child.text

    sign_in(client, "csc.worker")
    assert client.get(f"/missing/{episode.id}").status_code == 200
    export = client.get("/missing/ssda903.csv?year=2027")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert list(rows[0]) == ["CHILD", "SEX", "DOB", "MISSING", "MIS_START", "MIS_END"]
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: the year ending March 2027.
    assert [(r["SEX"], r["DOB"], r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in rows] == [
        ("2", "01/05/2016", "A", "01/04/2026", "02/04/2026"),
        ("2", "01/05/2016", "M", "20/11/2026", "")]
    earlier = client.get("/missing/ssda903.csv?year=2026")
    assert earlier.text.strip() == "CHILD,SEX,DOB,MISSING,MIS_START,MIS_END"


def test_the_forms_record_the_same_events_and_name_the_field_of_each_problem(
        client: AppClient, session: Session) -> None:
    token = sign_in(client, "mash.officer")
    assert "Report a missing child" in client.get("/missing/new").text
    report_form = {
        "csrf_token": token, "source_id": "MP-FORM-1", "child.given_name": "Kayden",
        "child.family_name": "Moore", "child.dob": "2011-03-02", "missing_from": "home",
        "last_seen_at": "2026-11-26T19:00", "reported_at": "2026-11-26T18:00", "risk": "high",
        "exploitation_indicators": ["county_lines", "criminal"]}
    refused = client.post("/missing", data=report_form)
    assert refused.status_code == 422
    assert 'href="#last_seen_at"' in refused.text and "after reported_at" in refused.text
    done = client.post("/missing", data={**report_form, "reported_at": "2026-11-26T21:00"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    episode = session.scalars(select(MissingEpisode).where(
        MissingEpisode.reference == "MP-FORM-1")).one()
    assert episode.exploitation_indicators == ["county_lines", "criminal"]
    # 19:00 in London in November is 19:00 UTC.
    assert episode.last_seen_at.isoformat() == "2026-11-26T19:00:00+00:00"

    early = client.post(f"/missing/{episode.id}/return", data={
        "csrf_token": token, "returned_at": "2026-11-26T10:00", "harm_disclosed": "false"})
    assert early.status_code == 422
    assert 'href="#returned_at"' in early.text and "before the child was last seen" in early.text
    back = client.post(f"/missing/{episode.id}/return", data={
        "csrf_token": token, "returned_at": "2026-11-27T10:00", "harm_disclosed": "false"},
        follow_redirects=False)
    assert back.status_code == 303
    assert client.get(f"/missing/{episode.id}/interview").status_code == 403  # social care's

    token = sign_in(client, "csc.worker")
    held = client.post(f"/missing/{episode.id}/interview", data={
        "csrf_token": token, "offered_at": "2026-11-27T12:00", "held_at": "2026-11-27T15:00",
        "outcome": "completed", "by_independent_person": "true"}, follow_redirects=False)
    assert held.status_code == 303, held.text
    session.refresh(episode)
    assert (episode.interview_outcome, episode.interview_independent) == ("completed", True)


def test_the_api_refuses_an_unknown_report_with_its_field_and_takes_the_rest(
        client: AppClient, session: Session) -> None:
    police, care = key_for(session, "police"), key_for(session, "childrens_social_care")
    unknown = client.post("/api/v1/events", headers=police, json=update(
        "MP-U-API", "MP-NOBODY", at="2026-11-20T21:00:00+00:00", note="Checked"))
    assert unknown.status_code == 422
    [problem] = unknown.json()["detail"]
    assert problem["field"] == "report" and "MP-NOBODY" in problem["reason"]
    made = client.post("/api/v1/events", headers=police, json=report(risk="low"))
    assert made.status_code == 201 and made.json()["duty_ids"]
    as_police = client.post("/api/v1/events", headers=police, json={
        "event": "return_interview", "source": "childrens_social_care", "source_id": "RHI-X",
        "report": "MP-2026-0001", "offered_at": "2026-11-21T12:00:00+00:00",
        "outcome": "declined", "by_independent_person": True, "reason": "No"})
    assert as_police.status_code == 403  # only social care record its interviews
    early = client.post("/api/v1/events", headers=care, json={
        "event": "return_interview", "source": "childrens_social_care", "source_id": "RHI-Y",
        "report": "MP-2026-0001", "offered_at": "2026-11-21T12:00:00+00:00",
        "outcome": "declined", "by_independent_person": True, "reason": "No"})
    assert early.status_code == 422 and early.json()["detail"][0]["field"] == "report"

    [listed] = client.get("/api/v1/missing", headers=police).json()
    assert (listed["reference"], listed["risk"], listed["returned_at"]) == (
        "MP-2026-0001", "low", None)
    detail = client.get(f"/api/v1/missing/{listed['id']}", headers=care).json()
    assert [e["kind"] for e in detail["timeline"]] == ["report"]
    assert [d["kind"] for d in detail["duties"]] == ["missing_notify_csc"]
    health = key_for(session, "health")
    assert client.get("/api/v1/missing", headers=health).status_code == 403
    assert client.get(f"/api/v1/missing/{listed['id']}", headers=health).status_code == 404
