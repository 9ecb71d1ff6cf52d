"""DASH risk level: the checklist's actuarial level, raised (never lowered) by judgement.

An answer "not known" does not count as yes (SafeLives' guidance: the yes-count is the
visible risk); it is counted and said, because it is where the officer's professional
judgement matters most.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguard.config import ClockSettings

LEVELS = ("standard", "medium", "high")


@dataclass(frozen=True)
class RiskAssessment:
    yes_count: int
    actuarial: str
    judgement: str | None
    level: str
    note: str
    not_known: int = 0


def assess_dash(*, yes_count: int, judgement: str | None, clocks: ClockSettings,
                not_known: int = 0) -> RiskAssessment:
    if yes_count >= clocks.dash_high_threshold:
        actuarial = "high"
    elif yes_count >= clocks.dash_medium_threshold:
        actuarial = "medium"
    else:
        actuarial = "standard"
    unknown = f", {not_known} not known" if not_known else ""
    level, note = actuarial, (f"{yes_count} of 24 answered yes{unknown}: {actuarial} risk by "
                              "the checklist")
    if judgement is not None and judgement != actuarial:
        if LEVELS.index(judgement) > LEVELS.index(actuarial):
            level = judgement
            note += f"; raised to {judgement} by the officer's professional judgement"
        else:
            # Guidance: judgement may raise the actuarial level but never lower it.
            note += (
                f"; the officer's judgement of {judgement} was not applied because "
                "professional judgement may raise the level, never lower it"
            )
    return RiskAssessment(yes_count, actuarial, judgement, level, note, not_known)
