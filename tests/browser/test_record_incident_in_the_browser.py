"""In a real Chromium: a police officer records a Friday-night domestic-abuse incident through
the form and sees the duties appear — including for a child only the school knew about — and
children's social care acknowledges the share; the child's page shows her household. The same
walk by keyboard alone (Tab, Enter, Space). axe-core checks every page visited."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import PASSWORD, assert_accessible, sign_in


def fill_friday_night_incident(page: Page, reference: str) -> None:
    page.fill("#source_id", reference)
    page.check("input[name=kind][value=domestic_abuse]")
    page.fill("#occurred-day", "27")
    page.fill("#occurred-month", "11")
    page.fill("#occurred-year", "2026")
    page.fill("#occurred-time", "22:40")
    page.fill("#officer", "PC 4321 Patel")
    page.fill("#address-uprn", "100031234567")
    page.fill("#address-line1", "12 Acacia Road")
    page.fill("#address-town", "Northampton")
    page.fill("#address-postcode", "NN1 1AA")
    page.fill("#summary", "Argument between partners; neighbours called police.")
    for row, (role, given, family) in enumerate(
            [("victim", "Jane", "Smith"), ("suspect", "Mark", "Smith")], start=1):
        page.select_option(f"#people-{row}-role", role)
        page.fill(f"#people-{row}-given_name", given)
        page.fill(f"#people-{row}-family_name", family)
    # Every question answered (none is "no" by default): fifteen yes, high risk; the victim
    # could not say whether the abuser has a criminal record.
    for question in range(1, 25):
        answer = "yes" if question <= 15 else "not_known" if question == 24 else "no"
        page.check(f"input[name=dash-q{question}][value={answer}]")


def test_an_officer_records_an_incident_and_sees_the_duties(page: Page) -> None:
    sign_in(page, "mash.officer")
    assert_accessible(page)

    page.get_by_role("link", name="Record incident").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record")
    assert_accessible(page)
    fill_friday_night_incident(page, "INC-BROWSER-1")
    page.get_by_role("button", name="Record incident").click()

    page.wait_for_url(re.compile(r"/incidents/\d+\?recorded=1"))
    # Found from another agency's record of her: the education record, or a later one
    # (another test on this server raises a school's concern about her).
    expect(page.locator("body")).to_contain_text(re.compile(
        r"Not recorded by the officer — found from .+ record \S+"))
    expect(page.locator("body")).to_contain_text("Operation Encompass")
    expect(page.locator("body")).to_contain_text("MARAC")
    expect(page.locator("body")).to_contain_text("1 question was answered “not known”")
    assert_accessible(page)

    page.get_by_role("link", name="Duties", exact=True).first.click()
    expect(page.locator("#duty-results")).to_contain_text("Amy Smith")
    expect(page.locator("#duty-results")).to_contain_text("Operation Encompass")
    assert_accessible(page)

    page.locator("#duty-results").get_by_role("link", name="Amy Smith").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amy Smith")
    expect(page.locator("body")).to_contain_text("INC-BROWSER-1")
    assert_accessible(page)

    # The household the school knew Amy in: the adults the officer recorded live there too.
    page.get_by_role("tab", name="Household").click()
    household = page.locator("#household section[data-household=current]")
    expect(household).to_contain_text("Current address")
    expect(household).to_contain_text("12 Acacia Rd")
    expect(household.get_by_role("link", name="Jane Smith")).to_be_visible()
    expect(household.get_by_role("row", name=re.compile("Jane Smith"))).to_contain_text("Police")
    assert_accessible(page)
    household.get_by_role("link", name="Jane Smith").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jane Smith")
    assert_accessible(page)


def tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Press Tab, as a keyboard user does, until the focus reaches what `selector` matches:
    it must be reachable in the page's tab order, after where the focus is now."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{page.url}: Tab never reached {selector}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def keyboard_sign_in(page: Page, username: str) -> None:
    page.goto("/sign-in")
    type_into(page, "#username", username)
    type_into(page, "#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/duties**")


def test_an_incident_is_recorded_and_its_share_acknowledged_by_keyboard_alone(
        page: Page) -> None:
    """Tab, Enter, Space and typing only: no mouse, no clicks, from sign-in to discharge.
    The officer's force works in Welsh: the sign-in page in Welsh is checked too."""
    page.goto("/sign-in?lang=cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mewngofnodi i safeguard")
    assert_accessible(page)
    keyboard_sign_in(page, "mash.officer")
    tab_to(page, "a[href='/incidents/new']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/new")
    type_into(page, "#source_id", "INC-KEYBOARD-1")
    tab_to(page, "input[name=kind][value=domestic_abuse]")
    page.keyboard.press("Space")
    for field, text in (("#occurred-day", "27"), ("#occurred-month", "11"),
                        ("#occurred-year", "2026"), ("#occurred-time", "22:40"),
                        ("#officer", "PC 4321 Patel"), ("#address-uprn", "100031234567"),
                        ("#address-line1", "12 Acacia Road"), ("#address-town", "Northampton"),
                        ("#address-postcode", "NN1 1AA"),
                        ("#summary", "Argument between partners; neighbours called police.")):
        type_into(page, field, text)
    # A closed <select> takes the first letters of its option, as on any keyboard.
    for row, (letter, given, family) in enumerate((("v", "Jane", "Smith"),
                                                   ("s", "Mark", "Smith")), start=1):
        type_into(page, f"#people-{row}-role", letter)
        type_into(page, f"#people-{row}-given_name", given)
        type_into(page, f"#people-{row}-family_name", family)
    # Tab reaches each DASH question once; Space answers its first choice, "yes".
    for question in range(1, 25):
        tab_to(page, f"input[name=dash-q{question}]")
        page.keyboard.press("Space")
    tab_to(page, "#incident-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/\d+\?recorded=1"))
    expect(page.locator("body")).to_contain_text("INC-KEYBOARD-1")
    tab_to(page, ".app-header__sign-out-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in**")

    keyboard_sign_in(page, "csc.worker")
    # Which link to reach is read from the page; reaching and following it is the keyboard's.
    href = page.locator("#duty-results").get_by_role(
        "link", name=re.compile("Child-at-risk notification")).first.get_attribute("href")
    tab_to(page, f"#duty-results a[href='{href}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/duties/\d+$"))
    expect(page.locator("body")).to_contain_text("INC-")
    assert_accessible(page)
    tab_to(page, "form[action$='/discharge'] button")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"done=1"))
    expect(page.locator("body")).to_contain_text("Discharged")
    assert_accessible(page)


def test_the_form_explains_every_mistake(page: Page) -> None:
    sign_in(page, "mash.officer")
    page.goto("/incidents/new")
    page.fill("#source_id", "")
    page.get_by_role("button", name="Record incident").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    # Nothing is answered for the officer: each DASH question left unanswered is named.
    expect(summary).to_contain_text("Answer DASH question 1, “Has the current incident "
                                    "resulted in injury?”: yes, no or not known")
    expect(page.locator("[data-dash-count]")).to_contain_text("24 of 24 questions not answered")
    assert_accessible(page)
