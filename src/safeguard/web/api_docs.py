"""The JSON API's documentation, for signed-in users only and from the product's own files.

FastAPI's built-in /docs and /redoc load Swagger UI and ReDoc from a CDN (blank offline, and
a third party learns who reads the documentation) with an inline script the
Content-Security-Policy refuses, and they are public. Here /docs is Swagger UI from
/static/swagger-ui/, /openapi.json needs a user or an API key, and /redoc leads to /docs.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from safeguard.web.deps import PrincipalDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi_document(request: Request, principal: PrincipalDep) -> JSONResponse:
    """The OpenAPI document: for partner systems (API key) as for signed-in users."""
    document: dict[str, Any] = request.app.openapi()
    return JSONResponse(document)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, principal: UserDep) -> HTMLResponse:
    return render(request, "api_docs.html", principal=principal)


@router.get("/redoc")
def redoc(principal: UserDep) -> RedirectResponse:
    # One documentation page to keep: ReDoc needs inline styles the policy refuses.
    return RedirectResponse("/docs", status_code=308)
