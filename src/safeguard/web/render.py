"""Rendering pages: every page gets the signed-in principal and the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from safeguard.access.service import Principal
from safeguard.web.deps import csrf_token
from safeguard.web.security_headers import csp_nonce


def is_htmx(request: Request) -> bool:
    """htmx asks for a fragment; without JavaScript the same URL serves the whole page."""
    return request.headers.get("hx-request") == "true" and \
        request.headers.get("hx-history-restore-request") != "true"


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *,
    principal: Principal | None = None, status_code: int = 200,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    # cspNonce lets GOV.UK Frontend's one inline script (setting `js-enabled`) run under the
    # Content-Security-Policy, which allows no other inline script.
    ctx = {"principal": principal, "csrf_token": csrf_token(request),
           "cspNonce": csp_nonce(request.scope), **(context or {})}
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    # Pages hold personal data: never let a shared machine's cache keep them.
    response.headers["Cache-Control"] = "no-store"
    return response
