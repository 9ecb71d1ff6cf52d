"""A suspect, a seized phone and the child partner records place at the suspect's home, as
events; each test puts them in the order it needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import Accepted, IntakeContext, accept_event

HOME = {"uprn": "100031239999", "line1": "7 Larch Close", "town": "Northampton",
        "postcode": "NN2 6AB"}
SUSPECT = {"given_name": "Darren", "family_name": "Whitlock", "dob": "1979-03-14",
           "sex": "male", "address": HOME}
# Health records a child at the suspect's home.
CHILD = {"event": "person", "source": "health", "source_id": "H-4401", "given_name": "Ellie",
         "family_name": "Whitlock", "dob": "2017-06-02", "sex": "female", "address": HOME,
         "recorded_at": "2026-11-02T10:00:00+00:00"}
SUBMITTED = "2026-11-02T09:00:00+00:00"


def submission(source_id: str = "EX-1", *, offence: str = "other", submitted_at: str = SUBMITTED,
               suspect: dict[str, Any] | None = SUSPECT, **extra: Any) -> dict[str, Any]:
    event = {"event": "device_submission", "source": "police", "source_id": source_id,
             "case_reference": "OP-LARCH-22", "seized_at": "2026-10-30T07:00:00+00:00",
             "submitted_at": submitted_at, "device": "computer", "offence": offence,
             "officer": "DC 101 Hale", **extra}
    if suspect is not None:
        event["suspect"] = suspect
    return event


def step(source_id: str, step_name: str, at: str, *, submission_id: str = "EX-1",
         **findings: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "device_examination", "source": "police",
                             "source_id": source_id, "submission": submission_id, "at": at,
                             "step": step_name, "examiner": "Examiner 3"}
    if findings:
        event["findings"] = findings
    return event


def accept(session: Session, ctx: IntakeContext, raw: dict[str, Any], now: str) -> Accepted:
    return accept_event(session, data=EVENT_ADAPTER.validate_python(raw), raw=raw, via="test",
                        principal=SYSTEM, ctx=ctx, now=datetime.fromisoformat(now))
