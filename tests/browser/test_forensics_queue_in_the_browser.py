"""In a real Chromium: the police read the digital forensics queue, filter it, open a device,
record its next step and read the forecast; axe-core checks every page visited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..forensics.scenario import CHILD, step, submission
from .conftest import assert_accessible, open_page, serve, sign_in

EVENTS = [
    CHILD,
    submission("EX-1", offence="iioc"),  # the suspect lives with Ellie: priority 1
    submission("EX-2", suspect=None, submitted_at="2026-06-01T09:00:00+00:00",
               seized_at="2026-05-30T09:00:00+00:00"),
    submission("EX-3", offence="iioc", suspect=None),
    step("EX-3/T", "triage", "2026-11-05T09:00:00+00:00", submission_id="EX-3", category_c=3),
]


@pytest.fixture(scope="module")
def forensics_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("forensics"), EVENTS) as url:
        yield url


@pytest.fixture
def forensics_page(browser: Browser, forensics_server: str) -> Iterator[Page]:
    with open_page(browser, forensics_server) as page:
        yield page


def test_the_police_filter_the_queue_record_a_step_and_read_the_forecast(
        forensics_page: Page) -> None:
    page = forensics_page
    sign_in(page, "mash.officer")
    page.get_by_role("link", name="Forensics", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digital forensics queue")
    results = page.locator("#queue-results")
    expect(results.get_by_role("link")).to_have_text(["EX-1", "EX-3", "EX-2"])
    assert_accessible(page)

    page.get_by_label("Priority", exact=True).select_option("3")
    expect(results.get_by_role("link")).to_have_text(["EX-2"])
    assert "priority=3" in page.url  # bookmarkable
    page.get_by_role("link", name="EX-2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exhibit EX-2: computer")
    expect(page.locator("#device-priority")).to_contain_text("Priority 3")
    expect(page.locator(".moj-timeline")).to_contain_text("Submitted to the unit")
    assert_accessible(page)
    page.get_by_label("Examination started").check()
    page.get_by_role("button", name="Record step").click()
    expect(page.get_by_text("Step recorded.")).to_be_visible()
    expect(page.locator(".moj-timeline")).to_contain_text("Examination started")
    assert_accessible(page)

    page.goto("/forensics/forecast")
    expect(page.get_by_role("img", name="Devices waiting over the last 12 months")).to_be_visible()
    expect(page.locator("#chart-table")).to_contain_text("Measured")
    assert_accessible(page)
