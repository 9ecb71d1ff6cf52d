"""Pure rules of a child's detention in police custody: facts in, duty drafts out.

PACE and its Code C and the Concordat on Children in Custody (2017): a detainee under 18 is
a child; a parent and an appropriate adult are called at once; detention is reviewed at 6
hours and then every 9; a child charged and refused bail is moved to local authority
accommodation unless the custody officer certifies why not (PACE s38(6)). Every clock runs
in clock hours, day and night. The kinds these rules raise are declared at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from safeguard.access.models import AgencyKind, Role
from safeguard.config import CustodySettings
from safeguard.dates import london_datetime
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.kinds import DutyKind, Outcome, Rule, ShareField, ShareSpec, Shown, Side
from safeguard.rules.quality import Gap
from safeguard.workdays import LONDON

RULE = Rule("custody-child", "1")
BY_DATE_OF_BIRTH, STATED, UNKNOWN = "date_of_birth", "stated", "unknown"
# Steps after which the child has left police custody.
ENDING_STEPS = ("bail_granted", "transferred", "released", "taken_to_court")
DETENTION_ENDED = "detention_ended"


# ------------------------------------------------------------------ who is a child


@dataclass(frozen=True)
class AgeStatus:
    age: int | None
    # date_of_birth: worked out on the day of arrival; stated: the detainee's stated age
    # (no date of birth known); unknown: neither, so treated as a child (Code C 1.5).
    basis: str
    child: bool

    def words(self) -> str:
        if self.basis == BY_DATE_OF_BIRTH:
            return f"aged {self.age} on the day of arrival (from the date of birth)"
        if self.basis == STATED:
            return f"aged {self.age} as stated (no date of birth known)"
        return "of unknown age (no date of birth, no stated age): treated as a child"


def age_status(*, dob: date | None, age_stated: int | None, arrived_at: datetime,
               adult_age: int = 18) -> AgeStatus:
    """A child is under `adult_age` on the (London) day of arrival: an 18th birthday that
    day makes an adult. Without a date of birth a stated age decides; with neither the
    detainee is treated as a child, as Code C requires of anyone who may be one."""
    if dob is not None:
        day = arrived_at.astimezone(LONDON).date()
        age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        return AgeStatus(age, BY_DATE_OF_BIRTH, age < adult_age)
    if age_stated is not None:
        return AgeStatus(age_stated, STATED, age_stated < adult_age)
    return AgeStatus(None, UNKNOWN, True)


# ------------------------------------------------------------------ the order of steps


@dataclass(frozen=True)
class DetentionState:
    """What the steps so far established; `advance` gives the state after one more."""

    arrived_at: datetime
    authorised_at: datetime
    aa_requested_at: datetime | None = None
    extended_at: datetime | None = None
    charged_at: datetime | None = None
    bail_refused_at: datetime | None = None
    transfer_requested_at: datetime | None = None
    accommodation: str | None = None
    ended_step: str | None = None
    ended_at: datetime | None = None

    @property
    def in_custody(self) -> bool:
        return self.ended_step is None


def _when(at: datetime) -> str:
    return london_datetime(at)


def refusal(state: DetentionState, step: str, at: datetime) -> str | None:
    """Why a step cannot follow the steps so far (None: it may). A step out of order is
    refused with its reason rather than stored, so the record never tells an impossible
    story (a transfer before a charge, anything after release)."""
    if state.ended_step is not None and not (
            step == "released" and state.ended_step == "bail_granted"):
        return (f"{step} cannot follow {state.ended_step.replace('_', ' ')} at "
                f"{_when(state.ended_at or state.arrived_at)}: the detention has ended")
    if at < state.arrived_at:
        return f"{step} at {_when(at)} is before the detainee arrived ({_when(state.arrived_at)})"
    needs: dict[str, tuple[datetime | None, str]] = {
        "appropriate_adult_arrived": (state.aa_requested_at, "an appropriate adult requested"),
        "bail_granted": (state.charged_at, "a charge"),
        "bail_refused": (state.charged_at, "a charge"),
        "taken_to_court": (state.charged_at, "a charge"),
        "transfer_requested": (state.bail_refused_at, "bail refused"),
        "certificate": (state.bail_refused_at, "bail refused"),
        "la_response": (state.transfer_requested_at, "a transfer requested"),
        "transferred": (state.transfer_requested_at, "a transfer requested"),
    }
    if step in needs:
        before, words = needs[step]
        if before is None:
            return f"{step} needs {words} first"
        if at < before:
            return f"{step} at {_when(at)} is before {words} ({_when(before)})"
    if step == "charged" and state.charged_at is not None:
        return f"already charged at {_when(state.charged_at)}"
    if step in ("bail_granted", "bail_refused") and state.bail_refused_at is not None:
        return f"bail was already refused at {_when(state.bail_refused_at)}"
    if step == "extension_authorised" and state.charged_at is not None:
        return "an extension of detention without charge cannot follow a charge"
    return None


def advance(state: DetentionState, step: str, at: datetime,
            accommodation: str | None = None) -> DetentionState:
    if step == "appropriate_adult_requested" and state.aa_requested_at is None:
        return replace(state, aa_requested_at=at)
    if step == "extension_authorised":
        return replace(state, extended_at=at)
    if step == "charged":
        return replace(state, charged_at=at)
    if step == "bail_refused":
        return replace(state, bail_refused_at=at)
    if step == "transfer_requested":
        return replace(state, transfer_requested_at=at, accommodation=accommodation)
    if step in ENDING_STEPS and state.ended_step is None:
        return replace(state, ended_step=step, ended_at=at)
    return state


def midnight_after(at: datetime) -> datetime:
    """The first London midnight after `at` (a child charged at 00:00 has the whole day)."""
    day = at.astimezone(LONDON).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=LONDON)


# ------------------------------------------------------------------ duties


@dataclass(frozen=True)
class DetentionFacts:
    person_id: int
    child_name: str
    child_dob: date | None
    reference: str
    suite: str
    offence: str
    arrived_at: datetime
    authorised_at: datetime
    age: AgeStatus


def _hours(value: float) -> str:
    return f"{value:g} hour{'' if value == 1 else 's'}"


def _about(facts: DetentionFacts) -> str:
    return (f"{facts.child_name}, {facts.age.words()}, detained at {facts.suite} "
            f"(custody record {facts.reference}) from {_when(facts.authorised_at)}")


def detention_duties(facts: DetentionFacts, settings: CustodySettings) -> list[DutyDraft]:
    """A child's detention raises, from its authorisation: a parent told, an appropriate
    adult requested and present, the first PACE review and the detention limit."""
    if not facts.age.child:
        return []
    start, about = facts.authorised_at, _about(facts)
    spec = (
        (INFORM_PARENT, settings.inform_parent_hours,
         "a parent or the person responsible for the child's welfare must be told"),
        (AA_REQUESTED, settings.appropriate_adult_requested_hours,
         "an appropriate adult must be requested"),
        (AA_PRESENT, settings.appropriate_adult_present_hours,
         "an appropriate adult must be present"),
        (PACE_REVIEW, settings.first_review_hours,
         "the first review of detention (PACE s40) by an inspector is due"),
        (DETENTION_LIMIT, settings.detention_limit_hours,
         "the child must be charged or released, or a superintendent must authorise "
         "continued detention (PACE s41-42)"),
    )
    return [kind.draft(rule=RULE, subject_person_id=facts.person_id, due_at=start + timedelta(
        hours=hours), reason=f"{about}: {words} within {_hours(hours)} of detention being "
        "authorised.") for kind, hours, words in spec]


def age_gaps(facts: DetentionFacts) -> list[Gap]:
    """Neither a date of birth nor a stated age: the child's duties are raised all the same,
    and the police are asked to put the record right."""
    if facts.age.basis != UNKNOWN:
        return []
    return [Gap("detainee_age_unknown", AgencyKind.POLICE, facts.person_id,
                f"detainee {facts.child_name} in custody record {facts.reference} has no date "
                "of birth and no stated age, so is treated as a child")]


@dataclass(frozen=True)
class StepFacts:
    step: str
    at: datetime
    accommodation: str | None = None
    offered: str | None = None
    reason: str | None = None
    explanation: str | None = None


def step_duties(facts: DetentionFacts, before: DetentionState, step: StepFacts,
                settings: CustodySettings) -> list[DutyDraft]:
    """What a step of a child's detention raises (nothing for an adult)."""
    if not facts.age.child:
        return []
    at, about = step.at, _about(facts)

    def draft(kind: DutyKind, due: datetime, words: str,
              content: dict[str, object] | None = None) -> DutyDraft:
        return kind.draft(rule=RULE, subject_person_id=facts.person_id, due_at=due,
                          reason=f"{about}: {words}", share_content=content)

    if step.step == "review":
        due = at + timedelta(hours=settings.review_interval_hours)
        return [draft(PACE_REVIEW, due, f"reviewed at {_when(at)}; the next review is due "
                      f"within {_hours(settings.review_interval_hours)} ({_when(due)}).")]
    if step.step == "extension_authorised":
        due = facts.authorised_at + timedelta(hours=settings.extended_limit_hours)
        return [draft(DETENTION_LIMIT, due, f"continued detention authorised at {_when(at)}; "
                      f"charge or release is due by {_when(due)} "
                      f"({_hours(settings.extended_limit_hours)} from authorisation) unless "
                      "a magistrates' warrant extends it.")]
    if step.step == "charged":
        due = midnight_after(at)
        return [draft(AFTER_CHARGE_MIDNIGHT, due, f"charged at {_when(at)}. A child still in "
                      f"police custody after charge at midnight ({_when(due)}) is escalated "
                      "to the duty inspector and the council.")]
    if step.step == "bail_refused":
        ask = at + timedelta(hours=settings.transfer_request_hours)
        move = at + timedelta(hours=settings.transfer_hours)
        return [
            draft(TRANSFER_REQUEST, ask, f"bail refused at {_when(at)}. The custody officer "
                  "must ask children's social care for local authority accommodation within "
                  f"{_hours(settings.transfer_request_hours)} ({_when(ask)})."),
            draft(TRANSFER_OR_CERTIFICATE, move, f"bail refused at {_when(at)}. The child "
                  f"must be moved to local authority accommodation within "
                  f"{_hours(settings.transfer_hours)} ({_when(move)}), or the custody officer "
                  "must certify why that is impracticable (PACE s38(6))."),
        ]
    if step.step == "transfer_requested":
        answer = at + timedelta(hours=settings.accommodation_answer_hours)
        content: dict[str, object] = {
            "child_name": facts.child_name,
            "child_dob": facts.child_dob.isoformat() if facts.child_dob else None,
            "custody_reference": facts.reference, "custody_suite": facts.suite,
            "offence": facts.offence, "bail_refused_at": before.bail_refused_at.isoformat()
            if before.bail_refused_at else None,
            "accommodation": step.accommodation, "requested_at": at.isoformat()}
        words = (f"the police asked at {_when(at)} for {step.accommodation or ''} "
                 "accommodation (PACE s38(6)). The council must answer within "
                 f"{_hours(settings.accommodation_answer_hours)} ({_when(answer)}).")
        return [draft(ACCOMMODATION_REQUEST, answer, words.replace("_", "-"), content),
                draft(ACCOMMODATION_ANSWER, answer, words.replace("_", "-"))]
    if step.step == "la_response" and step.offered == "none" \
            and before.accommodation == "non_secure" and before.bail_refused_at is not None:
        due = before.bail_refused_at + timedelta(hours=settings.transfer_hours)
        return [draft(NO_ACCOMMODATION_ESCALATION, due, f"the council answered at {_when(at)} "
                      "that it has no non-secure place. Under the Concordat a council always "
                      "accepts a request for non-secure accommodation: the council's senior "
                      f"manager must find a place before the transfer is due ({_when(due)}).")]
    if step.step == "certificate":
        due = at + timedelta(hours=settings.certificate_share_hours)
        content = {
            "child_name": facts.child_name,
            "child_dob": facts.child_dob.isoformat() if facts.child_dob else None,
            "custody_reference": facts.reference, "custody_suite": facts.suite,
            "certified_at": at.isoformat(), "reason": step.reason,
            "explanation": step.explanation}
        return [draft(CERTIFICATE_NOTICE, due, f"the custody officer certified at {_when(at)} "
                      f"that the child was not moved ({(step.reason or '').replace('_', ' ')}"
                      "). Children's social care and the police supervisor are told.",
                      content)]
    return []


def discharges(step: StepFacts, before: DetentionState) -> list[tuple[DutyKind, str | None]]:
    """The duties a step discharges, with the outcome recorded on each. A step that ends the
    detention discharges every clock it makes moot; telling a parent stays owed."""
    own: dict[str, list[tuple[DutyKind, str | None]]] = {
        "parent_informed": [(INFORM_PARENT, None)],
        "appropriate_adult_requested": [(AA_REQUESTED, "requested")],
        "appropriate_adult_arrived": [(AA_PRESENT, "arrived")],
        "review": [(PACE_REVIEW, "review_held")],
        "extension_authorised": [(DETENTION_LIMIT, "extension_authorised")],
        "charged": [(DETENTION_LIMIT, "charged")],
        "transfer_requested": [(TRANSFER_REQUEST, "requested")],
        "la_response": [(ACCOMMODATION_ANSWER, f"offered_{step.offered}"
                         if step.offered != "none" else "none")],
        "certificate": [(TRANSFER_OR_CERTIFICATE, "certificate")],
        "transferred": [(TRANSFER_OR_CERTIFICATE, "transferred"),
                        (NO_ACCOMMODATION_ESCALATION, "place_found")],
    }
    found = list(own.get(step.step, []))
    if step.step in ENDING_STEPS and before.ended_step is None:
        done = {kind.name for kind, _ in found}
        found += [(kind, DETENTION_ENDED) for kind in ENDED_BY_LEAVING if kind.name not in done]
    return found


# ------------------------------------------------------------ the kinds these rules raise

_ENDED = Outcome(DETENTION_ENDED, "The child left custody first")

INFORM_PARENT = DutyKind(
    name="custody_inform_parent", title="Tell a parent the child is in custody",
    owner=AgencyKind.POLICE, clock="1 hour after detention of a child is authorised",
    discharged_by=Side.OWNER, action="Record parent informed",
    summary="The custody officer tells a parent or the person responsible for the child's "
            "welfare that the child is detained, where and why (PACE s57, Code C 3.13).",
)

AA_REQUESTED = DutyKind(
    name="custody_appropriate_adult_requested", title="Request an appropriate adult",
    owner=AgencyKind.POLICE, clock="1 hour after detention of a child is authorised",
    discharged_by=Side.OWNER, action="Record appropriate adult requested",
    outcomes=(Outcome("requested", "Appropriate adult requested"), _ENDED),
    summary="The custody officer asks an appropriate adult to attend (Code C 3.15).",
)

AA_PRESENT = DutyKind(
    name="custody_appropriate_adult_present", title="Appropriate adult present",
    owner=AgencyKind.POLICE, clock="2 hours after detention of a child is authorised",
    discharged_by=Side.OWNER, action="Record appropriate adult arrived",
    outcomes=(Outcome("arrived", "Appropriate adult arrived"), _ENDED),
    summary="An appropriate adult is with the child in custody.",
)

PACE_REVIEW = DutyKind(
    name="custody_pace_review", title="PACE review of detention",
    owner=AgencyKind.POLICE, owner_role=Role.SUPERVISOR,
    clock="6 hours after detention is authorised, then 9 hours after each review",
    discharged_by=Side.OWNER, action="Record review",
    outcomes=(Outcome("review_held", "Review held by an inspector"), _ENDED),
    summary="An inspector reviews whether the child's detention is still necessary "
            "(PACE s40).",
)

DETENTION_LIMIT = DutyKind(
    name="custody_detention_limit", title="Detention limit: charge, release or extension",
    owner=AgencyKind.POLICE, owner_role=Role.SUPERVISOR,
    clock="24 hours after detention is authorised (36 once extended)",
    discharged_by=Side.OWNER, action="Record charge, release or extension",
    outcomes=(Outcome("charged", "Charged"),
              Outcome("extension_authorised", "Continued detention authorised"), _ENDED),
    summary="A child is charged or released before the detention limit, or a superintendent "
            "authorises continued detention (PACE s41-42).",
)

AFTER_CHARGE_MIDNIGHT = DutyKind(
    name="custody_after_charge_midnight", title="Child charged and still in custody at midnight",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="midnight after the charge", escalates_to_partner=True,
    discharged_by=Side.OWNER, action="Record the child left custody", outcomes=(_ENDED,),
    summary="A child charged is bailed, moved or taken to court before midnight; otherwise "
            "the duty inspector and the council hear of it.",
)

TRANSFER_REQUEST = DutyKind(
    name="custody_transfer_request", title="Ask the council for accommodation",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="1 hour after bail is refused", escalates_to_partner=True,
    discharged_by=Side.OWNER, action="Record request made",
    outcomes=(Outcome("requested", "Accommodation requested"), _ENDED),
    summary="After refusing a child bail, the custody officer asks children's social care "
            "for local authority accommodation.",
)

_CHILD_IN_CUSTODY = (
    ShareField("child_name", "Child’s name"),
    ShareField("child_dob", "Child’s date of birth", Shown.DATE),
    ShareField("custody_reference", "Custody record"),
    ShareField("custody_suite", "Custody suite"),
)

ACCOMMODATION_REQUEST = DutyKind(
    name="custody_accommodation_request",
    title="Request for local authority accommodation (PACE s38(6))",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="2 hours after the request", discharged_by=Side.PARTNER, action="Acknowledge request",
    share=ShareSpec(
        purpose="Transfer of a child charged and refused bail to local authority "
                "accommodation (PACE s38(6))",
        fields=(*_CHILD_IN_CUSTODY, ShareField("offence", "Offence charged"),
                ShareField("bail_refused_at", "Bail refused", Shown.DATETIME),
                ShareField("accommodation", "Accommodation asked for", Shown.WORDS),
                ShareField("requested_at", "Requested", Shown.DATETIME))),
    summary="The police's request reaches children's social care, who acknowledge it.",
)

ACCOMMODATION_ANSWER = DutyKind(
    name="custody_accommodation_answer", title="Answer a request for accommodation",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE, partner=AgencyKind.POLICE,
    clock="2 hours after the police's request", escalates_to_partner=True,
    discharged_by=Side.OWNER, action="Record the answer",
    outcomes=(Outcome("offered_non_secure", "Non-secure place offered"),
              Outcome("offered_secure", "Secure place offered"),
              Outcome("none", "No place offered"), _ENDED),
    summary="Children's social care say which accommodation they offer the child.",
)

NO_ACCOMMODATION_ESCALATION = DutyKind(
    name="custody_no_accommodation", title="No non-secure place offered: senior manager",
    owner=AgencyKind.CHILDRENS_SOCIAL_CARE, owner_role=Role.SENIOR_MANAGER,
    partner=AgencyKind.POLICE, clock="at once; a place before the transfer is due",
    escalates_to_partner=True, discharged_by=Side.OWNER, action="Record place found",
    outcomes=(Outcome("place_found", "Place found and the child moved"), _ENDED),
    summary="A council always accepts a request for non-secure accommodation (Concordat): an "
            "answer of none goes straight to the council's senior manager.",
)

TRANSFER_OR_CERTIFICATE = DutyKind(
    name="custody_transfer_or_certificate", title="Move the child, or certify why not",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="4 hours after bail is refused", escalates_to_partner=True,
    discharged_by=Side.OWNER, action="Record transfer or certificate",
    outcomes=(Outcome("transferred", "Moved to local authority accommodation"),
              Outcome("certificate", "Certificate under PACE s38(6)"), _ENDED),
    summary="A child refused bail is moved to local authority accommodation, or the custody "
            "officer certifies that it is impracticable (or that no secure place is "
            "available and the public is at risk of serious harm).",
)

CERTIFICATE_NOTICE = DutyKind(
    name="custody_certificate_notice", title="Custody officer's certificate (PACE s38(6))",
    owner=AgencyKind.POLICE, partner=AgencyKind.CHILDRENS_SOCIAL_CARE,
    clock="1 hour after the certificate", discharged_by=Side.PARTNER,
    action="Acknowledge certificate",
    share=ShareSpec(
        purpose="Notice of a child kept in police custody after charge (PACE s38(6) "
                "certificate)",
        fields=(*_CHILD_IN_CUSTODY,
                ShareField("certified_at", "Certified", Shown.DATETIME),
                ShareField("reason", "Reason", Shown.WORDS),
                ShareField("explanation", "Custody officer’s explanation"))),
    summary="A certificate that a child stays in custody reaches children's social care.",
)

# The clocks a child's leaving custody makes moot (telling a parent stays owed, and the
# shares are still acknowledged by the council).
ENDED_BY_LEAVING: tuple[DutyKind, ...] = (
    AA_REQUESTED, AA_PRESENT, PACE_REVIEW, DETENTION_LIMIT, AFTER_CHARGE_MIDNIGHT,
    TRANSFER_REQUEST, ACCOMMODATION_ANSWER, NO_ACCOMMODATION_ESCALATION, TRANSFER_OR_CERTIFICATE,
)
CUSTODY_KINDS: tuple[str, ...] = (
    INFORM_PARENT.name, *(kind.name for kind in ENDED_BY_LEAVING), ACCOMMODATION_REQUEST.name,
    CERTIFICATE_NOTICE.name)
