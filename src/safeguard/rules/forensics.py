"""Pure rules of the forensics area: facts in, duty drafts out (declared kinds live here too).

A seized device is examined in order of the risk to children: priority 1 (a threat to life,
or a suspect with access to children, by the officer's view or because partner records place
a child at the suspect's address), 2 (indecent images or a contact sexual offence otherwise),
3 (the rest). A priority only rises: a child's record at the suspect's address arriving later,
or a triage finding category A or new images, raises it, and its clocks shorten to run from
the fact that raised it (never past the clock it already had).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from safeguard.access.models import AgencyKind
from safeguard.config import ForensicsSettings
from safeguard.dates import london_datetime
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import referral_decision_on_arrival
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.kinds import DutyKind, Outcome, Rule, ShareField, ShareSpec, Shown, Side
from safeguard.rules.quality import Gap
from safeguard.workdays import WorkingCalendar

TRIAGE_RULE = Rule("forensic-triage-clock", "1")
EXAMINATION_RULE = Rule("forensic-examination-clock", "1")
FINDINGS_RULE = Rule("forensic-findings-to-social-care", "1")
STRATEGY_RULE = Rule("forensic-findings-strategy-discussion", "1")
SERIOUS_OFFENCES = ("iioc", "contact_sexual_offence")
OFFENCE_WORDS = {"iioc": "indecent images of children", "contact_sexual_offence":
                 "a contact sexual offence", "other": "another offence"}


@dataclass(frozen=True)
class PriorityFacts:
    """What is known of a device and its suspect when its priority is assessed."""

    offence: str
    threat_to_life: bool
    officer_says_access: bool
    # Each child partner records place at the suspect's address, in words with the record
    # ("Mia Jones (education record E-88)").
    children_at_address: tuple[str, ...] = ()
    # What triage found, once it has.
    category_a: int = 0
    new_images: int = 0


@dataclass(frozen=True)
class Assessed:
    priority: int
    reason: str


def assess_priority(facts: PriorityFacts) -> Assessed:
    """The priority the facts call for, with the reason in words."""
    urgent: list[str] = []
    if facts.threat_to_life:
        urgent.append("a threat to life")
    if facts.officer_says_access:
        urgent.append("the officer records that the suspect has access to children")
    if facts.children_at_address:
        urgent.append("partner records place a child at the suspect's address: "
                      + "; ".join(facts.children_at_address))
    if facts.category_a:
        urgent.append(f"triage found {facts.category_a} category A image"
                      f"{'s' if facts.category_a != 1 else ''}")
    if facts.new_images:
        urgent.append(f"triage found {facts.new_images} image"
                      f"{'s' if facts.new_images != 1 else ''} not known to the national "
                      "Child Abuse Image Database (a child may yet be unidentified)")
    if urgent:
        return Assessed(1, "; ".join(urgent))
    if facts.offence in SERIOUS_OFFENCES:
        return Assessed(2, f"the offence is {OFFENCE_WORDS[facts.offence]}")
    return Assessed(3, "no factor raising its priority")


def risen(current: int, assessed: Assessed) -> Assessed | None:
    """The new priority when the facts call for a higher one; None when they do not (a
    priority never falls)."""
    return assessed if assessed.priority < current else None


@dataclass(frozen=True)
class Clocks:
    triage_due: datetime | None
    complete_due: datetime


def clocks_for(priority: int, *, start: datetime, settings: ForensicsSettings,
               before: Clocks | None = None) -> Clocks:
    """The triage and completion deadlines of a priority, counted in days from `start` (the
    submission, or the fact that raised the priority); a raised priority never gives a later
    deadline than the one the device already had."""
    triage_days = {1: settings.p1_triage_days, 2: settings.p2_triage_days}.get(priority)
    complete_days = {1: settings.p1_complete_days, 2: settings.p2_complete_days,
                     3: settings.p3_complete_days}[priority]
    triage = start + timedelta(days=triage_days) if triage_days is not None else None
    complete = start + timedelta(days=complete_days)
    if before is not None:
        complete = min(complete, before.complete_due)
        if triage is not None and before.triage_due is not None:
            triage = min(triage, before.triage_due)
    return Clocks(triage, complete)


def submission_gaps(*, exhibit: str, suspect_person_id: int | None, suspect_name: str | None,
                    address_known: bool) -> list[Gap]:
    """A named suspect with no address on the submission or any agency's record: whether
    children live with them cannot be checked, so the police are asked to find it."""
    if suspect_person_id is None or address_known:
        return []
    return [Gap("suspect_address_unknown", AgencyKind.POLICE, suspect_person_id,
                f"seized device {exhibit}: no address is known for its suspect "
                f"{suspect_name or ''}, so whether partner records place a child with them, "
                "which would make it priority 1, cannot be checked")]


def _when(at: datetime) -> str:
    return london_datetime(at)


@dataclass(frozen=True)
class DeviceFacts:
    """One device in words, for the reasons its duties give."""

    exhibit: str
    case_reference: str
    device: str
    suspect_name: str | None
    suspect_person_id: int | None
    priority: int
    priority_reason: str


def _device_words(device: DeviceFacts) -> str:
    suspect = f" (suspect {device.suspect_name})" if device.suspect_name else ""
    return (f"{device.device} exhibit {device.exhibit}, case {device.case_reference}"
            f"{suspect}, priority {device.priority}: {device.priority_reason}")


def triage_duty(device: DeviceFacts, *, due_at: datetime) -> DutyDraft:
    return DEVICE_TRIAGE.draft(
        rule=TRIAGE_RULE, subject_person_id=device.suspect_person_id, due_at=due_at,
        reason=f"{_device_words(device)}. The digital forensics unit must triage it by "
               f"{_when(due_at)}.")


def examination_duty(device: DeviceFacts, *, due_at: datetime) -> DutyDraft:
    return DEVICE_EXAMINATION.draft(
        rule=EXAMINATION_RULE, subject_person_id=device.suspect_person_id, due_at=due_at,
        reason=f"{_device_words(device)}. The digital forensics unit must complete its "
               f"examination by {_when(due_at)}.")


@dataclass(frozen=True)
class FindingsFacts:
    category_a: int
    category_b: int
    category_c: int
    new_images: int
    at: datetime
    step: str


@dataclass(frozen=True)
class ChildAtRisk:
    person_id: int
    name: str
    dob: str | None
    # Why: "identified as a victim in the images" or "lives with the suspect (health record
    # H-1)".
    why: str
    victim: bool
    address: str | None = None


def findings_words(findings: FindingsFacts) -> str:
    counts = [f"{n} category {c}" for n, c in ((findings.category_a, "A"),
                                                (findings.category_b, "B"),
                                                (findings.category_c, "C")) if n]
    words = ", ".join(counts) + " images" if counts else "no categorised images"
    if findings.new_images:
        words += f"; {findings.new_images} not known to the Child Abuse Image Database"
    return words


def children_to_protect(findings: FindingsFacts, *, victims: tuple[ChildAtRisk, ...],
                        living_with_suspect: tuple[ChildAtRisk, ...]) -> tuple[ChildAtRisk, ...]:
    """The children whose social care must hear of the findings: every child identified as a
    victim, and, where category A or B images were found, every child living with the
    suspect (one entry per child)."""
    chosen = {child.person_id: child for child in victims}
    if findings.category_a or findings.category_b:
        for child in living_with_suspect:
            chosen.setdefault(child.person_id, child)
    return tuple(chosen.values())


def findings_share_duties(device: DeviceFacts, findings: FindingsFacts,
                          children: tuple[ChildAtRisk, ...], *, recorded_at: datetime,
                          settings: ForensicsSettings) -> list[DutyDraft]:
    """Police share the findings with children's social care, one share per child."""
    due = recorded_at + timedelta(hours=settings.share_hours)
    drafts = []
    for child in children:
        drafts.append(FINDINGS_SHARE.draft(
            rule=FINDINGS_RULE, subject_person_id=child.person_id, due_at=due,
            reason=(f"the {findings.step} of {device.device} exhibit {device.exhibit} (case "
                    f"{device.case_reference}) on {_when(findings.at)} found "
                    f"{findings_words(findings)}; {child.name} {child.why}. Police must share "
                    f"this with children's social care within {settings.share_hours:g} "
                    "hours."),
            share_content={
                "child_name": child.name, "child_dob": child.dob,
                "police_reference": device.case_reference, "exhibit": device.exhibit,
                "findings": findings_words(findings), "why": child.why,
                "identified_as_victim": child.victim, "address": child.address,
                "found_at": findings.at.isoformat()},
            evidence=(f"Forensic findings, exhibit {device.exhibit}: {findings_words(findings)};"
                      f" {child.name} {child.why}",)))
    return drafts


def strategy_evidence(device: DeviceFacts, findings: FindingsFacts, child: ChildAtRisk) -> str:
    """The line a strategy discussion about the child is given (raised, or added to the one
    open)."""
    return (f"Forensic examination of exhibit {device.exhibit} (case {device.case_reference}) "
            f"on {_when(findings.at)} found {findings_words(findings)}; {child.name} "
            f"{child.why}")


def strategy_discussion_duty(child: ChildAtRisk, evidence: str, *, recorded_at: datetime,
                             calendar: WorkingCalendar, working_days: int) -> DutyDraft:
    """Children's social care, police and health meet about a child the findings concern
    (the joint kind: one open per child, so the caller adds the evidence to an open one
    instead of drafting this)."""
    return STRATEGY_DISCUSSION.draft(
        rule=STRATEGY_RULE, subject_person_id=child.person_id,
        due_at=calendar.add_working_days(recorded_at, working_days),
        reason=(f"forensic findings concern {child.name}. Children's social care must hold a "
                f"strategy discussion with police and health within {working_days} working "
                f"day{'s' if working_days != 1 else ''}. Evidence: (1) {evidence}."),
        evidence=(evidence,))


DEVICE_TRIAGE = DutyKind(
    name="device_triage", title="Triage a seized device",
    owner=AgencyKind.POLICE,
    clock="2 days (priority 1) or 14 days (priority 2) after submission, or after the fact "
          "that raised its priority; none for priority 3",
    discharged_by=Side.OWNER, action="Record triage",
    outcomes=(Outcome("triaged", "Triaged"),),
    summary="The digital forensics unit triages a seized device for indecent images of "
            "children; a step of the device's examination discharges it.",
)

DEVICE_EXAMINATION = DutyKind(
    name="device_examination", title="Examine a seized device",
    owner=AgencyKind.POLICE,
    clock="30 days (priority 1), 90 (priority 2) or 180 (priority 3) after submission, or "
          "after the fact that raised its priority",
    discharged_by=Side.OWNER, action="Record examination outcome",
    outcomes=(Outcome("completed", "Examination completed"),
              Outcome("returned_unexamined", "Returned unexamined")),
    summary="The digital forensics unit completes a seized device's examination; the "
            "device's completed or returned-unexamined step discharges it.",
)

FINDINGS_SHARE = DutyKind(
    name="forensic_findings_share", title="Forensic findings to children's social care",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="24 hours after the findings are recorded",
    discharged_by=Side.PARTNER, action="Acknowledge findings",
    share=ShareSpec(
        purpose="Forensic findings about a child shared with children's social care (MASH)",
        fields=(ShareField("child_name", "Child’s name"),
                ShareField("child_dob", "Child’s date of birth", Shown.DATE),
                ShareField("police_reference", "Police case reference"),
                ShareField("exhibit", "Exhibit reference"),
                ShareField("findings", "Findings"),
                ShareField("why", "Why the child"),
                ShareField("identified_as_victim", "Identified as a victim", Shown.YES_NO),
                ShareField("address", "Address"),
                ShareField("found_at", "Found", Shown.DATETIME))),
    on_arrival=referral_decision_on_arrival,
    summary="Police tell children's social care of a child identified in seized images, or "
            "living with a suspect whose device held category A or B images.",
)
