"""The inspection measures, each declared once: the failing it evidences, what it counts, its
target, and how a duty becomes one of its figures.

A measure groups indicators; an indicator is the unit with a numerator, a denominator, a
target and a drill-down. How a duty counts is a pure function of the duty (`Item` in,
`Judged` out), so the figures are kept current one duty at a time as its history grows
(measures.service.refresh) and each rule is testable without a database. docs/measures.md is
written from these declarations (`safeguard measures doc`; a test compares).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from safeguard.duties.models import DUPLICATE, DutyStatus
from safeguard.rules.catalogue import SHARE_KINDS
from safeguard.rules.custody import (
    ACCOMMODATION_REQUEST,
    AFTER_CHARGE_MIDNIGHT,
    CERTIFICATE_NOTICE,
    DETENTION_ENDED,
    TRANSFER_OR_CERTIFICATE,
)
from safeguard.rules.forensics import DEVICE_EXAMINATION
from safeguard.rules.incidents import ENCOMPASS_NOTICE, SHARE_WITH_CSC
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.missing import RETURN_HOME_INTERVIEW, is_repeat_evidence
from safeguard.rules.offenders import OFFENDER_CHILD_SHARE, OFFENDER_HOME_VISIT


@dataclass(frozen=True)
class Item:
    """What an indicator knows of one duty (and its share and incident, where it has them)."""

    duty_id: int
    kind: str
    status: str
    owner_agency_id: str
    partner_agency_id: str | None
    created_at: datetime
    due_at: datetime
    discharged_at: datetime | None
    breached_at: datetime | None
    outcome: str | None
    evidence: tuple[str, ...] = ()
    acknowledged_at: datetime | None = None
    share_content: Mapping[str, object] | None = None
    incident_kind: str | None = None
    incident_recorded_at: datetime | None = None
    # An area's own facts the duty does not carry: a seized device's priority now (it only
    # rises), and when a detained child was charged.
    device_priority: int | None = None
    charged_at: datetime | None = None


@dataclass(frozen=True)
class Judged:
    """One duty's part in an indicator: when it started (its month), whose it is, whether its
    outcome is known (counted in the denominator) and good (the numerator)."""

    started_at: datetime
    agency_id: str
    counted: bool
    met: bool
    breached: bool
    seconds: float | None = None
    # The indicator's own breakdown, where it declares one (a device's priority, an
    # offender's manager, a certificate's reason); "" where it has none.
    segment: str = ""


Judge = Callable[[Item], Judged | None]


class Breakdown(StrEnum):
    OWNER = "owner"
    PARTNER = "partner"


BREAKDOWN_WORDS = {Breakdown.OWNER: "agency that owns the duty",
                   Breakdown.PARTNER: "receiving agency"}


@dataclass(frozen=True)
class Indicator:
    name: str
    title: str
    # The question in an inspector's words, and what each side of the fraction counts.
    question: str
    numerator: str
    denominator: str
    kinds: tuple[str, ...]
    judge: Judge
    by: Breakdown
    # Default target and amber threshold (fractions); None = reported, not held to a target
    # (a count of what the product found is neither good nor bad in itself).
    target: float | None = 0.95
    amber: float | None = 0.85
    # Whether times (median, 90th percentile) are shown beside the fraction, and what they
    # time (from ... to ...), in words for docs/measures.md.
    durations: bool = False
    timed: str = "the incident being recorded to the acknowledgement"
    # What Judged.segment means, when the indicator breaks down by it ("priority"); its
    # pages then show that breakdown too.
    segment: str | None = None
    # Whether the duties still open (outcome not known: a backlog, a caseload) are shown.
    shows_open: bool = False


@dataclass(frozen=True)
class Measure:
    number: int
    slug: str
    title: str
    failing: str
    indicators: tuple[Indicator, ...]

    @property
    def path(self) -> str:
        return f"/measures/{self.slug}"


def _known(item: Item) -> bool:
    """Whether a clocked duty's outcome is known: done, or past its clock without."""
    return item.discharged_at is not None or item.status == DutyStatus.BREACHED


def _on_time(item: Item) -> bool:
    return item.discharged_at is not None and item.discharged_at <= item.due_at


def _clocked(item: Item, agency_id: str | None) -> Judged | None:
    """A duty held to its clock: counted once its outcome is known, met if done in time."""
    if item.outcome == DUPLICATE or agency_id is None:
        return None
    return Judged(started_at=item.created_at, agency_id=agency_id, counted=_known(item),
                  met=_on_time(item), breached=item.breached_at is not None)


def _share(item: Item) -> Judged | None:
    """A share, timed from the incident being recorded (or the share being raised) to the
    partner's acknowledgement."""
    if item.outcome == DUPLICATE or item.partner_agency_id is None:
        return None
    start = item.incident_recorded_at or item.created_at
    ack = item.acknowledged_at or (item.discharged_at if item.discharged_at else None)
    return Judged(started_at=start, agency_id=item.partner_agency_id,
                  counted=ack is not None or item.status == DutyStatus.BREACHED,
                  met=ack is not None and ack <= item.due_at,
                  breached=item.breached_at is not None,
                  seconds=(ack - start).total_seconds() if ack is not None else None)


def _domestic_abuse(item: Item) -> bool:
    return item.incident_kind == "domestic_abuse"


def judge_share(item: Item) -> Judged | None:
    return _share(item)


def judge_child_notification(item: Item) -> Judged | None:
    return _share(item) if _domestic_abuse(item) else None


def judge_child_found(item: Item) -> Judged | None:
    """Every child notified from a domestic-abuse incident; met when the officer had not
    listed the child and the product found them in another agency's records."""
    if not _domestic_abuse(item) or item.outcome == DUPLICATE or item.partner_agency_id is None:
        return None
    listed = (item.share_content or {}).get("recorded_by_officer", True)
    return Judged(started_at=item.incident_recorded_at or item.created_at,
                  agency_id=item.owner_agency_id, counted=True, met=listed is False,
                  breached=False)


def judge_encompass(item: Item) -> Judged | None:
    return _clocked(item, item.partner_agency_id)


def judge_strategy_discussion(item: Item) -> Judged | None:
    return _clocked(item, item.owner_agency_id)


MULTI_AGENCY = "Concerns from "


def judge_multi_agency(item: Item) -> Judged | None:
    """A strategy discussion that concerns from several agencies asked for (its evidence says
    so, whether they raised it or were added to one already open)."""
    if not any(line.startswith(MULTI_AGENCY) for line in item.evidence):
        return None
    return _clocked(item, item.owner_agency_id)


def _seconds(item: Item, start: datetime) -> float | None:
    """How long the duty took from `start`, once done."""
    return (item.discharged_at - start).total_seconds() if item.discharged_at else None


def judge_return_interview(item: Item) -> Judged | None:
    judged = _clocked(item, item.owner_agency_id)
    return judged and replace(judged, seconds=_seconds(item, item.created_at))


def judge_repeat_missing(item: Item) -> Judged | None:
    """A strategy discussion the repeat-episode trigger asked for (raised, or added to the one
    open): met once held, late or not, since the question is whether it was held at all."""
    if item.outcome == DUPLICATE or not any(is_repeat_evidence(e) for e in item.evidence):
        return None
    return Judged(started_at=item.created_at, agency_id=item.owner_agency_id,
                  counted=_known(item), met=item.discharged_at is not None,
                  breached=item.breached_at is not None)


def judge_examination(item: Item) -> Judged | None:
    """A device's examination, in its priority's segment, timed from submission."""
    judged = _clocked(item, item.owner_agency_id)
    segment = f"priority {item.device_priority}" if item.device_priority else "unknown"
    return judged and replace(judged, seconds=_seconds(item, item.created_at),
                              segment=segment)


# A visit closed because it is no longer owed as it was: replaced by a plan's shorter
# interval, or not owed at all (reactive management, registration ended).
VISIT_NOT_OWED = ("rescheduled", "reactive", "registration_ended")


def judge_home_visit(item: Item) -> Judged | None:
    """A home visit the plan set; one closed as no longer owed counts only if it had already
    gone past its clock (a visit missed is missed whatever the plan became)."""
    if item.outcome in VISIT_NOT_OWED and item.breached_at is None:
        return None
    judged = _clocked(item, item.owner_agency_id)
    return judged and replace(judged, met=judged.met and item.outcome not in VISIT_NOT_OWED)


TRANSFER_WORDS = {"transferred": "moved", "certificate": "certificate",
                  DETENTION_ENDED: "left custody first (bail, court or release)"}


def judge_transfer(item: Item) -> Judged | None:
    """A child charged and refused bail: met when moved to local authority accommodation;
    the segment says what happened instead (a certificate, leaving custody another way)."""
    judged = _clocked(item, item.owner_agency_id)
    if judged is None:
        return None
    segment = (TRANSFER_WORDS.get(item.outcome or "", item.outcome or "")
               if item.discharged_at else "neither, past the clock" if judged.counted
               else "awaiting")
    return replace(judged, met=item.outcome == "transferred", segment=segment)


def judge_certificate(item: Item) -> Judged | None:
    """A certificate's notice to social care, by the custody officer's reason."""
    judged = _share(item)
    reason = str((item.share_content or {}).get("reason") or "not given")
    return judged and replace(judged, segment=reason.replace("_", " "))


def judge_after_charge(item: Item) -> Judged | None:
    """A child charged: met when out of custody by the midnight after the charge, timed from
    the charge to leaving (the hours held after charge)."""
    judged = _clocked(item, item.owner_agency_id)
    start = item.charged_at or item.created_at
    return judged and replace(judged, started_at=start, seconds=_seconds(item, start))


SHARES_IN_TIME = Indicator(
    name="shares_acknowledged_in_time", title="Shares acknowledged within their clock",
    question="How long from an incident being recorded to the partner acknowledging what was "
             "shared, and how often within the clock?",
    numerator="shares acknowledged by their deadline",
    denominator="shares whose outcome is known: acknowledged, or past their deadline without",
    kinds=SHARE_KINDS, judge=judge_share, by=Breakdown.PARTNER, durations=True)
STRATEGY_IN_TIME = Indicator(
    name="strategy_discussions_in_time", title="Strategy discussions held within their clock",
    question="Were strategy discussions about children at risk held within their clock?",
    numerator="strategy discussions held by their deadline",
    denominator="strategy discussions held, or past their deadline without",
    kinds=(STRATEGY_DISCUSSION.name,), judge=judge_strategy_discussion, by=Breakdown.OWNER,
    target=0.9, amber=0.75)
CHILD_NOTIFICATIONS = Indicator(
    name="child_notifications_in_time",
    title="Child-at-risk notifications from domestic abuse within their clock",
    question="At domestic-abuse incidents with children, did the child-at-risk notification "
             "reach children's social care within its clock?",
    numerator="notifications acknowledged by their deadline",
    denominator="notifications about children at domestic-abuse incidents whose outcome is known",
    kinds=(SHARE_WITH_CSC.name,), judge=judge_child_notification, by=Breakdown.PARTNER,
    durations=True)
CHILDREN_FOUND = Indicator(
    name="children_found_not_listed",
    title="Children the officer did not list whom the product found",
    question="How many children at domestic-abuse incidents were found in other agencies' "
             "records when the officer had not listed them?",
    numerator="children notified whom the officer had not listed",
    denominator="children notified from domestic-abuse incidents",
    kinds=(SHARE_WITH_CSC.name,), judge=judge_child_found, by=Breakdown.OWNER,
    target=None, amber=None)
ENCOMPASS_IN_TIME = Indicator(
    name="encompass_before_school_day", title="Encompass notices before the next school day",
    question="Did the child's school hear of the incident before the next school day began?",
    numerator="notices acknowledged (or the school told by telephone) by the start of the day",
    denominator="notices whose outcome is known",
    kinds=(ENCOMPASS_NOTICE.name,), judge=judge_encompass, by=Breakdown.PARTNER)
MULTI_AGENCY_IN_TIME = Indicator(
    name="multi_agency_concerns_assessed",
    title="Concerns from 2+ agencies jointly assessed in time",
    question="When several agencies raised concerns about one child, did a strategy discussion "
             "assess them together within its clock?",
    numerator="those strategy discussions held by their deadline",
    denominator="strategy discussions asked for by concerns from several agencies, whose "
                "outcome is known",
    kinds=(STRATEGY_DISCUSSION.name,), judge=judge_multi_agency, by=Breakdown.OWNER,
    target=0.9, amber=0.75)
RETURN_INTERVIEWS_IN_TIME = Indicator(
    name="return_interviews_in_time", title="Return home interviews within 72 hours",
    question="After a child came back from a missing episode, did children's social care "
             "hold the return home interview within 72 hours of the return?",
    numerator="interviews recorded (held, declined or not possible) by their deadline",
    denominator="interviews owed whose outcome is known: recorded, or past their deadline "
                "without",
    kinds=(RETURN_HOME_INTERVIEW.name,), judge=judge_return_interview, by=Breakdown.OWNER,
    target=0.9, amber=0.75, durations=True, shows_open=True,
    timed="the return being recorded to the interview's outcome being recorded")
REPEAT_MISSING_DISCUSSED = Indicator(
    name="repeat_missing_discussed",
    title="Children missing 3+ times in 90 days: strategy discussion held",
    question="When a child went missing again and again (the repeat threshold within its "
             "window), was a strategy discussion held?",
    numerator="those strategy discussions held (in time or late)",
    denominator="strategy discussions the repeat episodes asked for, held or past their "
                "deadline",
    kinds=(STRATEGY_DISCUSSION.name,), judge=judge_repeat_missing, by=Breakdown.OWNER,
    target=0.9, amber=0.75, shows_open=True)
DEVICES_IN_TIME = Indicator(
    name="devices_examined_in_time", title="Devices examined within their priority's clock",
    question="Were seized devices examined within the clock their priority sets, and how "
             "many are still waiting?",
    numerator="examinations completed (or the device returned unexamined) by the deadline",
    denominator="devices whose outcome is known: examined, or past their deadline without",
    kinds=(DEVICE_EXAMINATION.name,), judge=judge_examination, by=Breakdown.OWNER,
    target=0.9, amber=0.75, durations=True, segment="priority", shows_open=True,
    timed="the device's submission being recorded to its examination ending")
HOME_VISITS_IN_TIME = Indicator(
    name="offender_visits_in_time",
    title="Home visits to registered sex offenders within the plan's interval",
    question="Were registered sex offenders visited at home as often as their risk "
             "management plans say, and how many visits are due now?",
    numerator="home visits made by their deadline",
    denominator="visits owed whose outcome is known: made, or past their deadline without",
    kinds=(OFFENDER_HOME_VISIT.name,), judge=judge_home_visit, by=Breakdown.OWNER,
    target=0.9, amber=0.75, shows_open=True)


def _acknowledged(name: str, title: str, question: str, kind: str, what: str,
                  judge: Judge = judge_share, segment: str | None = None) -> Indicator:
    """A share with the receiving agency held to its clock, timed, by that agency."""
    return Indicator(name=name, title=title, question=question,
                     numerator=f"{what} acknowledged by their deadline",
                     denominator=f"{what} whose outcome is known", kinds=(kind,), judge=judge,
                     by=Breakdown.PARTNER, durations=True, segment=segment,
                     timed="the share being raised to its acknowledgement")


CHILDREN_NEAR_OFFENDERS = _acknowledged(
    "children_near_offenders_shared",
    "Children near registered sex offenders shared within their clock",
    "When a child was found living with, near or with a registered sex offender, did "
    "children's social care acknowledge the police's share within its clock?",
    OFFENDER_CHILD_SHARE.name, "shares")
CHILDREN_MOVED = Indicator(
    name="children_moved_after_charge",
    title="Children refused bail moved to local authority accommodation",
    question="When a child was charged and refused bail, were they moved to local authority "
             "accommodation, or did the custody officer certify why not?",
    numerator="children moved to local authority accommodation",
    denominator="children refused bail whose outcome is known: moved, certified, left "
                "custody another way, or past the clock with none of these",
    kinds=(TRANSFER_OR_CERTIFICATE.name,), judge=judge_transfer, by=Breakdown.OWNER,
    target=0.9, amber=0.75, segment="what happened", shows_open=True)
CERTIFICATES_SHARED = _acknowledged(
    "certificates_shared_in_time",
    "Certificates keeping a child in custody (PACE s38(6)) shared in time, by reason",
    "When a custody officer certified that a child could not be moved, did children's social "
    "care acknowledge the notice within its clock, and why was each child kept?",
    CERTIFICATE_NOTICE.name, "certificate notices", judge=judge_certificate,
    segment="reason")
ACCOMMODATION_ASKED = _acknowledged(
    "accommodation_requests_acknowledged",
    "Requests for local authority accommodation acknowledged in time",
    "Did children's social care acknowledge the police's request for accommodation for a "
    "child refused bail within its clock?",
    ACCOMMODATION_REQUEST.name, "requests")
OUT_BY_MIDNIGHT = Indicator(
    name="charged_out_by_midnight",
    title="Children charged out of custody by midnight, and hours held after charge",
    question="How long were children held in police custody after charge, and how often "
             "were they out (bailed, moved, taken to court) by the midnight after it?",
    numerator="children out of custody by the midnight after the charge",
    denominator="children charged whose outcome is known: out, or still held at midnight",
    kinds=(AFTER_CHARGE_MIDNIGHT.name,), judge=judge_after_charge, by=Breakdown.OWNER,
    target=0.9, amber=0.75, durations=True,
    timed="the charge to the child leaving custody (the hours held after charge)")

MEASURES: tuple[Measure, ...] = (
    Measure(1, "sharing-with-partners", "Sharing with partners",
            "Slow or missing information sharing with partner agencies",
            (SHARES_IN_TIME,)),
    Measure(2, "joint-work", "Joint work on children at risk and missing",
            "Missed joint work on children at risk of significant harm and children missing "
            "from home or care",
            (STRATEGY_IN_TIME, RETURN_INTERVIEWS_IN_TIME, REPEAT_MISSING_DISCUSSED)),
    Measure(3, "risk-at-incidents", "Risk recognised at incidents",
            "Risk not recognised at incidents, especially domestic abuse",
            (CHILD_NOTIFICATIONS, CHILDREN_FOUND, ENCOMPASS_IN_TIME)),
    Measure(4, "further-concerns", "Further concerns shared and jointly assessed",
            "Further concerns not shared, so no agency jointly assessed whether risk had "
            "increased", (MULTI_AGENCY_IN_TIME,)),
    Measure(5, "devices-awaiting-examination", "Devices awaiting examination",
            "Long delays analysing seized computers for indecent images of children",
            (DEVICES_IN_TIME,)),
    Measure(6, "offender-management", "Offender management",
            "Too few staff managing registered sex offenders",
            (HOME_VISITS_IN_TIME, CHILDREN_NEAR_OFFENDERS)),
    Measure(7, "children-detained-after-charge", "Children detained after charge",
            "Children held in police custody after charge when they should have been moved "
            "to local authority accommodation",
            (CHILDREN_MOVED, CERTIFICATES_SHARED, ACCOMMODATION_ASKED, OUT_BY_MIDNIGHT)),
)

INDICATORS: dict[str, Indicator] = {i.name: i for m in MEASURES for i in m.indicators}
MEASURE_OF: dict[str, Measure] = {i.name: m for m in MEASURES for i in m.indicators}
# Every duty kind any indicator reads: a duty of another kind never becomes a figure.
MEASURED_KINDS: frozenset[str] = frozenset(k for i in INDICATORS.values() for k in i.kinds)


def measure_by_slug(slug: str) -> Measure | None:
    return next((m for m in MEASURES if m.slug == slug), None)


def judge_all(item: Item) -> list[tuple[Indicator, Judged]]:
    """Every indicator's view of one duty (most duties count in none, a share in several)."""
    found: list[tuple[Indicator, Judged]] = []
    for indicator in INDICATORS.values():
        if item.kind in indicator.kinds:
            judged = indicator.judge(item)
            if judged is not None:
                found.append((indicator, judged))
    return found
