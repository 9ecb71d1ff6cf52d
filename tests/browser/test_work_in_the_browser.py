"""In a real Chromium at a phone's width (375 px): social care's supervisor gives a duty to
the CSC duty team, a worker claims it from My team's work and finds it in My work, and the
supervisor takes it back with a reason, which the duty's history shows. No page scrolls
sideways, and axe-core checks each one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..web.test_pages_support import HILLSIDE, incident_event, pupil, school
from .conftest import assert_accessible, open_page, serve, sign_in

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def work_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: an incident whose duties (social care's referral decision among
    them) nobody holds yet."""
    events = [school(HILLSIDE, "Hillside Primary School"),
              pupil("E-88", "Mia", "Jones", "2018-03-14", HILLSIDE, "12 Acacia Road",
                    "NN1 1AA"), incident_event()]
    with serve(tmp_path_factory.mktemp("work"), events) as url:
        yield url


def _fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth"), page.url
    assert_accessible(page)


def test_a_duty_is_given_to_a_team_claimed_and_taken_back_at_phone_width(
        browser: Browser, work_server: str) -> None:
    with open_page(browser, work_server) as boss, open_page(browser, work_server) as sam:
        boss.set_viewport_size(PHONE)
        sam.set_viewport_size(PHONE)
        _walk(boss, sam)


def _walk(boss: Page, sam: Page) -> None:
    sign_in(boss, "csc.supervisor")
    boss.goto("/duties?kind=referral_decision")
    boss.get_by_role("link", name="Decision on referral").first.click()
    duty_url = boss.url
    boss.get_by_label("Assign to").select_option(label="Team: CSC duty team")
    boss.get_by_role("button", name="Assign").click()
    expect(boss.locator(".govuk-notification-banner--success")).to_contain_text(
        "The duty is assigned")
    expect(boss.locator("#duty-holder")).to_have_text(re.compile("CSC duty team holds"))
    _fits(boss)

    sign_in(sam, "csc.worker")
    sam.goto("/work/team")
    row = sam.locator("[data-queue] tbody tr").filter(has_text="Decision on referral")
    expect(row).to_contain_text("Team: CSC duty team")
    _fits(sam)
    row.get_by_role("button", name=re.compile("^Claim")).click()
    expect(sam.locator(".govuk-notification-banner--success")).to_contain_text("You claimed")
    sam.get_by_role("link", name="My work", exact=True).first.click()
    mine = sam.locator("[data-queue] tbody tr")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Mia Jones")
    expect(mine).to_contain_text(re.compile(r"due in \d+ (hours|days)"))
    _fits(sam)

    boss.goto(duty_url)
    expect(boss.locator("#duty-holder")).to_have_text("Sam Okafor holds this duty.")
    boss.get_by_label("Reassign to").select_option(label="Helen Price")
    boss.get_by_role("button", name="Reassign").click()
    expect(boss.locator(".govuk-error-summary")).to_contain_text("Give a reason")
    _fits(boss)
    boss.get_by_label("Reason").fill("Sam is in court all week.")
    boss.get_by_role("button", name="Reassign").click()
    expect(boss.locator(".moj-timeline")).to_contain_text(
        "Reassigned to Helen Price from Sam Okafor: Sam is in court all week.")
    boss.goto("/work/supervision")
    expect(boss.locator("#loads")).to_contain_text("Helen Price")
    _fits(boss)
    boss.goto("/work")
    expect(boss.locator("[data-queue] tbody tr")).to_contain_text("Decision on referral")
    _fits(boss)
    sam.goto("/work")
    expect(sam.locator("#work-counts")).to_contain_text("You hold 0 duties")
