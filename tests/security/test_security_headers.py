"""Finding 14: security headers on every response, the API documentation from our own files
for signed-in users only, and a health check that asks the database."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safeguard.access.service import create_api_key
from safeguard.app import create_app
from safeguard.config import Settings
from safeguard.db import make_engine
from safeguard.web.templating import TEMPLATES_DIR

from ..app_client import AppClient
from ..conftest import sign_in

STATIC = TEMPLATES_DIR.parent / "static"


def api_key(session: Session, agency: str = "police") -> dict[str, str]:
    _, plaintext = create_api_key(session, agency_id=agency, name=f"{agency} system")
    session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def assert_secure_headers(response: object, *, private: bool = True) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    if private:
        assert headers["cache-control"] == "no-store"


def test_it_sends_the_security_headers_on_pages_the_api_redirects_and_errors(
        client: AppClient, session: Session) -> None:
    key = api_key(session)
    for response in (client.get("/sign-in"), client.get("/duties", follow_redirects=False),
                     client.get("/no-such-page"), client.get("/health"),
                     client.get("/api/v1/duties", headers=key),
                     client.get("/api/v1/persons/999999", headers=key),
                     client.get("/api/v1/duties")):
        assert_secure_headers(response)


def test_it_keeps_personal_data_out_of_caches_on_the_json_api(
        client: AppClient, session: Session) -> None:
    response = client.get("/api/v1/duties", headers=api_key(session))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_it_lets_only_static_files_be_cached(client: AppClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_secure_headers(response, private=False)
    assert "no-store" not in response.headers.get("cache-control", "")


def test_it_sends_the_headers_on_an_unhandled_error(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError("a fault no handler knows")

    app.add_api_route("/broken-for-test", broken)
    with AppClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert_secure_headers(response)


def test_it_asks_browsers_for_https_only_when_cookies_are_secure(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    for secure, expected in ((True, "max-age=31536000; includeSubDomains"), (False, None)):
        app = create_app(Settings(database_url=url, cookie_secure=secure), engine=engine)
        with AppClient(app, base_url="https://testserver") as client:
            assert client.get("/sign-in").headers.get("strict-transport-security") == expected


def test_it_lets_the_one_inline_script_run_by_the_nonce_of_its_request(
        client: AppClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/sign-in")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["content-security-policy"])
        assert nonce is not None
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)
        assert inline == [f' nonce="{nonce.group(1)}"'], "only GOV.UK's js-enabled script"
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1], "a nonce is for one response only"


def test_it_has_no_inline_script_style_or_event_handler_in_any_template() -> None:
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        # Jinja comments are not sent to the browser.
        text = re.sub(r"\{#.*?#\}", "", path.read_text("utf-8"), flags=re.DOTALL)
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle\s*=", r"\son[a-z]+\s*=\s*[\"']",
                        r"javascript:"):
            found += [f"{path.relative_to(TEMPLATES_DIR)}: {m}"
                      for m in re.findall(pattern, text)]
    assert found == []


def test_it_keeps_the_api_documentation_from_anyone_not_signed_in(client: AppClient) -> None:
    assert client.get("/openapi.json").status_code == 401
    for path in ("/docs", "/redoc"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/sign-in?next={path}"
    assert client.get("/docs/oauth2-redirect", follow_redirects=False).status_code == 404


def test_it_serves_the_api_documentation_from_its_own_files(
        client: AppClient, session: Session) -> None:
    assert client.get("/openapi.json", headers=api_key(session)).json()["paths"]
    sign_in(client, "mash.officer")
    assert client.get("/openapi.json").status_code == 200
    page = client.get("/docs")
    assert page.status_code == 200
    assert_secure_headers(page)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/js/api-docs.js" in sources
    assert [s for s in sources if not s.startswith("/")] == [], "nothing from another origin"
    for source in sources:
        if source.startswith("/static/"):
            assert client.get(source).status_code == 200, source
    assert client.get("/redoc", follow_redirects=False).headers["location"] == "/docs"


def test_it_ships_swagger_ui_with_its_licence() -> None:
    notice = (STATIC / "NOTICE.txt").read_text("utf-8")
    assert re.search(r"swagger-ui-dist \d+\.\d+\.\d+ \(Apache-2.0\)", notice)
    assert (STATIC / "swagger-ui" / "LICENSE").exists()


def test_it_says_the_database_answers_in_health(client: AppClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_answers_503_in_health_when_the_database_cannot_be_reached(
        engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name == "sqlite":
        # A folder where the database file should be: SQLite cannot open it.
        (tmp_path / "gone.db").mkdir()
        url = f"sqlite:///{tmp_path / 'gone.db'}"
    else:
        # A port nothing listens on: the server is down.
        url = engine.url.set(port=1).render_as_string(hide_password=False)
    broken = make_engine(url)
    app = create_app(Settings(database_url=url, cookie_secure=False), engine=broken)
    with AppClient(app) as client:
        response = client.get("/health")
    broken.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert "gone.db" not in response.text and "port" not in response.text
