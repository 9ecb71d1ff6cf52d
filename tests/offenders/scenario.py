"""Shared set-up for the offenders tests (this module holds no tests).

A synthetic register: Gary Pike, registered at 7 Elm Close on 5 January 2026 (high risk,
home visits every 28 days, managed by DC 1234 Shah); Ruby Lane (9), whom the education
service records at the same address; and 3 Mill Lane, where children's social care record
Kai Moss (6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.duties.models import Duty
from safeguard.intake.service import Accepted, IntakeContext
from safeguard.offenders.models import OffenderRegistration

from ..web.test_pages_support import accept

REGISTERED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ELM = {"line1": "7 Elm Close", "town": "Northampton", "postcode": "NN3 3CC"}
MILL = {"line1": "3 Mill Lane", "town": "Northampton", "postcode": "NN2 2BB"}


def registration(reference: str = "RSO-1", *, risk: str = "high", every: int | None = 28,
                 address: dict[str, str] | None = None, **more: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "offender_registration", "source": "police", "source_id": reference,
        "offender": {"given_name": "Gary", "family_name": "Pike", "dob": "1979-04-02",
                     "sex": "male"},
        "address": address or ELM, "registered_at": REGISTERED.isoformat(),
        "conviction": "Sexual assault of a child under 13", "mappa_category": 1,
        "mappa_level": 2, "risk": risk, "offender_manager": "DC 1234 Shah", **more}
    if every is not None:
        event["visit_every_days"] = every
    return event


def child(source: str, source_id: str, given: str, family: str, dob: str,
          address: dict[str, str], recorded_at: str) -> dict[str, Any]:
    return {"event": "person", "source": source, "source_id": source_id, "given_name": given,
            "family_name": family, "dob": dob, "address": address, "recorded_at": recorded_at}


RUBY = child("education", "E-RUBY", "Ruby", "Lane", "2016-09-01", ELM,
             "2025-09-04T08:00:00+00:00")
KAI = child("childrens_social_care", "CSC-KAI", "Kai", "Moss", "2019-05-20", MILL,
            "2025-11-01T08:00:00+00:00")


def send(session: Session, ctx: IntakeContext, payload: dict[str, Any],
         now: datetime = REGISTERED) -> Accepted:
    return accept(session, ctx, payload, now=now)


def reg(session: Session, reference: str = "RSO-1") -> OffenderRegistration:
    return session.scalars(select(OffenderRegistration).where(
        OffenderRegistration.reference == reference)).one()


def duties(session: Session, kind: str) -> list[Duty]:
    return list(session.scalars(select(Duty).where(Duty.kind == kind).order_by(Duty.id)))
