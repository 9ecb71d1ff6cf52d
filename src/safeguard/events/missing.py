"""Events of a child missing from home or care: the police report, its updates and the
return, and children's social care's return home interview.

Every event after the report names it by the report's ``source_id`` (``report``); whether
that report exists, and whether the times agree with it, is checked when the event is
accepted (missing.service), since only the store knows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from safeguard.events.fields import (
    AddressIn,
    Line100,
    Line200,
    PersonFields,
    Prose4000,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

MissingRisk = Literal["no_apparent_risk", "low", "medium", "high"]
ExploitationIndicator = Literal["sexual", "criminal", "county_lines", "trafficking"]
Indicators = Annotated[list[ExploitationIndicator], Field(max_length=4)]
InterviewOutcome = Literal["completed", "declined", "not_possible"]


def _distinct(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError("each exploitation indicator may be given once")
    return values


class MissingChildIn(PersonFields):
    """The missing child, resolved to the known child like any person at an incident."""

    address: AddressIn | None = None


class PlacementIn(StrictModel):
    provider: Line200 | None = None
    address: AddressIn | None = None


class PlacingAuthorityIn(StrictModel):
    """The council responsible for a looked-after child placed here by another council, by
    its Department for Education local-authority code (as in the SSDA903 return)."""

    code: Annotated[str, Field(pattern=r"^[0-9]{3}$", max_length=3)]
    name: Line100 | None = None


class MissingReportEvent(StrictModel):
    event: Literal["missing_report"]
    source: Literal["police"]
    source_id: SourceId
    child: MissingChildIn
    missing_from: Literal["home", "care"]
    placement: PlacementIn | None = None
    placing_authority: PlacingAuthorityIn | None = None
    last_seen_at: Timestamp
    reported_at: Timestamp
    risk: MissingRisk
    exploitation_indicators: Indicators = Field(default_factory=list)
    circumstances: Prose4000 | None = None
    officer: Line200 | None = None

    _not_future = field_validator("last_seen_at", "reported_at")(not_in_future)
    _once = field_validator("exploitation_indicators")(_distinct)

    @model_validator(mode="after")
    def _consistent(self) -> MissingReportEvent:
        if self.last_seen_at > self.reported_at:
            raise ValueError("last_seen_at is after reported_at: a child is reported missing "
                             "after they were last seen")
        return self


class MissingUpdateEvent(StrictModel):
    """A re-grading of risk, exploitation seen, or a check made (with whom and what it found,
    in the note)."""

    event: Literal["missing_update"]
    source: Literal["police"]
    source_id: SourceId
    report: SourceId
    at: Timestamp
    risk: MissingRisk | None = None
    exploitation_indicators: Indicators | None = None
    note: Prose4000 | None = None
    officer: Line200 | None = None

    _not_future = field_validator("at")(not_in_future)
    _once = field_validator("exploitation_indicators")(_distinct)

    @model_validator(mode="after")
    def _says_something(self) -> MissingUpdateEvent:
        if self.risk is None and not self.exploitation_indicators and not self.note:
            raise ValueError("an update needs a new risk, exploitation_indicators or a note")
        return self


class MissingReturnEvent(StrictModel):
    event: Literal["missing_return"]
    source: Literal["police"]
    source_id: SourceId
    report: SourceId
    returned_at: Timestamp
    where_found: Line200 | None = None
    harm_disclosed: bool = False
    officer: Line200 | None = None

    _not_future = field_validator("returned_at")(not_in_future)


class ReturnInterviewEvent(StrictModel):
    """Children's social care's return home interview, held by its own staff or by a
    provider it commissions (named in ``provider``)."""

    event: Literal["return_interview"]
    source: Literal["childrens_social_care"]
    source_id: SourceId
    report: SourceId
    offered_at: Timestamp
    held_at: Timestamp | None = None
    outcome: InterviewOutcome
    by_independent_person: bool
    provider: Line200 | None = None
    # Why it was declined or not possible: required then, so the reason is on record.
    reason: Prose4000 | None = None
    disclosures: Prose4000 | None = None

    _not_future = field_validator("offered_at", "held_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> ReturnInterviewEvent:
        if self.outcome == "completed" and self.held_at is None:
            raise ValueError("a completed interview needs held_at")
        if self.outcome != "completed" and not self.reason:
            raise ValueError(f"an interview {self.outcome.replace('_', ' ')} needs its reason")
        if self.held_at is not None and self.held_at < self.offered_at:
            raise ValueError("held_at is before offered_at")
        return self


MissingEvent = MissingReportEvent | MissingUpdateEvent | MissingReturnEvent | ReturnInterviewEvent
