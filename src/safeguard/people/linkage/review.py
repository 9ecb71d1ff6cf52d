"""The review queue's decisions, and merging and unmerging persons with an exact merge log.

A merge moves every row that points at the merged person (records, identifiers, incident
people, duties, shares, concerns: any column with a foreign key to ``persons.id``, found by
inspecting the database so that no later area needs importing) to the survivor, and logs each
moved row in ``person_merge_moves``. An unmerge moves exactly those rows back, so duties and
records follow the right person afterwards; duties raised while the merge stood go with the
split-off person when their parent duty or their event's records do (with their shares).
Append-only history (the audit trail) and the linkage's own history (links, reviews) are never
rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, column, inspect, select, table, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.db import UTCDateTime, utcnow
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
    _refuse_two_open_discussions(session, person_ids=(survivor_id, merged_id))
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
    moved_duties = {m.row_id for m in moves if m.table_name == "duties"}
    followed = _duties_raised_while_merged(session, merge=merge, moved=moved_duties)
    _follow_duties(session, duty_ids=followed, merge=merge)
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
    for duty_id in followed:
        audit(session, principal=principal, action="unmerge", entity="duty", entity_id=duty_id,
              person_id=merge.merged_id,
              why=f"raised while merge {merge.id} stood; it concerns person {merge.merged_id}, "
                  f"so it goes with them")
    session.flush()
    return merge


# A later area's table, named rather than imported (people imports no later area); typed
# so that times compare as the duties area stores them (UTC, naive on SQLite).
_DUTIES = table("duties", column("id", Integer), column("subject_person_id", Integer),
                column("parent_duty_id", Integer), column("event_id", Integer),
                column("created_at", UTCDateTime), column("kind", String),
                column("status", String))


def _refuse_two_open_discussions(session: Session, *, person_ids: tuple[int, int]) -> None:
    """A child has one strategy discussion at a time (the database refuses a second), and
    which of two to hold is children's social care's decision, not the merge's."""
    open_ids = list(session.scalars(select(_DUTIES.c.id).where(
        _DUTIES.c.subject_person_id.in_(person_ids),
        _DUTIES.c.kind == "strategy_discussion", _DUTIES.c.status != "discharged")
        .order_by(_DUTIES.c.id)))
    if len(open_ids) > 1:
        raise Conflict(
            "Both people have an open strategy discussion (duties "
            f"{' and '.join(map(str, open_ids))}); one child has one at a time. Children's "
            "social care should record the outcome of one before these people are merged.")


def _duties_raised_while_merged(session: Session, *, merge: PersonMerge,
                                moved: set[int]) -> list[int]:
    """Duties raised about the survivor while the merge stood that concern the person being
    split off: the merge log cannot hold them, as they did not exist when it was written.

    A follow-on duty goes where its parent duty goes (a conference follows its strategy
    discussion); any other goes with the person its event's records now belong to, when they
    are all the split-off person's. A duty whose event is about both, or about the survivor
    only, stays: a human can see both people and move it. Duties raised before the merge were
    never moved by it and are left alone (an incident's inferred child has no record in it).
    """
    survivor, merged = merge.survivor_id, merge.merged_id
    rows = session.execute(
        select(_DUTIES.c.id, _DUTIES.c.parent_duty_id, _DUTIES.c.event_id)
        .where(_DUTIES.c.subject_person_id == survivor,
               _DUTIES.c.created_at >= merge.merged_at)
        .order_by(_DUTIES.c.id)).all()
    rows = [row for row in rows if row.id not in moved]
    if not rows:
        return []
    parents = {row.parent_duty_id for row in rows if row.parent_duty_id is not None}
    owner: dict[int, int] = {duty_id: person_id for duty_id, person_id in session.execute(
        select(_DUTIES.c.id, _DUTIES.c.subject_person_id).where(_DUTIES.c.id.in_(parents)))}
    about: dict[int, set[int]] = {}
    for event_id, person_id in session.execute(
            select(PersonRecord.event_id, PersonRecord.person_id).where(
                PersonRecord.event_id.in_({row.event_id for row in rows}),
                PersonRecord.person_id.in_((survivor, merged)))):
        about.setdefault(event_id, set()).add(person_id)
    followed = []
    for row in rows:  # in id order: a parent is decided before its follow-on duties
        parent = owner.get(row.parent_duty_id) if row.parent_duty_id is not None else None
        goes = parent == merged if parent in (survivor, merged) else \
            about.get(row.event_id) == {merged}
        owner[row.id] = merged if goes else survivor
        if goes:
            followed.append(row.id)
    return followed


def _follow_duties(session: Session, *, duty_ids: list[int], merge: PersonMerge) -> None:
    """Move the duties, and every row that belongs to one of them and names its person (a
    share), to the split-off person."""
    if not duty_ids:
        return
    session.execute(update(_DUTIES).where(_DUTIES.c.id.in_(duty_ids))
                    .values(subject_person_id=merge.merged_id))
    for table_name, duty_column, person_column in _rows_of_duties(session):
        t = table(table_name, column(duty_column), column(person_column))
        session.execute(update(t).where(t.c[duty_column].in_(duty_ids),
                                        t.c[person_column] == merge.survivor_id)
                        .values({person_column: merge.merged_id}))


def _rows_of_duties(session: Session) -> list[tuple[str, str, str]]:
    """(table, duty column, person column) of every table whose rows belong to a duty and
    name a person, found by inspecting the database."""
    inspector = inspect(session.connection())
    found = []
    for name in inspector.get_table_names():
        if name in _NOT_MOVED or name == "duties":
            continue
        duty = person = None
        for fk in inspector.get_foreign_keys(name):
            if len(fk["constrained_columns"]) != 1:
                continue
            if fk["referred_table"] == "duties":
                duty = fk["constrained_columns"][0]
            elif fk["referred_table"] == "persons":
                person = fk["constrained_columns"][0]
        if duty and person:
            found.append((name, duty, person))
    return sorted(found)


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
