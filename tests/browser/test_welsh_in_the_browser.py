"""In a real Chromium: users who choose Cymraeg read the custody, forensics, children, import,
administration and governance pages in Welsh, and axe-core finds each page as accessible as in
English (the page's language is cy). Each user goes back to English at the end: the choice is
kept on the user, and the live server is shared."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from .conftest import PASSWORD, assert_accessible


@contextmanager
def _in_welsh(page: Page, username: str) -> Iterator[None]:
    page.goto("/sign-in?next=/accessibility")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accessibility")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Datganiad hygyrchedd")
    try:
        yield
    finally:
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def _reads(page: Page, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def test_a_police_supervisor_reads_custody_forensics_and_children_in_welsh(page: Page) -> None:
    with _in_welsh(page, "police.supervisor"):
        _reads(page, "/custody", "Plant yn nalfa’r heddlu")
        _reads(page, "/forensics", "Ciw fforensig digidol")
        _reads(page, "/forensics/forecast", "Rhagolwg yr ôl-groniad")
        _reads(page, "/children", "Plant")
        _reads(page, "/imports", "Mewnforio cofnodion")
        _reads(page, "/concerns/new", "Codi pryder am blentyn")


def test_an_administrator_and_information_governance_read_their_pages_in_welsh(
        page: Page) -> None:
    with _in_welsh(page, "police.admin"):
        _reads(page, "/admin/users", "Defnyddwyr")
        _reads(page, "/admin/api-keys", "Allweddi API")
        _reads(page, "/admin/teams", "Timau")
        _reads(page, "/admin/deliveries", "Danfoniadau webhook")
    page.context.clear_cookies()
    with _in_welsh(page, "police.ig"):
        _reads(page, "/governance/unusual", "Mynediad anarferol")
        _reads(page, "/break-glass", "Mynediad brys i’w adolygu")
