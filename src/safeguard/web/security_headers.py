"""Security headers on every response (OWASP ASVS 5.0 V3.4, V14.3).

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it adds headers to the
response-start message as it passes, so streamed responses (CSV exports, imports) are not
buffered, and it also answers an unhandled error itself so that even a 500 carries them.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Where a page may load from: only this origin, scripts only from files or carrying the
# request's nonce (GOV.UK Frontend's template has one inline script, setting `js-enabled`),
# no inline style, no plugins, no <base> rewriting, forms only to us, and no framing
# (clickjacking). `data:` images are GOV.UK's and Swagger UI's small inline icons.
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
# Public, unchanging files: the only responses a browser or proxy may keep.
CACHEABLE_PREFIX = "/static/"


def csp_nonce(scope: Scope) -> str:
    """The nonce this request's Content-Security-Policy allows (made by the middleware)."""
    state = scope.get("state") or {}
    nonce = state.get("csp_nonce")
    return nonce if isinstance(nonce, str) else ""


class SecurityHeaders:
    """Adds the headers to every HTTP response; HSTS only when cookies are HTTPS-only, since
    a service run over plain HTTP (the demo, tests) would otherwise be unreachable."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    def _headers(self, path: str, nonce: str) -> list[tuple[str, str]]:
        headers = [
            ("Content-Security-Policy", CSP.format(nonce=nonce)),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        if self.hsts:
            headers.append(("Strict-Transport-Security", HSTS))
        if not path.startswith(CACHEABLE_PREFIX):
            # Pages and the JSON API hold personal data: no cache may keep a copy.
            headers.append(("Cache-Control", "no-store"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        extra = self._headers(scope["path"], nonce)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                # Answer here so the 500 carries the headers too; the error still goes up
                # to be logged (Starlette's outer handler sees the response has started).
                await send_with_headers({"type": "http.response.start", "status": 500,
                                         "headers": [(b"content-type",
                                                      b"text/plain; charset=utf-8")]})
                await send_with_headers({"type": "http.response.body",
                                         "body": b"Internal Server Error"})
            raise
