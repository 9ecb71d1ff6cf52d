"""An inspection of the partnership and its remedial action plan, as events: the inspection
with its findings, a finding added later, an action of the plan, an action's progress, and
a revisit scheduled (docs/events.md, "Inspections and action plans").

The web form, the JSON API and the import send the same events. Later events name the
inspection (or action) by the ``source_id`` of the event that recorded it; whether it exists,
and whether a finding's measures are known measures, is checked when the event is accepted
(inspections.service), since only the store and the measures' declarations know.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from safeguard.events.fields import (
    Line100,
    Line200,
    Prose4000,
    Required,
    Source,
    SourceId,
    StrictModel,
    Timestamp,
    not_in_future,
)

FindingKind = Literal["cause_of_concern", "area_for_improvement", "recommendation"]
RevisitKind = Literal["light_touch", "full"]
ActionStatus = Literal["not_started", "in_progress", "done", "withdrawn"]
# A measure by its slug (docs/measures.md), e.g. "joint-work".
MeasureSlug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")]
Measures = Annotated[list[MeasureSlug], Field(max_length=20)]
Url = Annotated[str, Field(max_length=500, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")]


class FindingIn(StrictModel):
    """A finding (cause of concern, area for improvement) or recommendation, tied to the
    measures that evidence it; ``ref`` lets an action of the plan name it."""

    ref: Line100 | None = None
    kind: FindingKind
    text: Annotated[Prose4000, Required]
    measures: Measures = []


class InspectionEvent(StrictModel):
    event: Literal["inspection"]
    source: Source
    source_id: SourceId
    inspectorate: Annotated[Line200, Required]
    title: Annotated[Line200, Required]
    started_on: date
    ended_on: date
    published_on: date
    report_url: Url | None = None
    findings: Annotated[list[FindingIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _consistent(self) -> InspectionEvent:
        if self.ended_on < self.started_on:
            raise ValueError("ended_on is before started_on")
        refs = [f.ref for f in self.findings if f.ref is not None]
        if len(set(refs)) != len(refs):
            raise ValueError("each finding's ref may be given once")
        return self


class InspectionFindingEvent(StrictModel):
    """A finding added to an inspection already recorded; its ``source_id`` is its ref."""

    event: Literal["inspection_finding"]
    source: Source
    source_id: SourceId
    inspection: SourceId
    kind: FindingKind
    text: Annotated[Prose4000, Required]
    measures: Measures = []


class InspectionActionEvent(StrictModel):
    """An action of the remedial plan: a duty of its owning agency, due on its day."""

    event: Literal["inspection_action"]
    source: Source
    source_id: SourceId
    inspection: SourceId
    finding: Line100 | None = None
    text: Annotated[Prose4000, Required]
    owner_agency: Annotated[str, Field(min_length=1, max_length=64)]
    owner_name: Annotated[Line200, Required]
    due_on: date


class InspectionActionUpdateEvent(StrictModel):
    """An action's progress: started (in progress), done or withdrawn, with its evidence."""

    event: Literal["inspection_action_update"]
    source: Source
    source_id: SourceId
    action: SourceId
    at: Timestamp
    status: ActionStatus
    evidence: Prose4000 | None = None

    _not_future = field_validator("at")(not_in_future)

    @model_validator(mode="after")
    def _evidence(self) -> InspectionActionUpdateEvent:
        if self.status in ("done", "withdrawn") and not self.evidence:
            raise ValueError(f"evidence is required when an action is {self.status}")
        return self


class InspectionRevisitEvent(StrictModel):
    event: Literal["inspection_revisit"]
    source: Source
    source_id: SourceId
    inspection: SourceId
    kind: RevisitKind
    on: date


InspectionEvents = (InspectionEvent | InspectionFindingEvent | InspectionActionEvent
                    | InspectionActionUpdateEvent | InspectionRevisitEvent)
