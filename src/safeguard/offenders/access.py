"""Who may read and record the register of sex offenders: the police public protection unit."""

from __future__ import annotations

from safeguard.access.models import AgencyKind, Role
from safeguard.access.service import Principal
from safeguard.errors import Forbidden

UNIT_ROLE = Role.PUBLIC_PROTECTION
UNIT_AGENCY = AgencyKind.POLICE.value
UNIT_ONLY = ("the register of sex offenders is open to the police public protection unit "
             "only")


def in_unit(principal: Principal) -> bool:
    """The public protection unit: the police, in the unit's role."""
    return principal.agency_id == UNIT_AGENCY and principal.has_role(UNIT_ROLE)


def require_unit(principal: Principal) -> None:
    if not in_unit(principal):
        raise Forbidden(UNIT_ONLY)


def acting_unit(principal: Principal) -> Principal:
    """Who discharges a clock duty that an event meets: the unit member who recorded it, or,
    for an import by the system, the unit on the records system's behalf."""
    if in_unit(principal):
        return principal
    return Principal("system", 0, principal.name or "offender-records",
                     f"{principal.display_name} (police offender records)", UNIT_AGENCY,
                     "Police", AgencyKind.POLICE.value, frozenset({UNIT_ROLE.value}))
