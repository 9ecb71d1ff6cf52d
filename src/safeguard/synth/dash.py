"""Synthetic DASH checklists (SafeLives 2009, 24 questions; see data/dash_questions.json).

The level is drawn first (60% standard, 28% medium, 12% high: an assumption in line with
published force figures, where high-risk cases are roughly one in eight to one in ten), then
the number of "yes" answers within that level's band, then which questions were answered
"yes", weighted by how often each is reported (an assumption: injury, fear, control and
money come up far more often than strangulation or threats to kill).
"""

from __future__ import annotations

import random

__all__ = ["BANDS", "QUESTIONS", "dash_answers", "level"]

QUESTIONS = tuple(f"q{i}" for i in range(1, 25))
BANDS = (("standard", 0.60), ("medium", 0.28), ("high", 0.12))

# Relative weight of a "yes" per question (q7 child contact, q9 pregnancy, q10/q11
# escalation, q23/q24 criminal history are adjusted to the circumstances below).
# fmt: off
_WEIGHTS = {
    "q1": 0.45, "q2": 0.6, "q3": 0.5, "q4": 0.3, "q5": 0.3, "q6": 0.45, "q7": 0.3, "q8": 0.35,
    "q9": 0.12, "q10": 0.35, "q11": 0.35, "q12": 0.5, "q13": 0.2, "q14": 0.15, "q15": 0.15,
    "q16": 0.12, "q17": 0.1, "q18": 0.25, "q19": 0.1, "q20": 0.45, "q21": 0.45, "q22": 0.15,
    "q23": 0.1, "q24": 0.3,
}
# fmt: on


def level(yes_count: int) -> str:
    return "high" if yes_count >= 14 else "medium" if yes_count >= 10 else "standard"


def dash_answers(
    rng: random.Random, *, repeat: bool, children: bool, victim_female: bool, suspect_record: bool
) -> dict[str, bool]:
    band = rng.choices([b for b, _ in BANDS], [w for _, w in BANDS])[0]
    if band == "standard":
        count = round(rng.triangular(0, 9, 5))
    elif band == "medium":
        count = rng.randint(10, 13)
    else:
        count = round(rng.triangular(14, 22, 15))
    weights = dict(_WEIGHTS)
    if not children:
        weights["q7"] = 0.001
    if not victim_female:
        weights["q9"] = 0.001
    if repeat:
        weights["q10"] = weights["q11"] = 0.65
    if suspect_record:
        weights["q23"], weights["q24"] = 0.3, 0.9
    # Weighted sampling without replacement (Efraimidis and Spirakis): largest u ** (1 / w).
    keys = {q: rng.random() ** (1 / weights[q]) for q in QUESTIONS}
    yes = set(sorted(QUESTIONS, key=lambda q: (-keys[q], q))[:count])
    return {q: q in yes for q in QUESTIONS}
