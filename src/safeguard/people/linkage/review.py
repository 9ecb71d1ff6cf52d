"""The review queue: who may review, what a review shows, and where merged people went.

Deciding a review, merging and unmerging move duties too, so they live above the duties area
(`casework.merges`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from safeguard.access.models import Role
from safeguard.access.service import Principal
from safeguard.errors import Forbidden, NotFound
from safeguard.people.linkage.evidence import OPEN
from safeguard.people.models import (
    Address,
    MatchReview,
    Person,
    PersonMerge,
    PersonRecord,
)

REVIEWER_AGENCY_KINDS = ("childrens_social_care", "police")
# History that must say what was true at the time, and the index that is rebuilt instead.
NOT_MOVED = {"audit_log", "person_links", "match_reviews", "person_merges",
              "person_merge_moves", "person_blocking_keys", "persons"}


def may_review(principal: Principal) -> bool:
    """MASH researchers only: the role, held at children's social care or the police. A merge
    moves every agency's records of a child onto another person (and with them who may see
    them), so being a practitioner is not enough."""
    return principal.has_role(Role.MASH_RESEARCHER) and \
        principal.agency_kind in REVIEWER_AGENCY_KINDS


def require_reviewer(principal: Principal) -> None:
    if not may_review(principal):
        raise Forbidden("Only MASH researchers (children's social care and police) review "
                        "possible matches, merge and unmerge.")


@dataclass(frozen=True)
class RecordView:
    record: PersonRecord
    address: Address | None


@dataclass(frozen=True)
class ReviewView:
    review: MatchReview
    record: RecordView
    candidate: Person
    candidate_records: list[RecordView]


def _records(session: Session, person_id: int) -> list[RecordView]:
    rows = session.execute(
        select(PersonRecord, Address).outerjoin(Address, Address.id == PersonRecord.address_id)
        .where(PersonRecord.person_id == person_id).order_by(PersonRecord.recorded_at))
    return [RecordView(r, a) for r, a in rows]


def open_reviews(session: Session, *, limit: int = 100) -> list[ReviewView]:
    reviews = session.scalars(select(MatchReview).where(MatchReview.status == OPEN)
                              .order_by(MatchReview.created_at, MatchReview.id).limit(limit))
    return [review_view(session, review_id=r.id) for r in reviews]


def review_view(session: Session, *, review_id: int) -> ReviewView:
    review = session.get(MatchReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    record = session.get_one(PersonRecord, review.record_id)
    address = session.get(Address, record.address_id) if record.address_id else None
    candidate = session.get_one(Person, review.candidate_person_id)
    return ReviewView(review, RecordView(record, address), candidate,
                      _records(session, candidate.id))


def person_columns(session: Session) -> list[tuple[str, str, str]]:
    """(table, primary key, column) of every column with a foreign key to persons.id."""
    inspector = inspect(session.connection())
    found = []
    for name in inspector.get_table_names():
        if name in NOT_MOVED:
            continue
        keys = inspector.get_pk_constraint(name).get("constrained_columns") or []
        if len(keys) != 1:
            continue
        for fk in inspector.get_foreign_keys(name):
            if fk["referred_table"] == "persons" and len(fk["constrained_columns"]) == 1:
                found.append((name, keys[0], fk["constrained_columns"][0]))
    return sorted(found)


def current_person_id(session: Session, *, person_id: int) -> int:
    """Where a merged person's rows went (follows merges that are not undone)."""
    seen = {person_id}
    while True:
        survivor = session.scalar(select(PersonMerge.survivor_id).where(
            PersonMerge.merged_id == person_id, PersonMerge.undone_at.is_(None))
            .order_by(PersonMerge.id.desc()).limit(1))
        if survivor is None or survivor in seen:
            return person_id
        seen.add(survivor)
        person_id = survivor
