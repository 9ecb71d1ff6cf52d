"""In a real Chromium: children's social care holds a record that shares Amy's UPN but not her
given name; it waits on the review queue, side by side with Amy's records, and a researcher
decides. axe-core checks every page visited."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from safeguard.access.service import SYSTEM
from safeguard.app import create_app
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.importer import import_lines
from safeguard.intake.service import build_context
from safeguard.migrate import upgrade
from safeguard.seed import seed_demo_users

from ..intake.scenario import ADDRESS, AMY, SCHOOL
from .conftest import PASSWORD, _free_port, assert_accessible, sign_in

ZARA = {"event": "person", "source": "childrens_social_care", "source_id": "CSC-REVIEW-1",
        "given_name": "Zara", "family_name": "Smith", "dob": AMY["dob"],
        "ids": {"upn": AMY["ids"]["upn"]}, "address": ADDRESS}  # type: ignore[index]


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: Amy at school, and Zara's record waiting on the review queue."""
    url = f"sqlite:///{tmp_path_factory.mktemp('review') / 'review.db'}"
    settings = Settings(database_url=url, cookie_secure=False)
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    import_lines(factory, [json.dumps(SCHOOL), json.dumps(AMY), json.dumps(ZARA)],
                 principal=SYSTEM, ctx=build_context(settings))
    with transaction(factory) as session:
        seed_demo_users(session, password=PASSWORD, school_urn=SCHOOL["urn"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine=engine), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the review server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture
def review_page(browser: Browser, review_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=review_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500
            else None)
    yield page
    context.close()
    assert errors == []


def test_a_researcher_decides_a_possible_match_side_by_side(review_page: Page) -> None:
    page = review_page
    sign_in(page, "csc.worker")
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible matches to review")
    assert_accessible(page)
    page.get_by_role("link", name="Review Zara Smith").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Is Zara Smith the same person as Amy Smith?")
    expect(page.locator("body")).to_contain_text("education record E-88")
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
