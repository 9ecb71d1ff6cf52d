"""The authorisation matrix: every route (walked from the app's routers, so a new route joins
it by itself) × every agency × every role × every relationship, asking for objects the
principal has no business with. No such request may succeed (a 2xx, or a redirect anywhere
but the sign-in page after a form post). Role-gated routes are refused to a principal
without the role even on its own agency's objects. A few entitled requests must succeed, so
the matrix can fail. A route the matrix cannot place fails the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from safeguard.app import API_ROUTERS, PAGE_ROUTERS, create_app
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory
from safeguard.intake.service import build_context
from safeguard.measures.declarations import MEASURES
from safeguard.web.deps import PUBLIC_ROUTES

from ..app_client import AppClient
from ..conftest import PASSWORD, Clock, csrf_from
from ..factories import migrated_store
from .matrix_world import AGENCIES, NOW, ROLES, Thing, World, add_security_keys, build, username

ROUTES = [r for router in (*API_ROUTERS, *PAGE_ROUTERS) for r in router.routes
          if isinstance(r, APIRoute)]
# What each path parameter names.
PARAMETERS = {"duty_id": "duty", "person_id": "person", "incident_id": "incident",
              "share_id": "share", "delivery_id": "delivery", "grant_id": "grant",
              "concern_id": "concern", "review_id": "review", "merge_id": "merge",
              "user_id": "user", "key_id": "api_key", "detention_id": "detention",
              "device_id": "device", "registration_id": "offender", "episode_id": "episode",
              "security_key_id": "security_key", "inspection_id": "inspection",
              "discussion_id": "discussion", "finding_id": "finding", "action_id": "action",
              "team_id": "team"}
# Routes naming no object for some agencies only: the children missing now are listed for
# police and social care; the SSDA903 return is social care's.
AGENCY_GATES = {"/missing": {"police", "childrens_social_care"}, "/missing/new": {"police"},
                "/api/v1/missing": {"police", "childrens_social_care"},
                "/missing/ssda903.csv": {"childrens_social_care"},
                # Social care convene strategy discussions, and record them.
                "/api/v1/strategy-discussions": {"childrens_social_care"}}
# Routes for one role only, whatever the agency.
ROLE_GATES = (("/review", "mash_researcher"), ("/governance/", "information_governance"),
              ("/api/v1/governance/", "information_governance"),
              ("/break-glass", "information_governance"), ("/admin/", "admin"),
              ("/api/v1/admin/", "admin"), ("/offenders", "public_protection"),
              ("/api/v1/offenders/", "public_protection"),
              ("/inspections/record", "senior_manager"),
              # Who holds what: supervisors' (and senior managers', whom the matrix does
              # not sign in: tests/work).
              ("/work/supervision", "supervisor"), ("/api/v1/work/supervision", "supervisor"))
# And by prefix: the police's seized-device queue and its figures.
AGENCY_PREFIXES = (("/forensics", {"police"}), ("/api/v1/forensics/", {"police"}))
# Role-gated routes whose role works across the partnership by design (access/models.py,
# Role): the MASH researchers' queue, and information governance's oversight of who saw
# what. On these, the role is the whole check; the agency's relationship is not asked.
PARTNERSHIP_WIDE = ("/review", "/governance/", "/api/v1/governance/")
REVIEWER_AGENCIES = {"police", "childrens_social_care"}
# Routes naming no object and open to anyone signed in: what they list is the principal's
# agency's own (proven in the tests of each area); the sign-in pages are public.
OPEN = {"/", "/sign-in", "/sign-in/code", "/account/two-factor", "/sign-out",
        "/sign-in/security-key", "/sign-in/security-key/options", "/account/security-keys",
        "/account/security-keys/options", "/account/notifications", "/account/language",
        "/accessibility", "/privacy", "/duties", "/duties/escalations/seen", "/duties/kinds",
        "/incidents/new", "/incidents", "/imports", "/children", "/inbox", "/sharing/records",
        "/sharing/records.csv", "/concerns/new", "/concerns", "/measures/sharing",
        "/openapi.json", "/docs", "/redoc", "/api/v1/events", "/api/v1/imports",
        "/api/v1/duties", "/api/v1/duties/kinds",
        # A user's own queues: what they and their teams hold (tests/work).
        "/work", "/work/team", "/api/v1/work", "/api/v1/work/team",
        # Finding anyone lists only whom the principal may see (tests/search); the incident
        # list (GET /incidents) only the incidents it may open.
        "/search", "/api/v1/search",
        # Children in custody: for the police and children's social care only (refused to
        # every other agency: tests/custody/test_custody_pages.py).
        "/custody", "/api/v1/custody/board",
        # Measures and inspections: aggregates open to every signed-in user; the records
        # behind a figure are only the reader's agency's duties (tests/measures).
        "/measures", "/measures.csv", "/inspections", "/inspections/report",
        "/inspections/report.pdf", "/inspections/report.css",
        *(p for m in MEASURES if m.indicators for p in (
            m.path, f"{m.path}.csv", f"{m.path}/records", f"{m.path}/records.csv"))}
# Enough of a form that a handler gets past validation to its access check.
FORM = {"reason": "Checking.", "note": "Checked.", "outcome": "no_further_action",
        "decision": "same", "detail": "Checked.", "message": "Checked."}


@dataclass
class Caller:
    agency: str
    role: str
    how: str  # user | key
    client: AppClient
    csrf: str = ""

    def __str__(self) -> str:
        return f"{self.how} {self.agency} {self.role}"


@dataclass
class Matrix:
    world: World
    users: dict[tuple[str, str], Caller]
    keys: dict[tuple[str, str], Caller]
    engine: Engine
    # Each caller's client is open for the process: an open client keeps its event loop
    # between requests, where a closed one starts a loop in a new thread for every request.
    clients: ExitStack




@pytest.fixture(scope="session")
def worlds() -> Iterator[dict[str, Matrix]]:
    """Each backend's matrix, built on first use and kept for the process: a module-scoped
    fixture would be torn down and rebuilt whenever the scheduler runs another module's test
    between two of these."""
    built: dict[str, Matrix] = {}
    yield built
    for matrix in built.values():
        matrix.clients.close()
        matrix.engine.dispose()


# One process builds a backend's world once and probes it (spread over processes, every
# process would build the world and sign everyone in again); the two backends' worlds are
# two groups, so two processes can probe them side by side.
@pytest.fixture(params=[
    pytest.param(backend, marks=pytest.mark.xdist_group(f"authorisation-matrix-{backend}"))
    for backend in ("sqlite", "postgresql")])
def matrix(request: pytest.FixtureRequest, worlds: dict[str, Matrix],
           tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    backend: str = request.param
    if backend not in worlds:
        worlds[backend] = _build_matrix(backend, tmp_path_factory)
    return worlds[backend]


def _build_matrix(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    url = migrated_store(backend, tmp_path_factory.mktemp("matrix"), "matrix")
    engine: Engine = make_engine(url)
    factory = make_session_factory(engine)
    settings = Settings(database_url=url, cookie_secure=False)
    with factory() as session:
        world = build(session, build_context(settings))
    app: FastAPI = create_app(settings, engine=engine, session_factory=factory,
                              clock=Clock(NOW))
    users, keys = {}, {}
    clients = ExitStack()
    for agency in AGENCIES:
        for role in ROLES:
            users[(agency, role)] = _signed_in(clients.enter_context(AppClient(app)),
                                               agency, role)
            keys[(agency, role)] = Caller(agency, role, "key", clients.enter_context(AppClient(
                app, headers={"Authorization": f"Bearer {world.keys[(agency, role)]}"})))
    with factory() as session:
        add_security_keys(session, world)
    return Matrix(world, users, keys, engine, clients)


def _signed_in(client: AppClient, agency: str, role: str) -> Caller:
    """Through the real form, as a person would (no two-factor is required in this world)."""
    token = csrf_from(client.get("/sign-in").text)
    done = client.post("/sign-in", data={"username": username(agency, role),
                                         "password": PASSWORD, "csrf_token": token,
                                         "next": "/duties"}, follow_redirects=False)
    assert done.status_code == 303, (agency, role, done.text)
    return Caller(agency, role, "user", client, csrf_from(client.get("/duties").text))


def _role_gate(path: str) -> str | None:
    return next((role for prefix, role in ROLE_GATES if path.startswith(prefix)), None)


def _lacks(gate: str | None, caller: Caller, path: str) -> bool:
    """Whether the caller lacks what a role-gated route asks: the role, and for review the
    role held where the MASH's research is done (people/linkage/review.py)."""
    if gate is None:
        return False
    return gate != caller.role or (path.startswith("/review")
                                   and caller.agency not in REVIEWER_AGENCIES)


def _call(caller: Caller, route: APIRoute, method: str, path: str) -> httpx.Response:
    api = route.path.startswith("/api/")
    extra: dict[str, Any] = {}
    if method != "GET":
        if api:
            extra["json"] = {**FORM, "reason": "Checked."}
            if caller.how == "user":
                extra["headers"] = {"X-CSRF-Token": caller.csrf}
        else:
            extra["data"] = {**FORM, "csrf_token": caller.csrf}
    response: httpx.Response = caller.client.request(method, path, follow_redirects=False,
                                                     **extra)
    return response


def _succeeded(response: httpx.Response) -> bool:
    if 200 <= response.status_code < 300:
        return True
    # A form post that worked answers 303 to the next page; a refusal is 4xx, or 303 only
    # to the sign-in page.
    return response.status_code in (302, 303) and not response.headers.get(
        "location", "").startswith("/sign-in")


def _callers(matrix: Matrix, route: APIRoute) -> list[Caller]:
    if route.path.startswith("/api/"):
        # Keys in every role; a signed-in user reaches the API as the same principal, so
        # one role of theirs (with the CSRF header) shows the session path is checked too.
        return [*matrix.keys.values(),
                *(c for c in matrix.users.values() if c.role in ("practitioner", "admin"))]
    return list(matrix.users.values())


def _agency_gate(path: str) -> set[str] | None:
    """The agencies a route naming no object is for, when it is not for every agency."""
    if path in AGENCY_GATES:
        return AGENCY_GATES[path]
    return next((agencies for prefix, agencies in AGENCY_PREFIXES if path.startswith(prefix)),
                None)


def _probes(matrix: Matrix, route: APIRoute) -> Iterator[tuple[Caller, Thing | None, str]]:
    """Every (caller, object, why) that must be refused on this route."""
    params = re.findall(r"{(\w+)}", route.path)
    gate = _role_gate(route.path)
    if not params:
        agencies = _agency_gate(route.path)
        assert gate or agencies or route.path in OPEN or route.path in PUBLIC_ROUTES, (
            f"the matrix cannot place {route.path}: give it a role gate or list it as open")
        for caller in _callers(matrix, route):
            if agencies is not None and caller.agency not in agencies:
                yield caller, None, f"not {' or '.join(sorted(agencies))}"
            elif _lacks(gate, caller, route.path):
                yield caller, None, f"lacks {gate}"
        return
    assert len(params) == 1 and params[0] in PARAMETERS, (
        f"the matrix cannot place {route.path}: say what {params} names")
    for thing in matrix.world.of(PARAMETERS[params[0]]):
        for caller in _callers(matrix, route):
            if gate and route.path.startswith(PARTNERSHIP_WIDE):
                if _lacks(gate, caller, route.path):
                    yield caller, thing, f"lacks {gate}"
            elif caller.agency not in thing.entitled:
                yield caller, thing, "no relationship"
            elif _lacks(gate, caller, route.path) and caller.agency == thing.home:
                yield caller, thing, f"own agency's, but lacks {gate}"


def _route_ids() -> list[Any]:
    return [pytest.param(route, method, id=f"{method} {route.path}")
            for route in ROUTES for method in sorted(route.methods or ())]


@pytest.mark.parametrize(("route", "method"), _route_ids())
def test_it_refuses_every_principal_an_object_it_has_no_business_with(
        matrix: Matrix, route: APIRoute, method: str) -> None:
    leaks = []
    for caller, thing, why in _probes(matrix, route):
        path = route.path
        if thing is not None:
            path = re.sub(r"{\w+}", str(thing.id), path)
        response = _call(caller, route, method, path)
        if _succeeded(response):
            what = f"{thing.kind} {thing.id} ({thing.label})" if thing else "-"
            leaks.append(f"{method} {path} by {caller} on {what} [{why}]: "
                         f"{response.status_code}")
    assert leaks == []


def _thing(matrix: Matrix, kind: str, label: str) -> Thing:
    return next(t for t in matrix.world.of(kind) if t.label == label)


CONTROLS = [
    ("user", "police", "practitioner", "GET", "/duties/{duty}", "share_with_csc duty police"),
    ("user", "childrens_social_care", "practitioner", "GET", "/children/{person}", "mia"),
    ("user", "school-123456", "practitioner", "GET", "/children/{person}", "mia"),
    ("user", "school-123456", "practitioner", "GET", "/children/{person}/print", "mia"),
    ("user", "childrens_social_care", "practitioner", "GET", "/children/{person}/chronology.pdf",
     "mia"),
    ("user", "school-654321", "practitioner", "GET", "/concerns/{concern}",
     "Brook's concern about Leo"),
    ("user", "police", "mash_researcher", "GET", "/review/{review}", "open possible match"),
    ("user", "school-654321", "information_governance", "GET", "/break-glass", ""),
    ("user", "police", "admin", "GET", "/admin/users", ""),
    ("user", "health", "admin", "GET", "/admin/teams/{team}", "health team"),
    ("user", "police", "supervisor", "GET", "/work/supervision", ""),
    ("user", "health", "information_governance", "GET", "/governance/access/{person}",
     "mia"),
    ("key", "probation", "practitioner", "GET", "/api/v1/persons/{person}", "ray"),
    ("key", "childrens_social_care", "practitioner", "GET", "/api/v1/duties/{duty}",
     "referral_decision duty childrens_social_care"),
    ("key", "police", "practitioner", "GET", "/api/v1/incidents/{incident}",
     "police incident at Mia's"),
    ("user", "police", "practitioner", "GET", "/forensics/devices/{device}", "seized device"),
    ("key", "police", "supervisor", "GET", "/api/v1/forensics/backlog", ""),
    ("user", "childrens_social_care", "practitioner", "GET", "/missing/{episode}",
     "Mia's missing episode"),
    ("user", "police", "practitioner", "GET", "/missing", ""),
    ("key", "childrens_social_care", "practitioner", "GET", "/api/v1/missing/{episode}",
     "Mia's missing episode"),
    ("user", "police", "practitioner", "GET", "/strategy-discussions/{discussion}",
     "Mia's strategy discussion"),
    ("key", "childrens_social_care", "practitioner", "GET",
     "/api/v1/strategy-discussions/{discussion}", "Mia's strategy discussion"),
    ("user", "childrens_social_care", "practitioner", "GET",
     "/children/{person}/strategy-discussions/new", "mia"),
    ("user", "school-123456", "practitioner", "GET", "/children/{person}/notes/new", "mia"),
    ("key", "education", "practitioner", "GET", "/api/v1/persons/{person}/notes", "mia"),
    ("user", "health", "practitioner", "GET", "/inspections/actions/{action}",
     "an action of the plan"),
]


@pytest.mark.parametrize(("how", "agency", "role", "method", "path", "label"), [
    pytest.param(*c, id=f"{c[0]} {c[1]} {c[2]} {c[4]}") for c in CONTROLS])
def test_it_lets_the_entitled_principal_reach_its_own_objects(
        matrix: Matrix, how: str, agency: str, role: str, method: str, path: str,
        label: str) -> None:
    caller = (matrix.users if how == "user" else matrix.keys)[(agency, role)]
    match = re.search(r"{(\w+)}", path)
    if match:
        path = path.replace(match.group(0), str(_thing(matrix, match.group(1), label).id))
    response = caller.client.request(method, path, follow_redirects=False)
    assert response.status_code == 200, response.text
