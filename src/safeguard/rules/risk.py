"""DASH risk level: the checklist's actuarial level, raised (never lowered) by judgement."""

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


def assess_dash(*, yes_count: int, judgement: str | None, clocks: ClockSettings) -> RiskAssessment:
    if yes_count >= clocks.dash_high_threshold:
        actuarial = "high"
    elif yes_count >= clocks.dash_medium_threshold:
        actuarial = "medium"
    else:
        actuarial = "standard"
    level, note = actuarial, f"{yes_count} of 24 answered yes: {actuarial} risk by the checklist"
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
    return RiskAssessment(yes_count, actuarial, judgement, level, note)
