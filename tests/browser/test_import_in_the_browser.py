"""In a real Chromium: importing a JSON Lines file through the page while the server (and its
SQLite store) is live — good lines land, the bad one is reported by line number."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from ..intake.scenario import incident
from .conftest import assert_accessible, sign_in


def test_an_officer_imports_a_file_and_sees_the_rejected_line(page: Page, tmp_path: Path
                                                              ) -> None:
    good = incident("INC-BROWSER-IMPORT", "2026-11-20T21:00:00+00:00")
    bad = dict(good, source_id="INC-BROWSER-BAD", occurred_at="yesterday")
    upload = tmp_path / "incidents.jsonl"
    upload.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", "utf-8")

    sign_in(page, "mash.officer")
    page.goto("/imports")
    assert_accessible(page)
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Import").click()
    body = page.locator("body")
    expect(body).to_contain_text("occurred_at")
    expect(page.locator("table").last).to_contain_text("2")
    assert_accessible(page)
