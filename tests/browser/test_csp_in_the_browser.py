"""In a real Chromium, under the Content-Security-Policy (finding 14): GOV.UK Frontend's
js-enabled script runs by its nonce, the API documentation draws from our own files, and a
violation fails the test that causes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import open_page, sign_in


def test_the_js_enabled_script_runs_under_the_policy(page: Page) -> None:
    page.goto("/sign-in")
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported")


def test_the_api_documentation_draws_from_our_own_files(page: Page, live_server: str) -> None:
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith(live_server + "/") else None)
    sign_in(page, "mash.officer")
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("safeguard")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.get_by_text("/api/v1/duties", exact=True).count() >= 1
    assert foreign == []


def test_a_policy_violation_fails_the_test(browser: Browser, live_server: str) -> None:
    with pytest.raises(AssertionError, match="CSP violation"), \
            open_page(browser, live_server) as page:
        page.goto("/sign-in")
        page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.injected = true'; document.body.append(s) }""")
        page.wait_for_timeout(200)
