"""Errors a person can act on: the GOV.UK error pages for a browser, JSON for the API; and
the request log, one JSON line a request with no personal data in it."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.logs import JsonFormatter

from ..app_client import AppClient
from ..conftest import sign_in
from .test_pages_support import add_user, person_id, seed_household

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def heading(html: str) -> str:
    found = re.search(r'<h1 class="govuk-heading-l">([^<]+)</h1>', html)
    assert found, html[:500]
    return found.group(1)


def logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """The request log's lines as they are written."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records
            if r.name == "safeguard.requests"]


def test_a_browser_gets_the_govuk_error_pages_and_the_api_json(
        client: AppClient, session: Session, ctx: IntakeContext) -> None:
    seed_household(session, ctx)
    sign_in(client, "mash.officer")
    missing = client.get("/no-such-page", headers=BROWSER)
    assert missing.status_code == 404 and heading(missing.text) == "Page not found"
    assert "check you copied the entire address" in missing.text
    refused = client.get("/governance/unusual", headers=BROWSER)
    assert refused.status_code == 403 and heading(refused.text) == "You do not have access"
    assert "Only information governance" in refused.text
    # A malformed address lists each field at fault with its reason.
    bad = client.get("/children/not-a-number", headers=BROWSER)
    assert bad.status_code == 422
    assert heading(bad.text) == "There is a problem with what you sent"
    assert re.search(r"<li><strong>person_id</strong>: Input should be a valid integer",
                     bad.text)
    # The same mistakes asked of the API, or by a client asking for JSON, stay JSON.
    assert client.get("/api/v1/no-such-thing").json() == {"detail": "Not Found"}
    assert client.get("/no-such-page", headers={"Accept": "application/json"}
                      ).json() == {"detail": "Not Found"}
    assert client.get("/api/v1/duties?limit=%C2%B2").json()["detail"][0]["loc"] == [
        "query", "limit"]


def test_an_unhandled_error_is_the_sorry_page_or_json_and_keeps_its_message_out_of_the_log(
        app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("Mia Jones, 14 Mar 2018")

    app.add_api_route("/broken-for-test/{person_id}", broken)
    app.add_api_route("/api/v1/broken-for-test", broken)
    caplog.set_level(logging.INFO, logger="safeguard.requests")
    with AppClient(app, raise_server_exceptions=False) as client:
        page = client.get("/broken-for-test/7", headers=BROWSER)
        api = client.get("/api/v1/broken-for-test", headers=BROWSER)
    assert page.status_code == 500
    assert heading(page.text) == "Sorry, there is a problem with the service"
    assert "Mia" not in page.text and "RuntimeError" not in page.text
    reference = page.headers["x-request-id"]
    assert f"<strong data-request-id>{reference}</strong>" in page.text
    assert api.status_code == 500 and api.json() == {
        "detail": "Internal Server Error", "request_id": api.headers["x-request-id"]}
    lines = logged(caplog)
    assert [(line["route"], line["status"]) for line in lines] == [
        ("/broken-for-test/{person_id}", 500), ("/api/v1/broken-for-test", 500)]
    # The error itself is logged by its type and where it was raised, never its message.
    try:
        broken()
    except RuntimeError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "Exception in ASGI application", None, sys.exc_info())
    line = JsonFormatter().format(record)
    assert json.loads(line)["error"] == "RuntimeError" and "Mia" not in line


def test_each_request_is_one_json_line_with_its_route_not_its_address(
        client: AppClient, session: Session, ctx: IntakeContext,
        caplog: pytest.LogCaptureFixture) -> None:
    seed_household(session, ctx)
    add_user(session, "education.officer", "education")
    sign_in(client, "education.officer")
    mia = person_id(session, "E-88")
    caplog.set_level(logging.INFO, logger="safeguard.requests")
    caplog.clear()
    search = client.get("/children?q=Mia+Jones")
    page = client.get(f"/children/{mia}")
    assert search.status_code == page.status_code == 200
    lines = logged(caplog)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/children", 200), ("GET", "/children/{person_id}", 200)]
    assert [line["request_id"] for line in lines] == [
        search.headers["x-request-id"], page.headers["x-request-id"]]
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    written = "\n".join(json.dumps(line) for line in lines)
    for personal in ("Mia", "Jones", "q=", f"/children/{mia}", "education.officer"):
        assert personal not in written
