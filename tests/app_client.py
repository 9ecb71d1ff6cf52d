"""A test client that runs the app in the calling thread.

Starlette's TestClient runs the app on an event loop in a second thread and crosses to it
several times for every request (to start the app, for each body chunk, to finish); on a
two-core machine those hand-offs cost more than most requests themselves. This client owns
a private event loop and runs each whole request on it through httpx's ASGI transport: one
loop run a request. The app is exercised as a server would: its synchronous endpoints and
dependencies still run in anyio's worker threads, its middleware and error handlers all run.

It is an httpx.Client like TestClient (cookies, headers, redirects, `client.app`), so tests
use it the same way; there is no lifespan to run, the app declares none.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import FastAPI

BASE_URL = "http://testserver"
# What Starlette's TestClient reports as the peer, so the request log and the sign-in
# throttle see the same client either way.
PEER = ("testclient", 50000)


class _SameThreadASGI(httpx.BaseTransport):
    def __init__(self, app: FastAPI, *, raise_app_exceptions: bool) -> None:
        self._loop = asyncio.new_event_loop()
        self._beside: ThreadPoolExecutor | None = None
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions,
                                         client=PEER)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a sync body becomes bytes the ASGI transport can stream
        if _a_loop_runs_in_this_thread():
            # Playwright's sync API keeps its loop running in this thread while a browser is
            # open, and the browser tests share a process with others: run the app beside it.
            if self._beside is None:
                self._beside = ThreadPoolExecutor(max_workers=1)
            return self._beside.submit(self._loop.run_until_complete,
                                       self._send(request)).result()
        return self._loop.run_until_complete(self._send(request))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        body = b"".join([chunk async for chunk in response.stream])
        return httpx.Response(response.status_code, headers=response.headers, content=body,
                              extensions=response.extensions)

    def close(self) -> None:
        if self._beside is not None:
            self._beside.shutdown()
        self._loop.close()


def _a_loop_runs_in_this_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AppClient(httpx.Client):
    """`AppClient(app)` in place of `TestClient(app)`; a context manager like it."""

    def __init__(self, app: FastAPI, *, raise_server_exceptions: bool = True,
                 base_url: str = BASE_URL, headers: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(
            transport=_SameThreadASGI(app, raise_app_exceptions=raise_server_exceptions),
            base_url=base_url, headers={"user-agent": "testclient", **(headers or {})},
            follow_redirects=True, **kwargs)
        self.app = app

    def __enter__(self) -> AppClient:
        # Nothing to start (no lifespan; the loop is made with the client), and a client
        # that has sent requests may still be used as a context manager, as TestClient may.
        return self
