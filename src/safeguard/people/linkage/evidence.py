"""The evidence of each link, and the review queue's possible matches."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from safeguard.db import table_of, utcnow
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.online import MAX_REVIEWS, Candidate
from safeguard.people.models import MatchReview, PersonLink, PersonRecord

OPEN = "open"
SAME = "same"
DIFFERENT = "different"


_INSERT_LINK = insert(table_of(PersonLink))


def record_link(
    session: Session, *, record: PersonRecord, outcome: str, candidates: Sequence[Candidate],
) -> None:
    """Keep why the record was linked as it was; queue a possible match for review."""
    model = load_model()
    best = candidates[0] if candidates else None
    evidence: dict[str, object] = {
        "candidates": [{"person_id": c.person_id, "probability": round(c.probability, 6),
                        "match_weight": round(c.score.match_weight, 3)}
                       for c in candidates[:5]],
    }
    if best is not None:
        evidence["best"] = best.score.evidence(model.version)
    matched = outcome == "matched" and best is not None
    # A row, not an object: every record kept writes one and nothing reads it back here.
    session.connection().execute(_INSERT_LINK, {
        "record_id": record.id, "person_id": record.person_id, "outcome": outcome,
        "probability": best.probability if best else None,
        "match_weight": best.score.match_weight if best else None,
        "agreed": ",".join(best.score.agreed) if matched and best else None,
        "evidence": json.dumps(evidence), "model_version": model.version,
        "created_at": utcnow()})
    if outcome == "possible":
        possible = [c for c in candidates if model.thresholds["possible"] <= c.probability
                    < model.thresholds["match"]][:MAX_REVIEWS]
        for candidate in possible:
            queue_review(session, record_id=record.id, candidate=candidate,
                         version=model.version)
        session.flush()


def queue_review(session: Session, *, record_id: int, candidate: Candidate,
                 version: str) -> MatchReview:
    """A review item for (record, candidate person), unless one exists: a decision a human has
    already made about this pair is never reopened or overwritten by matching."""
    found = session.scalar(select(MatchReview).where(
        MatchReview.record_id == record_id,
        MatchReview.candidate_person_id == candidate.person_id))
    if found is not None:
        return found
    review = MatchReview(
        record_id=record_id, candidate_person_id=candidate.person_id,
        probability=candidate.probability, match_weight=candidate.score.match_weight,
        evidence=json.dumps(candidate.score.evidence(version)), model_version=version,
        status=OPEN,
    )
    session.add(review)
    return review
