"""The four missing events as web forms: each form is a list of fields named by the event's
own JSON paths, so a validation problem or a refusal names the field it is about, and the
payload a form makes is the very event the JSON API and imports accept.

Pure: no I/O. Times are typed as London wall-clock times (a datetime-local input) and sent
as UTC with their offset, as the import format asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from safeguard.rules.missing import INDICATOR_WORDS, RISK_WORDS
from safeguard.workdays import LONDON, local_to_utc

YES_NO = (("true", "Yes"), ("false", "No"))
RISKS = tuple((k, v.capitalize()) for k, v in RISK_WORDS.items())
INDICATORS = tuple((k, v.capitalize()) for k, v in INDICATOR_WORDS.items())


@dataclass(frozen=True)
class Field:
    name: str  # the event's JSON path, e.g. "child.given_name"
    label: str
    kind: str = "text"  # text | textarea | datetime | date | radios | checkboxes | select
    items: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    required: bool = False

    @property
    def id(self) -> str:
        return self.name.replace(".", "-")


@dataclass(frozen=True)
class Form:
    event: str
    title: str
    fields: tuple[Field, ...]
    # Fields the page fills in, not the user (the source, the report named).
    fixed: Mapping[str, Any] = field(default_factory=dict)


REPORT = Form("missing_report", "Report a missing child", (
    Field("source_id", "Missing-person reference", required=True),
    Field("child.given_name", "Child’s given name"),
    Field("child.family_name", "Child’s family name"),
    Field("child.dob", "Date of birth", "date"),
    Field("child.sex", "Sex", "radios", (("female", "Female"), ("male", "Male"),
                                         ("unknown", "Not known"))),
    Field("child.address.line1", "Home address: first line"),
    Field("child.address.town", "Town"),
    Field("child.address.postcode", "Postcode"),
    Field("missing_from", "Missing from", "radios", (("home", "Home"), ("care", "Care")),
          required=True),
    Field("placement.provider", "Placement (for a child in care)"),
    Field("placing_authority.code", "Placing authority’s local-authority code",
          hint="When another council placed the child here: its 3-digit DfE code"),
    Field("placing_authority.name", "Placing authority’s name"),
    Field("last_seen_at", "Last seen", "datetime", required=True),
    Field("reported_at", "Reported missing", "datetime", required=True),
    Field("risk", "Risk", "radios", RISKS, required=True),
    Field("exploitation_indicators", "Exploitation indicators", "checkboxes", INDICATORS),
    Field("circumstances", "Circumstances", "textarea"),
    Field("officer", "Officer"),
), {"event": "missing_report", "source": "police"})

UPDATE = Form("missing_update", "Record an update", (
    Field("at", "When", "datetime", required=True),
    Field("risk", "Risk re-graded to", "radios", RISKS,
          hint="Leave unselected if the risk is unchanged"),
    Field("exploitation_indicators", "Exploitation indicators seen", "checkboxes", INDICATORS),
    Field("note", "Check made, or what changed", "textarea",
          hint="With whom, when, and what it found"),
    Field("officer", "Officer"),
), {"event": "missing_update", "source": "police"})

RETURN = Form("missing_return", "Record the return", (
    Field("returned_at", "Returned", "datetime", required=True),
    Field("where_found", "Where found"),
    Field("harm_disclosed", "Did the child disclose harm?", "radios", YES_NO, required=True),
    Field("officer", "Officer"),
), {"event": "missing_return", "source": "police"})

INTERVIEW = Form("return_interview", "Record the return home interview", (
    Field("offered_at", "Offered", "datetime", required=True),
    Field("held_at", "Held", "datetime"),
    Field("outcome", "Outcome", "radios", (("completed", "Held"),
                                          ("declined", "Declined by the child"),
                                          ("not_possible", "Not possible")), required=True),
    Field("by_independent_person", "Held by a person independent of the child’s care?",
          "radios", YES_NO, required=True),
    Field("provider", "Held by (person or commissioned provider)"),
    Field("reason", "Why it was declined or not possible", "textarea"),
    Field("disclosures", "What the child disclosed", "textarea"),
), {"event": "return_interview", "source": "childrens_social_care"})

FORMS = {"update": UPDATE, "return": RETURN, "interview": INTERVIEW}


def _set(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        payload = payload.setdefault(part, {})
    payload[leaf] = value


def build(form: Form, values: Mapping[str, Sequence[str]], fixed: Mapping[str, Any]
          ) -> tuple[dict[str, Any], dict[str, str]]:
    """The event the form describes (blank fields left out) and the problems found before
    validation (a time that is not one), by field name."""
    payload: dict[str, Any] = {**form.fixed, **fixed}
    errors: dict[str, str] = {}
    for spec in form.fields:
        given = [v.strip() for v in values.get(spec.name, ()) if v.strip()]
        if spec.kind == "checkboxes":
            if given:
                _set(payload, spec.name, given)
            continue
        if not given:
            continue
        value: Any = given[-1]
        if spec.kind == "datetime":
            try:
                wall = datetime.fromisoformat(value)
            except ValueError:
                errors[spec.name] = f"Enter {spec.label.lower()} as a date and time"
                continue
            value = local_to_utc(wall.date(), wall.time().replace(second=0)).isoformat()
        elif spec.kind == "date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                errors[spec.name] = f"Enter the {spec.label.lower()} as a real date"
                continue
        elif spec.items == YES_NO:
            value = value == "true"
        _set(payload, spec.name, value)
    return payload, errors


def field_for(form: Form, path: str) -> str:
    """The form field a problem's path is about: the field itself, the first field under it
    ("child" names the child's names), or, for a problem with the whole event, the first
    time on the form (the model's checks are of times against each other)."""
    names = [f.name for f in form.fields]
    if path in names:
        return path
    under = [name for name in names if name.startswith(path + ".") or path.startswith(name)]
    if under:
        return under[0]
    return next(f.name for f in form.fields if f.kind == "datetime")


def now_value(now: datetime) -> str:
    """A datetime-local input's value for now, in London."""
    return now.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
