"""The measures and inspection pages, through the real app (no JavaScript needed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeguard.measures.facts import refresh

from ..app_client import AppClient
from ..conftest import sign_in
from ..factories import add_user, seed_users
from .store import build


def test_the_dashboard_a_measure_page_its_records_and_csv_read_without_javascript(
        session: Session, client: AppClient) -> None:
    build(session)
    seed_users(session)
    refresh(session)
    session.commit()
    sign_in(client, "csc.worker")
    dashboard = client.get("/measures")
    assert dashboard.status_code == 200
    # Shares in the period: October 2 of 4, November 1 of 1.
    assert "Shares acknowledged within their clock" in dashboard.text
    assert "60%" in dashboard.text
    # Every area's measures are listed, even with no duties of theirs in the store yet.
    assert "Children refused bail moved to local authority accommodation" in dashboard.text
    devices = client.get("/measures/devices-awaiting-examination")
    assert devices.status_code == 200 and "By priority" in devices.text
    page = client.get("/measures/sharing-with-partners")
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text
    assert 'id="months-shares_acknowledged_in_time"' in page.text
    missed = client.get("/measures/sharing-with-partners/records",
                        params={"indicator": "shares_acknowledged_in_time",
                                "month": "2026-10", "part": "missed"})
    assert "Ben Example" in missed.text and "Cara Example" in missed.text
    assert "Amy Example" not in missed.text
    csv = client.get("/measures/sharing-with-partners.csv", params={"table": "agencies"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "shares_acknowledged_in_time,Children's Social Care (MASH),2,4,50%" in csv.text


def test_a_senior_manager_records_an_inspection_and_others_may_not(
        session: Session, client: AppClient) -> None:
    seed_users(session)
    add_user(session, "chief", "police", "practitioner senior_manager")
    session.commit()
    form = {"inspectorate": "HMICFRS", "title": "Child protection inspection",
            "started_on": "2026-03-02", "ended_on": "2026-03-13",
            "published_on": "2026-06-30", "report_url": ""}
    token = sign_in(client, "police.supervisor")
    refused = client.post("/inspections/record", data={**form, "csrf_token": token},
                          follow_redirects=False)
    assert refused.status_code == 403
    client.cookies.clear()
    token = sign_in(client, "chief")
    bad = client.post("/inspections/record", data={**form, "ended_on": "2026-02-01",
                                                   "csrf_token": token})
    assert bad.status_code == 422 and "must end on or after" in bad.text
    script = client.post("/inspections/record", data={
        **form, "report_url": "javascript:alert(1)", "csrf_token": token})
    assert script.status_code == 422 and "starting https://" in script.text
    done = client.post("/inspections/record", data={**form, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Child protection inspection" in page.text and "Due " in page.text
    report = client.get("/inspections/report", params={"date_from": "2026-01-01",
                                                        "date_to": "2026-11-30"})
    assert "<h1>Revisit report</h1>" in report.text
    assert '<link rel="stylesheet" href="/inspections/report.css">' in report.text
    assert client.get("/inspections/report.css").text.startswith("@page")
    pdf = client.get("/inspections/report.pdf", params={"date_from": "2026-01-01"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
