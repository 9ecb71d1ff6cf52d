"""Error pages for the web UI, error answers in the form the asker reads, and the audit
entry a refused request leaves."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.responses import Response

from safeguard.access.service import Principal
from safeguard.db import transaction
from safeguard.governance.refusals import record_refusal
from safeguard.web.render import render

log = logging.getLogger(__name__)

# The GOV.UK patterns' titles (design-system.service.gov.uk/patterns): each page then says
# what the person can do about it.
TITLES = {400: "There is a problem with what you sent", 403: "You do not have access",
          404: "Page not found", 405: "You cannot do that", 409: "Already done",
          413: "The request is too large", 422: "There is a problem with what you sent",
          500: "Sorry, there is a problem with the service"}
SERVER_ERROR = ("Try again later. If it happens again, tell your service desk what you were "
                "doing and quote the reference below.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was sent: the field (as the form or address names it) and
    the reason, listed on the 422 page."""

    field: str
    reason: str


def error_page(request: Request, status: int, message: str,
               headers: Mapping[str, str] | None = None, *,
               problems: Sequence[Problem] = ()) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    response = render(request, "error.html", {
        "title": TITLES.get(status, "Sorry, there is a problem with the service"),
        "status": status, "message": message, "problems": problems,
        "request_id": request_id(request)},
        principal=principal if isinstance(principal, Principal) else None,
        status_code=status)
    response.headers.update(headers or {})
    return response


def request_id(request: Request) -> str:
    """The id the request log gave this request (web.request_log), so a person can quote it."""
    value = getattr(request.state, "request_id", "")
    return value if isinstance(value, str) else ""


def server_error(request: Request) -> Response:
    """An unhandled error: the GOV.UK "Sorry, there is a problem with the service" page for a
    browser, a JSON body for the API; neither says what went wrong (it may hold personal
    data), only the request's id to quote."""
    if not wants_html(request):
        return JSONResponse({"detail": "Internal Server Error",
                             "request_id": request_id(request)}, status_code=500)
    return error_page(request, 500, SERVER_ERROR)


def wants_html(request: Request) -> bool:
    """A browser asking for a page gets a page; the JSON API, and a client asking for JSON,
    get JSON."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept


async def http_error(request: Request, exc: Exception) -> Response:
    """An HTTP error (a 404 for an unknown address, a 403 for a stale form) as a page for a
    browser; as FastAPI's JSON for the API."""
    assert isinstance(exc, HTTPException)
    if not wants_html(request):
        return await http_exception_handler(request, exc)
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(
        exc.status_code, "Something went wrong")
    return error_page(request, exc.status_code, message, exc.headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A malformed query, path or body (`?page=²`, an id beyond 64 bits): 422, naming each
    problem, as a page for a browser; as FastAPI's JSON for the API."""
    assert isinstance(exc, RequestValidationError)
    if not wants_html(request):
        return await request_validation_exception_handler(request, exc)
    problems = [Problem(_field(error["loc"]), str(error["msg"])) for error in exc.errors()]
    return error_page(request, 422, "Go back, check these and try again:", problems=problems)


def _field(loc: Any) -> str:
    parts = [str(part) for part in loc]
    return ".".join(parts[1:]) or "".join(parts)


def audit_refusal(request: Request, message: str) -> None:
    """Record that the principal was refused (a 403, or a 404 that hides what they may not
    see). The request's own transaction has already been rolled back with the error, so
    this is a transaction of its own. A failure here is logged, never shown: the answer to
    the request is the refusal either way."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        return  # not signed in: refused before anything was asked of the data
    factory: sessionmaker[Session] = request.app.state.session_factory
    try:
        with transaction(factory) as session:
            record_refusal(session, principal=principal,
                           route=f"{request.method} {request.url.path}",
                           path_params=request.path_params, reason=message)
    except Exception:
        log.exception("could not audit a refused request to %s", request.url.path)
