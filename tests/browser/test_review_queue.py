"""In a real Chromium: children's social care holds a record that shares Amy's UPN but not her
given name; it waits on the review queue beside Amy's person, whose records children's social
care has no relationship to see (withheld: the researcher decides on the comparison), and a
researcher decides. axe-core checks every page visited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..intake.scenario import ADDRESS, AMY, SCHOOL
from .conftest import assert_accessible, open_page, serve, sign_in

ZARA = {"event": "person", "source": "childrens_social_care", "source_id": "CSC-REVIEW-1",
        "given_name": "Zara", "family_name": "Smith", "dob": AMY["dob"],
        "ids": {"upn": AMY["ids"]["upn"]}, "address": ADDRESS}  # type: ignore[index]


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: Amy at school, and Zara's record waiting on the review queue."""
    with serve(tmp_path_factory.mktemp("review"), [SCHOOL, AMY, ZARA]) as url:
        yield url


@pytest.fixture
def review_page(browser: Browser, review_server: str) -> Iterator[Page]:
    with open_page(browser, review_server) as page:
        yield page


def test_a_researcher_decides_a_possible_match_side_by_side(review_page: Page) -> None:
    page = review_page
    sign_in(page, "csc.worker")
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible matches to review")
    assert_accessible(page)
    page.get_by_role("link", name="Review Zara Smith").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Is Zara Smith the same person as person")
    expect(page.locator("body")).to_contain_text("Withheld")
    expect(page.locator("body")).not_to_contain_text("education record E-88")
    expect(page.locator("body")).to_contain_text("UPN")
    assert_accessible(page)

    page.get_by_role("button", name="Different people").click()
    expect(page.locator("body")).to_contain_text("Decision recorded.")
    expect(page.locator("body")).to_contain_text("There are no possible matches to review.")
    assert_accessible(page)


def test_health_has_no_review_link_and_is_refused_the_queue(review_page: Page) -> None:
    page = review_page
    sign_in(page, "health.visitor")
    expect(page.get_by_role("link", name="Review", exact=True)).to_have_count(0)
    response = page.goto("/review")
    assert response is not None and response.status == 403
