"""In a real Chromium: the duties queue says who holds each duty (a person, a team, or nobody)
and filters by it; at a laptop's width and at a phone's (375 px, where each row stacks)
nothing scrolls sideways, and axe-core checks each view."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..web.test_pages_support import HILLSIDE, incident_event, pupil, school
from .conftest import assert_accessible, open_page, serve, sign_in

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def duties_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: an incident whose duties nobody holds yet."""
    events = [school(HILLSIDE, "Hillside Primary School"),
              pupil("E-88", "Mia", "Jones", "2018-03-14", HILLSIDE, "12 Acacia Road",
                    "NN1 1AA"), incident_event()]
    with serve(tmp_path_factory.mktemp("duties"), events) as url:
        yield url


def _fits(page: Page) -> None:
    """Nothing wider than the screen, nor than the table's own column: no sideways scroll."""
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth"), page.url
    assert page.evaluate("(() => { const t = document.querySelector('#duties');"
                         " return t.getBoundingClientRect().right <="
                         " t.parentElement.getBoundingClientRect().right + 1; })()"), page.url
    assert_accessible(page)


def test_the_duties_queue_says_who_holds_each_duty_and_filters_by_it(
        browser: Browser, duties_server: str) -> None:
    with open_page(browser, duties_server) as page:
        page.set_viewport_size(LAPTOP)
        sign_in(page, "csc.worker")
        page.goto("/duties")
        decision = page.locator("#duties tbody tr").filter(has_text="Decision on referral")
        expect(decision.locator("[data-holder]")).to_have_text("Not held")
        _fits(page)

        decision.get_by_role("link", name="Decision on referral").click()
        page.get_by_role("button", name="Claim").click()
        page.goto("/duties")
        expect(decision.locator("[data-holder]")).to_have_text("Sam Okafor")
        others = page.locator("#duties tbody tr").filter(
            has_not_text="Decision on referral").locator("[data-holder]")
        expect(others.first).to_have_text("Not held")

        page.get_by_label("Held by me").check()  # htmx swaps the results and the URL
        expect(page).to_have_url(re.compile(r"held=me"))
        expect(page.locator("#duties tbody tr")).to_have_count(1)
        expect(page.locator("#duty-counts")).to_contain_text("1 duty")
        page.get_by_label("Held by my teams").check()
        expect(page.locator("#duty-results")).to_contain_text("No duties match these filters.")
        page.get_by_label("Not held").check()
        expect(page.locator("#duties tbody tr").first).to_be_visible()
        expect(page.locator("#duties")).not_to_contain_text("Sam Okafor")
        _fits(page)

        page.set_viewport_size(PHONE)
        page.goto("/duties")
        held = page.locator("#duties tbody tr").filter(
            has_text="Decision on referral").locator("[data-holder]")
        expect(held).to_have_text("Sam Okafor")
        # Stacked, each value shows its column's name before it.
        label = held.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Held by"'
        _fits(page)
