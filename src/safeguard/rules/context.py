"""What every rule is given besides its facts: clock lengths, thresholds and calendars.

Built once per process (or per import) from the settings and passed down to every rule and
every service that raises duties, so nothing reads settings midway through an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from safeguard.config import (
    ClockSettings,
    CustodySettings,
    ForensicsSettings,
    InspectionSettings,
    MissingSettings,
    OffenderSettings,
    Settings,
    SharingSettings,
)
from safeguard.workdays import SchoolCalendar, WorkingCalendar, load_term_dates


@dataclass(frozen=True)
class RuleContext:
    clocks: ClockSettings
    calendar: WorkingCalendar
    schools: SchoolCalendar
    # Events that occurred before this are history: stored and resolved, but raise no duties.
    live_from: datetime | None = None
    sharing: SharingSettings = field(default_factory=SharingSettings)
    missing: MissingSettings = field(default_factory=MissingSettings)
    custody: CustodySettings = field(default_factory=CustodySettings)
    forensics: ForensicsSettings = field(default_factory=ForensicsSettings)
    offenders: OffenderSettings = field(default_factory=OffenderSettings)
    inspections: InspectionSettings = field(default_factory=InspectionSettings)


def build_context(settings: Settings, *, live_from: datetime | None = None) -> RuleContext:
    calendar = WorkingCalendar()
    terms = load_term_dates(Path(settings.term_dates_file)) if settings.term_dates_file else None
    schools = SchoolCalendar(calendar, terms, day_starts=settings.clocks.school_day_starts)
    return RuleContext(settings.clocks, calendar, schools, live_from, settings.sharing,
                       custody=settings.custody, forensics=settings.forensics,
                       offenders=settings.offenders, missing=settings.missing,
                       inspections=settings.inspections)
