"""A live server over a fresh SQLite file, and Debian's Chromium driven by Playwright.

Browsers cannot be downloaded here, so the tests use /usr/bin/chromium; where it (or axe-core
from `npm ci` in frontend/) is missing the tests are skipped with the reason — or fail, when
SAFEGUARD_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from safeguard.access.service import SYSTEM
from safeguard.app import create_app
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.importer import import_lines
from safeguard.intake.service import build_context
from safeguard.seed import seed_demo_users

from ..factories import free_port, migrated_store
from ..intake.scenario import AMY, SCHOOL

CHROMIUM = Path(os.environ.get("SAFEGUARD_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / \
    "axe.min.js"
PASSWORD = "browser-test-password"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing(what: str) -> None:
    if os.environ.get("SAFEGUARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} (required: SAFEGUARD_REQUIRE_BROWSER=1)")
    pytest.skip(what)


@contextmanager
def serve(folder: Path, events: list[dict[str, Any]]) -> Iterator[str]:
    """A live server over a fresh SQLite file holding these events and the demo sign-ins."""
    url = migrated_store("sqlite", folder, "live")
    settings = Settings(database_url=url, cookie_secure=False)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM,
                 ctx=build_context(settings))
    with transaction(factory) as session:
        seed_demo_users(session, password=PASSWORD, school_urn=SCHOOL["urn"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine=engine), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


@contextmanager
def open_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser context; fails the test on console errors or server errors."""
    context = browser.new_context(base_url=base_url)
    # Every Content-Security-Policy violation fails the test: a page that only works with
    # inline script or style, or loads from elsewhere, is a fault. Playwright's init script
    # is added by the browser itself, so the policy does not block it.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`))")
    page = context.new_page()
    errors: list[str] = []
    # A 4xx page (a form with errors) is expected; the browser logs it, which is not a fault.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500
            else None)
    yield page
    context.close()
    assert errors == [], f"browser console errors or server errors: {errors}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives the browser is marked `browser` and, when the suite runs on
    several processes (scripts/test: pytest-xdist's --dist loadgroup), they all run in one of
    them, in order, on one live server and one Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("browser"), [SCHOOL, AMY]) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-liberation")
    if not AXE.exists():
        _missing(f"no axe-core at {AXE}: run `npm ci` in frontend/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    with open_page(browser, live_server) as page:
        yield page


def sign_in(page: Page, username: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/duties**")


def _known_govuk_issue(violation: dict[str, Any], node: dict[str, Any]) -> bool:
    """GOV.UK Frontend's conditional reveal puts aria-expanded on the radio that reveals
    content: invalid for a radio by the ARIA spec, kept on purpose because screen readers
    announce it (govuk-frontend issue 979, "known issue"). Only that attribute, only there."""
    if violation["id"] != "aria-allowed-attr" or "govuk-radios__input" not in node["html"]:
        return False
    attributes = [str(value) for check in node["any"] + node["all"]
                  for value in (check.get("data") or {}).get("values", [])]
    return bool(attributes) and all(a.startswith("aria-expanded=") for a in attributes)


def assert_accessible(page: Page) -> None:
    """axe-core: no violation of any rule, of any impact, on the page as it stands: WCAG 2.2
    A/AA and axe's best practices (every piece of content inside a landmark, one main
    heading, headings in order, landmarks each named once)."""
    # Evaluated by the browser, not added as a <script> tag: the page's policy refuses inline
    # script, and is not to be loosened for a test.
    page.evaluate(AXE.read_text("utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa',
             'best-practice']}, resultTypes: ['violations']})""")
    violations = [(v["id"], v["impact"], targets[:3]) for v in result["violations"]
                  if (targets := [n["target"] for n in v["nodes"]
                                  if not _known_govuk_issue(v, n)])]
    assert violations == [], f"{page.url}: {violations}"
