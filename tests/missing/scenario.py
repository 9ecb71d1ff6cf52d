"""A missing child as events: Amy (known to the council's education service at Abington Vale)
goes missing from her placement on a Friday evening."""

from __future__ import annotations

from typing import Any

from ..intake.scenario import ADDRESS, AMY, SCHOOL

AMY_CHILD = {"given_name": "Amy", "family_name": "Smith", "dob": "2016-05-01", "sex": "female",
             "address": ADDRESS}
LAST_SEEN = "2026-11-20T18:00:00+00:00"
REPORTED = "2026-11-20T20:00:00+00:00"


def report(source_id: str = "MP-2026-0001", *, risk: str = "high",
           last_seen_at: str = LAST_SEEN, reported_at: str = REPORTED,
           placing: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "missing_report", "source": "police", "source_id": source_id,
        "child": AMY_CHILD, "missing_from": "care",
        "placement": {"provider": "Oak House children's home"},
        "last_seen_at": last_seen_at, "reported_at": reported_at, "risk": risk,
        "circumstances": "Did not return to the home after school.",
        "officer": "PC 4321 Patel", **extra}
    if placing:
        event["placing_authority"] = placing
    return event


def update(source_id: str, report_id: str = "MP-2026-0001", *, at: str, **fields: Any
           ) -> dict[str, Any]:
    return {"event": "missing_update", "source": "police", "source_id": source_id,
            "report": report_id, "at": at, **fields}


def returned(source_id: str, report_id: str = "MP-2026-0001", *, at: str,
             harm: bool = False) -> dict[str, Any]:
    return {"event": "missing_return", "source": "police", "source_id": source_id,
            "report": report_id, "returned_at": at, "where_found": "Northampton bus station",
            "harm_disclosed": harm}


def interview(source_id: str, report_id: str = "MP-2026-0001", **fields: Any
              ) -> dict[str, Any]:
    return {"event": "return_interview", "source": "childrens_social_care",
            "source_id": source_id, "report": report_id, **fields}


# The council's record of Amy at Abington Vale, without the incident scenario's UPN (whose year
# of allocation dates its holder a generation before Amy, so linkage keeps them apart).
KNOWN = [SCHOOL, {k: v for k, v in AMY.items() if k != "ids"}]
