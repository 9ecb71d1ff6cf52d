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
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.people.linkage.evidence import DIFFERENT, SAME
from safeguard.people.linkage.model import COMPARISONS, NULL, Model
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
