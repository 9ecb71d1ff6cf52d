"""In a real Chromium, with the keyboard alone (Tab, Enter and Space, and typing into
fields; no mouse): a social worker signs in, opens the child's page, records the strategy
discussion that concerns from two agencies asked for, and reads it back. axe-core checks
every page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..intake.scenario import AMY, SCHOOL
from .conftest import PASSWORD, assert_accessible, open_page, serve

NOW = datetime.now(UTC)


def _concern(source: str, source_id: str, days_ago: int) -> dict[str, object]:
    return {"event": "concern", "source": source, "source_id": source_id, "kind": "neglect",
            "occurred_at": (NOW - timedelta(days=days_ago)).isoformat(),
            "summary": "Amy came in hungry.", "address": AMY["address"], "child": {
                "given_name": "Amy", "family_name": "Smith", "dob": "2016-05-01",
                "sex": "female"}}


@pytest.fixture
def keyboard_page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A server of its own: Amy, about whom school and health raised concerns, so social
    care owe her a strategy discussion."""
    events = [SCHOOL, AMY, _concern("education", "E-C-1", 2), _concern("health", "H-C-1", 1)]
    with serve(tmp_path, events) as url, open_page(browser, url) as page:
        yield page


def tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Press Tab until the element the selector names has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_strategy_discussion_is_recorded_with_the_keyboard_alone(
        keyboard_page: Page) -> None:
    page = keyboard_page
    page.goto("/sign-in")
    type_into(page, "#username", "csc.worker")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/duties**")

    tab_to(page, "nav a[href='/children']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/children")
    tab_to(page, "a:text-is('Amy Smith')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/children/\d+$"))
    assert_accessible(page)
    tab_to(page, "a:text-is('Record a strategy discussion')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/strategy-discussions/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a strategy discussion")
    assert_accessible(page)

    # The first attendee is the social worker recording it; the police officer is next.
    type_into(page, "#attendees-0-role", "Social worker")
    type_into(page, "#attendees-1-name", "DC Priya Patel")
    page.keyboard.press("Tab")
    page.keyboard.type("MASH officer")
    type_into(page, "#information-1-summary", "No police record at the address.")
    # Tab reaches a radio group at its first choice; Space chooses it.
    tab_to(page, "#decision")
    page.keyboard.press("Space")
    type_into(page, "#reasons", "Hunger seen by two agencies, explained by a benefits gap.")
    type_into(page, "#actions-0-text", "Refer the family to the food bank.")
    type_into(page, "#actions-0-owner_name", "Sam Okafor")
    due = NOW.date() + timedelta(days=3)
    tab_to(page, "#actions-0-due_on")
    # A date field takes its digits in the browser's locale order (month first in en-US).
    page.keyboard.type(f"{due:%m%d%Y}")
    expect(page.locator("#actions-0-due_on")).to_have_value(due.isoformat())
    tab_to(page, "button:text-is('Record the strategy discussion')")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/strategy-discussions/\d+\?recorded=1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Smith: no further action")
    expect(page.locator("main")).to_contain_text("DC Priya Patel")
    expect(page.locator("main")).to_contain_text("Refer the family to the food bank.")
    assert_accessible(page)
    tab_to(page, "a:text-is('Back to Amy Smith')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/children/\d+"))
    expect(page.locator("#chronology")).to_contain_text("Strategy discussion: No further action")
    assert_accessible(page)
