"""In a real Chromium: a school's safeguarding lead raises a concern from a pupil's page; the
form knows the child and offers her address, and a different address's fields are revealed
only when chosen. axe-core checks every page visited."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_a_concern_raised_from_the_childs_page_is_filed_at_her_known_address(
        page: Page) -> None:
    sign_in(page, "school.dsl")
    page.goto("/children")
    page.get_by_role("link", name="Amy Smith").first.click()
    page.get_by_role("link", name="Raise a concern about Amy Smith").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Raise a concern about Amy Smith")
    expect(page.get_by_label("Given name")).to_have_value("Amy")
    assert_accessible(page)

    known = page.get_by_role("radio", name=re.compile("12 Acacia Rd"))
    different = page.get_by_role("radio", name="A different address")
    line1 = page.get_by_label("Address line 1")
    expect(line1).to_be_hidden()
    different.check()
    expect(line1).to_be_visible()
    assert_accessible(page)
    known.check()
    expect(line1).to_be_hidden()

    page.get_by_role("radio", name="Neglect").check()
    page.get_by_label("What happened, what you saw or were told").fill(
        "Amy came to school hungry three days running.")
    page.get_by_role("button", name="Raise concern").click()
    page.wait_for_url(re.compile(r"/concerns/\d+\?recorded=1"))
    expect(page.locator("body")).to_contain_text("Concern recorded")
    assert_accessible(page)
