"""The kinds of duty, what discharging each means, and who may discharge it."""

from __future__ import annotations

from dataclasses import dataclass

from safeguard.rules.drafts import (
    CHILD_PROTECTION_CONFERENCE,
    ENCOMPASS_NOTICE,
    MARAC_REFERRAL,
    REFERRAL_DECISION,
    REPEAT_VICTIM_REVIEW,
    SHARE_WITH_CSC,
    STRATEGY_DISCUSSION,
)


@dataclass(frozen=True)
class DutyKind:
    name: str
    title: str
    # "partner": the receiving agency discharges it by acknowledging (a share);
    # "owner": the owning agency records what it did.
    discharged_by: str
    action: str
    outcomes: tuple[str, ...] = ()


KINDS: dict[str, DutyKind] = {
    kind.name: kind
    for kind in (
        DutyKind(SHARE_WITH_CSC, "Child-at-risk notification to children's social care",
                 "partner", "Acknowledge notification"),
        DutyKind(REFERRAL_DECISION, "Decision on referral", "owner", "Record decision",
                 ("strategy_discussion", "social_work_assessment", "early_help",
                  "no_further_action")),
        DutyKind(ENCOMPASS_NOTICE, "Operation Encompass notice to school", "partner",
                 "Acknowledge notice"),
        DutyKind(MARAC_REFERRAL, "MARAC referral", "owner", "Record referral made"),
        DutyKind(REPEAT_VICTIM_REVIEW, "Repeat-victim supervisor review", "owner",
                 "Record review"),
        DutyKind(STRATEGY_DISCUSSION, "Strategy discussion", "owner",
                 "Record strategy discussion outcome",
                 ("no_further_action", "section_47", "early_help")),
        DutyKind(CHILD_PROTECTION_CONFERENCE, "Initial child protection conference", "owner",
                 "Record conference outcome",
                 ("child_protection_plan", "no_child_protection_plan")),
    )
}

OUTCOME_WORDS = {
    "strategy_discussion": "Strategy discussion",
    "social_work_assessment": "Social work assessment",
    "early_help": "Early help",
    "no_further_action": "No further action",
    "section_47": "Section 47 enquiry",
    "child_protection_plan": "Child protection plan",
    "no_child_protection_plan": "No child protection plan",
}


def kind_of(name: str) -> DutyKind:
    return KINDS[name]
