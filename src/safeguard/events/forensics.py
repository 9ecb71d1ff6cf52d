"""The digital forensics unit's events: a seized device submitted for examination, and each
step of its examination (docs/events.md, "Seized devices").

Imported by events/schemas.py into the union of every event, so the import, the JSON API and
the upload form accept exactly these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from safeguard.events.fields import (
    AddressIn,
    Line100,
    Line200,
    PersonFields,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

DeviceKind = Literal["phone", "computer", "storage", "other"]
Offence = Literal["iioc", "contact_sexual_offence", "other"]
Step = Literal["triage", "started", "completed", "returned_unexamined"]
# The steps that may carry what the examiner found.
FINDING_STEPS = ("triage", "completed")
# One finding names the children identified in it, not a population.
MAX_VICTIMS = 100
Count = Annotated[int, Field(ge=0, le=10_000_000)]


class PersonAt(PersonFields):
    """A person with where they live, when the officer knows it."""

    address: AddressIn | None = None


class FindingsIn(StrictModel):
    """What an examiner found: indecent images counted by legal category (A most severe),
    images the national database (CAID) did not know, and the children identified."""

    category_a: Count = 0
    category_b: Count = 0
    category_c: Count = 0
    new_images: Count = 0
    victims_identified: Annotated[list[PersonAt], Field(max_length=MAX_VICTIMS)] = []


class DeviceSubmissionEvent(StrictModel):
    """A seized device submitted to the digital forensics unit; its source_id is the exhibit
    reference, which later steps name as their `submission`."""

    event: Literal["device_submission"]
    source: Literal["police"]
    source_id: SourceId
    case_reference: Annotated[Line100, Field(min_length=1)]
    seized_at: Timestamp
    submitted_at: Timestamp
    device: DeviceKind
    offence: Offence
    suspect: PersonAt | None = None
    suspect_has_access_to_children: bool = False
    threat_to_life: bool = False
    officer: Line200 | None = None

    _not_future = field_validator("seized_at", "submitted_at")(not_in_future)

    @field_validator("submitted_at")
    @classmethod
    def _after_seizure(cls, value: datetime, info: ValidationInfo) -> datetime:
        seized = info.data.get("seized_at")
        if seized is not None and value < seized:
            raise ValueError(f"submitted_at is before seized_at ({seized.isoformat()})")
        return value


class DeviceExaminationEvent(StrictModel):
    """One step of a device's examination, in order: triage (optional), started, then
    completed or returned unexamined (which may also end a device never started)."""

    event: Literal["device_examination"]
    source: Literal["police"]
    source_id: SourceId
    submission: SourceId
    at: Timestamp
    step: Step
    findings: FindingsIn | None = None
    examiner: Line200 | None = None

    _not_future = field_validator("at")(not_in_future)

    @field_validator("findings")
    @classmethod
    def _findings_on_their_steps(cls, value: FindingsIn | None, info: ValidationInfo
                                 ) -> FindingsIn | None:
        step = info.data.get("step")
        if value is not None and step is not None and step not in FINDING_STEPS:
            raise ValueError(f"findings are recorded on triage or completed, not on {step}")
        return value
