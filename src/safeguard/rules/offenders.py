"""Managing registered sex offenders: pure rules (facts in, duty drafts out) and the kinds
they raise.

- A home visit is due `visit_every_days` (the risk management plan's interval) after the
  last home visit, or after registration; a plan with no interval is reactive management.
- Re-notification is due one year after the last notification (Sexual Offences Act 2003
  s85); a change notified more than 3 days after it happened (s84) raises a duty to
  consider enforcement.
- A child found near an offender (partner records at the offender's address, a child
  present at a visit, a household-with-child notification) is shared with children's
  social care within 24 hours, and at high or very high risk needs a strategy discussion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from safeguard.access.models import AgencyKind, Role
from safeguard.config import OffenderSettings, SharingSettings
from safeguard.dates import london_date
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import referral_decision_on_arrival
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.kinds import DutyKind, Outcome, Rule, ShareField, ShareSpec, Shown, Side
from safeguard.workdays import LONDON, WorkingCalendar, local_to_utc

RISKS = ("very_high", "high", "medium", "low")
RISK_WORDS = {"very_high": "very high", "high": "high", "medium": "medium", "low": "low"}
NOTIFICATION_KINDS = ("annual", "change_of_address", "change_of_name", "foreign_travel",
                      "household_with_child")
# Changes with a 3-day limit (s84, and the household-with-child notification made under it).
CHANGE_KINDS = ("change_of_address", "change_of_name", "household_with_child")
# Notifications that restart the annual clock: s85's "relevant date" is the last
# notification under s83, s84 or s85; foreign travel (s86) does not count.
RESTARTS_ANNUAL = ("annual", "change_of_address", "change_of_name", "household_with_child")

VISIT_RULE = Rule("offender-home-visit", "1")
RENOTIFY_RULE = Rule("offender-annual-notification", "1")
ENFORCEMENT_RULE = Rule("offender-late-notification", "1")
CHILD_RULE = Rule("child-near-offender", "1")


@dataclass(frozen=True)
class OffenderFacts:
    """What the rules know of one registration."""

    person_id: int
    reference: str
    name: str
    risk: str
    mappa_category: int
    mappa_level: int
    offender_manager: str
    address_label: str | None


@dataclass(frozen=True)
class ChildNear:
    """A child found near an offender, and where they were found."""

    person_id: int
    name: str
    dob: date | None
    found_from: str


def _on(at: datetime) -> str:
    return london_date(at)


def visit_due(since: datetime, every_days: int) -> datetime:
    """The next home visit: the plan's interval after the last one (or the registration)."""
    return since + timedelta(days=every_days)


def anniversary(day: date, years: int) -> date:
    """The same date `years` later; 29 February's is 1 March in a common year (the period
    of a year beginning with 29 February 2024 takes in 28 February 2025)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def renotification_due(last_notified_at: datetime, years: int = 1) -> datetime:
    """The end of the period of `years` beginning with the day of the last notification
    (London days): midnight at the start of its anniversary."""
    day = last_notified_at.astimezone(LONDON).date()
    return local_to_utc(anniversary(day, years), time(0))


def days_late(changed_at: datetime, notified_at: datetime, within_days: int) -> int:
    """How many days after the s84 limit a change was notified (0 if in time). The day of the
    change is the first of the `within_days`, so a change on the 1st notified on the 4th is
    one day late."""
    changed = changed_at.astimezone(LONDON).date()
    notified = notified_at.astimezone(LONDON).date()
    return max(0, (notified - changed).days - within_days + 1)


def _plan_words(facts: OffenderFacts) -> str:
    return (f"{facts.name} ({facts.reference}, {RISK_WORDS.get(facts.risk, facts.risk)} risk, "
            f"MAPPA category {facts.mappa_category} level {facts.mappa_level})")


def visit_duty(facts: OffenderFacts, *, since: datetime, since_words: str, every_days: int
               ) -> DutyDraft:
    due = visit_due(since, every_days)
    return OFFENDER_HOME_VISIT.draft(
        rule=VISIT_RULE, subject_person_id=facts.person_id, due_at=due,
        reason=(f"the risk management plan for {_plan_words(facts)} sets a home visit every "
                f"{every_days} days; {since_words} on {_on(since)}, so the next is due by "
                f"{_on(due)}. Offender manager: {facts.offender_manager}."))


def renotification_duty(facts: OffenderFacts, *, last_notified_at: datetime,
                        settings: OffenderSettings) -> DutyDraft:
    years = settings.renotify_years
    due = renotification_due(last_notified_at, years)
    return OFFENDER_RENOTIFICATION.draft(
        rule=RENOTIFY_RULE, subject_person_id=facts.person_id, due_at=due,
        reason=(f"{_plan_words(facts)} last notified on {_on(last_notified_at)}; the next "
                f"notification is due within {years} year{'s' if years != 1 else ''} of it, "
                f"by the end of {_on(due - timedelta(hours=12))} (Sexual Offences Act 2003 "
                f"s85). Offender manager: {facts.offender_manager}."))


def enforcement_duty(
    facts: OffenderFacts, *, kind: str, changed_at: datetime, notified_at: datetime,
    settings: OffenderSettings, calendar: WorkingCalendar,
) -> DutyDraft | None:
    """A change notified after the s84 limit: consider enforcement, saying why."""
    if kind not in CHANGE_KINDS:
        return None
    limit = settings.notify_change_within_days
    late = days_late(changed_at, notified_at, limit)
    if late == 0:
        return None
    days = settings.consider_enforcement_working_days
    return OFFENDER_ENFORCEMENT.draft(
        rule=ENFORCEMENT_RULE, subject_person_id=facts.person_id,
        due_at=calendar.add_working_days(notified_at, days),
        reason=(f"{_plan_words(facts)} notified a {kind.replace('_', ' ')} on "
                f"{_on(notified_at)}; the change happened on {_on(changed_at)}, so it was "
                f"notified {late} day{'s' if late != 1 else ''} after the {limit}-day limit "
                f"(Sexual Offences Act 2003 s84). Consider enforcement within {days} working "
                f"days. Offender manager: {facts.offender_manager}."))


def child_near_offender_duties(
    facts: OffenderFacts, child: ChildNear, *, at: datetime, settings: OffenderSettings,
    sharing: SharingSettings, calendar: WorkingCalendar,
) -> list[DutyDraft]:
    """Share with children's social care; at high or very high risk, a strategy discussion
    too (one open per child: the caller adds this evidence to an open one)."""
    hours = settings.child_share_hours
    where = facts.address_label or "an address not on record"
    found = (f"{child.name} is near registered sex offender {_plan_words(facts)} at {where}: "
             f"{child.found_from}")
    drafts = [OFFENDER_CHILD_SHARE.draft(
        rule=CHILD_RULE, subject_person_id=child.person_id, due_at=at + timedelta(hours=hours),
        reason=(f"{found}. Police share this with children's social care within {hours:g} "
                f"hours. Offender manager: {facts.offender_manager}."),
        share_content={
            "child_name": child.name, "child_dob": child.dob.isoformat() if child.dob else None,
            "police_reference": facts.reference, "address": facts.address_label,
            "found_from": child.found_from, "offender_name": facts.name,
            "risk_level": RISK_WORDS.get(facts.risk, facts.risk),
            "mappa": f"category {facts.mappa_category}, level {facts.mappa_level}",
            "offender_manager": facts.offender_manager})]
    if facts.risk in settings.strategy_discussion_risks:
        days = sharing.strategy_discussion_working_days
        drafts.append(STRATEGY_DISCUSSION.draft(
            rule=CHILD_RULE, subject_person_id=child.person_id,
            due_at=calendar.add_working_days(at, days),
            reason=(f"{found}. At {RISK_WORDS[facts.risk]} risk, children's social care, "
                    f"police and health must hold a strategy discussion within {days} working "
                    f"day{'s' if days != 1 else ''}."),
            evidence=(f"{found} ({RISK_WORDS[facts.risk]} risk)",)))
    return drafts


# ------------------------------------------------------------------ capacity arithmetic


def visits_between(next_due: datetime, every_days: int, start: datetime, end: datetime
                   ) -> int:
    """How many visits a plan puts in [start, end): the next due, then every interval (an
    overdue visit counts in the window it falls due in, never again)."""
    step = timedelta(days=every_days)
    if next_due >= end:
        return 0
    first = 0 if next_due >= start else -((next_due - start) // step)
    last = (end - next_due - timedelta(microseconds=1)) // step
    return max(0, int(last) - int(first) + 1)


def visits_in(first: float, step: float, start: float, end: float) -> int:
    """`visits_between` in seconds since the epoch, for counting many plans quickly."""
    if first >= end:
        return 0
    low = 0 if first >= start else math.ceil((start - first) / step)
    high = math.ceil((end - first) / step) - 1
    return max(0, high - low + 1)


def officers_needed(visits: float, days: int, per_week: float) -> float:
    """Officers the visits of a period need, at `per_week` visits per officer."""
    return visits / (per_week * days / 7) if per_week > 0 and days > 0 else 0.0


# ------------------------------------------------------------ the kinds these rules raise

OFFENDER_HOME_VISIT = DutyKind(
    name="offender_home_visit", title="Home visit to a registered sex offender",
    owner=AgencyKind.POLICE, owner_role=Role.PUBLIC_PROTECTION,
    clock="the risk management plan's interval after the last home visit (or registration); "
          "a shorter interval from a new assessment brings it forward",
    discharged_by=Side.OWNER, action="Record what happened",
    outcomes=(Outcome("visited", "Home visit made (recorded as an offender visit)"),
              Outcome("rescheduled", "Brought forward by a new risk management plan"),
              Outcome("reactive", "Plan moved to reactive management (no home visits)"),
              Outcome("registration_ended", "Registration ended")),
    summary="The offender manager visits the offender at home as often as the risk "
            "management plan says.",
)

OFFENDER_RENOTIFICATION = DutyKind(
    name="offender_renotification", title="Annual re-notification by a registered offender",
    owner=AgencyKind.POLICE, owner_role=Role.PUBLIC_PROTECTION,
    clock="one year after the last notification (Sexual Offences Act 2003 s85)",
    discharged_by=Side.OWNER, action="Record the outcome",
    outcomes=(Outcome("notified", "Offender notified"),
              Outcome("failed_to_notify", "Failed to notify: enforcement considered"),
              Outcome("registration_ended", "Registration ended")),
    summary="A registered offender re-notifies their details to the police every year.",
)

OFFENDER_ENFORCEMENT = DutyKind(
    name="offender_consider_enforcement", title="Consider enforcement of a late notification",
    owner=AgencyKind.POLICE, owner_role=Role.PUBLIC_PROTECTION,
    clock="5 working days after a change notified more than 3 days after it happened "
          "(Sexual Offences Act 2003 s84)",
    discharged_by=Side.OWNER, action="Record the decision",
    outcomes=(Outcome("enforcement", "Enforcement action (arrest or summons)"),
              Outcome("no_action", "No action: reasonable excuse (reason in the note)")),
    summary="The public protection unit decides whether to enforce a notification made late.",
)

OFFENDER_CHILD_SHARE = DutyKind(
    name="offender_child_share", title="Child near a registered sex offender: tell social care",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    owner_role=Role.PUBLIC_PROTECTION,
    clock="24 hours after the child is found near the offender",
    discharged_by=Side.PARTNER, action="Acknowledge notification",
    share=ShareSpec(
        purpose="A child lives with, near or is seen with a registered sex offender",
        fields=(ShareField("child_name", "Child’s name"),
                ShareField("child_dob", "Child’s date of birth", Shown.DATE),
                ShareField("police_reference", "Registration reference"),
                ShareField("address", "Address"),
                ShareField("found_from", "Found from"),
                ShareField("offender_name", "Offender’s name"),
                ShareField("risk_level", "Risk (ARMS)"),
                ShareField("mappa", "MAPPA"),
                ShareField("offender_manager", "Offender manager"))),
    on_arrival=referral_decision_on_arrival,
    summary="Police tell children's social care that a child lives with, near or was seen "
            "with a registered sex offender.",
)
