"""In a real Chromium: a person reaches their email choices from the header, turns one off
by keyboard, saves, and sees it kept; axe-core checks the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_a_person_turns_an_email_off_from_the_header_link_by_keyboard(page: Page) -> None:
    sign_in(page, "health.visitor")
    page.get_by_role("link", name="Email notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    assert_accessible(page)
    daily = page.get_by_label("A daily summary")
    expect(daily).to_be_checked()
    daily.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save choices").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your choices are saved")).to_be_visible()
    expect(page.get_by_label("A daily summary")).not_to_be_checked()
    expect(page.get_by_label("A duty is assigned to me")).to_be_checked()
    assert_accessible(page)
