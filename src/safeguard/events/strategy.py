"""A strategy discussion as held, recorded by children's social care (who convene it): when,
who took part for which agency, what each agency shared, the decision and why, and the
actions agreed, each with its owning agency (and a named person there) and a due date.

The child is named either by the product's own person id (``person_id``: the web form, and a
system that read the child from the API) or, from a records system, by their details
(``child``), resolved like any event's person. Whether the agencies named exist is checked
when the event is accepted (strategy.service), since only the store knows.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from safeguard.events.fields import (
    Line64,
    Line200,
    PersonFields,
    Prose4000,
    Required,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

# The outcomes of the strategy_discussion duty (rules/joint.py; a test holds them together).
Decision = Literal["no_further_action", "section_47", "early_help"]
AgencyRef = Annotated[Line64, Required]
# A discussion is a meeting, not a conference hall: enough rows for any real one.
MAX_ROWS = 30


class AttendeeIn(StrictModel):
    name: Annotated[Line200, Required]
    role: Annotated[Line200, Required]
    agency: AgencyRef


class InformationIn(StrictModel):
    agency: AgencyRef
    summary: Annotated[Prose4000, Required]


class ActionIn(StrictModel):
    text: Annotated[Prose4000, Required]
    owner_agency: AgencyRef
    owner_name: Line200 | None = None
    due_on: date


class StrategyDiscussionEvent(StrictModel):
    event: Literal["strategy_discussion"]
    source: Literal["childrens_social_care"]
    source_id: SourceId
    person_id: Annotated[int, Field(ge=1)] | None = None
    child: PersonFields | None = None
    held_at: Timestamp
    attendees: Annotated[list[AttendeeIn], Field(min_length=1, max_length=MAX_ROWS)]
    information: Annotated[list[InformationIn], Field(max_length=MAX_ROWS)] = Field(
        default_factory=list)
    decision: Decision
    reasons: Annotated[Prose4000, Required]
    actions: Annotated[list[ActionIn], Field(max_length=MAX_ROWS)] = Field(
        default_factory=list)

    _not_future = field_validator("held_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> StrategyDiscussionEvent:
        if (self.person_id is None) == (self.child is None):
            raise ValueError("name the child by person_id or by child (their details), "
                             "one of the two")
        return self
