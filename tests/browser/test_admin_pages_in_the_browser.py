"""In a real Chromium (finding 15): a police administrator adds a user on /admin/users and
issues and rotates an API key on /admin/api-keys; axe-core checks each page, and the
Content-Security-Policy holds throughout."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import assert_accessible


def sign_in_as_admin(page: Page) -> None:
    page.goto("/sign-in?next=/admin/users")
    page.get_by_label("Username").fill("police.admin")
    page.get_by_label("Password").fill("browser-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/users")


def test_an_administrator_adds_a_user_and_rotates_a_key(page: Page) -> None:
    sign_in_as_admin(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    assert_accessible(page)
    page.get_by_label("Username").fill("browser.new")
    page.get_by_label("Name", exact=True).fill("Browser New")
    page.get_by_label("Supervisor").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Browser New can now sign in as browser.new")
    expect(page.locator("code.app-secret")).to_have_text(re.compile(r"\S{20}"))
    assert_accessible(page)

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Which system is it for?").fill("Force records system")
    page.get_by_role("button", name="Issue key").click()
    expect(page.locator("code.app-secret")).to_have_text(re.compile(r"^sg_"))
    first = page.locator("code.app-secret").inner_text()
    page.get_by_role("button", name=re.compile("^Rotate")).first.click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("replaces it")
    assert page.locator("code.app-secret").inner_text() != first
    expect(page.get_by_text("Revoked", exact=True)).to_have_count(1)
    assert_accessible(page)


def test_an_administrator_gives_a_user_an_email_address_and_changes_it(page: Page) -> None:
    sign_in_as_admin(page)
    page.get_by_label("Username").fill("browser.mail")
    page.get_by_label("Name", exact=True).fill("Browser Mail")
    page.get_by_label("Email address (optional)").fill("browser.mail at police")
    page.get_by_role("button", name="Add user").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give an email address like name@agency.gov.uk")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Email address (optional)")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Email address (optional)").fill("browser.mail@police.example.gov.uk")
    page.get_by_role("button", name="Add user").click()
    row = page.locator("#users tbody tr").filter(has_text="browser.mail")
    expect(row.locator("[data-email]")).to_have_text("browser.mail@police.example.gov.uk")

    row.get_by_role("link", name=re.compile("^Change email")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill("b.mail@police.example.gov.uk")
    page.get_by_role("button", name="Save email address").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The email address is saved")
    row = page.locator("#users tbody tr").filter(has_text="browser.mail")
    expect(row.locator("[data-email]")).to_have_text("b.mail@police.example.gov.uk")
    # At a phone's width the list stacks: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    assert_accessible(page)
