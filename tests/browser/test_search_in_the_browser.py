"""In a real Chromium: a school's safeguarding lead finds a pupil from the search box in the
page header, by a name typed wrong and by a date of birth; axe-core checks each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_a_school_finds_its_pupil_from_the_header_search_box(page: Page) -> None:
    sign_in(page, "school.dsl")
    page.get_by_label("Find a person by name, date of birth, identifier or address").fill(
        "Amy Smyth")
    page.get_by_role("search").get_by_role("button", name="Search").first.click()
    page.wait_for_url(re.compile(r"/search\?q=Amy\+Smyth"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Amy Smith")
    expect(results).to_contain_text("name similar to Amy Smith")
    assert_accessible(page)

    page.get_by_label(re.compile("^Name, date of birth")).fill("1 May 2016")
    page.locator("#main-content").get_by_role("button", name="Search").click()
    expect(results).to_contain_text("date of birth 1 May 2016")
    assert_accessible(page)
    results.get_by_role("link", name="Amy Smith").click()
    page.wait_for_url(re.compile(r"/children/\d+$"))
