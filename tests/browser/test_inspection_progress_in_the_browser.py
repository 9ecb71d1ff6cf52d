"""In a real Chromium, on a server of its own holding an imported inspection: the owning
agency reports an action in progress with its evidence, and the plan shows it; axe-core checks
each page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from ..intake.scenario import SCHOOL
from ..measures.inspection_scenario import ACTION, INSPECTION
from .conftest import assert_accessible, open_page, serve, sign_in


def test_the_owning_agency_marks_an_action_in_progress(browser: Browser,
                                                        tmp_path: Path) -> None:
    with serve(tmp_path, [SCHOOL, INSPECTION, ACTION]) as url, \
            open_page(browser, url) as page:
        sign_in(page, "csc.worker")
        page.goto("/inspections")
        page.get_by_role("link", name="Child protection inspection").click()
        expect(page.locator("#actions")).to_contain_text("Not started")
        assert_accessible(page)
        page.get_by_role("link", name="Update progress of this action").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Update an action’s progress")
        assert_accessible(page)
        page.get_by_label("In progress").check()
        page.get_by_label("Evidence").fill("Weekend cover agreed.")
        page.get_by_role("button", name="Save the progress").click()
        expect(page.locator("#actions")).to_contain_text("In progress")
        expect(page.locator("#actions")).to_contain_text("Weekend cover agreed.")
