"""The concern form as a school's safeguarding lead fills it in (this module holds no tests)."""

from __future__ import annotations


def concern_form(token: str, reference: str, **changes: str) -> dict[str, str]:
    """A concern about Mia Jones (born 14 March 2018), named and dated as a person would."""
    form = {"csrf_token": token, "reference": reference, "kind": "neglect",
            "occurred-day": "20", "occurred-month": "11", "occurred-year": "2026",
            "occurred-time": "08:00", "summary": "Hungry every morning.",
            "child-given_name": "Mia", "child-family_name": "Jones",
            "child-dob-day": "14", "child-dob-month": "3", "child-dob-year": "2018"}
    form.update(changes)
    return form
