"""In a real Chromium: the measures dashboard and a measure's page (chart and table), and the
inspections page; axe-core checks each."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_the_dashboard_and_a_measure_page_are_accessible(page: Page) -> None:
    sign_in(page, "csc.worker")
    page.get_by_role("link", name="Measures", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The seven failings, measured")
    expect(page.locator("#dashboard")).to_contain_text(
        "Devices examined within their priority's clock")
    assert_accessible(page)
    page.get_by_role("link", name="Sharing with partners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing with partners")
    chart = page.get_by_role("img", name="Shares acknowledged within their clock, by month")
    expect(chart).to_be_visible()
    expect(page.locator("#months-shares_acknowledged_in_time tbody tr")).to_have_count(12)
    assert_accessible(page)
    page.get_by_label("First month").fill("2026-13")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("Enter a month like 2026-01")
    assert_accessible(page)
    page.goto("/inspections")
    assert_accessible(page)
