"""The events of managing registered sex offenders (police only): a registration, a new
assessment of it, a visit to the offender and a notification the offender makes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeAlias

from pydantic import Field, field_validator, model_validator

from safeguard.events.fields import (
    AddressIn,
    Line100,
    Line200,
    PersonFields,
    Prose4000,
    Required,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

OffenderRisk = Literal["very_high", "high", "medium", "low"]
MappaNumber = Annotated[int, Field(ge=1, le=3)]
# A plan's interval between home visits: at least daily, at most once in two years.
VisitEvery = Annotated[int, Field(ge=1, le=730)]
NotificationKind = Literal["annual", "change_of_address", "change_of_name", "foreign_travel",
                           "household_with_child"]
# Children named on one visit or notification: a household, not a population.
MAX_CHILDREN = 20


class OffenderRegistrationEvent(StrictModel):
    """A person made subject to the notification requirements (the register)."""

    event: Literal["offender_registration"]
    source: Literal["police"]
    source_id: SourceId  # the registration reference
    offender: PersonFields
    # Where the offender lives; absent for no fixed abode.
    address: AddressIn | None = None
    registered_at: Timestamp
    registration_ends: date | None = None  # absent: indefinite
    conviction: Annotated[Line200, Required]
    mappa_category: MappaNumber
    mappa_level: MappaNumber
    risk: OffenderRisk
    offender_manager: Annotated[Line100, Required]
    visit_every_days: VisitEvery | None = None  # absent: reactive management

    _not_future = field_validator("registered_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> OffenderRegistrationEvent:
        if self.registration_ends is not None and \
                self.registration_ends < self.registered_at.date():
            raise ValueError("registration_ends is before registered_at")
        return self


class OffenderAssessmentEvent(StrictModel):
    """A new ARMS assessment or risk management plan: any field sent replaces the old."""

    event: Literal["offender_assessment"]
    source: Literal["police"]
    source_id: SourceId
    registration: SourceId
    at: Timestamp
    risk: OffenderRisk | None = None
    mappa_level: MappaNumber | None = None
    offender_manager: Line100 | None = None
    visit_every_days: VisitEvery | None = None
    # A plan moved to reactive management (no home visits) says so: an absent interval
    # means "unchanged".
    reactive: bool = False

    _not_future = field_validator("at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> OffenderAssessmentEvent:
        if self.reactive and self.visit_every_days is not None:
            raise ValueError("reactive management has no visit_every_days")
        return self


class OffenderVisitEvent(StrictModel):
    event: Literal["offender_visit"]
    source: Literal["police"]
    source_id: SourceId
    registration: SourceId
    visited_at: Timestamp
    by: Annotated[Line100, Required]
    home_visit: bool
    children_present: Annotated[list[PersonFields], Field(max_length=MAX_CHILDREN)] = \
        Field(default_factory=list)
    concerns: Prose4000 | None = None

    _not_future = field_validator("visited_at")(not_in_future)


class OffenderNotificationEvent(StrictModel):
    event: Literal["offender_notification"]
    source: Literal["police"]
    source_id: SourceId
    registration: SourceId
    notified_at: Timestamp
    kind: NotificationKind
    address: AddressIn | None = None  # the new address, where it changes
    changed_at: Timestamp | None = None
    # The children of a household-with-child notification, where the offender names them.
    children: Annotated[list[PersonFields], Field(max_length=MAX_CHILDREN)] = \
        Field(default_factory=list)

    _not_future = field_validator("notified_at", "changed_at")(not_in_future)

    @model_validator(mode="after")
    def _consistent(self) -> OffenderNotificationEvent:
        if self.kind in ("change_of_address", "household_with_child") and self.address is None:
            raise ValueError(f"a {self.kind} notification needs the address")
        if self.kind != "annual" and self.changed_at is None:
            raise ValueError(f"a {self.kind} notification needs changed_at")
        if self.changed_at is not None and self.changed_at > self.notified_at:
            raise ValueError("changed_at is after notified_at")
        return self


OffenderEvent: TypeAlias = (OffenderRegistrationEvent | OffenderAssessmentEvent | OffenderVisitEvent
                 | OffenderNotificationEvent)
