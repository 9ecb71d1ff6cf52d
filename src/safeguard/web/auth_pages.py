"""Signing in and out, and the public information pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safeguard.access.service import authenticate_user
from safeguard.web.deps import CsrfDep, SessionDep, UserDep, csrf_token
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our sign-in."""
    if not next_url:
        return "/duties"
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not next_url.startswith("/") or next_url.startswith("//"):
        return "/duties"
    return next_url


@router.get("/", response_class=RedirectResponse)
def home(principal: UserDep) -> RedirectResponse:
    return RedirectResponse("/duties", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "sign_in.html", {"next": _safe_next(next), "page_title": "Sign in"})


@router.post("/sign-in", dependencies=[CsrfDep], response_model=None)
def sign_in(
    request: Request, session: SessionDep,
    username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/duties",
) -> Response:
    user = authenticate_user(session, username=username.strip(), password=password)
    if user is None:
        return render(request, "sign_in.html", {
            "next": _safe_next(next), "username": username, "page_title": "Sign in",
            "errors": [{"text": "Enter a correct username and password",
                        "href": "#username"}]}, status_code=401)
    request.session.clear()  # a new session on sign-in defeats session fixation
    request.session["user_id"] = user.id
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/sign-out", dependencies=[CsrfDep])
def sign_out(request: Request, principal: UserDep) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", {"page_title": "Accessibility statement"})


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request) -> HTMLResponse:
    return render(request, "privacy.html", {"page_title": "Privacy"})


