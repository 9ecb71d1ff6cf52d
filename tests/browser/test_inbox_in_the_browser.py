"""In a real Chromium: children's social care open a share from their inbox, acknowledge it
and record a reply; axe-core checks every page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in
from .test_record_incident_in_the_browser import fill_friday_night_incident


def test_social_care_open_and_acknowledge_a_share_from_the_inbox(page: Page) -> None:
    sign_in(page, "mash.officer")
    page.goto("/incidents/new")
    fill_friday_night_incident(page, "INC-BROWSER-INBOX")
    page.get_by_role("button", name="Record incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+"))
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "csc.worker")
    page.get_by_role("link", name="Inbox", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator("#inbox-results")).to_contain_text("due in")
    assert_accessible(page)

    # The other browser tests share this server and its inbox: open this incident's share,
    # whichever row it is in.
    links = page.locator("#inbox-results").get_by_role(
        "link", name=re.compile("Child-at-risk notification"))
    hrefs = [links.nth(n).get_attribute("href") for n in range(links.count())]
    for href in hrefs:
        page.goto(str(href))
        if "INC-BROWSER-INBOX" in page.locator("main").inner_text():
            break
    page.wait_for_url(re.compile(r"/inbox/\d+$"))
    expect(page.locator("body")).to_contain_text("Lawful basis")
    expect(page.locator("body")).to_contain_text("INC-BROWSER-INBOX")
    assert_accessible(page)

    page.get_by_role("button", name="Acknowledge notification").click()
    page.wait_for_url(re.compile(r"done=acknowledged"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Share acknowledged")
    assert_accessible(page)

    page.get_by_label("Your reply or decision").fill("Allocated to the assessment team.")
    page.get_by_role("button", name="Record reply").click()
    page.wait_for_url(re.compile(r"done=replied"))
    expect(page.locator("#share-reply")).to_contain_text("Allocated to the assessment team.")
    assert_accessible(page)


def test_the_concern_form_and_the_measures_are_accessible(page: Page) -> None:
    sign_in(page, "health.visitor")
    page.goto("/concerns/new")
    assert_accessible(page)
    page.get_by_role("button", name="Raise concern").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto("/measures/sharing")
    assert_accessible(page)
    page.goto("/sharing/records")
    assert_accessible(page)
