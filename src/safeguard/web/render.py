"""Rendering pages: every page gets the signed-in principal and the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from safeguard.access.names import Names
from safeguard.access.service import Principal
from safeguard.web.deps import csrf_token
from safeguard.web.i18n import DEFAULT, LANGUAGES, drawing
from safeguard.web.security_headers import csp_nonce


def is_htmx(request: Request) -> bool:
    """htmx asks for a fragment; without JavaScript the same URL serves the whole page."""
    return request.headers.get("hx-request") == "true" and \
        request.headers.get("hx-history-restore-request") != "true"


def page_language(request: Request, principal: Principal | None) -> str:
    """The signed-in user's language; before sign-in, the one chosen with `?lang=` (kept in
    the session's cookie until sign-in)."""
    if principal is not None:
        return principal.language
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        request.session["lang"] = chosen
    kept = request.session.get("lang")
    return kept if isinstance(kept, str) and kept in LANGUAGES else DEFAULT


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *,
    principal: Principal | None = None, status_code: int = 200,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    # cspNonce lets GOV.UK Frontend's one inline script (setting `js-enabled`) run under the
    # Content-Security-Policy, which allows no other inline script.
    lang = page_language(request, principal)
    ctx = {"principal": principal, "csrf_token": csrf_token(request),
           "cspNonce": csp_nonce(request.scope), "lang": lang, **(context or {})}
    session = getattr(request.state, "session", None)
    # The page is drawn here, at once: its language and names hold for exactly that.
    with drawing(lang, Names(session) if session is not None else None):
        response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    # Pages hold personal data: never let a shared machine's cache keep them.
    response.headers["Cache-Control"] = "no-store"
    return response
