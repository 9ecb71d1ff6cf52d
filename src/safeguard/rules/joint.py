"""Joint assessment: pure rules that ask children's social care, police and health to hold a
strategy discussion when what several agencies know about one child adds up.

A strategy discussion is raised when
  (a) concerns about the child come from N+ different agencies within a window (default 2 in
      30 days),
  (b) a concern arrives about a child with an open referral, or
  (c) risk escalates: a domestic-abuse incident whose risk level is higher than the child's
      previous incident within the lookback (default 12 months), or a second concern within a
      few days (default 7).
Only one strategy discussion per child is open at a time: the caller says whether one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from safeguard.access.models import AgencyKind
from safeguard.config import SharingSettings
from safeguard.dates import london_date
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.inspections import end_of
from safeguard.rules.kinds import Discharged, DutyKind, Outcome, Rule, Side
from safeguard.workdays import WorkingCalendar

STRATEGY_RULE = Rule("joint-strategy-discussion", "1")
ICPC_RULE = Rule("initial-child-protection-conference", "1")
ACTION_RULE = Rule("strategy-discussion-action", "1")
RISK_ORDER = {"standard": 0, "medium": 1, "high": 2}
AGENCY_WORDS = {"police": "police", "childrens_social_care": "children's social care",
                "health": "health", "education": "education", "probation": "probation"}


@dataclass(frozen=True)
class ConcernFact:
    agency_id: str
    agency_name: str
    kind: str
    occurred_at: datetime
    reference: str


@dataclass(frozen=True)
class IncidentRisk:
    reference: str
    occurred_at: datetime
    level: str | None


@dataclass(frozen=True)
class JointFacts:
    """What is known about one child when an event about them arrives."""

    person_id: int
    child_name: str
    recorded_at: datetime
    # The concern that just arrived, if the event is a concern.
    concern: ConcernFact | None
    # Earlier concerns about the child (not the new one), newest first.
    earlier_concerns: tuple[ConcernFact, ...]
    # Undischarged referral decisions or notifications to social care, one line each.
    open_referrals: tuple[str, ...]
    open_strategy_discussion: bool
    # The domestic-abuse incident that just arrived, and the child's previous one.
    incident: IncidentRisk | None = None
    previous_incident: IncidentRisk | None = None


def _when(at: datetime) -> str:
    return london_date(at)


def _concern_words(c: ConcernFact) -> str:
    return (f"concern from {c.agency_name} ({c.kind.replace('_', ' ')}, {c.reference}) on "
            f"{_when(c.occurred_at)}")


def risk_escalated(now: IncidentRisk, before: IncidentRisk, settings: SharingSettings) -> bool:
    """A domestic-abuse incident riskier than the child's previous one within the lookback.

    For an incident (not a concern) this is the only way to a strategy discussion, so intake
    asks it first and reads the child's concerns and referrals only when it holds."""
    lookback = now.occurred_at - timedelta(days=settings.risk_lookback_days)
    return (before.occurred_at >= lookback and now.level in RISK_ORDER
            and RISK_ORDER[now.level] > RISK_ORDER.get(before.level or "", -1))


def joint_evidence(facts: JointFacts, settings: SharingSettings) -> list[str]:
    """The plain-English reasons a strategy discussion is needed; empty when none is."""
    evidence: list[str] = []
    concern = facts.concern
    if concern is not None:
        window = concern.occurred_at - timedelta(days=settings.joint_window_days)
        recent = [c for c in facts.earlier_concerns if window <= c.occurred_at
                  <= concern.occurred_at]
        agencies = {concern.agency_id} | {c.agency_id for c in recent}
        if len(agencies) >= settings.joint_agencies:
            others = [c for c in recent if c.agency_id != concern.agency_id]
            evidence.append(
                f"Concerns from {len(agencies)} agencies within {settings.joint_window_days} "
                f"days: {_concern_words(concern)}; "
                + "; ".join(_concern_words(c) for c in others))
        if facts.open_referrals:
            evidence.append(f"A {_concern_words(concern)} arrived while a referral is open: "
                            + "; ".join(facts.open_referrals))
        soon = concern.occurred_at - timedelta(days=settings.repeat_concern_days)
        repeat = [c for c in facts.earlier_concerns if soon <= c.occurred_at
                  <= concern.occurred_at]
        if repeat:
            evidence.append(
                f"Risk escalating: a second concern within {settings.repeat_concern_days} "
                f"days ({_concern_words(concern)}, after {_concern_words(repeat[0])})")
    if facts.incident is not None and facts.previous_incident is not None:
        now, before = facts.incident, facts.previous_incident
        if risk_escalated(now, before, settings):
            evidence.append(
                f"Risk escalating: domestic-abuse incident {now.reference} on "
                f"{_when(now.occurred_at)} is {now.level} risk; the previous incident "
                f"{before.reference} on {_when(before.occurred_at)} was "
                f"{before.level or 'not assessed'}")
    return evidence


def strategy_discussion_duties(
    facts: JointFacts, *, calendar: WorkingCalendar, settings: SharingSettings,
) -> list[DutyDraft]:
    """A strategy discussion owned by children's social care with police and health."""
    if facts.open_strategy_discussion:
        return []
    evidence = joint_evidence(facts, settings)
    if not evidence:
        return []
    days = settings.strategy_discussion_working_days
    reason = (
        f"what agencies know about {facts.child_name} needs a joint "
        f"assessment. Children's social care must hold a strategy discussion with police and "
        f"health within {days} working day{'s' if days != 1 else ''}. Evidence: "
        + " ".join(f"({n}) {line}." for n, line in enumerate(evidence, start=1))
    )
    return [STRATEGY_DISCUSSION.draft(
        rule=STRATEGY_RULE, subject_person_id=facts.person_id,
        due_at=calendar.add_working_days(facts.recorded_at, days), reason=reason,
        evidence=tuple(evidence),
    )]


def child_protection_conference_duty(
    *, subject_person_id: int | None, child_name: str, discussed_at: datetime,
    calendar: WorkingCalendar, settings: SharingSettings,
) -> DutyDraft:
    """A section 47 enquiry starts the clock for the initial child protection conference."""
    days = settings.icpc_working_days
    return CHILD_PROTECTION_CONFERENCE.draft(
        rule=ICPC_RULE, subject_person_id=subject_person_id,
        due_at=calendar.add_working_days(discussed_at, days),
        reason=(
            f"the strategy discussion about {child_name} on "
            f"{_when(discussed_at)} started a section 47 enquiry. The initial child protection "
            f"conference is due within {days} working days of the strategy discussion "
            "(Working Together)."
        ),
    )


def conference_after_section_47(done: Discharged, ctx: RuleContext) -> list[DutyDraft]:
    """What holding a strategy discussion raises: a section 47 outcome starts the initial
    child protection conference's clock."""
    if done.outcome != "section_47":
        return []
    return [child_protection_conference_duty(
        subject_person_id=done.subject_person_id, child_name=done.subject_name,
        discussed_at=done.at, calendar=ctx.calendar, settings=ctx.sharing)]


def strategy_action_duty(*, number: int, subject_person_id: int, child_name: str, text: str,
                         owner_agency_id: str, owner_words: str, due_on: date,
                         held_at: datetime) -> DutyDraft:
    """An action agreed at a strategy discussion: owned by its agency (and a named person, if
    given), due at the end of its day. Each action of one discussion is its own rule line, so
    two actions of one event are two duties (the dedupe key holds the rule's name)."""
    return STRATEGY_ACTION.draft(
        rule=Rule(f"{ACTION_RULE.name}-{number}", ACTION_RULE.version),
        subject_person_id=subject_person_id, due_at=end_of(due_on),
        owner_agency_id=owner_agency_id, evidence=(f"Owner: {owner_words}",),
        reason=(f"the strategy discussion about {child_name} on {_when(held_at)} agreed an "
                f"action for {owner_words}: {text} Due by {due_on:%d %b %Y}."))


CHILD_PROTECTION_CONFERENCE = DutyKind(
    name="initial_child_protection_conference", title="Initial child protection conference",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    participants=(AgencyKind.POLICE, AgencyKind.HEALTH),
    clock="15 working days after a strategy discussion decides on a section 47 enquiry",
    discharged_by=Side.OWNER, action="Record conference outcome",
    outcomes=(Outcome("child_protection_plan", "Child protection plan"),
              Outcome("no_child_protection_plan", "No child protection plan")),
    summary="Children's social care convene the conference that decides on a child "
            "protection plan.",
)

STRATEGY_DISCUSSION = DutyKind(
    name="strategy_discussion", title="Strategy discussion",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    participants=(AgencyKind.POLICE, AgencyKind.HEALTH),
    clock="1 working day; raised by concerns from 2+ agencies in 30 days, a concern while a "
          "referral is open, a second concern in 7 days, rising incident risk, or a missing "
          "episode (high risk, exploitation, 24 hours missing, the 3rd in 90 days)",
    discharged_by=Side.OWNER, action="Record strategy discussion outcome",
    outcomes=(Outcome("no_further_action", "No further action"),
              Outcome("section_47", "Section 47 enquiry"),
              Outcome("early_help", "Early help")),
    follow_up=conference_after_section_47,
    summary="Children's social care, police and health assess together what several agencies "
            "know about a child.",
)

STRATEGY_ACTION = DutyKind(
    name="strategy_action", title="Strategy discussion action",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    # Social care convened the discussion, so it follows every action it agreed.
    participants=(AgencyKind.CHILDRENS_SOCIAL_CARE,),
    clock="the date the strategy discussion sets for the action",
    discharged_by=Side.OWNER, action="Record the action as done",
    outcomes=(Outcome("done", "Done (what was done in the note)"),
              Outcome("not_done", "Not done (why, and what instead, in the note)")),
    summary="An action a strategy discussion agreed, owned by one agency (and a named person "
            "there): it breaches and escalates like any duty.",
)
