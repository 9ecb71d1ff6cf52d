"""The main navigation: every area, each shown exactly to those its own access check lets in.

Each entry asks the area's own check (the function its pages call, which raises Forbidden),
so the navigation and the pages cannot disagree: tests/web/test_navigation.py opens every
area as every demo user and finds it open exactly when it is offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from safeguard.access.models import Role
from safeguard.access.service import Principal
from safeguard.children.breakglass import require_reviewer as require_break_glass_reviewer
from safeguard.custody.board import require_board
from safeguard.errors import Forbidden
from safeguard.forensics.queue import require_police
from safeguard.governance.service import require_governance
from safeguard.missing.views import require_live_list
from safeguard.offenders.access import require_unit
from safeguard.people.linkage.review import require_reviewer
from safeguard.sharing.delivery import require_admin

__all__ = ["AREAS", "Area", "navigation"]


def _anyone(principal: Principal) -> None:
    """Open to every signed-in user: what it lists is their own agency's."""


def _records_incidents(principal: Principal) -> None:
    # Intake refuses an event from any other source (Principal.records_for).
    if not principal.records_for("police"):
        raise Forbidden("only the police record incidents")


def _administers(principal: Principal) -> None:
    # accounts.service refuses anyone else every user and key page; deliveries ask the same.
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("only an administrator")
    require_admin(principal)


@dataclass(frozen=True)
class Area:
    key: str  # the page's `nav`
    text: str  # English: the layout translates it (web/i18n.py)
    href: str
    check: Callable[[Principal], None]

    def opens_for(self, principal: Principal) -> bool:
        try:
            self.check(principal)
        except Forbidden:
            return False
        return True


AREAS = (
    Area("work", "My work", "/work", _anyone),
    Area("duties", "Duties", "/duties", _anyone),
    Area("inbox", "Inbox", "/inbox", _anyone),
    Area("incidents", "Record incident", "/incidents/new", _records_incidents),
    # Each agency lists the incidents it may open (search.incidents).
    Area("incident-list", "Incidents", "/incidents", _anyone),
    Area("children", "Children", "/children", _anyone),
    Area("custody", "Custody", "/custody", require_board),
    Area("missing", "Missing now", "/missing", require_live_list),
    Area("offenders", "Offenders", "/offenders", require_unit),
    Area("forensics", "Forensics", "/forensics", require_police),
    Area("imports", "Import", "/imports", _anyone),
    Area("measures", "Measures", "/measures", _anyone),
    Area("inspections", "Inspections", "/inspections", _anyone),
    Area("review", "Review", "/review", require_reviewer),
    Area("break-glass", "Break-glass", "/break-glass", require_break_glass_reviewer),
    Area("governance", "Access records", "/governance/unusual", require_governance),
    Area("admin", "Admin", "/admin/users", _administers),
)


def navigation(principal: object) -> list[Area]:
    """The areas this user may open, in the navigation's order (none before sign-in)."""
    if not isinstance(principal, Principal):
        return []
    return [area for area in AREAS if area.opens_for(principal)]
