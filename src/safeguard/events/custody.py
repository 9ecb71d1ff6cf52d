"""Custody events: a person detained at a police custody suite, and each step of the detention.

Imported by ``events.schemas`` (which adds them to the one union of events) and read through
it: the helpers here (strict models, timestamps, person fields) are that module's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from safeguard.events.fields import (
    Line200,
    PersonFields,
    Prose4000,
    Required,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

CustodyStep = Literal[
    "parent_informed", "appropriate_adult_requested", "appropriate_adult_arrived", "review",
    "extension_authorised", "charged", "bail_granted", "bail_refused", "transfer_requested",
    "la_response", "transferred", "certificate", "released", "taken_to_court",
]
STEPS: tuple[str, ...] = CustodyStep.__args__  # type: ignore[attr-defined]
Accommodation = Literal["non_secure", "secure"]
Offered = Literal["non_secure", "secure", "none"]
CertificateReason = Literal["impracticable", "no_secure_place_and_risk_of_serious_harm"]
# Only the council answers a request for accommodation; every other step is the police's.
COUNCIL_STEPS = ("la_response",)


class CustodyDetentionEvent(StrictModel):
    """A person's detention authorised at a custody suite (source: the custody record)."""

    event: Literal["custody_detention"]
    source: Literal["police"]
    source_id: SourceId  # the custody record number
    detainee: PersonFields
    # Used only when the date of birth is not known; recorded as a stated age.
    age_stated: Annotated[int, Field(ge=10, le=120)] | None = None
    arrived_at: Timestamp
    detention_authorised_at: Timestamp
    custody_suite: Annotated[Line200, Required]
    offence: Annotated[Line200, Required]
    officer: Line200 | None = None

    _not_future = field_validator("arrived_at", "detention_authorised_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> CustodyDetentionEvent:
        if self.detention_authorised_at < self.arrived_at:
            raise ValueError("detention_authorised_at is before arrived_at")
        return self


class CustodyUpdateEvent(StrictModel):
    """One step of a detention, by the police (the council for its accommodation answer)."""

    event: Literal["custody_update"]
    source: Literal["police", "childrens_social_care"]
    source_id: SourceId  # the step's own id in the sending system
    detention: SourceId  # the detention's source_id (the custody record number)
    at: Timestamp
    step: CustodyStep
    details: Prose4000 | None = None
    # review: the reviewing inspector.
    inspector: Line200 | None = None
    # transfer_requested: the accommodation asked for.
    accommodation: Accommodation | None = None
    # la_response: what the council offers.
    offered: Offered | None = None
    # certificate (PACE s38(6)): why the child was not moved, in the custody officer's words.
    reason: CertificateReason | None = None
    explanation: Prose4000 | None = None

    _not_future = field_validator("at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> CustodyUpdateEvent:
        council = self.step in COUNCIL_STEPS
        if council and self.source != "childrens_social_care":
            raise ValueError("la_response is the council's answer: its source is "
                             "childrens_social_care")
        if not council and self.source != "police":
            raise ValueError(f"{self.step} is recorded by the police: its source is police")
        needs = {"review": "inspector", "transfer_requested": "accommodation",
                 "la_response": "offered", "certificate": "reason"}
        for step, name in needs.items():
            present = getattr(self, name) is not None
            if self.step == step and not present:
                raise ValueError(f"a {step} step needs {name}")
            if self.step != step and present:
                raise ValueError(f"{name} belongs to a {step} step, not {self.step}")
        if self.step == "certificate" and not self.explanation:
            raise ValueError("a certificate needs the custody officer's explanation")
        if self.step != "certificate" and self.explanation is not None:
            raise ValueError(f"explanation belongs to a certificate step, not {self.step}")
        return self
