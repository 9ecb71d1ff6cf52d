"""Data-quality tasks: where a rule or intake cannot act for want of a fact, it says so.

Nothing is skipped silently. When a fact a rule needs is missing or in conflict (an incident
with no DASH, a child with no date of birth, an identifier two people claim), the gap becomes
a duty of its own, owned by the agency that can put it right, on a clock, visible in its
duties list, breached and escalated like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from safeguard.access.models import AgencyKind
from safeguard.config import ClockSettings
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import IncidentFacts
from safeguard.rules.kinds import DutyKind, Outcome, Rule, Side
from safeguard.workdays import WorkingCalendar

QUALITY_RULE_VERSION = "1"


@dataclass(frozen=True)
class Gap:
    """One missing or conflicting fact: what (a short code, which names the rule), whose to
    put right, about whom, and in words what is missing and what it stops."""

    what: str
    owner: str  # the agency that must put it right (a core partner's kind, or a school's id)
    subject_person_id: int | None
    words: str


def incident_gaps(facts: IncidentFacts) -> list[Gap]:
    """What the incident rules needed and did not have."""
    gaps: list[Gap] = []
    ref = facts.reference
    if not facts.victim_person_ids and not facts.children:
        gaps.append(Gap("no_people_recorded", AgencyKind.POLICE, None,
                        f"incident {ref} at {facts.address_label} records nobody: no victim, "
                        "suspect or child, so no duty about a person can be raised from it"))
    if facts.kind == "domestic_abuse" and facts.risk is None:
        gaps.append(Gap("dash_not_recorded", AgencyKind.POLICE,
                        facts.victim_person_ids[0] if facts.victim_person_ids else None,
                        f"domestic-abuse incident {ref} has no DASH risk assessment, so "
                        "whether a MARAC referral is due cannot be worked out"))
    for child in facts.children:
        if child.dob is None:
            gaps.append(Gap("child_date_of_birth_unknown", AgencyKind.POLICE, child.person_id,
                            f"{child.name}, a child at incident {ref}, has no date of birth on "
                            "any record, so their age, school age and school cannot be "
                            "checked"))
    for resident in facts.residents_of_unknown_age:
        gaps.append(Gap("resident_age_unknown", AgencyKind.POLICE, resident.person_id,
                        f"{resident.name} is recorded at {facts.address_label} by "
                        f"{resident.found_from} with no date of birth, so whether they are a "
                        f"child at incident {ref} cannot be told"))
    return gaps


def identifier_conflict_gaps(
    conflicts: Sequence[tuple[str, str, int]], *, owner: str, subject_person_id: int,
    record: str,
) -> list[Gap]:
    """An identifier on a record that another person already holds is not moved (a human
    decides which is right): each conflict is a task for the agency that holds the record."""
    return [Gap("identifier_conflict", owner, subject_person_id,
                f"{record} gives {scheme.upper()} {value}, which another person (person "
                f"{holder}) already holds, so the two records may be one person or the "
                "identifier may be wrong")
            for scheme, value, holder in conflicts]


def data_quality_duties(
    gaps: Sequence[Gap], *, reference: str, recorded_at: datetime,
    calendar: WorkingCalendar, clocks: ClockSettings,
) -> list[DutyDraft]:
    days = clocks.data_quality_working_days
    due = calendar.add_working_days(recorded_at, days)
    return [DATA_QUALITY.draft(
        rule=Rule(f"data-quality-{gap.what.replace('_', '-')}", QUALITY_RULE_VERSION),
        subject_person_id=gap.subject_person_id, due_at=due, owner_agency_id=str(gap.owner),
        reason=(f"{gap.words[0].upper()}{gap.words[1:]} ({reference}). Put the record right "
                f"within {days} working day{'s' if days != 1 else ''}, or record why it "
                "cannot be."))
        for gap in gaps]


DATA_QUALITY = DutyKind(
    name="data_quality", title="Data-quality task", owner=AgencyKind.POLICE,
    clock="2 working days after the record that lacks the fact",
    discharged_by=Side.OWNER, action="Record what was done",
    outcomes=(Outcome("corrected", "Record corrected"),
              Outcome("cannot_be_corrected", "Cannot be corrected (reason in the note)")),
    data_quality=True,
    summary="A fact a rule needed is missing or in conflict; the agency that holds the "
            "record puts it right, so no duty is missed for want of it.",
)
