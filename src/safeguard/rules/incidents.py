"""Rules over police incidents: pure functions from facts to duty drafts, no I/O.

Each rule has a name and a version that go into every duty it raises, so a reader can always
tell which rule (and which revision of it) created a duty and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safeguard.config import ClockSettings
from safeguard.rules.drafts import (
    ENCOMPASS_NOTICE,
    MARAC_REFERRAL,
    REFERRAL_DECISION,
    REPEAT_VICTIM_REVIEW,
    SHARE_WITH_CSC,
    DutyDraft,
)
from safeguard.rules.risk import RiskAssessment
from safeguard.workdays import LONDON, SchoolCalendar, WorkingCalendar

POLICE = "police"
CSC = "childrens_social_care"

CHILD_SHARE_RULE = ("child-at-risk-notification", "1")
REFERRAL_DECISION_RULE = ("referral-decision-clock", "1")
ENCOMPASS_RULE = ("operation-encompass", "1")
MARAC_RULE = ("marac-referral", "1")
REPEAT_RULE = ("repeat-victim-escalation", "1")

ROLE_WORDS = {"child_present": "present at the incident", "child_normally_resident": "lives there"}
SHARED_KINDS = ("domestic_abuse", "concern_for_welfare")


@dataclass(frozen=True)
class ChildFact:
    person_id: int
    name: str
    dob: str | None
    role: str
    recorded_by_officer: bool
    # Where the product learnt of a child the officer did not list, e.g. "education record E-88".
    found_from: str | None
    school_agency_id: str | None
    school_name: str | None


@dataclass(frozen=True)
class IncidentFacts:
    event_id: int
    reference: str
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    address_label: str
    risk: RiskAssessment | None
    victim_person_ids: tuple[int, ...]
    children: tuple[ChildFact, ...]
    # Incidents of the same kind at this household within the repeat window, this one included.
    household_incidents_in_window: int
    child_voice: str | None = None


def _when(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def _child_words(child: ChildFact) -> str:
    if child.recorded_by_officer:
        return f"{child.name} ({ROLE_WORDS.get(child.role, child.role)}, recorded by the officer)"
    return (
        f"{child.name} (lives at the address according to {child.found_from}; "
        "not listed by the officer)"
    )


def child_share_duties(facts: IncidentFacts, clocks: ClockSettings) -> list[DutyDraft]:
    """Police share a child-at-risk notification with children's social care, per child."""
    if facts.kind not in SHARED_KINDS:
        return []
    name, version = CHILD_SHARE_RULE
    due = facts.recorded_at + _hours(clocks.share_with_csc_hours)
    drafts = []
    for child in facts.children:
        reason = (
            f"Rule {name} v{version}: {facts.kind.replace('_', ' ')} incident {facts.reference} "
            f"at {facts.address_label} involves {_child_words(child)}. Police must share a "
            f"child-at-risk notification with children's social care within "
            f"{clocks.share_with_csc_hours:g} hours of the incident being recorded "
            f"({_when(facts.recorded_at)})."
        )
        content: dict[str, object] = {
            "child_name": child.name,
            "child_dob": child.dob,
            "police_reference": facts.reference,
            "incident_kind": facts.kind,
            "occurred_at": facts.occurred_at.isoformat(),
            "address": facts.address_label,
            "child_role": child.role,
            "recorded_by_officer": child.recorded_by_officer,
            "found_from": child.found_from,
            "risk_level": facts.risk.level if facts.risk else None,
        }
        drafts.append(
            DutyDraft(
                kind=SHARE_WITH_CSC,
                owner_agency_id=POLICE,
                partner_agency_id=CSC,
                subject_person_id=child.person_id,
                due_at=due,
                reason=reason,
                rule_name=name,
                rule_version=version,
                share_content=content,
                share_purpose="Child-at-risk notification to children's social care (MASH)",
            )
        )
    return drafts


def referral_decision_duty(
    *,
    subject_person_id: int,
    reference: str,
    child_name: str,
    arrived_at: datetime,
    calendar: WorkingCalendar,
    clocks: ClockSettings,
) -> DutyDraft:
    """Children's social care decide on a referral within N working days of it arriving."""
    name, version = REFERRAL_DECISION_RULE
    days = clocks.referral_decision_working_days
    return DutyDraft(
        kind=REFERRAL_DECISION,
        owner_agency_id=CSC,
        partner_agency_id=POLICE,
        subject_person_id=subject_person_id,
        due_at=calendar.add_working_days(arrived_at, days),
        reason=(
            f"Rule {name} v{version}: the police notification about {child_name} "
            f"({reference}) reached children's social care at {_when(arrived_at)}. A decision on "
            f"the referral is due within {days} working day{'s' if days != 1 else ''} of receipt "
            "(weekends and England & Wales bank holidays excluded)."
        ),
        rule_name=name,
        rule_version=version,
    )


def encompass_duties(
    facts: IncidentFacts, schools: SchoolCalendar, clocks: ClockSettings
) -> list[DutyDraft]:
    """Operation Encompass: tell each child's school before the next school day starts."""
    if facts.kind != "domestic_abuse":
        return []
    name, version = ENCOMPASS_RULE
    due = schools.next_school_day_start(facts.occurred_at)
    drafts = []
    for child in facts.children:
        if child.school_agency_id is None:
            continue
        reason = (
            f"Rule {name} v{version}: {_child_words(child)} was affected by domestic-abuse "
            f"incident {facts.reference} on {_when(facts.occurred_at)}. Police must notify "
            f"{child.school_name}'s designated safeguarding lead before the next school day "
            f"starts ({_when(due)})."
        )
        content: dict[str, object] = {
            "child_name": child.name,
            "child_dob": child.dob,
            "police_reference": facts.reference,
            "occurred_at": facts.occurred_at.isoformat(),
            "address": facts.address_label,
            "child_present": child.role == "child_present",
            "child_voice": facts.child_voice,
        }
        drafts.append(
            DutyDraft(
                kind=ENCOMPASS_NOTICE,
                owner_agency_id=POLICE,
                partner_agency_id=child.school_agency_id,
                subject_person_id=child.person_id,
                due_at=due,
                reason=reason,
                rule_name=name,
                rule_version=version,
                share_content=content,
                share_purpose="Operation Encompass notice to the school's safeguarding lead",
            )
        )
    return drafts


def marac_duties(
    facts: IncidentFacts, calendar: WorkingCalendar, clocks: ClockSettings
) -> list[DutyDraft]:
    """A high-risk DASH (by count or raised by judgement) needs a MARAC referral."""
    if facts.kind != "domestic_abuse" or facts.risk is None or facts.risk.level != "high":
        return []
    name, version = MARAC_RULE
    days = clocks.marac_referral_working_days
    return [
        DutyDraft(
            kind=MARAC_REFERRAL,
            owner_agency_id=POLICE,
            subject_person_id=victim,
            due_at=calendar.add_working_days(facts.recorded_at, days),
            reason=(
                f"Rule {name} v{version}: incident {facts.reference} is high risk "
                f"({facts.risk.note}). A MARAC referral is due within {days} working "
                f"day{'s' if days != 1 else ''} of the incident being recorded."
            ),
            rule_name=name,
            rule_version=version,
        )
        for victim in facts.victim_person_ids
    ]


def repeat_duties(facts: IncidentFacts, clocks: ClockSettings) -> list[DutyDraft]:
    """Repeat domestic abuse at one household escalates to a police supervisor."""
    count = facts.household_incidents_in_window
    if facts.kind != "domestic_abuse" or count < clocks.repeat_incident_count:
        return []
    name, version = REPEAT_RULE
    return [
        DutyDraft(
            kind=REPEAT_VICTIM_REVIEW,
            owner_agency_id=POLICE,
            owner_role="supervisor",
            subject_person_id=victim,
            due_at=facts.recorded_at + _hours(clocks.repeat_escalation_hours),
            reason=(
                f"Rule {name} v{version}: incident {facts.reference} is the {_ordinal(count)} "
                f"domestic-abuse incident at {facts.address_label} within "
                f"{clocks.repeat_window_days} days (threshold {clocks.repeat_incident_count}). "
                f"A police supervisor must review the repeat victimisation within "
                f"{clocks.repeat_escalation_hours:g} hours."
            ),
            rule_name=name,
            rule_version=version,
        )
        for victim in facts.victim_person_ids
    ]


def incident_duties(
    facts: IncidentFacts,
    *,
    calendar: WorkingCalendar,
    schools: SchoolCalendar,
    clocks: ClockSettings,
) -> list[DutyDraft]:
    return [
        *child_share_duties(facts, clocks),
        *encompass_duties(facts, schools, clocks),
        *marac_duties(facts, calendar, clocks),
        *repeat_duties(facts, clocks),
    ]


def _hours(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
