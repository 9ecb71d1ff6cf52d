"""In a real Chromium: the custody board for a child refused bail late at night, its filters
(htmx, the URL kept bookmarkable) and the detention's timeline; axe-core checks each page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def _events(now: datetime) -> list[dict[str, Any]]:
    def at(hours: float) -> str:
        return (now - timedelta(hours=hours)).isoformat()

    def step(n: int, name: str, hours: float, **extra: Any) -> dict[str, Any]:
        return {"event": "custody_update", "source": "police", "source_id": f"CR-BR-{n}",
                "detention": "CR-BR", "step": name, "at": at(hours), **extra}

    return [
        {"event": "custody_detention", "source": "police", "source_id": "CR-BR",
         "detainee": {"given_name": "Kian", "family_name": "Ashdown", "dob": "2010-04-04"},
         "arrived_at": at(5), "detention_authorised_at": at(4.8),
         "custody_suite": "Northgate custody suite", "offence": "robbery", "officer": "PS Hughes"},
        step(1, "parent_informed", 4.5), step(2, "appropriate_adult_requested", 4.6),
        step(3, "charged", 1.5), step(4, "bail_refused", 1.2),
        step(5, "transfer_requested", 1, accommodation="non_secure"),
    ]


def test_the_custody_board_filters_and_opens_a_childs_detention(page: Page) -> None:
    sign_in(page, "mash.officer")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    for event in _events(datetime.now(UTC)):
        response = page.request.post("/api/v1/events", data=event,
                                     headers={"X-CSRF-Token": token})
        assert response.status == 201, response.text()

    page.get_by_role("link", name="Custody", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children in police custody")
    results = page.locator("#custody-results")
    expect(results).to_contain_text("Kian Ashdown")
    expect(results).to_contain_text("Transfer requested")
    assert_accessible(page)

    page.get_by_label("Stage").select_option("not_charged")  # htmx swaps the results
    page.wait_for_url(re.compile(r"stage=not_charged"))
    expect(results).not_to_contain_text("Kian Ashdown")
    page.get_by_label("Stage").select_option("bail_refused")
    page.wait_for_url(re.compile(r"stage=bail_refused"))
    expect(results).to_contain_text("Kian Ashdown")
    assert_accessible(page)

    results.get_by_role("link", name="Kian Ashdown").click()
    page.wait_for_url(re.compile(r"/custody/\d+$"))
    expect(page.locator(".moj-timeline")).to_contain_text("Bail refused")
    expect(page.locator("body")).to_contain_text("Ask the council for accommodation")
    assert_accessible(page)
