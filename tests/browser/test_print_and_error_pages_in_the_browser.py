"""In a real Chromium: the error pages a person can act on, and a child's page printed: the
print stylesheet shows every tab's section and none of the service around it, and the print
layout has a working "Print this page" button. axe-core checks every page visited."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_error_pages_and_the_print_layout_read_well_and_pass_axe(page: Page) -> None:
    sign_in(page, "school.dsl")
    for url, status, title in (
            ("/no-such-page", 404, "Page not found"),
            ("/governance/unusual", 403, "You do not have access"),
            ("/children/not-a-number", 422, "There is a problem with what you sent")):
        response = page.goto(url)
        assert response is not None and response.status == status, url
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert_accessible(page)
    expect(page.locator("[data-problems] li")).to_contain_text("person_id")

    page.goto("/children")
    page.get_by_role("link", name="Amy Smith").first.click()
    chronology = page.get_by_role("heading", name="Chronology", level=2)
    navigation = page.get_by_role("navigation", name="Main")
    expect(chronology).to_be_hidden()  # behind its tab on screen
    page.emulate_media(media="print")
    expect(chronology).to_be_visible()
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("tablist")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Print Amy Smith’s page").click()
    page.wait_for_url("**/print")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Smith")
    expect(navigation).to_have_count(0)
    expect(page.get_by_role("contentinfo")).to_have_count(0)
    expect(chronology).to_be_visible()
    button = page.get_by_role("button", name="Print this page")
    expect(button).to_be_visible()
    assert_accessible(page)
    # The button asks the browser to print; here the dialog is stood in for.
    page.evaluate("window.print = () => { window.printed = true }")
    button.click()
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
