"""The events the product accepts, by form, JSON API or JSON Lines import.

These Pydantic models are the one definition of the import format: the JSON Schema in
``events.schema.json`` and docs/events.md are generated from / written against them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from safeguard.config import PACKAGE_DIR
from safeguard.events.custody import CustodyDetentionEvent, CustodyUpdateEvent
from safeguard.events.fields import (
    MAX_PEOPLE_PER_INCIDENT,
    AddressIn,
    ConcernKind,
    IncidentKind,
    Line200,
    PersonFields,
    Prose4000,
    Required,
    RiskLevel,
    Role,
    Source,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)
from safeguard.events.forensics import (
    DeviceExaminationEvent,
    DeviceSubmissionEvent,
)
from safeguard.events.inspections import (
    InspectionActionEvent,
    InspectionActionUpdateEvent,
    InspectionEvent,
    InspectionFindingEvent,
    InspectionRevisitEvent,
)
from safeguard.events.missing import (
    MissingReportEvent,
    MissingReturnEvent,
    MissingUpdateEvent,
    ReturnInterviewEvent,
)
from safeguard.events.offenders import (
    OffenderAssessmentEvent,
    OffenderNotificationEvent,
    OffenderRegistrationEvent,
    OffenderVisitEvent,
)
from safeguard.events.strategy import StrategyDiscussionEvent


@lru_cache(maxsize=1)
def dash_questions() -> tuple[tuple[str, str], ...]:
    """The checklist's questions as (key, text), read from data so a force can change them."""
    data = json.loads((PACKAGE_DIR / "data" / "dash_questions.json").read_text("utf-8"))
    return tuple((q["key"], q["text"]) for q in data["questions"])


class PersonEvent(PersonFields):
    event: Literal["person"]
    source: Source
    source_id: SourceId
    address: AddressIn | None = None
    school_urn: Annotated[str, Field(pattern=r"^[0-9]{6}$", max_length=6)] | None = None
    recorded_at: Timestamp | None = None

    _recorded_at = field_validator("recorded_at")(not_in_future)


class DslIn(StrictModel):
    name: Line200 | None = None
    email: Line200 | None = None


class SchoolEvent(StrictModel):
    event: Literal["school"]
    source: Source
    source_id: SourceId
    urn: Annotated[str, Field(pattern=r"^[0-9]{6}$", max_length=6)]
    name: Annotated[Line200, Required]
    phase: Literal["primary", "secondary", "all_through", "special", "nursery"] | None = None
    address: AddressIn | None = None
    dsl: DslIn | None = None


class IncidentPersonIn(PersonFields):
    role: Role
    source_id: SourceId | None = None


# Each DASH question is answered yes, no or not known. Booleans, the format's first way of
# writing yes and no, are still accepted: true is "yes", false is "no".
DashAnswer = Literal["yes", "no", "not_known"]


def _answer_from_bool(value: object) -> object:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Answer = Annotated[DashAnswer, BeforeValidator(_answer_from_bool,
                                               json_schema_input_type=DashAnswer | bool)]


class DashIn(StrictModel):
    answers: dict[str, Answer]
    # The officer may raise the level the checklist gives, never lower it (checked by the rules).
    professional_judgement: RiskLevel | None = None

    @field_validator("answers")
    @classmethod
    def _all_questions(cls, answers: dict[str, DashAnswer]) -> dict[str, DashAnswer]:
        keys = [key for key, _ in dash_questions()]
        unknown = sorted(set(answers) - set(keys))
        if unknown:
            raise ValueError(f"unknown DASH question(s) {', '.join(unknown)}")
        missing = [key for key in keys if key not in answers]
        if missing:
            raise ValueError(f"DASH answer(s) missing for {', '.join(missing)}")
        return answers

    @property
    def yes_count(self) -> int:
        return sum(1 for answer in self.answers.values() if answer == "yes")

    @property
    def not_known_count(self) -> int:
        """Questions the officer could not answer: not counted as yes (SafeLives), and a
        reason for the officer's own judgement of the risk."""
        return sum(1 for answer in self.answers.values() if answer == "not_known")


class IncidentEvent(StrictModel):
    event: Literal["incident"]
    source: Literal["police"]
    source_id: SourceId
    kind: IncidentKind
    occurred_at: Timestamp
    recorded_at: Timestamp | None = None
    address: AddressIn
    officer: Line200 | None = None
    summary: Prose4000 | None = None
    child_voice: Prose4000 | None = None
    people: Annotated[list[IncidentPersonIn],
                      Field(min_length=1, max_length=MAX_PEOPLE_PER_INCIDENT)]
    dash: DashIn | None = None

    _not_future = field_validator("occurred_at", "recorded_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> IncidentEvent:
        if self.recorded_at is not None and self.recorded_at < self.occurred_at:
            raise ValueError("recorded_at is before occurred_at")
        if self.kind == "domestic_abuse" and self.dash is None:
            raise ValueError("a domestic_abuse incident needs its DASH checklist (dash.answers)")
        return self


class ConcernEvent(StrictModel):
    """A concern any agency raises about a child: it comes back in like any other event."""

    event: Literal["concern"]
    source: Source
    source_id: SourceId
    kind: ConcernKind
    occurred_at: Timestamp
    recorded_at: Timestamp | None = None
    summary: Annotated[Prose4000, Required]
    raised_by: Line200 | None = None
    child: PersonFields
    address: AddressIn | None = None

    _not_future = field_validator("occurred_at", "recorded_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> ConcernEvent:
        if self.recorded_at is not None and self.recorded_at < self.occurred_at:
            raise ValueError("recorded_at is before occurred_at")
        return self


AnyEvent: TypeAlias = (PersonEvent | SchoolEvent | IncidentEvent | ConcernEvent
                       | MissingReportEvent | MissingUpdateEvent | MissingReturnEvent
                       | ReturnInterviewEvent
                       | CustodyDetentionEvent | CustodyUpdateEvent
                       | DeviceSubmissionEvent | DeviceExaminationEvent
                       | OffenderRegistrationEvent | OffenderAssessmentEvent | OffenderVisitEvent
                       | OffenderNotificationEvent | StrategyDiscussionEvent
                       | InspectionEvent | InspectionFindingEvent | InspectionActionEvent
                       | InspectionActionUpdateEvent | InspectionRevisitEvent)
EventIn = Annotated[AnyEvent, Field(discriminator="event")]
EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(EventIn)


# Every event's tag, read from the union so a new event needs no edit here.
EVENT_TAGS: tuple[str, ...] = tuple(
    tag for model in get_args(AnyEvent)
    for tag in get_args(model.model_fields["event"].annotation))


def describe_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(field, reason) pairs a person can act on, e.g. ("people[1].ids.nhs", "check digit...")."""
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        path = ""
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif part in EVENT_TAGS and not path:
                continue  # the discriminator's tag adds nothing for a reader
            else:
                path += ("." if path else "") + str(part)
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append((path or "(line)", message))
    return problems


def event_json_schema() -> dict[str, Any]:
    return EVENT_ADAPTER.json_schema()
