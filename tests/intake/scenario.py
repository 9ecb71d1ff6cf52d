"""The Foundation's reference scenario as events: a Friday-night domestic-abuse incident at an
address where a school records a child the officer did not list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

ADDRESS = {"uprn": "100031234567", "line1": "12 Acacia Road", "town": "Northampton",
           "postcode": "NN1 1AA"}
SCHOOL = {"event": "school", "source": "education", "source_id": "SCH-121234", "urn": "121234",
          "name": "Abington Vale Primary School", "phase": "primary",
          "dsl": {"name": "Jo Clarke", "email": "dsl@abington-vale.example.org"}}
AMY = {"event": "person", "source": "education", "source_id": "E-88", "given_name": "Amy",
       "family_name": "Smith", "dob": "2016-05-01", "sex": "female",
       "ids": {"upn": "B801200005001"}, "address": dict(ADDRESS, line1="12 Acacia Rd"),
       "school_urn": "121234", "recorded_at": "2026-09-04T09:00:00+00:00"}
# Twenty-four answers, fifteen of them yes: high risk on the checklist alone.
HIGH_RISK_DASH = {"answers": {f"q{i}": i <= 15 for i in range(1, 25)}}
LOW_RISK_DASH = {"answers": {f"q{i}": i <= 3 for i in range(1, 25)}}


def incident(source_id: str, occurred_at: str, recorded_at: str | None = None, *,
             dash: dict[str, Any] | None = None, people: list[dict[str, Any]] | None = None,
             kind: str = "domestic_abuse") -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "incident", "source": "police", "source_id": source_id, "kind": kind,
        "occurred_at": occurred_at, "address": ADDRESS, "officer": "PC 4321 Patel",
        "summary": "Argument; neighbours called police.",
        "people": people or [
            {"role": "victim", "given_name": "Jane", "family_name": "Smith",
             "dob": "1990-02-03"},
            {"role": "suspect", "given_name": "Mark", "family_name": "Smith",
             "dob": "1988-07-21"},
        ],
        "dash": dash if dash is not None else HIGH_RISK_DASH,
    }
    if recorded_at:
        event["recorded_at"] = recorded_at
    return event


FRIDAY_NIGHT = incident("INC-2026-000123", "2026-11-27T22:40:00+00:00",
                        "2026-11-27T23:55:00+00:00")
EARLIER = [incident("INC-2026-000050", "2026-03-14T21:00:00+00:00", dash=LOW_RISK_DASH),
           incident("INC-2026-000090", "2026-08-01T01:10:00+01:00", dash=LOW_RISK_DASH)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)
