"""Every route either demands a signed-in user / API key or is on the short public list."""

from __future__ import annotations

from fastapi.routing import APIRoute

from safeguard.app import API_ROUTERS, PAGE_ROUTERS
from safeguard.web.deps import PUBLIC_ROUTES, require_principal, require_user

from ..app_client import AppClient

ROUTERS = (*API_ROUTERS, *PAGE_ROUTERS)


def _calls(dependant: object) -> set[object]:
    found: set[object] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        found.add(getattr(current, "call", None))
        stack.extend(getattr(current, "dependencies", []))
    return found


def test_every_route_has_an_access_check() -> None:
    unguarded = []
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 10
    for route in routes:
        guarded = {require_principal, require_user} & _calls(route.dependant)
        if not guarded and route.path not in PUBLIC_ROUTES:
            unguarded.append(f"{sorted(route.methods)} {route.path}")
    assert unguarded == []


def test_the_public_list_holds_only_pages_with_no_personal_data() -> None:
    # The security-key sign-in answers only the half-signed-in user who gave the password.
    public = {"/sign-in", "/sign-in/code", "/sign-in/security-key",
              "/sign-in/security-key/options", "/health", "/accessibility", "/privacy",
              "/static"}
    assert public == PUBLIC_ROUTES


def test_an_anonymous_visitor_is_sent_to_sign_in(client: AppClient) -> None:
    for path in ("/duties", "/children", "/incidents/new", "/imports", "/children/1", "/inbox",
                 "/inbox/1", "/sharing/records", "/sharing/records.csv", "/concerns/new",
                 "/measures/sharing", "/docs", "/redoc"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=")
