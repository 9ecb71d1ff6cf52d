"""Request-scoped dependencies: the transaction, who is asking, and CSRF protection.

Every route depends on :func:`require_principal` (JSON) or :func:`require_user` (pages) unless
it is listed in ``PUBLIC_ROUTES``; tests/web/test_access_on_every_route.py enforces that.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import User
from safeguard.access.service import Principal, principal_for_api_key, principal_for_user
from safeguard.access.sessions import Ended, current_user, start_session
from safeguard.config import Settings
from safeguard.db import transaction, utcnow
from safeguard.rules.context import RuleContext

# The API documentation (/docs, /openapi.json) is not here: it maps every route of a
# service holding children's records, so only someone signed in may read it.
# /sign-in/code: the second factor, for someone who has given the right password only.
PUBLIC_ROUTES = {"/sign-in", "/sign-in/code", "/sign-in/security-key",
                 "/sign-in/security-key/options", "/health", "/accessibility", "/privacy",
                 "/static"}


class SignInRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_session(request: Request) -> Iterator[Session]:
    """The request owns the transaction: commit when the handler returns, else roll back.

    The body has been read in full before any route runs (web.bodies.ReadBodyFirst), so a
    slow client never holds a transaction open. A GET reads first (on SQLite it takes the
    writer lock only when it writes its audit rows, db.reads_first)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    if request.method in SAFE_METHODS:
        factory = getattr(request.app.state, "reads_first_factory", factory)
    with transaction(factory) as session:
        # render() names agencies and people for the page through this session.
        request.state.session = session
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_now(request: Request) -> datetime:
    """The current time; tests replace `app.state.clock` to run clocks deterministically."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else utcnow()


def get_wall_now(request: Request) -> datetime:
    """The real time, for sessions and sign-in throttling: tests move `app.state.clock` by
    days to breach duties, and a session must not end because of it. Tests of the sessions
    themselves set `app.state.security_clock`."""
    clock = getattr(request.app.state, "security_clock", None)
    return clock() if clock else utcnow()


SESSION_KEY = "sid"


def begin_session(request: Request, session: Session, *, user: User) -> None:
    """Sign a user in: a new server-side session, and a new cookie naming only it (a fresh
    cookie on sign-in defeats session fixation)."""
    settings: Settings = request.app.state.settings
    token = start_session(session, user=user, now=get_wall_now(request),
                          max_age=timedelta(seconds=settings.session_max_age_seconds))
    request.session.clear()
    request.session[SESSION_KEY] = token
    csrf_token(request)


def _api_key_from(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def optional_principal(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal | None:
    key = _api_key_from(authorization, x_api_key)
    if key is not None:
        principal = principal_for_api_key(session, plaintext=key)
        if principal is None:
            raise HTTPException(401, "API key not recognised or revoked",
                                headers={"WWW-Authenticate": "Bearer"})
    else:
        principal = _signed_in(request, session)
    # Kept for the error handlers, which audit a refusal as this principal's.
    request.state.principal = principal
    return principal


def _signed_in(request: Request, session: Session) -> Principal | None:
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    # Checked on every request, uncached: sign-out, a disabled user or changed roles take
    # effect at the very next request.
    settings: Settings = request.app.state.settings
    current = current_user(session, token=token, now=get_wall_now(request),
                           idle=timedelta(seconds=settings.sign_in.idle_seconds))
    if isinstance(current, Ended):
        if current.why is not None:
            # The session ended just now: that must stand although this request is about to
            # fail (and roll back), or re-enabling the user would revive it.
            session.commit()
        request.session.clear()
        return None
    return principal_for_user(session, user=current.user)


async def require_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """JSON API: an API key, or a signed-in user (with the CSRF header on unsafe methods)."""
    if principal is None:
        raise HTTPException(401, "sign in or send an API key",
                            headers={"WWW-Authenticate": "Bearer"})
    if principal.kind == "user" and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, csrf_token(request)):
            raise HTTPException(403, "missing or wrong X-CSRF-Token header")
    return principal


async def require_user(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """Pages: a signed-in user, or a redirect to the sign-in page."""
    if principal is None or principal.kind != "user":
        raise SignInRequired(str(request.url.path) + (f"?{request.url.query}"
                                                      if request.url.query else ""))
    return principal


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf_token")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf_token"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Forms carry the session's token in a hidden field; a cross-site post cannot know it."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        raise HTTPException(403, "The form has expired or did not come from this service. "
                                 "Go back, reload the page and try again.")


PrincipalDep = Annotated[Principal, Depends(require_principal)]
UserDep = Annotated[Principal, Depends(require_user)]
NowDep = Annotated[datetime, Depends(get_now)]


async def get_rule_context(request: Request) -> RuleContext:
    """The clocks, thresholds and calendars built once at start-up (app.state.rules)."""
    ctx: RuleContext = request.app.state.rules
    return ctx


RulesDep = Annotated[RuleContext, Depends(get_rule_context)]
CsrfDep = Depends(verify_csrf)
