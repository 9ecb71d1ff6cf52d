"""Signing in (password, then a code or a security key for those with two-factor sign-in)
and out, enrolling an authenticator or registering a security key, and the public
information pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.security_keys import (
    RelyingParty,
    authenticate,
    authentication_options,
    has_key,
    keys_of,
    register,
    registration_options,
    remove_key,
)
from safeguard.access.service import Principal, authenticate_user, principal_for_user
from safeguard.access.sessions import end_session
from safeguard.access.throttle import FAILED, REFUSED, SUCCEEDED, Refusal, record_attempt, refusal
from safeguard.access.two_factor import (
    begin_enrolment,
    check_code,
    confirm_enrolment,
    is_enrolled,
    is_required,
    provisioning_uri,
    qr_code_svg,
)
from safeguard.audit.service import record as audit
from safeguard.config import Settings, SignInSettings
from safeguard.errors import Invalid, NotFound
from safeguard.web.deps import (
    SESSION_KEY,
    CsrfDep,
    SessionDep,
    UserDep,
    begin_session,
    csrf_token,
    get_wall_now,
    optional_principal,
)
from safeguard.web.i18n import LANGUAGES
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


def address_of(request: Request) -> str:
    # Behind a reverse proxy this is the proxy's unless uvicorn is told to trust its
    # X-Forwarded-For (--proxy-headers --forwarded-allow-ips): see docs/security.md.
    return request.client.host if request.client else "unknown"


def sign_in_policy(request: Request) -> SignInSettings:
    settings: Settings = request.app.state.settings
    return settings.sign_in


def _refused(request: Request, template: str, context: dict[str, Any], refusal: Refusal
             ) -> HTMLResponse:
    response = render(request, template, {**context, "errors": [
        {"text": refusal.message, "href": f"#{context.get('field', 'username')}"}]},
        status_code=429)
    response.headers["Retry-After"] = str(refusal.seconds)
    return response


@router.post("/sign-in", dependencies=[CsrfDep], response_model=None)
def sign_in(
    request: Request, session: SessionDep,
    username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/duties",
) -> Response:
    now, address = get_wall_now(request), address_of(request)
    context = {"next": _safe_next(next), "username": username, "page_title": "Sign in"}
    # The same refusal whether or not the account exists, before the password is checked.
    refused = refusal(session, username=username, address=address, now=now,
                      policy=sign_in_policy(request))
    if refused is not None:
        record_attempt(session, username=username, address=address, now=now, outcome=REFUSED)
        return _refused(request, "sign_in.html", context, refused)
    user = authenticate_user(session, username=username.strip(), password=password)
    if user is None:
        record_attempt(session, username=username, address=address, now=now, outcome=FAILED)
        return render(request, "sign_in.html", {**context, "errors": [
            {"text": "Enter a correct username and password", "href": "#username"}]},
            status_code=401)
    if (is_enrolled(session, user_id=user.id) or has_key(session, user_id=user.id)
            or is_required(session, user=user)):
        # Half signed in: the password was right; the code is asked for next.
        request.session.clear()
        request.session[PENDING] = {"user_id": user.id, "at": now.timestamp(),
                                    "next": _safe_next(next)}
        csrf_token(request)
        return RedirectResponse("/sign-in/code", status_code=303)
    record_attempt(session, username=username, address=address, now=now, outcome=SUCCEEDED)
    signed_in(request, session, user)
    return RedirectResponse(_safe_next(next), status_code=303)


def signed_in(request: Request, session: Session, user: User, how: str = "") -> None:
    begin_session(request, session, user=user)
    principal = principal_for_user(session, user=user)
    audit(session, principal=principal, action="sign-in", entity="user", entity_id=user.id,
          why=f"signed in {how}".strip())


PENDING = "pending_sign_in"


def pending_user(request: Request, session: Session) -> tuple[User, str] | None:
    """The user who gave the right password moments ago, and where they were going."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    user_id, at, next_url = pending.get("user_id"), pending.get("at"), pending.get("next")
    if not isinstance(user_id, int) or not isinstance(at, float | int):
        return None
    if get_wall_now(request).timestamp() - at > sign_in_policy(request).second_factor_seconds:
        request.session.pop(PENDING, None)
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return user, _safe_next(next_url if isinstance(next_url, str) else None)


def _code_page(request: Request, session: Session, user: User, *, status_code: int = 200,
               errors: list[dict[str, str]] | None = None) -> HTMLResponse:
    """The code form; for a user who must enrol first, with the secret to add."""
    key = has_key(session, user_id=user.id)
    context: dict[str, Any] = {"page_title": "Enter your security code", "field": "code",
                               "errors": errors, "security_key": key,
                               "code_enrolled": is_enrolled(session, user_id=user.id)}
    if key and not context["code_enrolled"]:
        context["page_title"] = "Use your security key"
    elif not context["code_enrolled"]:
        secret = begin_enrolment(session, user_id=user.id)
        context.update(enrol_context(secret, username=user.username), page_title=(
            "Set up two-factor sign-in"))
    return render(request, "two_factor/code.html", context, status_code=status_code)


def enrol_context(secret: str, *, username: str) -> dict[str, Any]:
    uri = provisioning_uri(secret, username=username)
    return {"enrol": True, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            # segno's own SVG of the URI (no markup of ours or the user's in it)
            "qr_svg": Markup(qr_code_svg(uri))}


@router.get("/sign-in/code", response_class=HTMLResponse, response_model=None)
def second_factor_form(request: Request, session: SessionDep) -> Response:
    pending = pending_user(request, session)
    if pending is None:
        return RedirectResponse("/sign-in", status_code=303)
    return _code_page(request, session, pending[0])


@router.post("/sign-in/code", dependencies=[CsrfDep], response_model=None)
def second_factor(request: Request, session: SessionDep,
                  code: Annotated[str, Form()] = "") -> Response:
    pending = pending_user(request, session)
    if pending is None:
        return RedirectResponse("/sign-in", status_code=303)
    user, next_url = pending
    now, address = get_wall_now(request), address_of(request)
    refused = refusal(session, username=user.username, address=address, now=now,
                      policy=sign_in_policy(request))
    if refused is not None:
        record_attempt(session, username=user.username, address=address, now=now,
                       outcome=REFUSED)
        return _code_page(request, session, user, status_code=429,
                          errors=[{"text": refused.message, "href": "#code"}])
    enrolled = is_enrolled(session, user_id=user.id)
    ok = (check_code(session, user_id=user.id, code=code, now=now) if enrolled
          else confirm_enrolment(session, user_id=user.id, code=code, now=now))
    if not ok:
        record_attempt(session, username=user.username, address=address, now=now,
                       outcome=FAILED)
        return _code_page(request, session, user, status_code=401, errors=[{
            "text": "Enter the 6-digit code your authenticator app shows now", "href": "#code"}])
    record_attempt(session, username=user.username, address=address, now=now,
                   outcome=SUCCEEDED)
    signed_in(request, session, user)
    return RedirectResponse(next_url, status_code=303)


@router.get("/account/two-factor", response_class=HTMLResponse)
def two_factor_settings(request: Request, session: SessionDep, principal: UserDep
                        ) -> HTMLResponse:
    """A signed-in user adds an authenticator (or sees that they have one)."""
    context: dict[str, Any] = {"page_title": "Two-factor sign-in", "field": "code",
                               "enrolled": is_enrolled(session, user_id=principal.id),
                               "security_keys": keys_of(session, user_id=principal.id)}
    if not context["enrolled"]:
        context.update(enrol_context(begin_enrolment(session, user_id=principal.id),
                                     username=principal.name))
    return render(request, "two_factor/account.html", context, principal=principal)


@router.post("/account/two-factor", dependencies=[CsrfDep], response_model=None)
def two_factor_confirm(request: Request, session: SessionDep, principal: UserDep,
                       code: Annotated[str, Form()] = "") -> Response:
    now = get_wall_now(request)
    if confirm_enrolment(session, user_id=principal.id, code=code, now=now):
        audit(session, principal=principal, action="write", entity="user",
              entity_id=principal.id, why="enrolled an authenticator for two-factor sign-in")
        return RedirectResponse("/account/two-factor", status_code=303)
    # A wrong code here counts towards the account's throttle like one at sign-in.
    record_attempt(session, username=principal.name, address=address_of(request), now=now,
                   outcome=FAILED)
    context = {"page_title": "Two-factor sign-in", "field": "code", "enrolled": False,
               "security_keys": keys_of(session, user_id=principal.id),
               **enrol_context(begin_enrolment(session, user_id=principal.id),
                               username=principal.name),
               "errors": [{"text": "Enter the 6-digit code your authenticator app shows now",
                           "href": "#code"}]}
    return render(request, "two_factor/account.html", context, principal=principal,
                  status_code=422)


# --- security keys (WebAuthn): the browser's part is static/js/security-keys.js; these
# routes answer it with JSON. Each challenge is kept in the signed session cookie, used once.

REGISTERING = "security_key_registration"
SIGNING_IN = "security_key_sign_in"
Text = Annotated[str, Form()]


def relying_party(request: Request) -> RelyingParty:
    """This site: the configured origin, or the one the request came to."""
    settings: Settings = request.app.state.settings
    origin = settings.sign_in.webauthn_origin or f"{request.url.scheme}://{request.url.netloc}"
    return RelyingParty(id=urlsplit(origin).hostname or "localhost", origin=origin)


def _options(request: Request, key: str, options: tuple[str, str]) -> Response:
    document, challenge = options
    request.session[key] = challenge
    return Response(document, media_type="application/json")


def _error(text: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status_code)


@router.post("/account/security-keys/options", dependencies=[CsrfDep])
def registration_options_json(request: Request, session: SessionDep, principal: UserDep
                              ) -> Response:
    user = session.get_one(User, principal.id)
    return _options(request, REGISTERING,
                    registration_options(session, user=user, rp=relying_party(request)))


@router.post("/account/security-keys", dependencies=[CsrfDep])
def register_key(request: Request, session: SessionDep, principal: UserDep,
                 credential: Text = "", key_name: Text = "") -> JSONResponse:
    challenge = request.session.pop(REGISTERING, None)
    if not isinstance(challenge, str):
        return _error("Start again: choose Add a security key.", 400)
    user = session.get_one(User, principal.id)
    try:
        key = register(session, user=user, response=credential, challenge=challenge,
                       rp=relying_party(request), name=key_name, now=get_wall_now(request))
    except Invalid as error:
        return _error(str(error).capitalize(), 422)
    audit(session, principal=principal, action="write", entity="user", entity_id=user.id,
          why=f"registered a security key ({key.name}) for two-factor sign-in")
    return JSONResponse({"redirect": "/account/two-factor"})


@router.post("/account/security-keys/{security_key_id}/remove", dependencies=[CsrfDep])
def remove_key_page(security_key_id: int, session: SessionDep, principal: UserDep
                    ) -> RedirectResponse:
    """A user removes one of their own keys (lost, or replaced); anyone else's is not found."""
    key = remove_key(session, user_id=principal.id, key_id=security_key_id)
    if key is None:
        raise NotFound("no such security key of yours")
    audit(session, principal=principal, action="write", entity="user", entity_id=principal.id,
          why=f"removed a security key ({key.name})")
    return RedirectResponse("/account/two-factor", status_code=303)


def _pending_with_key(request: Request, session: Session) -> tuple[User, str] | None:
    pending = pending_user(request, session)
    if pending is None or not has_key(session, user_id=pending[0].id):
        return None
    return pending


@router.post("/sign-in/security-key/options", dependencies=[CsrfDep])
def authentication_options_json(request: Request, session: SessionDep) -> Response:
    pending = _pending_with_key(request, session)
    if pending is None:
        return _error("Sign in with your password first.", 401)
    return _options(request, SIGNING_IN, authentication_options(
        session, user_id=pending[0].id, rp=relying_party(request)))


@router.post("/sign-in/security-key", dependencies=[CsrfDep])
def sign_in_with_key(request: Request, session: SessionDep, credential: Text = ""
                     ) -> JSONResponse:
    pending = _pending_with_key(request, session)
    challenge = request.session.pop(SIGNING_IN, None)
    if pending is None or not isinstance(challenge, str):
        return _error("Sign in with your password first.", 401)
    user, next_url = pending
    now, address = get_wall_now(request), address_of(request)
    attempt: dict[str, Any] = {"username": user.username, "address": address, "now": now}
    # The same throttle as codes and passwords: a key answer is a guess like any other.
    refused = refusal(session, policy=sign_in_policy(request), **attempt)
    if refused is not None:
        record_attempt(session, outcome=REFUSED, **attempt)
        return _error(refused.message, 429)
    key = authenticate(session, user_id=user.id, response=credential, challenge=challenge,
                       rp=relying_party(request), now=now)
    if key is None:
        record_attempt(session, outcome=FAILED, **attempt)
        return _error("That security key is not registered to you, or did not answer. "
                      "Try again, or use a code instead.", 401)
    record_attempt(session, outcome=SUCCEEDED, **attempt)
    signed_in(request, session, user, how=f"with a security key ({key.name})")
    return JSONResponse({"redirect": next_url})


@router.post("/sign-out", dependencies=[CsrfDep])
def sign_out(request: Request, session: SessionDep, principal: UserDep) -> RedirectResponse:
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        end_session(session, token=token, now=get_wall_now(request))
    audit(session, principal=principal, action="sign-out", entity="user",
          entity_id=principal.id, why="signed out")
    request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


@router.post("/account/language", dependencies=[CsrfDep])
def choose_language(request: Request, session: SessionDep, principal: UserDep,
                    language: Annotated[str, Form()] = "",
                    next: Annotated[str, Form()] = "") -> RedirectResponse:
    """The switch in the header: the user's pages in English or Welsh from now on."""
    if language not in LANGUAGES:
        raise Invalid(f"choose a language: {', '.join(LANGUAGES)}")
    session.get_one(User, principal.id).language = language
    audit(session, principal=principal, action="write", entity="user", entity_id=principal.id,
          why=f"chose the pages' language: {language}")
    return RedirectResponse(_safe_next(next), status_code=303)


# Open to all; a signed-in user reads them in their own language, under their own header.
MaybeUserDep = Annotated[Principal | None, Depends(optional_principal)]


def _reader(principal: Principal | None) -> Principal | None:
    return principal if principal is not None and principal.kind == "user" else None


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request, principal: MaybeUserDep) -> HTMLResponse:
    return render(request, "accessibility.html", {"page_title": "Accessibility statement"},
                  principal=_reader(principal))


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, principal: MaybeUserDep) -> HTMLResponse:
    return render(request, "privacy.html", {"page_title": "Privacy"},
                  principal=_reader(principal))


