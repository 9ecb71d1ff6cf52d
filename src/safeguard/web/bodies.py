"""Request bodies are read in full, and capped, before any route runs.

A route's dependencies open the request's transaction (the API key or the signed-in user is
looked up in the database), and on SQLite a transaction that writes holds the one writer lock.
A body still arriving after that - trickled a byte a second - held the lock for as long as the
client liked, and every other writer waited. Reading it here first means a slow client holds
only its own connection; the cap bounds the memory it can take (ASVS 5.0 V4.1: bound what a
request may carry; V13: resources a client cannot exhaust).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safeguard.web.deps import SAFE_METHODS
from safeguard.web.errors import error_page, wants_html


class ReadBodyFirst:
    """ASGI middleware: buffer the body of an unsafe request (up to `max_bytes`, else 413)
    and hand the application the whole of it at once."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client gave up: there is no one to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        given = False

        async def replay() -> Message:
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body, only a disconnect is left to wait for

        await self.app(scope, replay, send)

    def _too_large(self, scope: Scope) -> Response:
        megabytes = self.max_bytes / (1024 * 1024)
        message = (f"The request is too large: at most {megabytes:.0f} MB is accepted. "
                   "Send a large import in parts, or with `safeguard import`.")
        request = Request(scope)
        if wants_html(request):
            return error_page(request, 413, message)
        return JSONResponse({"detail": message}, status_code=413)
