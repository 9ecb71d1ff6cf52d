"""What a duty kind is: one declaration from which rules, pages, the API, docs and measures read.

A kind is declared once, as a module-level `DutyKind` beside the rule that raises it (for
example `rules/incidents.py` declares `SHARE_WITH_CSC`); `rules.catalogue` gathers every
declaration. The declaration says who owns the duty and who else takes part, its clock in
words, who may discharge it and with which outcomes, what a share of it carries and how each
field is labelled, and which duties discharging it (or the arrival of its share) raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from safeguard.access.models import AgencyKind, Role
from safeguard.rules.drafts import DutyDraft

if TYPE_CHECKING:  # only for annotations: the context holds settings and calendars
    from safeguard.rules.context import RuleContext


class Side(StrEnum):
    """Which side of a duty acts: the agency that owns it, or its partner (a share's
    recipient)."""

    OWNER = "owner"
    PARTNER = "partner"


@dataclass(frozen=True)
class Outcome:
    name: str
    words: str
    # The side that may record this outcome (the owner, unless said otherwise).
    recorded_by: Side = Side.OWNER


class Shown(StrEnum):
    """How a share's field is shown to its reader."""

    TEXT = "text"
    WORDS = "words"  # a code whose underscores read as spaces ("domestic_abuse")
    DATE = "date"
    DATETIME = "datetime"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class ShareField:
    key: str
    label: str
    shown_as: Shown = Shown.TEXT


@dataclass(frozen=True)
class ShareSpec:
    """A duty that is a share with its partner: why it is shared and what it may carry (data
    minimisation: nothing else in the rule's draft reaches the partner)."""

    purpose: str
    fields: tuple[ShareField, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


@dataclass(frozen=True)
class Rule:
    """A rule's name and version go into every duty it raises, so a reader can always tell
    which rule (and which revision of it) raised a duty and why."""

    name: str
    version: str

    def words(self) -> str:
        return f"Rule {self.name} v{self.version}"


@dataclass(frozen=True)
class Discharged:
    """What a follow-up rule knows of a duty just discharged."""

    duty_id: int
    event_id: int
    subject_person_id: int | None
    subject_name: str
    outcome: str | None
    at: datetime


@dataclass(frozen=True)
class Arrived:
    """What an arrival rule knows of a share just delivered to its partner."""

    duty_id: int
    event_id: int
    subject_person_id: int | None
    content: Mapping[str, object]
    at: datetime


FollowUp = Callable[[Discharged, "RuleContext"], list[DutyDraft]]
OnArrival = Callable[[Arrived, "RuleContext"], list[DutyDraft]]


@dataclass(frozen=True)
class DutyKind:
    name: str
    title: str
    owner: AgencyKind
    # The clock in words, as the duty page, the docs and an inspector read it.
    clock: str
    # Who discharges it without an outcome of their own: a share's partner by acknowledging,
    # otherwise the owner by recording what was done.
    discharged_by: Side
    # The words on the button that discharges it.
    action: str
    # The other agency: a core partner, or SCHOOL for the child's school (named per duty).
    partner: AgencyKind | None = None
    owner_role: Role | None = None
    # Agencies taking part besides the owner and partner (a strategy discussion's).
    participants: tuple[AgencyKind, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    share: ShareSpec | None = None
    # What discharging it raises (a section 47 outcome raises a conference).
    follow_up: FollowUp | None = None
    # What its share's arrival at the partner raises (social care's referral decision).
    on_arrival: OnArrival | None = None
    # Whether the duty is about the data itself (a fact missing or in conflict) rather than
    # work with a child: measures count these apart.
    data_quality: bool = False
    # Whether a breach escalates to the partner agency's supervisor too, as a share's does
    # (a child held in custody after charge concerns the council as much as the police).
    escalates_to_partner: bool = False
    summary: str = ""
    outcome_words: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome_words", {o.name: o.words for o in self.outcomes})

    @property
    def is_share(self) -> bool:
        return self.share is not None

    def outcomes_for(self, side: Side) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.recorded_by is side)

    def draft(
        self, *, rule: Rule, subject_person_id: int | None, due_at: datetime, reason: str,
        partner_agency_id: str | None = None, share_content: Mapping[str, object] | None = None,
        evidence: tuple[str, ...] = (), owner_agency_id: str | None = None,
    ) -> DutyDraft:
        """A draft of this kind, its owner, role, participants and share purpose from the
        declaration; a school partner is named by the rule (the child's school), and a
        data-quality task's owner is the agency that can put the record right."""
        partner = partner_agency_id
        if partner is None and self.partner is not None and self.partner is not AgencyKind.SCHOOL:
            partner = self.partner.value
        if self.partner is not None and partner is None:
            raise ValueError(f"a {self.name} duty needs its partner agency")
        return DutyDraft(
            kind=self.name, owner_agency_id=owner_agency_id or self.owner.value,
            subject_person_id=subject_person_id, due_at=due_at,
            reason=f"{rule.words()}: {reason}", rule_name=rule.name, rule_version=rule.version,
            owner_role=self.owner_role.value if self.owner_role else None,
            partner_agency_id=partner, share_content=dict(share_content or {}),
            share_purpose=self.share.purpose if self.share else None,
            participants=tuple(a.value for a in self.participants), evidence=evidence,
        )
