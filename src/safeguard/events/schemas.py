"""The events the product accepts, by form, JSON API or JSON Lines import.

These Pydantic models are the one definition of the import format: the JSON Schema in
``events.schema.json`` and docs/events.md are generated from / written against them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from safeguard.config import PACKAGE_DIR
from safeguard.identifiers import normalise_identifier

# The partners' own sources; "education" is the council's education service, the authority
# on which school a child attends. Each school is a source of its own, "school-<URN>", so its
# record ids never collide with the council's and it can never take one of theirs first.
CORE_SOURCES = ("police", "childrens_social_care", "health", "education", "probation")
SCHOOL_SOURCE_PATTERN = r"^school-[0-9]{6}$"
_SCHOOL_SOURCE = re.compile(SCHOOL_SOURCE_PATTERN)
SOURCE_PATTERN = rf"^({'|'.join(CORE_SOURCES)}|school-[0-9]{{6}})$"
# Timestamps an agency gives may run a little ahead of ours (clock skew), no more: a record
# dated in the future would stay "newest" for ever.
FUTURE_GRACE = timedelta(minutes=5)


def is_school_source(source: str) -> bool:
    return _SCHOOL_SOURCE.match(source) is not None


def _source(value: str) -> str:
    if value in CORE_SOURCES or is_school_source(value):
        return value
    raise ValueError(f"'{value}' is not a source: use one of {', '.join(CORE_SOURCES)}, or "
                     "school-<URN> for a school's own records")


Source = Annotated[str, AfterValidator(_source),
                   WithJsonSchema({"type": "string", "pattern": SOURCE_PATTERN})]


def not_in_future(value: datetime | None, info: Any) -> datetime | None:
    """Refuse a time beyond the grace; the field is named in the error by its location."""
    if value is not None and value > datetime.now(UTC) + FUTURE_GRACE:
        raise ValueError(f"{info.field_name} {value.isoformat()} is in the future (more than "
                         f"{int(FUTURE_GRACE.total_seconds() // 60)} minutes ahead)")
    return value
Role = Literal["victim", "suspect", "child_present", "child_normally_resident", "witness"]
CHILD_ROLES = ("child_present", "child_normally_resident")
IncidentKind = Literal["domestic_abuse", "concern_for_welfare", "other"]
RiskLevel = Literal["standard", "medium", "high"]
Sex = Literal["female", "male", "unknown"]
ConcernKind = Literal["physical_injury", "neglect", "emotional", "sexual", "missing_episode",
                      "exploitation", "domestic_abuse_disclosure", "other"]

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@lru_cache(maxsize=1)
def dash_questions() -> tuple[tuple[str, str], ...]:
    """The checklist's questions as (key, text), read from data so a force can change them."""
    data = json.loads((PACKAGE_DIR / "data" / "dash_questions.json").read_text("utf-8"))
    return tuple((q["key"], q["text"]) for q in data["questions"])


class _Strict(BaseModel):
    # An unknown field is far more often a typo than an extension: report it, don't drop it.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(_Strict):
    uprn: Annotated[str, Field(pattern=r"^[0-9]{1,12}$")] | None = None
    line1: Annotated[str, Field(min_length=1, max_length=200)]
    line2: str | None = None
    town: str | None = None
    postcode: str | None = None

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        match = _POSTCODE.match(value.upper().replace(" ", ""))
        if not match:
            raise ValueError(f"'{value}' is not a UK postcode")
        return f"{match.group(1)} {match.group(2)}"


class IdentifiersIn(_Strict):
    nhs: str | None = None
    upn: str | None = None
    pnc: str | None = None

    @field_validator("nhs", "upn", "pnc")
    @classmethod
    def _valid(cls, value: str | None, info: Any) -> str | None:
        if value is None or value == "":
            return None
        return normalise_identifier(info.field_name, value)

    def present(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


class PersonFields(_Strict):
    given_name: Annotated[str, Field(max_length=100)] | None = None
    family_name: Annotated[str, Field(max_length=100)] | None = None
    dob: date | None = None
    sex: Sex | None = None
    ids: IdentifiersIn = Field(default_factory=IdentifiersIn)

    @field_validator("dob")
    @classmethod
    def _dob(cls, value: date | None) -> date | None:
        if value is not None and not date(1900, 1, 1) <= value <= datetime.now(UTC).date():
            raise ValueError(f"date of birth {value.isoformat()} is in the future or before 1900")
        return value

    @model_validator(mode="after")
    def _named(self) -> PersonFields:
        if not (self.given_name or self.family_name):
            raise ValueError("a person needs a given name or a family name")
        return self


class PersonEvent(PersonFields):
    event: Literal["person"]
    source: Source
    source_id: Annotated[str, Field(min_length=1, max_length=128)]
    address: AddressIn | None = None
    school_urn: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None
    recorded_at: AwareDatetime | None = None

    _recorded_at = field_validator("recorded_at")(not_in_future)


class DslIn(_Strict):
    name: str | None = None
    email: str | None = None


class SchoolEvent(_Strict):
    event: Literal["school"]
    source: Source
    source_id: Annotated[str, Field(min_length=1, max_length=128)]
    urn: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    phase: Literal["primary", "secondary", "all_through", "special", "nursery"] | None = None
    address: AddressIn | None = None
    dsl: DslIn | None = None


class IncidentPersonIn(PersonFields):
    role: Role
    source_id: Annotated[str, Field(max_length=128)] | None = None


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


class DashIn(_Strict):
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


class IncidentEvent(_Strict):
    event: Literal["incident"]
    source: Literal["police"]
    source_id: Annotated[str, Field(min_length=1, max_length=128)]
    kind: IncidentKind
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime | None = None
    address: AddressIn
    officer: str | None = None
    summary: Annotated[str, Field(max_length=4000)] | None = None
    child_voice: Annotated[str, Field(max_length=4000)] | None = None
    people: Annotated[list[IncidentPersonIn], Field(min_length=1)]
    dash: DashIn | None = None

    _not_future = field_validator("occurred_at", "recorded_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> IncidentEvent:
        if self.recorded_at is not None and self.recorded_at < self.occurred_at:
            raise ValueError("recorded_at is before occurred_at")
        if self.kind == "domestic_abuse" and self.dash is None:
            raise ValueError("a domestic_abuse incident needs its DASH checklist (dash.answers)")
        return self


class ConcernEvent(_Strict):
    """A concern any agency raises about a child: it comes back in like any other event."""

    event: Literal["concern"]
    source: Source
    source_id: Annotated[str, Field(min_length=1, max_length=128)]
    kind: ConcernKind
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime | None = None
    summary: Annotated[str, Field(min_length=1, max_length=4000)]
    raised_by: Annotated[str, Field(max_length=200)] | None = None
    child: PersonFields
    address: AddressIn | None = None

    _not_future = field_validator("occurred_at", "recorded_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> ConcernEvent:
        if self.recorded_at is not None and self.recorded_at < self.occurred_at:
            raise ValueError("recorded_at is before occurred_at")
        return self


AnyEvent = PersonEvent | SchoolEvent | IncidentEvent | ConcernEvent
EventIn = Annotated[AnyEvent, Field(discriminator="event")]
EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(EventIn)


def describe_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(field, reason) pairs a person can act on, e.g. ("people[1].ids.nhs", "check digit...")."""
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        path = ""
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif part in ("person", "school", "incident", "concern") and not path:
                continue  # the discriminator's tag adds nothing for a reader
            else:
                path += ("." if path else "") + str(part)
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append((path or "(line)", message))
    return problems


def event_json_schema() -> dict[str, Any]:
    return EVENT_ADAPTER.json_schema()
