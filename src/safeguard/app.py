"""The FastAPI application factory: JSON API, web pages and static assets on one app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from safeguard.accounts import admin_pages as account_admin_pages
from safeguard.children import api as children_api
from safeguard.children import pages as children_pages
from safeguard.concerns import pages as concern_pages
from safeguard.config import PACKAGE_DIR, Settings, get_settings
from safeguard.custody import api as custody_api
from safeguard.custody import pages as custody_pages
from safeguard.db import make_engine, make_session_factory, reads_first
from safeguard.duties import api as duties_api
from safeguard.duties import pages as duty_pages
from safeguard.errors import InvalidField, SafeguardError
from safeguard.forensics import api as forensics_api
from safeguard.forensics import pages as forensics_pages
from safeguard.governance import api as governance_api
from safeguard.governance import pages as governance_pages
from safeguard.inspections import pages as inspection_pages
from safeguard.intake import api as intake_api
from safeguard.intake import pages as intake_pages
from safeguard.measures import pages as measure_pages
from safeguard.missing import api as missing_api
from safeguard.missing import pages as missing_pages
from safeguard.notes import api as notes_api
from safeguard.notes import pages as notes_pages
from safeguard.notify import pages as notify_pages
from safeguard.offenders import api as offender_api
from safeguard.offenders import pages as offender_pages
from safeguard.people import pages as people_pages
from safeguard.rules.context import build_context
from safeguard.search import api as search_api
from safeguard.search import pages as search_pages
from safeguard.sharing import admin_api as delivery_admin_api
from safeguard.sharing import admin_pages as delivery_admin_pages
from safeguard.sharing import api as sharing_api
from safeguard.sharing import pages as sharing_pages
from safeguard.strategy import api as strategy_api
from safeguard.strategy import pages as strategy_pages
from safeguard.web import api_docs, auth_pages
from safeguard.web.bodies import ReadBodyFirst
from safeguard.web.deps import SignInRequired
from safeguard.web.errors import (
    Problem,
    audit_refusal,
    error_page,
    http_error,
    validation_error,
)
from safeguard.web.query import parameters_in_range
from safeguard.web.request_log import RequestLog
from safeguard.web.security_headers import SecurityHeaders
from safeguard.web.templating import make_templates
from safeguard.work import api as work_api
from safeguard.work import pages as work_pages

API_ROUTERS = (intake_api.router, duties_api.router, children_api.router, sharing_api.router,
               delivery_admin_api.router, governance_api.router, custody_api.router,
               forensics_api.router, offender_api.router, missing_api.router,
               strategy_api.router, notes_api.router, work_api.router,
               search_api.router)
PAGE_ROUTERS = (auth_pages.router, duty_pages.router, intake_pages.router, children_pages.router,
                delivery_admin_pages.router, sharing_pages.router, concern_pages.router,
                measure_pages.router, people_pages.router, governance_pages.router,
                custody_pages.router, forensics_pages.router, offender_pages.router,
                missing_pages.router, api_docs.router, account_admin_pages.router,
                inspection_pages.router, notify_pages.router, strategy_pages.router,
                notes_pages.router, work_pages.router, search_pages.router)


def bind_state(
    app: FastAPI,
    *,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """What an app's requests read at request time: settings, the store and the clock. Kept
    apart from the routes and middleware so one built app can be bound to another store (the
    tests bind one app per process to each test's rolled-back transaction: building the
    routes' dependency graph again for each test would cost more than most tests)."""
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory or make_session_factory(engine)
    app.state.reads_first_factory = reads_first(app.state.session_factory)
    app.state.rules = build_context(settings)
    app.state.clock = clock
    app.state.security_clock = None


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="safeguard",
        version="0.1.0",
        description="Multi-agency child protection: events in, duties out. Authenticate with "
                    "an agency API key (`Authorization: Bearer sg_...`). Answers name what "
                    "they identify: beside an agency id (`owner_agency`: `school-124287`) its "
                    "name (`owner_agency_name`), beside an actor (`discharged_by`: "
                    "`user:mash.officer`, `api_key:1:Niche RMS`) the person's or key's name "
                    "and agency (`discharged_by_name`). The ids stay, and mean the same.",
        # FastAPI's own documentation routes are public and load from a CDN; web.api_docs
        # serves them from our static files to signed-in users instead.
        docs_url=None, redoc_url=None, openapi_url=None,
        dependencies=[Depends(parameters_in_range)],
    )
    bind_state(app, settings=settings, engine=engine, session_factory=session_factory,
               clock=clock)
    app.state.templates = make_templates()
    # Inside the session middleware, so that its 413 page knows who is signed in.
    app.add_middleware(ReadBodyFirst, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, session_cookie="safeguard_session",
        max_age=settings.session_max_age_seconds, same_site="lax",
        https_only=settings.cookie_secure,
    )
    # Inside the security headers, so the page for an unhandled error carries them.
    app.add_middleware(RequestLog)
    # Added last, so outermost: every response gets the headers, errors and redirects too.
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "web" / "static"), name="static")
    for router in API_ROUTERS:
        app.include_router(router)
    for router in PAGE_ROUTERS:
        app.include_router(router)

    @app.get("/health", tags=["operations"], responses={503: {"description": "no database"}})
    def health() -> JSONResponse:
        """Whether the service can reach its database (for a load balancer or monitor)."""
        try:
            with app.state.session_factory() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            # Not the error itself: it may name the database host and user.
            return JSONResponse({"status": "unavailable", "database": "unreachable"},
                                status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/sign-in?next={exc.next_url}", status_code=303)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

    @app.exception_handler(SafeguardError)
    def _service_error(request: Request, exc: SafeguardError) -> Response:
        if exc.status_code in (403, 404):  # for want of access: leave a trace (finding 7)
            audit_refusal(request, str(exc))
        if request.url.path.startswith("/api/"):
            # A field's fault reads as a schema error does: field and reason.
            detail: object = ([{"field": exc.field, "reason": exc.reason}]
                              if isinstance(exc, InvalidField) else str(exc))
            return JSONResponse({"detail": detail}, status_code=exc.status_code)
        if isinstance(exc, InvalidField):
            return error_page(request, exc.status_code, "Go back, check this and try again:",
                              problems=[Problem(exc.field, exc.reason)])
        return error_page(request, exc.status_code, str(exc))

    return app


