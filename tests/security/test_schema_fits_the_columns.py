"""Finding 11: SQLite and PostgreSQL disagreed. Over-long officer, town, line2 and school lead
names, and NUL characters, were stored on SQLite (a 10 MB officer name in a 200-character
column) and were a 500 on PostgreSQL. The import schema now holds every string to the width of
the column it lands in and refuses control characters (free text keeps line breaks and tabs),
so both backends give the same 422."""

from __future__ import annotations

import json
import types
import typing
from typing import Any

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import String, Text
from sqlalchemy.orm import Session

from safeguard.db import Base
from safeguard.events import schemas
from safeguard.events.fields import AddressIn, IdentifiersIn, PersonFields
from safeguard.events.forensics import DeviceExaminationEvent, DeviceSubmissionEvent
from safeguard.events.inspections import (
    FindingIn,
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
    PlacementIn,
    PlacingAuthorityIn,
    ReturnInterviewEvent,
)
from safeguard.events.offenders import (
    OffenderAssessmentEvent,
    OffenderNotificationEvent,
    OffenderRegistrationEvent,
    OffenderVisitEvent,
)
from safeguard.events.schemas import (
    ConcernEvent,
    CustodyDetentionEvent,
    CustodyUpdateEvent,
    DslIn,
    IncidentEvent,
    IncidentPersonIn,
    PersonEvent,
    SchoolEvent,
)
from safeguard.events.strategy import (
    ActionIn,
    AttendeeIn,
    InformationIn,
    StrategyDiscussionEvent,
)

from ..app_client import AppClient
from ..intake.scenario import FRIDAY_NIGHT, SCHOOL
from ..web.test_api import key_for

# Where each string of the import format is stored: "table.column" (several where it is
# copied). A field missing here fails the walk below, so a new field must say where it lands.
LANDS_IN: dict[tuple[type[BaseModel], str], tuple[str, ...]] = {
    (AddressIn, "uprn"): ("addresses.uprn",),
    (AddressIn, "line1"): ("addresses.line1",),
    (AddressIn, "line2"): ("addresses.line2",),
    (AddressIn, "town"): ("addresses.town",),
    (AddressIn, "postcode"): ("addresses.postcode",),
    (IdentifiersIn, "nhs"): ("person_identifiers.value",),
    (IdentifiersIn, "upn"): ("person_identifiers.value",),
    (IdentifiersIn, "pnc"): ("person_identifiers.value",),
    (PersonFields, "given_name"): ("person_records.given_name", "persons.given_name"),
    (PersonFields, "family_name"): ("person_records.family_name", "persons.family_name"),
    (PersonEvent, "source"): ("events.source", "person_records.source"),
    (SchoolEvent, "source"): ("events.source",),
    (ConcernEvent, "source"): ("events.source", "person_records.source"),
    (PersonEvent, "source_id"): ("events.source_id", "person_records.source_id"),
    (PersonEvent, "school_urn"): ("person_records.school_urn",),
    (SchoolEvent, "source_id"): ("events.source_id",),
    (SchoolEvent, "urn"): ("schools.urn", "agencies.school_urn"),
    (SchoolEvent, "name"): ("schools.name", "agencies.name"),
    (DslIn, "name"): ("schools.dsl_name",),
    (DslIn, "email"): ("schools.dsl_email",),
    # An officer's record of a person without an id of its own is "<incident>#<n>": 128 + 4
    # characters with at most MAX_PEOPLE_PER_INCIDENT (100) people, inside the 160.
    (IncidentPersonIn, "source_id"): ("person_records.source_id",),
    (IncidentEvent, "source_id"): ("events.source_id", "incidents.reference"),
    (IncidentEvent, "officer"): ("incidents.officer",),
    (IncidentEvent, "summary"): ("incidents.summary",),
    (IncidentEvent, "child_voice"): ("incidents.child_voice",),
    (ConcernEvent, "source_id"): ("events.source_id", "person_records.source_id"),
    (ConcernEvent, "summary"): ("concerns.summary",),
    (ConcernEvent, "raised_by"): ("concerns.raised_by",),
    # The detainee's record is "<custody record>#detainee": 128 + 9 characters.
    (CustodyDetentionEvent, "source_id"): ("events.source_id", "custody_detentions.reference",
                                           "person_records.source_id"),
    (CustodyDetentionEvent, "custody_suite"): ("custody_detentions.custody_suite",),
    (CustodyDetentionEvent, "offence"): ("custody_detentions.offence",),
    (CustodyDetentionEvent, "officer"): ("custody_detentions.officer",),
    (CustodyUpdateEvent, "source_id"): ("events.source_id",),
    (CustodyUpdateEvent, "detention"): ("custody_detentions.reference",),
    (CustodyUpdateEvent, "details"): ("custody_steps.details",),
    (CustodyUpdateEvent, "inspector"): ("custody_steps.inspector",),
    (CustodyUpdateEvent, "explanation"): ("custody_steps.explanation",),
    # A suspect's record is "<exhibit>#suspect", a victim's "<step>#victim<n>" (n <= 100):
    # 128 + 10 characters at most, inside person_records.source_id's 160.
    # The offender's record is "<registration>#offender", a child's "<event>#child<n>"
    # (n <= 100): 128 + 10 characters at most, inside person_records.source_id's 160.
    (OffenderRegistrationEvent, "source_id"): ("events.source_id",
                                               "offender_registrations.reference"),
    (OffenderRegistrationEvent, "conviction"): ("offender_registrations.conviction",),
    (OffenderRegistrationEvent, "offender_manager"): (
        "offender_registrations.offender_manager",),
    (OffenderAssessmentEvent, "source_id"): ("events.source_id",
                                             "offender_assessments.reference"),
    (OffenderAssessmentEvent, "registration"): ("offender_registrations.reference",),
    (OffenderAssessmentEvent, "offender_manager"): (
        "offender_registrations.offender_manager",),
    (OffenderVisitEvent, "source_id"): ("events.source_id", "offender_visits.reference"),
    (OffenderVisitEvent, "registration"): ("offender_registrations.reference",),
    (OffenderVisitEvent, "by"): ("offender_visits.by",),
    (OffenderVisitEvent, "concerns"): ("offender_visits.concerns",),
    (OffenderNotificationEvent, "source_id"): ("events.source_id",
                                               "offender_notifications.reference"),
    (OffenderNotificationEvent, "registration"): ("offender_registrations.reference",),
    (DeviceSubmissionEvent, "source_id"): ("events.source_id", "forensic_devices.exhibit"),
    (DeviceSubmissionEvent, "case_reference"): ("forensic_devices.case_reference",),
    (DeviceSubmissionEvent, "officer"): ("forensic_devices.officer",
                                         "forensic_device_steps.examiner"),
    (DeviceExaminationEvent, "source_id"): ("events.source_id",),
    (DeviceExaminationEvent, "submission"): ("forensic_devices.exhibit",),
    (DeviceExaminationEvent, "examiner"): ("forensic_device_steps.examiner",),
    # The missing child's record is "<report>#child": 128 + 6 characters, inside the 160.
    (MissingReportEvent, "source_id"): ("events.source_id", "missing_episodes.reference",
                                        "person_records.source_id"),
    (MissingReportEvent, "circumstances"): ("missing_episodes.circumstances",
                                            "missing_entries.note"),
    (MissingReportEvent, "officer"): ("missing_episodes.officer", "missing_entries.by"),
    (PlacementIn, "provider"): ("missing_episodes.placement_provider",),
    (PlacingAuthorityIn, "code"): ("missing_episodes.placing_authority_code",),
    (PlacingAuthorityIn, "name"): ("missing_episodes.placing_authority_name",),
    # A later event's report is looked up, never stored: it must fit what it is compared with.
    (MissingUpdateEvent, "source_id"): ("events.source_id",),
    (MissingUpdateEvent, "report"): ("missing_episodes.reference",),
    (MissingUpdateEvent, "note"): ("missing_entries.note",),
    (MissingUpdateEvent, "officer"): ("missing_entries.by",),
    (MissingReturnEvent, "source_id"): ("events.source_id",),
    (MissingReturnEvent, "report"): ("missing_episodes.reference",),
    (MissingReturnEvent, "where_found"): ("missing_episodes.where_found",),
    (MissingReturnEvent, "officer"): ("missing_entries.by",),
    (ReturnInterviewEvent, "source_id"): ("events.source_id",),
    (ReturnInterviewEvent, "report"): ("missing_episodes.reference",),
    (ReturnInterviewEvent, "provider"): ("missing_entries.by",),
    (ReturnInterviewEvent, "reason"): ("missing_entries.note", "duties.discharge_note"),
    (ReturnInterviewEvent, "disclosures"): ("missing_entries.note",),
    (StrategyDiscussionEvent, "source_id"): ("events.source_id",
                                             "strategy_discussions.reference"),
    (StrategyDiscussionEvent, "reasons"): ("strategy_discussions.reasons",
                                           "duties.discharge_note"),
    (AttendeeIn, "name"): ("strategy_attendees.name",),
    (AttendeeIn, "role"): ("strategy_attendees.role",),
    (AttendeeIn, "agency"): ("strategy_attendees.agency_id",),
    (InformationIn, "agency"): ("strategy_information.agency_id",),
    (InformationIn, "summary"): ("strategy_information.summary",),
    (ActionIn, "text"): ("strategy_actions.text", "duties.reason"),
    (ActionIn, "owner_agency"): ("strategy_actions.owner_agency_id", "duties.owner_agency_id"),
    (ActionIn, "owner_name"): ("strategy_actions.owner_name",),
    (InspectionEvent, "source"): ("events.source",),
    (InspectionEvent, "source_id"): ("events.source_id",),
    (InspectionEvent, "inspectorate"): ("inspections.inspectorate",),
    (InspectionEvent, "title"): ("inspections.title",),
    (InspectionEvent, "report_url"): ("inspections.report_url",),
    (FindingIn, "ref"): ("inspection_findings.ref",),
    (FindingIn, "text"): ("inspection_findings.text",),
    (InspectionFindingEvent, "source"): ("events.source",),
    (InspectionFindingEvent, "source_id"): ("events.source_id", "inspection_findings.ref"),
    (InspectionFindingEvent, "inspection"): ("events.source_id",),
    (InspectionFindingEvent, "text"): ("inspection_findings.text",),
    (InspectionActionEvent, "source"): ("events.source",),
    (InspectionActionEvent, "source_id"): ("events.source_id",),
    (InspectionActionEvent, "inspection"): ("events.source_id",),
    (InspectionActionEvent, "finding"): ("inspection_findings.ref",),
    (InspectionActionEvent, "text"): ("inspection_actions.text",),
    (InspectionActionEvent, "owner_agency"): ("inspection_actions.owner_agency_id",),
    (InspectionActionEvent, "owner_name"): ("inspection_actions.owner_name",),
    (InspectionActionUpdateEvent, "source"): ("events.source",),
    (InspectionActionUpdateEvent, "source_id"): ("events.source_id",),
    (InspectionActionUpdateEvent, "action"): ("events.source_id",),
    (InspectionActionUpdateEvent, "evidence"): ("inspection_actions.evidence",
                                                "duties.discharge_note"),
    (InspectionRevisitEvent, "source"): ("events.source",),
    (InspectionRevisitEvent, "source_id"): ("events.source_id",),
    (InspectionRevisitEvent, "inspection"): ("events.source_id",),
}


def _members(annotation: Any) -> list[Any]:
    """The types a field may hold (an optional field's limits sit on its Annotated member)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _is_str(annotation: Any) -> bool:
    return any(m is str or (typing.get_origin(m) is typing.Annotated
                            and typing.get_args(m)[0] is str) for m in _members(annotation))


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    """Every model the import format is made of, nested ones included."""
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for arg in (info.annotation, *typing.get_args(info.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    _models(inner, seen)


def _declared_by(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The class that declares a field (PersonEvent's given_name is PersonFields')."""
    for base in reversed(model.__mro__):
        if isinstance(base, type) and issubclass(base, BaseModel) and \
                name in getattr(base, "__annotations__", {}):
            return base
    return model


def _max_length(model: type[BaseModel], name: str) -> int | None:
    info = model.model_fields[name]
    metadata = [*info.metadata, *(meta for m in _members(info.annotation)
                                  if typing.get_origin(m) is typing.Annotated
                                  for meta in typing.get_args(m)[1:])]
    # A Field(...) inside an Annotated member carries its own constraints.
    metadata += [inner for meta in metadata if isinstance(meta, FieldInfo)
                 for inner in meta.metadata]
    limits = [m.max_length for m in metadata if isinstance(m, MaxLen)]
    return min(limits) if limits else None


def test_every_string_of_the_import_format_is_no_longer_than_each_column_it_lands_in() -> None:
    seen: set[type[BaseModel]] = set()
    for event in typing.get_args(schemas.AnyEvent):
        _models(event, seen)
    tables = Base.metadata.tables
    walked = set()
    for model in seen:
        for name, info in model.model_fields.items():
            if not _is_str(info.annotation):
                continue
            key = (_declared_by(model, name), name)
            walked.add(key)
            assert key in LANDS_IN, f"{model.__name__}.{name}: say where it lands in LANDS_IN"
            limit = _max_length(model, name)
            assert limit is not None, f"{model.__name__}.{name} has no max_length"
            for target in LANDS_IN[key]:
                table, column = target.split(".")
                kind = tables[table].c[column].type
                assert isinstance(kind, String), target
                if isinstance(kind, Text) or kind.length is None:
                    continue  # unbounded text: the schema's limit is the only one
                assert limit <= kind.length, (
                    f"{model.__name__}.{name} allows {limit} characters; {target} holds "
                    f"{kind.length}")
    assert walked == set(LANDS_IN), set(LANDS_IN) - walked


def _incident(**changes: Any) -> dict[str, Any]:
    event = dict(FRIDAY_NIGHT, source_id="INC-LIMITS")
    address = dict(event["address"], **changes.pop("address", {}))
    return dict(event, address=address, **changes)


TOO_LONG_OR_CONTROL = {
    "officer 201 characters": ("police", _incident(officer="P" * 201), "officer"),
    "officer of 10 MB": ("police", _incident(officer="P" * 10_000_000), "officer"),
    "town 101 characters": ("police", _incident(address={"town": "T" * 101}), "address.town"),
    "line2 201 characters": ("police", _incident(address={"line2": "L" * 201}),
                             "address.line2"),
    "school lead 201 characters": ("education", dict(SCHOOL, dsl={"name": "D" * 201}),
                                   "dsl.name"),
    "NUL in the officer": ("police", _incident(officer="PC 1\x00 Patel"), "officer"),
    "NUL in the summary": ("police", _incident(summary="Argument\x00"), "summary"),
    "escape in a name": ("police", _incident(people=[
        {"role": "victim", "given_name": "Jane\x1b[2J", "family_name": "Smith"}]),
        "people[0].given_name"),
    "lone surrogate in the town": ("police", _incident(address={"town": "Nor\ud800"}),
                                   "address.town"),
}


@pytest.mark.parametrize("source,event,field", TOO_LONG_OR_CONTROL.values(),
                         ids=list(TOO_LONG_OR_CONTROL))
def test_it_answers_422_naming_the_field_for_a_string_too_long_or_with_a_control_character(
    client: AppClient, session: Session, source: str, event: dict[str, Any], field: str,
) -> None:
    # json.dumps escapes a lone surrogate as \ud800, as a partner's system would send it.
    response = client.post("/api/v1/events", content=json.dumps(event),
                           headers={**key_for(session, source),
                                    "Content-Type": "application/json"})
    assert response.status_code == 422, response.text[:300]
    assert field in [problem["field"] for problem in response.json()["detail"]]


def test_free_text_keeps_its_line_breaks_and_tabs_on_both_backends(
    client: AppClient, session: Session,
) -> None:
    event = _incident(summary="Argument.\r\nNeighbours called police.\n\tTwo children.",
                      officer="P" * 200)
    response = client.post("/api/v1/events", json=event, headers=key_for(session, "police"))
    assert response.status_code == 201, response.text[:300]
