"""Error pages for the web UI, and the audit entry a refused request leaves."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import Principal
from safeguard.db import transaction
from safeguard.governance.refusals import record_refusal
from safeguard.web.render import render

log = logging.getLogger(__name__)

TITLES = {403: "You cannot do that", 404: "Page not found", 409: "Already done",
          422: "There is a problem"}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": TITLES.get(status, "Something went wrong"),
                                          "message": message}, status_code=status)


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
