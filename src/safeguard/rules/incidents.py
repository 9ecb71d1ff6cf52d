"""Rules over police incidents: pure functions from facts to duty drafts, no I/O.

The kinds of duty these rules raise are declared at the bottom of this module, once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safeguard.access.models import AgencyKind, Role
from safeguard.config import ClockSettings
from safeguard.dates import london_datetime
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.kinds import (
    Arrived,
    DutyKind,
    Outcome,
    Rule,
    ShareField,
    ShareSpec,
    Shown,
    Side,
)
from safeguard.rules.risk import RiskAssessment
from safeguard.workdays import SchoolCalendar, WorkingCalendar

CHILD_SHARE_RULE = Rule("child-at-risk-notification", "1")
REFERRAL_DECISION_RULE = Rule("referral-decision-clock", "1")
ENCOMPASS_RULE = Rule("operation-encompass", "2")
FIND_SCHOOL_RULE = Rule("operation-encompass-school-unknown", "1")
MARAC_RULE = Rule("marac-referral", "1")
REPEAT_RULE = Rule("repeat-victim-escalation", "1")

ROLE_WORDS = {"child_present": "present at the incident", "child_normally_resident": "lives there"}
SHARED_KINDS = ("domestic_abuse", "concern_for_welfare")
# Ages at which a child is expected to be at a school that Operation Encompass must tell.
SCHOOL_AGES = range(4, 17)


@dataclass(frozen=True)
class ChildFact:
    person_id: int
    name: str
    dob: str | None
    role: str
    recorded_by_officer: bool
    # Where the product learnt of a child the officer did not list, e.g. "education record E-88".
    found_from: str | None
    # The child's school by the newest record naming one: its agency, name and URN, and its
    # designated safeguarding lead when the school is registered with one.
    school_agency_id: str | None
    school_name: str | None
    school_urn: str | None = None
    school_lead: str | None = None
    # Age in whole years on the day of the incident, when the date of birth is known.
    age: int | None = None


@dataclass(frozen=True)
class ResidentFact:
    """Someone another agency records at the address whose age nobody knows."""

    person_id: int
    name: str
    found_from: str


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
    residents_of_unknown_age: tuple[ResidentFact, ...] = ()


def _when(at: datetime) -> str:
    return london_datetime(at)


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
    due = facts.recorded_at + _hours(clocks.share_with_csc_hours)
    drafts = []
    for child in facts.children:
        reason = (
            f"{facts.kind.replace('_', ' ')} incident {facts.reference} "
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
        drafts.append(SHARE_WITH_CSC.draft(
            rule=CHILD_SHARE_RULE, subject_person_id=child.person_id, due_at=due,
            reason=reason, share_content=content))
    return drafts


def referral_decision_duty(
    *,
    subject_person_id: int | None,
    reference: str,
    child_name: str,
    arrived_at: datetime,
    calendar: WorkingCalendar,
    clocks: ClockSettings,
) -> DutyDraft:
    """Children's social care decide on a referral within N working days of it arriving."""
    days = clocks.referral_decision_working_days
    return REFERRAL_DECISION.draft(
        rule=REFERRAL_DECISION_RULE, subject_person_id=subject_person_id,
        due_at=calendar.add_working_days(arrived_at, days),
        reason=(
            f"the police notification about {child_name} "
            f"({reference}) reached children's social care at {_when(arrived_at)}. A decision on "
            f"the referral is due within {days} working day{'s' if days != 1 else ''} of receipt "
            "(weekends and England & Wales bank holidays excluded)."
        ),
    )


def referral_decision_on_arrival(share: Arrived, ctx: RuleContext) -> list[DutyDraft]:
    """The referral decision's clock starts when the notification reaches social care; it is
    worded from what the share holds, so a name the share withheld stays out of it."""
    return [referral_decision_duty(
        subject_person_id=share.subject_person_id,
        reference=str(share.content.get("police_reference", "")),
        child_name=str(share.content.get("child_name", "the child")),
        arrived_at=share.at, calendar=ctx.calendar, clocks=ctx.clocks)]


def encompass_duties(
    facts: IncidentFacts, schools: SchoolCalendar, clocks: ClockSettings
) -> list[DutyDraft]:
    """Operation Encompass: tell each child's school before the next school day starts.

    A school known only by its URN (not registered, so no safeguarding lead on record) is
    still told, on the same clock: the duty says so, so the police phone the school. A child
    of school age (or of unknown age) whose school nobody has recorded raises a duty for the
    education service to find the school, on the same clock.
    """
    if facts.kind != "domestic_abuse":
        return []
    due = schools.next_school_day_start(facts.occurred_at)
    drafts = []
    for child in facts.children:
        if child.school_agency_id is None:
            drafts += _find_school(facts, child, due)
            continue
        school = child.school_name or f"the school with URN {child.school_urn}"
        if child.school_lead:
            tell = f"{school}'s designated safeguarding lead ({child.school_lead})"
        else:
            tell = (f"{school} (URN {child.school_urn}); no designated safeguarding lead is on "
                    "record for the school, so telephone the school and ask for its lead")
        reason = (
            f"{_child_words(child)} was affected by domestic-abuse "
            f"incident {facts.reference} on {_when(facts.occurred_at)}. Police must notify "
            f"{tell} before the next school day starts ({_when(due)})."
        )
        content: dict[str, object] = {
            "child_name": child.name,
            "child_dob": child.dob,
            "police_reference": facts.reference,
            "occurred_at": facts.occurred_at.isoformat(),
            "address": facts.address_label,
            "child_present": child.role == "child_present",
            "child_voice": facts.child_voice,
            "school_urn": child.school_urn,
        }
        drafts.append(ENCOMPASS_NOTICE.draft(
            rule=ENCOMPASS_RULE, subject_person_id=child.person_id, due_at=due, reason=reason,
            partner_agency_id=child.school_agency_id, share_content=content))
    return drafts


def _find_school(facts: IncidentFacts, child: ChildFact, due: datetime) -> list[DutyDraft]:
    """No school on record: the education service finds it, unless the child is too young or
    too old for school (then no notice is owed)."""
    if child.age is not None and child.age not in SCHOOL_AGES:
        return []
    age = (f"aged {child.age}" if child.age is not None
           else "of unknown age (no date of birth on record)")
    return [FIND_SCHOOL.draft(
        rule=FIND_SCHOOL_RULE, subject_person_id=child.person_id, due_at=due,
        reason=(
            f"{_child_words(child)}, {age}, was affected by domestic-abuse incident "
            f"{facts.reference} on {_when(facts.occurred_at)}, but no agency has recorded the "
            f"child's school, so no Operation Encompass notice can be sent. The education "
            f"service must find the school and make sure its designated safeguarding lead is "
            f"told before the next school day starts ({_when(due)})."
        ))]


def marac_duties(
    facts: IncidentFacts, calendar: WorkingCalendar, clocks: ClockSettings
) -> list[DutyDraft]:
    """A high-risk DASH (by count or raised by judgement) needs a MARAC referral."""
    if facts.kind != "domestic_abuse" or facts.risk is None or facts.risk.level != "high":
        return []
    days = clocks.marac_referral_working_days
    due = calendar.add_working_days(facts.recorded_at, days)
    reason = (f"incident {facts.reference} is high risk ({facts.risk.note}). A MARAC referral "
              f"is due within {days} working day{'s' if days != 1 else ''} of the incident "
              "being recorded.")
    # Nobody recorded at all: the referral is still owed, about the incident.
    return [MARAC_REFERRAL.draft(rule=MARAC_RULE, subject_person_id=victim, due_at=due,
                                 reason=reason)
            for victim in (facts.victim_person_ids or (None,))]


def repeat_duties(facts: IncidentFacts, clocks: ClockSettings) -> list[DutyDraft]:
    """Repeat domestic abuse at one household escalates to a police supervisor."""
    count = facts.household_incidents_in_window
    if facts.kind != "domestic_abuse" or count < clocks.repeat_incident_count:
        return []
    due = facts.recorded_at + _hours(clocks.repeat_escalation_hours)
    reason = (
        f"incident {facts.reference} is the {_ordinal(count)} "
        f"domestic-abuse incident at {facts.address_label} within "
        f"{clocks.repeat_window_days} days (threshold {clocks.repeat_incident_count}). "
        f"A police supervisor must review the repeat victimisation within "
        f"{clocks.repeat_escalation_hours:g} hours."
    )
    return [REPEAT_VICTIM_REVIEW.draft(rule=REPEAT_RULE, subject_person_id=victim, due_at=due,
                                       reason=reason)
            for victim in (facts.victim_person_ids or (None,))]


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


# ------------------------------------------------------------ the kinds these rules raise

# What every share about a child at an incident carries, in the order it is shown.
_CHILD_AND_INCIDENT = (
    ShareField("child_name", "Child’s name"),
    ShareField("child_dob", "Child’s date of birth", Shown.DATE),
    ShareField("police_reference", "Police reference"),
    ShareField("occurred_at", "Occurred", Shown.DATETIME),
    ShareField("address", "Address"),
)

REFERRAL_DECISION = DutyKind(
    name="referral_decision", title="Decision on referral",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE, partner=AgencyKind.POLICE,
    clock="1 working day after the notification reaches children's social care",
    discharged_by=Side.OWNER, action="Record decision",
    outcomes=(Outcome("strategy_discussion", "Strategy discussion"),
              Outcome("social_work_assessment", "Social work assessment"),
              Outcome("early_help", "Early help"),
              Outcome("no_further_action", "No further action")),
    summary="Children's social care decide what to do about a police notification.",
)

SHARE_WITH_CSC = DutyKind(
    name="share_with_csc", title="Child-at-risk notification to children's social care",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="24 hours after the incident is recorded",
    discharged_by=Side.PARTNER, action="Acknowledge notification",
    share=ShareSpec(
        purpose="Child-at-risk notification to children's social care (MASH)",
        fields=(*_CHILD_AND_INCIDENT[:3],
                ShareField("incident_kind", "Kind of incident", Shown.WORDS),
                *_CHILD_AND_INCIDENT[3:],
                ShareField("child_role", "Child’s role", Shown.WORDS),
                ShareField("recorded_by_officer", "Recorded by the officer", Shown.YES_NO),
                ShareField("found_from", "Found from"),
                ShareField("risk_level", "DASH risk level"))),
    on_arrival=referral_decision_on_arrival,
    summary="Police tell children's social care about a child at a domestic-abuse or "
            "welfare incident.",
)

ENCOMPASS_NOTICE = DutyKind(
    name="encompass_notice", title="Operation Encompass notice to school",
    owner=AgencyKind.POLICE, partner=AgencyKind.SCHOOL,
    clock="the start (08:30) of the next school day after the incident",
    discharged_by=Side.PARTNER, action="Acknowledge notice",
    # A school with no safeguarding lead on record cannot acknowledge in the product: the
    # police record that they told it by telephone.
    outcomes=(Outcome("told_by_telephone", "Told the school by telephone", Side.OWNER),),
    share=ShareSpec(
        purpose="Operation Encompass notice to the school's safeguarding lead",
        fields=(*_CHILD_AND_INCIDENT,
                ShareField("child_present", "Child present", Shown.YES_NO),
                ShareField("child_voice", "Child’s voice"),
                ShareField("school_urn", "School URN"))),
    summary="Police tell the child's school's designated safeguarding lead before the next "
            "school day.",
)

FIND_SCHOOL = DutyKind(
    # Raised for an Operation Encompass notice, and for a missing child's notice to school.
    name="find_school", title="Find the child's school so its safeguarding lead is told",
    owner=AgencyKind.EDUCATION, partner=AgencyKind.POLICE,
    clock="the start (08:30) of the next school day after the incident (or when a missing "
          "child is still missing)",
    discharged_by=Side.OWNER, action="Record what was found",
    outcomes=(Outcome("school_found_and_told", "School found and its lead told"),
              Outcome("not_in_school", "Not on any school's roll (home educated, not of "
                                       "school age, or left the area)")),
    summary="The education service finds the school of a child whose school no agency has "
            "recorded, so the Operation Encompass notice, or the notice that a pupil is "
            "missing, still reaches it.",
)

MARAC_REFERRAL = DutyKind(
    name="marac_referral", title="MARAC referral", owner=AgencyKind.POLICE,
    clock="1 working day after a high-risk incident is recorded",
    discharged_by=Side.OWNER, action="Record referral made",
    summary="Police refer a high-risk victim to the multi-agency risk assessment conference.",
)

REPEAT_VICTIM_REVIEW = DutyKind(
    name="repeat_victim_review", title="Repeat-victim supervisor review",
    owner=AgencyKind.POLICE, owner_role=Role.SUPERVISOR,
    clock="24 hours, at the 3rd domestic-abuse incident in 365 days at the household",
    discharged_by=Side.OWNER, action="Record review",
    summary="A police supervisor reviews repeat domestic abuse at one household.",
)
