"""A child whose strategy discussion is open (concerns from school and health about Mia), and
the strategy_discussion event as the API, the form and an import send it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.duties.models import Duty
from safeguard.intake.service import IntakeContext

from ..web.test_pages_support import FRIDAY_NIGHT, MIA_NHS, accept, person_id, seed_household

HELD = FRIDAY_NIGHT + timedelta(hours=10)  # Saturday morning


def concern(source: str, source_id: str, at: datetime) -> dict[str, Any]:
    return {"event": "concern", "source": source, "source_id": source_id, "kind": "neglect",
            "occurred_at": at.isoformat(), "summary": "Mia came in hungry and bruised.",
            "child": {"given_name": "Mia", "family_name": "Jones", "dob": "2018-03-14",
                      "ids": {"nhs": MIA_NHS}}}


def open_discussion(session: Session, ctx: IntakeContext) -> tuple[int, int]:
    """Mia's id and her open strategy-discussion duty's."""
    seed_household(session, ctx)
    accept(session, ctx, concern("education", "E-C-1", FRIDAY_NIGHT - timedelta(days=2)))
    accept(session, ctx, concern("health", "HV-C-1", FRIDAY_NIGHT - timedelta(days=1)))
    duty = session.scalar(select(Duty.id).where(Duty.kind == "strategy_discussion"))
    assert duty is not None
    return person_id(session, "E-88"), duty


def discussion(person: int, **changes: Any) -> dict[str, Any]:
    return {
        "event": "strategy_discussion", "source": "childrens_social_care",
        "source_id": "SD-2026-0042", "person_id": person, "held_at": HELD.isoformat(),
        "attendees": [
            {"name": "Sam Okafor", "role": "Social worker", "agency": "childrens_social_care"},
            {"name": "DC Priya Patel", "role": "MASH officer", "agency": "police"},
            {"name": "Grace Mensah", "role": "Health visitor", "agency": "health"}],
        "information": [
            {"agency": "police", "summary": "Two domestic incidents at the address this year."},
            {"agency": "health", "summary": "Missed immunisations; weight falling."}],
        "decision": "section_47",
        "reasons": "Bruising with no account given, and neglect seen by two agencies.",
        "actions": [
            {"text": "Joint visit with police.", "owner_agency": "childrens_social_care",
             "owner_name": "Sam Okafor", "due_on": "2026-11-30"},
            {"text": "Check the police national computer for the adults.",
             "owner_agency": "police", "due_on": "2026-12-01"}],
        **changes}
