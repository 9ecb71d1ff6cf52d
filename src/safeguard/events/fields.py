"""The building blocks of the import format: sources, timestamps, strings that fit their
columns, addresses, identifiers and a person's fields.

Every area's events (``schemas`` for people, schools, incidents and concerns; ``custody``,
``forensics``, ``inspections``, ``missing`` and ``offenders`` for theirs) are made of these,
and ``schemas`` joins them into the one union the import reads, so nothing here imports an
event module.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

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


# The longest source is a school's: "school-" and a six-digit URN.
Source = Annotated[str, Field(max_length=64), AfterValidator(_source),
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
# Control characters (C0, DEL, C1) and lone surrogates. PostgreSQL refuses NUL and surrogates
# in text while SQLite stores them, so the two backends disagreed; none belongs in a name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Free text keeps its line breaks and tabs (a browser sends a textarea's lines as CR LF).
_PROSE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A timestamp must be one the clocks can work with: converting 0001-01-01 to London time or
# adding a deadline to 9999-12-31 overflows. Anything outside these years is a typo.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# One incident lists the people at it, not a population: 2,000 people took 11-43 s to link.
MAX_PEOPLE_PER_INCIDENT = 100


def _refusing(pattern: re.Pattern[str], hint: str = "") -> AfterValidator:
    def check(value: str) -> str:
        if value.isprintable():  # no control character in it: the common case, in C
            return value
        found = pattern.search(value)
        if found:
            raise ValueError(f"must not contain control character U+{ord(found.group()):04X} "
                             f"(at character {found.start() + 1}){hint}")
        return value
    return AfterValidator(check)


_NO_CONTROL = _refusing(_CONTROL)
_PROSE = _refusing(_PROSE_CONTROL, "; line breaks and tabs are kept")


def _plausible(value: datetime) -> datetime:
    # A year clear of both ends is plausible whatever its offset (cheaper than comparing
    # two aware timestamps, which a bulk load does a million times).
    if EARLIEST.year < value.year < LATEST.year - 1:
        return value
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{value.isoformat()} is not a plausible time: it must be between "
                         f"{EARLIEST.year} and {LATEST.year - 1}")
    return value


# Each string field's limit is the width of the column it lands in
# (tests/security/test_schema_fits_the_columns.py holds the two together).
Line10 = Annotated[str, Field(max_length=10), _NO_CONTROL]
Line20 = Annotated[str, Field(max_length=20), _NO_CONTROL]
Line64 = Annotated[str, Field(max_length=64), _NO_CONTROL]
Line100 = Annotated[str, Field(max_length=100), _NO_CONTROL]
Line200 = Annotated[str, Field(max_length=200), _NO_CONTROL]
# Free text (a summary, the child's words): line breaks and tabs, no other controls.
Prose4000 = Annotated[str, Field(max_length=4000), _PROSE]
Required = Field(min_length=1)
SourceId = Annotated[str, Field(min_length=1, max_length=128), _NO_CONTROL]
Timestamp = Annotated[AwareDatetime, AfterValidator(_plausible)]


class StrictModel(BaseModel):
    # An unknown field is far more often a typo than an extension: report it, don't drop it.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(StrictModel):
    uprn: Annotated[str, Field(pattern=r"^[0-9]{1,12}$", max_length=12)] | None = None
    line1: Annotated[Line200, Required]
    line2: Line200 | None = None
    town: Line100 | None = None
    postcode: Line10 | None = None

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        match = _POSTCODE.match(value.upper().replace(" ", ""))
        if not match:
            raise ValueError(f"'{value}' is not a UK postcode")
        return f"{match.group(1)} {match.group(2)}"


class IdentifiersIn(StrictModel):
    # The normalised identifier lands in person_identifiers.value (20 characters).
    nhs: Line20 | None = None
    upn: Line20 | None = None
    pnc: Line20 | None = None

    @field_validator("nhs", "upn", "pnc")
    @classmethod
    def _valid(cls, value: str | None, info: Any) -> str | None:
        if value is None or value == "":
            return None
        return normalise_identifier(info.field_name, value)

    def present(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


class PersonFields(StrictModel):
    given_name: Line100 | None = None
    family_name: Line100 | None = None
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
