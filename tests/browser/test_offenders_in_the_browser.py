"""In a real Chromium: the public protection unit's caseload board, an offender's page and
the capacity chart; axe-core checks each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from ..intake.scenario import AMY, SCHOOL
from ..offenders.scenario import registration
from .conftest import assert_accessible, open_page, serve, sign_in


@pytest.fixture(scope="module")
def register_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Amy's home is a high-risk offender's address; a second offender is due a visit soon."""
    now = datetime.now(UTC)
    events = [SCHOOL, AMY,
              registration("RSO-B1", risk="high", address=AMY["address"],
                           registered_at=(now - timedelta(days=60)).isoformat()),
              registration("RSO-B2", risk="low", every=182, offender={
                  "given_name": "Neil", "family_name": "Cross", "dob": "1970-01-09"},
                  address={"line1": "1 Far Row", "postcode": "NN17 2AA"},
                  registered_at=(now - timedelta(days=20)).isoformat(),
                  offender_manager="DC 77 Ross")]
    with serve(tmp_path_factory.mktemp("offenders"), events) as url:
        yield url


@pytest.fixture
def page(browser: Browser, register_server: str) -> Iterator[Page]:
    with open_page(browser, register_server) as page:
        yield page


def test_the_unit_reads_the_board_an_offender_and_the_capacity_chart(page: Page) -> None:
    sign_in(page, "ppu.officer")
    page.get_by_role("link", name="Offenders", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload board")
    expect(page.locator("#manager-table")).to_contain_text("1 overdue")
    expect(page.locator("#offender-table")).to_contain_text("Overdue")
    assert_accessible(page)

    page.get_by_label("Offender manager").select_option("DC 77 Ross")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#offender-table")).to_contain_text("Neil Cross")
    expect(page.locator("#offender-table")).not_to_contain_text("Gary Pike")

    page.goto("/offenders")
    page.get_by_role("link", name="Gary Pike").click()
    page.wait_for_url(re.compile(r"/offenders/\d+$"))
    expect(page.locator("#children-table")).to_contain_text("Amy Smith")
    expect(page.locator("#children-table")).to_contain_text("education record E-88")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the caseload board").click()
    page.get_by_role("link", name="Capacity").click()
    expect(page.get_by_role("img", name=re.compile("Officers needed each month"))).to_be_visible()
    expect(page.locator("#staffing-table")).to_contain_text("(projected)")
    assert_accessible(page)
