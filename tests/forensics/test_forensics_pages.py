"""The queue board, the forecast and a device's page for the police; every other agency
refused; the JSON API and the import reporting a bad step by line, field and reason while the
good lines land."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.forensics.models import Device

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_api import key_for
from .scenario import CHILD, step, submission

LINES = [
    submission("EX-OLD", submitted_at="2026-05-02T09:00:00+00:00",
               seized_at="2026-05-01T09:00:00+00:00"),
    submission("EX-URGENT", offence="iioc", threat_to_life=True),
    submission("EX-IIOC", offence="iioc", suspect=None),
    step("EX-IIOC/T", "triage", "2026-11-05T09:00:00+00:00", submission_id="EX-IIOC",
         category_c=2),
    step("EX-OLD/C", "completed", "2026-11-05T09:00:00+00:00", submission_id="EX-OLD"),
    step("EX-NONE/T", "triage", "2026-11-05T09:00:00+00:00", submission_id="EX-NONE"),
    step("EX-IIOC/N", "triage", "2026-11-05T10:00:00+00:00", submission_id="EX-IIOC",
         category_a=-1),
]


def _import(client: AppClient, session: Session) -> dict[str, Any]:
    police = key_for(session, "police")
    body = "\n".join(json.dumps(line) for line in LINES).encode()
    response = client.post("/api/v1/imports", content=body,
                           headers={**police, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 207, response.text  # some lines rejected
    summary: dict[str, Any] = response.json()
    return summary


def test_the_police_import_the_queue_and_read_it_on_the_board_the_device_and_the_forecast(
        client: AppClient, session: Session) -> None:
    # One import and one sign-in for every page: a bad step is reported by line, field and
    # reason, and the good lines land.
    summary = _import(client, session)
    rejects = [(r["line"], r["field"], r["reason"]) for r in summary["rejects"]]
    assert [(line, field) for line, field, _ in rejects] == [
        (5, "step"), (6, "submission"), (7, "findings.category_a")]
    assert rejects[0][2].startswith("device EX-OLD is waiting; a completed step cannot follow")
    assert summary["accepted"] == 4
    health = key_for(session, "health")
    assert client.post("/api/v1/events", json=CHILD, headers=health).status_code == 201
    csrf = sign_in(client, "mash.officer")

    # The board: by priority, then oldest first; filters in the URL; htmx gets the results.
    board = client.get("/forensics").text
    assert _exhibits(board) == ["EX-OLD", "EX-URGENT", "EX-IIOC"]
    assert "Past its clock" in board
    assert _exhibits(client.get("/forensics?priority=2").text) == ["EX-IIOC"]
    partial = client.get("/forensics?breached=1&device=computer",
                         headers={"HX-Request": "true"}).text
    assert "<html" not in partial
    # The old device's 180 days from 2 May ran out on 29 October (its rise to priority 1
    # never lengthens a clock) and the urgent one's 2-day triage clock on 4 November; the
    # triaged priority-2 device is within its 90 days.
    assert _exhibits(partial) == ["EX-OLD", "EX-URGENT"]

    device_id = session.scalar(select(Device.id).where(Device.exhibit == "EX-OLD"))
    page = client.get(f"/forensics/devices/{device_id}").text
    assert "Priority 1: partner records place a child at the suspect&#39;s address: " \
           "Ellie Whitlock (health record H-4401)" in page
    assert "Priority raised" in page and "Submitted to the unit" in page
    assert "Examine a seized device" in page and "Triage a seized device" in page

    # The unit records a step from the device's page: the same event and checks as an import.
    triaged = session.scalar(select(Device.id).where(Device.exhibit == "EX-IIOC"))
    refused = client.post(f"/forensics/devices/{triaged}/steps",
                          data={"csrf_token": csrf, "step": "completed"})
    assert refused.status_code == 422
    assert "device EX-IIOC is triaged; a completed step cannot follow" in refused.text
    done = client.post(f"/forensics/devices/{triaged}/steps",
                       data={"csrf_token": csrf, "step": "started"}, follow_redirects=False)
    assert done.status_code == 303
    assert "Step recorded." in client.get(done.headers["location"]).text
    session.expire_all()
    assert session.get_one(Device, triaged).stage == "started"

    forecast = client.get("/forensics/forecast?extra_examiners=2").text
    assert '<svg class="app-chart"' in forecast and 'role="img"' in forecast
    assert forecast.count("<polyline") == 2
    assert 'id="chart-table"' in forecast and "Projected" in forecast
    assert "with 2 more examiners" in forecast


def _exhibits(html: str) -> list[str]:
    return re.findall(r'href="/forensics/devices/\d+">([^<]+)</a>', html)


def test_only_the_police_reach_the_queue(client: AppClient, session: Session) -> None:
    _import(client, session)
    device_id = session.scalar(select(Device.id).limit(1))
    sign_in(client, "csc.worker")
    for path in ("/forensics", "/forensics/forecast", f"/forensics/devices/{device_id}"):
        assert client.get(path, follow_redirects=False).status_code == 403, path
    for agency in ("health", "probation"):
        response = client.get("/api/v1/forensics/backlog", headers=key_for(session, agency))
        assert response.status_code == 403
    backlog = client.get("/api/v1/forensics/backlog", headers=key_for(session, "police"))
    assert backlog.status_code == 200
    figures = backlog.json()
    assert [p["waiting"] for p in figures["priorities"]] == [1, 1, 1]
    assert figures["rates"]["completions"] == 0
