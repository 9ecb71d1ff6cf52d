"""In a real Chromium: children's social care find a missing child on the live list, read the
episode's timeline, and see a returned child's interview flagged; axe-core checks each page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..missing.scenario import KNOWN, interview, report, returned, update
from .conftest import assert_accessible, open_page, serve, sign_in

KAYDEN = {"given_name": "Kayden", "family_name": "Moore", "dob": "2011-03-02", "sex": "male"}
EVENTS = [
    *KNOWN,
    report(risk="low"),
    update("MP-U-1", at="2026-11-20T21:00:00+00:00", note="Checked with friends: not there."),
    returned("MP-R-1", at="2026-11-21T09:00:00+00:00"),
    interview("RHI-1", offered_at="2026-11-21T12:00:00+00:00", outcome="declined",
              by_independent_person=False, reason="Did not want to talk."),
    {**report("MP-2026-0002", risk="high", exploitation_indicators=["county_lines"]),
     "child": KAYDEN, "missing_from": "home"},
]


@pytest.fixture(scope="module")
def missing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("missing"), EVENTS) as url:
        yield url


@pytest.fixture
def missing_page(browser: Browser, missing_server: str) -> Iterator[Page]:
    with open_page(browser, missing_server) as page:
        yield page


def test_social_care_read_a_missing_episode_and_its_flagged_interview(missing_page: Page
                                                                      ) -> None:
    page = missing_page
    sign_in(page, "csc.worker")
    page.get_by_role("link", name="Missing now", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing now")
    expect(page.locator("tbody tr")).to_have_count(1)  # Amy has returned
    assert_accessible(page)

    page.get_by_role("link", name="Kayden Moore").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kayden Moore")
    expect(page.locator(".moj-timeline")).to_contain_text("Reported missing")
    expect(page.locator("body")).to_contain_text("county lines")
    expect(page.locator("body")).to_contain_text("Strategy discussion")
    assert_accessible(page)

    page.goto("/missing/1")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "not held by an independent person")
    expect(page.locator(".moj-timeline")).to_contain_text("Checked with friends")
    assert_accessible(page)
    page.get_by_role("link", name="Amy Smith").first.click()
    page.get_by_role("tab", name=re.compile(r"^Missing \(\d+ in 90 days\)")).click()
    expect(page.locator("#missing")).to_contain_text("MP-2026-0001")
    assert_accessible(page)


def test_the_police_record_a_return_on_the_form(missing_page: Page) -> None:
    page = missing_page
    sign_in(page, "mash.officer")
    page.goto("/missing/2")
    page.get_by_role("link", name="Record the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the return")
    assert_accessible(page)
    page.get_by_label("Returned").fill("2026-11-20T17:00")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Record the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("before the child was last seen")
    assert_accessible(page)
    page.get_by_label("Returned").fill("2026-11-21T09:30")
    page.get_by_role("button", name="Record the return").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(page.locator(".moj-timeline")).to_contain_text("Returned")
