"""Reviewers' decisions as labelled pairs, and how a model does on them.

Every decided review ("same person" or "different people"; an unmerge is recorded as a
"different" decision) is a pair a human has labelled. Its evidence keeps the pair's
comparison vector as the model of the day saw it (the level of each comparison), so any
model, the shipped one or one fitted later, can be scored on what reviewers decided without
reading the records again: a model that matches what reviewers kept apart loses precision,
one that still asks about what reviewers merged has recall to gain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.people.linkage.evidence import DIFFERENT, SAME
from safeguard.people.linkage.levels import COMPARISONS, NULL
from safeguard.people.linkage.model import Model
from safeguard.people.models import MatchReview


@dataclass(frozen=True)
class Label:
    review_id: int
    levels: dict[str, str]
    same: bool
    model_version: str


def reviewed_pairs(session: Session) -> list[Label]:
    """Every decided review, as its comparison levels and the reviewer's answer."""
    labels = []
    for review_id, evidence, status, version in session.execute(
            select(MatchReview.id, MatchReview.evidence, MatchReview.status,
                   MatchReview.model_version)
            .where(MatchReview.status.in_((SAME, DIFFERENT))).order_by(MatchReview.id)):
        levels = json.loads(evidence).get("levels") or {}
        # A comparison added since the review was made was not seen: null, as Splink reads it.
        levels = {name: str(levels.get(name, NULL)) for name in COMPARISONS}
        labels.append(Label(review_id, levels, status == SAME, version))
    return labels


@dataclass(frozen=True)
class LabelScores:
    model_version: str
    same: int
    different: int
    # Pairs the model would match on its own (at or above its match threshold).
    matched_same: int
    matched_different: int

    @property
    def precision(self) -> float:
        matched = self.matched_same + self.matched_different
        return self.matched_same / matched if matched else 1.0

    @property
    def recall(self) -> float:
        return self.matched_same / self.same if self.same else 1.0


def score_labels(model: Model, labels: list[Label]) -> LabelScores:
    """Precision and recall of ``model`` matching on its own the pairs reviewers decided."""
    matched = [model.score_levels(label.levels).probability >= model.thresholds["match"]
               for label in labels]
    return LabelScores(
        model_version=model.version,
        same=sum(label.same for label in labels),
        different=sum(not label.same for label in labels),
        matched_same=sum(m and label.same for m, label in zip(matched, labels, strict=True)),
        matched_different=sum(m and not label.same
                              for m, label in zip(matched, labels, strict=True)))


# How many pairs' worth of weight the fitted m keeps against reviewers' "same person" labels:
# a handful of decisions nudges the weights, hundreds move them. Reviewed pairs are the hard
# ones (the model was unsure), so they never replace what the records themselves show.
LABEL_PRIOR_PAIRS = 200.0


def with_labels(model: Model, labels: list[Label], *,
                prior_pairs: float = LABEL_PRIOR_PAIRS) -> Model:
    """``model`` with m of each comparison moved toward the levels of the pairs reviewers
    found to be one person: m is the probability of a level among true matches, and each
    such pair is one observed match (a Dirichlet update with ``model``'s m as the prior,
    worth ``prior_pairs`` pairs). u is left alone: pairs kept apart are lookalikes, not
    the random pairs u is the chance of agreeing among."""
    same = [label for label in labels if label.same]
    if not same:
        return model
    m_u: dict[str, dict[str, tuple[float, float]]] = {}
    for name, levels in model.m_u.items():
        seen = [label.levels[name] for label in same if label.levels[name] != NULL]
        total_m = sum(m for m, _ in levels.values())
        m_u[name] = {
            level: ((prior_pairs * m / total_m + seen.count(level))
                    / (prior_pairs + len(seen)), u)
            for level, (m, u) in levels.items()}
    return replace(model, m_u=m_u,
                   trained_on=f"{model.trained_on}; m moved toward {len(same)} "
                              f"reviewers' same-person pairs")
