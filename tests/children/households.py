"""A family that moved, for the household tests (this module holds no tests).

Amy (11) and her brother Leo (9) lived at 12 Acacia Road with their mother Jane; in October
both children are recorded at 3 Mill Lane, where Bob lives. Health knows Amy (at the new
address) and Jane; the school knows the children; the police know Bob.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext

from ..people.helpers import add, person

MILL_LANE = {"line1": "3 Mill Lane", "town": "Northampton", "postcode": "NN2 2BB"}
MOVED = "2026-10-01T08:00:00+00:00"


def _at(event: dict[str, Any], recorded_at: str) -> dict[str, Any]:
    return {**event, "recorded_at": recorded_at}


def seed_family(session: Session, ctx: IntakeContext) -> dict[str, int]:
    """The family's person ids by first name."""
    amy, jane, leo, _, _, bob = add(
        session, ctx,
        person("education", "E-1", "Amy", dob="2015-02-11"),
        person("health", "H-1", "Jane", dob="1990-02-03"),
        person("education", "E-2", "Leo", dob="2017-06-02"),
        _at(person("health", "H-9", "Amy", dob="2015-02-11", address=MILL_LANE), MOVED),
        _at(person("education", "E-3", "Leo", dob="2017-06-02", address=MILL_LANE), MOVED),
        person("police", "P-1", "Robert", "Brown", dob="1985-04-09", address=MILL_LANE))
    return {"amy": amy, "jane": jane, "leo": leo, "bob": bob}
