"""The strategy discussion as a web form with no script: a fixed number of rows for
attendees, information shared and actions, blank rows left out. The form makes the very
`strategy_discussion` event the API and imports take; a problem found in the event names a
row by its place in the event, which this module turns back into the row on the form.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from safeguard.workdays import local_to_utc

ATTENDEE_ROWS, INFORMATION_ROWS, ACTION_ROWS = 6, 4, 4


@dataclass(frozen=True)
class Part:
    """A list of the event the form offers as rows: which column makes a row not blank."""

    key: str
    rows: int
    columns: tuple[str, ...]
    # A row with none of these filled in is a spare row, left out.
    filled_by: tuple[str, ...]


PARTS = (
    Part("attendees", ATTENDEE_ROWS, ("name", "role", "agency"), ("name", "role")),
    Part("information", INFORMATION_ROWS, ("agency", "summary"), ("summary",)),
    Part("actions", ACTION_ROWS, ("text", "owner_agency", "owner_name", "due_on"),
         ("text", "owner_name", "due_on")),
)
# The order problems are listed in: the form's order.
SINGLE = ("held_at", "decision", "reasons")
_PATH = re.compile(r"^(attendees|information|actions)\[(\d+)\](?:\.(\w+))?")


def field_id(name: str) -> str:
    return name.replace(".", "-")


@dataclass(frozen=True)
class Built:
    payload: dict[str, Any]
    errors: dict[str, str]
    # For each list, the form row (0-based) behind each item of the event's list.
    rows: dict[str, list[int]]


def build(values: Mapping[str, Sequence[str]], *, fixed: Mapping[str, Any]) -> Built:
    """The event the form describes, with problems found before validation (a time or date
    that is not one) by form field name (`held_at`, `actions.2.due_on`)."""
    def one(name: str) -> str:
        given = [v.strip() for v in values.get(name, ()) if v.strip()]
        return given[-1] if given else ""

    payload: dict[str, Any] = dict(fixed)
    errors: dict[str, str] = {}
    held = one("held_at")
    if held:
        try:
            wall = datetime.fromisoformat(held)
            payload["held_at"] = local_to_utc(wall.date(), wall.time().replace(second=0)
                                              ).isoformat()
        except ValueError:
            errors["held_at"] = "Enter when it was held as a date and time"
    for name in ("decision", "reasons"):
        if one(name):
            payload[name] = one(name)
    rows: dict[str, list[int]] = {}
    for part in PARTS:
        items: list[dict[str, str]] = []
        rows[part.key] = []
        for n in range(part.rows):
            row = {c: one(f"{part.key}.{n}.{c}") for c in part.columns}
            if not any(row[c] for c in part.filled_by):
                continue
            if row.get("due_on"):
                try:
                    date.fromisoformat(row["due_on"])
                except ValueError:
                    errors[f"{part.key}.{n}.due_on"] = "Enter the due date as a real date"
            items.append({c: v for c, v in row.items() if v})
            rows[part.key].append(n)
        payload[part.key] = items
    return Built(payload, errors, rows)


def form_field(path: str, rows: Mapping[str, list[int]]) -> str:
    """The form field a problem's path is about: `attendees[1].role` is the role on the
    form row the second attendee came from; a problem with a whole list, its first row; a
    problem with the whole event (the child), when it was held."""
    match = _PATH.match(path)
    if match:
        key, index, column = match.group(1), int(match.group(2)), match.group(3)
        part = next(p for p in PARTS if p.key == key)
        taken = rows.get(key, [])
        row = taken[index] if index < len(taken) else 0
        return f"{key}.{row}.{column or part.columns[0]}"
    for part in PARTS:
        if path == part.key:
            return f"{part.key}.0.{part.columns[0]}"
    return path if path in SINGLE else "held_at"


def order(name: str) -> tuple[int, int, int]:
    """Where a field sits on the form, for listing problems in the form's order."""
    head = name.split(".")[0]
    places = ["held_at", "attendees", "information", "decision", "reasons", "actions"]
    place = places.index(head) if head in places else len(places)
    parts = name.split(".")
    row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    part = next((p for p in PARTS if p.key == head), None)
    column = part.columns.index(parts[2]) if part and len(parts) > 2 and \
        parts[2] in part.columns else 0
    return place, row, column
