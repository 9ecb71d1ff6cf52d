"""The review queue's decisions, and merging and unmerging persons with an exact merge log.

A merge moves every row that points at the merged person (records, identifiers, incident
people, duties, shares, concerns: any column with a foreign key to ``persons.id``, found by
inspecting the database so that no later area needs importing) to the survivor, and logs each
moved row in ``person_merge_moves``. An unmerge moves exactly those rows back, so duties and
records follow the right person afterwards. Append-only history (the audit trail) and the
linkage's own history (links, reviews) are never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import column, inspect, select, table, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.db import utcnow
from safeguard.errors import Conflict, Forbidden, NotFound
from safeguard.people.linkage.evidence import DIFFERENT, OPEN, SAME
from safeguard.people.linkage.online import rebuild_keys
from safeguard.people.models import (
    Address,
    MatchReview,
    Person,
    PersonMerge,
    PersonMergeMove,
    PersonRecord,
)

REVIEWER_AGENCY_KINDS = ("childrens_social_care", "police")
# History that must say what was true at the time, and the index that is rebuilt instead.
_NOT_MOVED = {"audit_log", "person_links", "match_reviews", "person_merges",
              "person_merge_moves", "person_blocking_keys", "persons"}


def may_review(principal: Principal) -> bool:
    """MASH researchers: children's social care and police."""
    return principal.agency_kind in REVIEWER_AGENCY_KINDS


def require_reviewer(principal: Principal) -> None:
    if not may_review(principal):
        raise Forbidden("Only children's social care and police review possible matches.")


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


def decide(session: Session, *, review_id: int, same: bool, principal: Principal,
           now: datetime | None = None) -> PersonMerge | None:
    """Record a human's decision; "same person" merges the record's person into the candidate.

    A decision is final: it is never reopened or overwritten (undo a merge with unmerge).
    """
    require_reviewer(principal)
    review = session.get(MatchReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    if review.status != OPEN:
        raise Conflict(f"This match was already decided ({review.status}) by "
                       f"{review.decided_by}.")
    review.status = SAME if same else DIFFERENT
    review.decided_by = principal.actor
    review.decided_at = now or utcnow()
    record = session.get_one(PersonRecord, review.record_id)
    audit(session, principal=principal, action="decide", entity="match_review",
          entity_id=review.id, person_id=record.person_id,
          why=f"{'same person as' if same else 'not the same person as'} person "
              f"{review.candidate_person_id}")
    if not same or record.person_id == review.candidate_person_id:
        session.flush()
        return None
    return merge_persons(session, survivor_id=review.candidate_person_id,
                         merged_id=record.person_id, principal=principal, review_id=review.id,
                         reason=f"review {review.id}: same person", now=now)


def _person_columns(session: Session) -> list[tuple[str, str, str]]:
    """(table, primary key, column) of every column with a foreign key to persons.id."""
    inspector = inspect(session.connection())
    found = []
    for name in inspector.get_table_names():
        if name in _NOT_MOVED:
            continue
        keys = inspector.get_pk_constraint(name).get("constrained_columns") or []
        if len(keys) != 1:
            continue
        for fk in inspector.get_foreign_keys(name):
            if fk["referred_table"] == "persons" and len(fk["constrained_columns"]) == 1:
                found.append((name, keys[0], fk["constrained_columns"][0]))
    return sorted(found)


def merge_persons(session: Session, *, survivor_id: int, merged_id: int,
                  principal: Principal, reason: str, review_id: int | None = None,
                  now: datetime | None = None) -> PersonMerge:
    if survivor_id == merged_id:
        raise Conflict("A person cannot be merged with themselves.")
    survivor = session.get(Person, survivor_id)
    merged = session.get(Person, merged_id)
    if survivor is None or merged is None:
        raise NotFound("No such person.")
    session.flush()
    merge = PersonMerge(survivor_id=survivor_id, merged_id=merged_id, review_id=review_id,
                        reason=reason, merged_by=principal.actor, merged_at=now or utcnow())
    session.add(merge)
    session.flush()
    for table_name, key, col in _person_columns(session):
        t = table(table_name, column(key), column(col))
        row_ids = list(session.scalars(select(t.c[key]).where(t.c[col] == merged_id)))
        if not row_ids:
            continue
        session.execute(update(t).where(t.c[key].in_(row_ids)).values({col: survivor_id}))
        session.add_all(PersonMergeMove(merge_id=merge.id, table_name=table_name,
                                        column_name=col, row_id=row_id) for row_id in row_ids)
    survivor.dob = survivor.dob or merged.dob
    survivor.sex = survivor.sex or merged.sex
    session.flush()
    session.expire_all()
    rebuild_keys(session, person_ids=(survivor_id, merged_id))
    for person_id in (survivor_id, merged_id):
        audit(session, principal=principal, action="merge", entity="person",
              entity_id=merge.id, person_id=person_id,
              why=f"person {merged_id} merged into {survivor_id}: {reason}")
    session.flush()
    return merge


def unmerge(session: Session, *, merge_id: int, principal: Principal,
            now: datetime | None = None) -> PersonMerge:
    """Undo a merge: every row it moved goes back to the person it came from.

    The review behind the merge is marked "different": the human who undid it decided so,
    and matching will not raise it again.
    """
    require_reviewer(principal)
    merge = session.get(PersonMerge, merge_id)
    if merge is None:
        raise NotFound("No such merge.")
    if merge.undone_at is not None:
        raise Conflict("This merge was already undone.")
    session.flush()
    moves = session.scalars(select(PersonMergeMove).where(PersonMergeMove.merge_id == merge.id)
                            .order_by(PersonMergeMove.id)).all()
    for move in moves:
        key = inspect(session.connection()).get_pk_constraint(move.table_name)[
            "constrained_columns"][0]
        t = table(move.table_name, column(key), column(move.column_name))
        session.execute(update(t).where(t.c[key] == move.row_id,
                                        t.c[move.column_name] == merge.survivor_id)
                        .values({move.column_name: merge.merged_id}))
    merge.undone_at = now or utcnow()
    merge.undone_by = principal.actor
    if merge.review_id is not None:
        review = session.get_one(MatchReview, merge.review_id)
        review.status = DIFFERENT
        review.decided_by = principal.actor
        review.decided_at = merge.undone_at
    session.flush()
    session.expire_all()
    rebuild_keys(session, person_ids=(merge.survivor_id, merge.merged_id))
    for person_id in (merge.survivor_id, merge.merged_id):
        audit(session, principal=principal, action="unmerge", entity="person",
              entity_id=merge.id, person_id=person_id,
              why=f"merge {merge.id} undone: person {merge.merged_id} split from "
                  f"{merge.survivor_id}")
    session.flush()
    return merge


def merges_of(session: Session, *, person_id: int) -> list[PersonMerge]:
    return list(session.scalars(select(PersonMerge).where(
        (PersonMerge.survivor_id == person_id) | (PersonMerge.merged_id == person_id))
        .order_by(PersonMerge.merged_at.desc())))


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
