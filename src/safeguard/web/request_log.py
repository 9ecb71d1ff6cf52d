"""One log line per request, and the page for an unhandled error.

A pure ASGI middleware, inside the security headers (so the error page carries them) and
outside everything else: it times the whole request, names it by its route's template (not
the address, which holds ids, nor the query, which can hold a name searched for), and gives
it an id, sent back as ``X-Request-ID`` and shown on the error page so a person can quote it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safeguard.logs import FIELDS
from safeguard.web.errors import server_error

log = logging.getLogger("safeguard.requests")


def route_template(scope: Scope) -> str:
    """The matched route's path template; an address no route matched is not repeated."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "(no route)"


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 0

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        except Exception:
            if not status:
                # Answered here, in the asker's form; the error still goes up to be logged.
                # Should the page itself fail, the security headers answer in plain text.
                with contextlib.suppress(Exception):
                    await server_error(Request(scope, receive))(scope, receive, send_logged)
            status = 500
            raise
        finally:
            log.info("request", extra={FIELDS: {
                "method": scope["method"], "route": route_template(scope), "status": status,
                "duration_ms": round((time.perf_counter() - started_at) * 1000, 1),
                "request_id": request_id}})
