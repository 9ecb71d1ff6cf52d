"""Error pages for the web UI."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from safeguard.web.render import render

TITLES = {403: "You cannot do that", 404: "Page not found", 409: "Already done",
          422: "There is a problem"}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": TITLES.get(status, "Something went wrong"),
                                          "message": message}, status_code=status)
