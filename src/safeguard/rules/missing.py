"""Rules over children missing from home or care: pure functions from facts to duty drafts.

On report, police tell children's social care (within 1 hour at high risk, 24 hours
otherwise) and a placing authority that is another council; the child's school is told
before the next school day if the child is still missing when that day draws near. A
strategy discussion (social care's joint-work duty, one open per child) is called for by high
risk, exploitation, a repeat episode or a long absence. On return, social care owe a return
home interview within 72 clock hours. The kinds these rules raise are declared at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safeguard.access.models import AgencyKind
from safeguard.config import MissingSettings
from safeguard.dates import london_datetime
from safeguard.rules.context import RuleContext
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import FIND_SCHOOL, SCHOOL_AGES
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.kinds import DutyKind, Outcome, Rule, ShareField, ShareSpec, Shown, Side
from safeguard.rules.quality import DATA_QUALITY, QUALITY_RULE_VERSION
from safeguard.workdays import LONDON, SchoolCalendar, WorkingCalendar

NOTIFY_CSC_RULE = Rule("missing-notify-csc", "1")
NOTIFY_PLACING_RULE = Rule("missing-notify-placing-authority", "1")
PLACING_UNKNOWN_RULE = Rule("data-quality-placing-authority-unknown", QUALITY_RULE_VERSION)
SCHOOL_RULE = Rule("missing-school-notice", "1")
FIND_SCHOOL_RULE = Rule("missing-school-unknown", "1")
STRATEGY_RULE = Rule("missing-strategy-discussion", "1")
INTERVIEW_RULE = Rule("return-home-interview", "1")

RISK_WORDS = {"no_apparent_risk": "no apparent risk", "low": "low", "medium": "medium",
              "high": "high"}
INDICATOR_WORDS = {"sexual": "sexual exploitation", "criminal": "criminal exploitation",
                   "county_lines": "county lines", "trafficking": "trafficking"}


@dataclass(frozen=True)
class SchoolFact:
    """The child's school by the newest record naming one (its agency, name, URN and lead)."""

    agency_id: str
    urn: str
    name: str | None
    lead: str | None


@dataclass(frozen=True)
class EpisodeFacts:
    reference: str
    person_id: int
    child_name: str
    child_dob: str | None
    # Age in whole years on the day the child was last seen, when the date of birth is known.
    age: int | None
    missing_from: str
    last_seen_at: datetime
    reported_at: datetime
    risk: str
    indicators: tuple[str, ...]
    placement_provider: str | None = None
    # Another council responsible for the child: its code and name as reported, and its
    # agency when registered.
    placing_code: str | None = None
    placing_name: str | None = None
    placing_agency_id: str | None = None
    school: SchoolFact | None = None
    # When the child's earlier episodes started (last seen), for the repeat rule.
    earlier_starts: tuple[datetime, ...] = ()
    circumstances: str | None = None


def when(at: datetime) -> str:
    return london_datetime(at)


def indicator_words(indicators: tuple[str, ...] | list[str]) -> str:
    return ", ".join(INDICATOR_WORDS.get(i, i) for i in indicators)


def _episode_words(facts: EpisodeFacts) -> str:
    where = "care" + (f" ({facts.placement_provider})" if facts.placement_provider else "") \
        if facts.missing_from == "care" else "home"
    return (f"{facts.child_name} was reported missing from {where} at {when(facts.reported_at)} "
            f"(police reference {facts.reference}, last seen {when(facts.last_seen_at)}, "
            f"{RISK_WORDS[facts.risk]} risk)")


def _content(facts: EpisodeFacts) -> dict[str, object]:
    return {
        "child_name": facts.child_name, "child_dob": facts.child_dob,
        "police_reference": facts.reference, "missing_from": facts.missing_from,
        "placement_provider": facts.placement_provider,
        "last_seen_at": facts.last_seen_at.isoformat(),
        "reported_at": facts.reported_at.isoformat(), "risk": facts.risk,
        "exploitation_indicators": indicator_words(facts.indicators) or None,
        "circumstances": facts.circumstances,
    }


def notify_hours(risk: str, settings: MissingSettings) -> float:
    return settings.notify_high_risk_hours if risk == "high" else settings.notify_hours


def notify_duties(facts: EpisodeFacts, settings: MissingSettings,
                  regraded_at: datetime | None = None) -> list[DutyDraft]:
    """Police tell children's social care, and a placing authority that is another council;
    a placing authority not registered with the product cannot be sent the notice, so
    children's social care must reach it another way (a data-quality task, same clock).
    Re-graded to high risk during the episode, they are told again, on the high-risk clock
    from the re-grading."""
    hours = notify_hours(facts.risk, settings)
    due = WorkingCalendar.add_hours(regraded_at or facts.reported_at, hours)
    clock = (f"within {hours:g} hour{'s' if hours != 1 else ''} of the report "
             f"({'high risk' if facts.risk == 'high' else 'not high risk'})")
    words = _episode_words(facts)
    if regraded_at is not None:
        clock = f"within {hours:g} hour{'s' if hours != 1 else ''} of the re-grading"
        words = f"{words}; re-graded to high risk at {when(regraded_at)}"
    rule = NOTIFY_CSC_RULE if regraded_at is None else Rule(
        f"{NOTIFY_CSC_RULE.name}-regraded", NOTIFY_CSC_RULE.version)
    drafts = [MISSING_NOTIFY_CSC.draft(
        rule=rule, subject_person_id=facts.person_id, due_at=due,
        reason=f"{words}. Police must tell children's social care {clock}.",
        share_content=_content(facts))]
    if facts.placing_code is None:
        return drafts
    council = facts.placing_name or f"the council with local-authority code {facts.placing_code}"
    if facts.placing_agency_id is not None:
        drafts.append(MISSING_NOTIFY_PLACING.draft(
            rule=NOTIFY_PLACING_RULE, subject_person_id=facts.person_id, due_at=due,
            partner_agency_id=facts.placing_agency_id,
            reason=(f"{words}. {council} placed the child here and is "
                    f"responsible for them: police must tell it {clock}."),
            share_content=_content(facts)))
    else:
        drafts.append(DATA_QUALITY.draft(
            rule=PLACING_UNKNOWN_RULE, subject_person_id=facts.person_id, due_at=due,
            owner_agency_id=AgencyKind.CHILDRENS_SOCIAL_CARE.value,
            reason=(f"{words}. The placing authority, {council} (code "
                    f"{facts.placing_code}), is not registered with the product, so the "
                    f"missing notice cannot be sent to it. Children's social care must tell "
                    f"it by telephone {clock} and have it registered.")))
    return drafts


def school_check_at(reported_at: datetime, schools: SchoolCalendar,
                    settings: MissingSettings) -> datetime:
    """When to ask whether the child is still missing as the next school day draws near:
    the lead time before that day starts, or at once if the report came later than that."""
    start = schools.next_school_day_start(reported_at)
    return max(reported_at, start - timedelta(hours=settings.school_check_lead_hours))


def school_duties(facts: EpisodeFacts, *, checked_at: datetime,
                  schools: SchoolCalendar) -> list[DutyDraft]:
    """Still missing as the school day draws near: police tell the child's school's
    designated safeguarding lead before it starts. No school on record, for a child of school
    age or unknown age: the education service finds it, on the same clock."""
    due = schools.next_school_day_start(checked_at)
    missing = (f"{facts.child_name} has been missing since {when(facts.last_seen_at)} "
               f"(police reference {facts.reference}) and was still missing at "
               f"{when(checked_at)}")
    school = facts.school
    if school is None:
        if facts.age is not None and facts.age not in SCHOOL_AGES:
            return []
        age = (f"aged {facts.age}" if facts.age is not None
               else "of unknown age (no date of birth on record)")
        return [FIND_SCHOOL.draft(
            rule=FIND_SCHOOL_RULE, subject_person_id=facts.person_id, due_at=due,
            reason=(f"{missing}. The child, {age}, has no school on any record, so the school "
                    f"cannot be told. The education service must find the school and make "
                    f"sure its designated safeguarding lead is told before the next school "
                    f"day starts ({when(due)})."))]
    name = school.name or f"the school with URN {school.urn}"
    tell = (f"{name}'s designated safeguarding lead ({school.lead})" if school.lead else
            f"{name} (URN {school.urn}); no designated safeguarding lead is on record, so "
            "telephone the school and ask for its lead")
    return [MISSING_SCHOOL_NOTICE.draft(
        rule=SCHOOL_RULE, subject_person_id=facts.person_id, due_at=due,
        partner_agency_id=school.agency_id,
        reason=f"{missing}. Police must tell {tell} before the next school day starts "
               f"({when(due)}).",
        share_content={**{k: v for k, v in _content(facts).items()
                          if k in MISSING_SCHOOL_NOTICE_KEYS}, "school_urn": school.urn})]


# ---------------------------------------------------------------- strategy discussion


def repeat_count(facts: EpisodeFacts, settings: MissingSettings) -> int:
    """Episodes starting within the window up to this one, this one included."""
    window = timedelta(days=settings.repeat_window_days)
    return 1 + sum(1 for start in facts.earlier_starts
                   if start <= facts.last_seen_at and facts.last_seen_at - start <= window)


def report_evidence(facts: EpisodeFacts, settings: MissingSettings) -> list[str]:
    """Why the report alone calls for a strategy discussion; empty when it does not."""
    lines = []
    if facts.risk == "high":
        lines.append(f"Missing episode {facts.reference} was graded high risk at report "
                     f"({when(facts.reported_at)})")
    if facts.indicators:
        lines.append(f"Exploitation indicators recorded in missing episode {facts.reference}: "
                     f"{indicator_words(facts.indicators)}")
    count = repeat_count(facts, settings)
    if count >= settings.repeat_episode_count:
        lines.append(f"{REPEAT_EVIDENCE}{facts.reference} (last seen "
                     f"{when(facts.last_seen_at)}) is the child's {_ordinal(count)} within "
                     f"{settings.repeat_window_days} days{REPEAT_THRESHOLD}"
                     f"{settings.repeat_episode_count})")
    return lines


# How the repeat trigger's line reads, so the measures can tell it from the other triggers'
# lines (high risk, exploitation) on the strategy discussion it raised or added to.
REPEAT_EVIDENCE = "Missing episode "
REPEAT_THRESHOLD = " (threshold "


def is_repeat_evidence(line: str) -> bool:
    return line.startswith(REPEAT_EVIDENCE) and REPEAT_THRESHOLD in line


def update_evidence(*, reference: str, at: datetime, risk_before: str, risk_now: str | None,
                    indicators_before: tuple[str, ...], indicators_now: tuple[str, ...]
                    ) -> list[str]:
    """A re-grading to high risk, or exploitation newly seen, during the episode."""
    lines = []
    if risk_now == "high" and risk_before != "high":
        lines.append(f"Missing episode {reference} was re-graded from "
                     f"{RISK_WORDS[risk_before]} to high risk at {when(at)}")
    new = tuple(i for i in indicators_now if i not in indicators_before)
    if new:
        lines.append(f"Exploitation indicators recorded in missing episode {reference} at "
                     f"{when(at)}: {indicator_words(new)}")
    return lines


def long_open_evidence(*, reference: str, last_seen_at: datetime, now: datetime,
                       settings: MissingSettings) -> list[str]:
    """Still missing once the threshold has passed since the child was last seen."""
    hours = settings.open_strategy_hours
    if now - last_seen_at < timedelta(hours=hours):
        return []
    return [f"Missing episode {reference}: the child has not been found {hours:g} hours after "
            f"last being seen ({when(last_seen_at)}); still missing at {when(now)}"]


def long_open_check_at(last_seen_at: datetime, settings: MissingSettings) -> datetime:
    return WorkingCalendar.add_hours(last_seen_at, settings.open_strategy_hours)


def strategy_duty(*, person_id: int, child_name: str, evidence: list[str], at: datetime,
                  ctx: RuleContext, rule_suffix: str = "") -> list[DutyDraft]:
    """A strategy discussion, when there is evidence for one (the caller adds the evidence to
    the child's open one instead, when there is one)."""
    if not evidence:
        return []
    days = ctx.sharing.strategy_discussion_working_days
    reason = (f"{child_name} is missing or has been missing, and what is known needs a joint "
              f"assessment. Children's social care must hold a strategy discussion with "
              f"police and health within {days} working day{'s' if days != 1 else ''}. "
              "Evidence: " + " ".join(f"({n}) {line}." for n, line in
                                      enumerate(evidence, start=1)))
    return [STRATEGY_DISCUSSION.draft(
        # A trigger the worker finds later names its own rule, so it is not mistaken for the
        # report's discussion (one duty per rule and event) once that one has been held.
        rule=Rule(STRATEGY_RULE.name + rule_suffix, STRATEGY_RULE.version),
        subject_person_id=person_id, due_at=ctx.calendar.add_working_days(at, days),
        reason=reason,
        evidence=tuple(evidence))]


# ---------------------------------------------------------------- return home interview


def return_interview_duty(*, reference: str, person_id: int, child_name: str,
                          returned_at: datetime, settings: MissingSettings) -> DutyDraft:
    hours = settings.return_interview_hours
    due = WorkingCalendar.add_hours(returned_at, hours)
    return RETURN_HOME_INTERVIEW.draft(
        rule=INTERVIEW_RULE, subject_person_id=person_id, due_at=due,
        reason=(f"{child_name} returned at {when(returned_at)} from missing episode "
                f"{reference}. Children's social care must offer a return home interview by "
                f"an independent person within {hours:g} clock hours of the return (weekends "
                f"and bank holidays count), by {when(due)}."))


def interview_note(*, outcome: str, independent: bool, held_at: datetime | None,
                   provider: str | None, reason: str | None) -> str:
    """How a return_interview event discharges the duty, in words, flagged when the person
    who held it was not independent of the child's care."""
    said = {"completed": f"Held {when(held_at)}" if held_at else "Held",
            "declined": "Declined by the child", "not_possible": "Not possible"}[outcome]
    parts = [said + (f" by {provider}" if provider else "")]
    if reason:
        parts.append(f"Reason: {reason}")
    if not independent:
        parts.append("FLAG: not held by an independent person, as the statutory guidance "
                     "expects")
    return ". ".join(parts) + "."


# ---------------------------------------------------------------- SSDA903 missing module


def ssda903_row(*, child: str, sex: str | None, dob: str | None, risk: str,
                started: datetime, ended: datetime | None) -> dict[str, str]:
    """One episode in the SSDA903 missing module's columns. MISSING is M for a child missing
    (whereabouts unknown) and A for one away from placement without authorisation, which
    police grade "no apparent risk" (absent); dates are the day in London, DD/MM/YYYY."""
    return {
        "CHILD": child,
        "SEX": {"male": "1", "female": "2"}.get(sex or "", ""),
        "DOB": f"{dob[8:10]}/{dob[5:7]}/{dob[0:4]}" if dob else "",
        "MISSING": "A" if risk == "no_apparent_risk" else "M",
        "MIS_START": started.astimezone(LONDON).strftime("%d/%m/%Y"),
        "MIS_END": ended.astimezone(LONDON).strftime("%d/%m/%Y") if ended else "",
    }


SSDA903_COLUMNS = ("CHILD", "SEX", "DOB", "MISSING", "MIS_START", "MIS_END")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ------------------------------------------------------------ the kinds these rules raise

_EPISODE_FIELDS = (
    ShareField("child_name", "Child’s name"),
    ShareField("child_dob", "Child’s date of birth", Shown.DATE),
    ShareField("police_reference", "Police reference"),
    ShareField("missing_from", "Missing from", Shown.WORDS),
    ShareField("placement_provider", "Placement"),
    ShareField("last_seen_at", "Last seen", Shown.DATETIME),
    ShareField("reported_at", "Reported missing", Shown.DATETIME),
    ShareField("risk", "Risk", Shown.WORDS),
    ShareField("exploitation_indicators", "Exploitation indicators"),
    ShareField("circumstances", "Circumstances"),
)

MISSING_NOTIFY_CSC = DutyKind(
    name="missing_notify_csc", title="Missing child notice to children's social care",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="1 hour after the report at high risk, 24 hours otherwise",
    discharged_by=Side.PARTNER, action="Acknowledge notice",
    share=ShareSpec(purpose="Notice of a child missing from home or care to children's "
                            "social care", fields=_EPISODE_FIELDS),
    summary="Police tell children's social care that a child is missing.",
)

MISSING_NOTIFY_PLACING = DutyKind(
    name="missing_notify_placing_authority",
    title="Missing child notice to the placing authority",
    # The partner is the other council that placed the child, named per duty.
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="1 hour after the report at high risk, 24 hours otherwise",
    discharged_by=Side.PARTNER, action="Acknowledge notice",
    share=ShareSpec(purpose="Notice of a looked-after child missing to the council that "
                            "placed them", fields=_EPISODE_FIELDS),
    summary="Police tell the council that placed a looked-after child here (another "
            "council) that the child is missing.",
)

MISSING_SCHOOL_NOTICE_KEYS = ("child_name", "child_dob", "police_reference", "last_seen_at",
                              "risk")
MISSING_SCHOOL_NOTICE = DutyKind(
    name="missing_school_notice", title="Missing child notice to school",
    owner=AgencyKind.POLICE, partner=AgencyKind.SCHOOL,
    clock="the start (08:30) of the next school day, when the child is still missing 2 hours "
          "before it",
    discharged_by=Side.PARTNER, action="Acknowledge notice",
    outcomes=(Outcome("told_by_telephone", "Told the school by telephone", Side.OWNER),),
    share=ShareSpec(
        purpose="Notice to the school's safeguarding lead that a pupil is missing",
        fields=(*(f for f in _EPISODE_FIELDS if f.key in MISSING_SCHOOL_NOTICE_KEYS),
                ShareField("school_urn", "School URN"))),
    summary="Police tell the school's designated safeguarding lead that a pupil is still "
            "missing before the school day starts.",
)

RETURN_HOME_INTERVIEW = DutyKind(
    name="return_home_interview", title="Return home interview",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="72 clock hours after the child returns",
    discharged_by=Side.OWNER, action="Record return interview",
    outcomes=(Outcome("completed", "Held"),
              Outcome("declined", "Declined by the child (reason in the note)"),
              Outcome("not_possible", "Not possible (reason in the note)")),
    summary="Children's social care offer the child an interview by an independent person "
            "after a missing episode.",
)
