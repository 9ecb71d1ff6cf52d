"""Deciding the review queue, and merging and unmerging persons with an exact merge log.

A merge moves every row that points at the merged person (records, identifiers, incident
people, duties, shares, concerns: any column with a foreign key to ``persons.id``, found by
inspecting the database) to the survivor, and logs each moved row in ``person_merge_moves``.
Open duties that the merge leaves repeating each other (two records of one child at one
incident each raised a notification) are closed as duplicates of the first, with the reason,
never deleted. An unmerge moves exactly the logged rows back and reopens what the merge closed
as a duplicate, so duties and records follow the right person afterwards; duties raised while
the merge stood go with the split-off person when their parent duty or their event's records
do (with their shares). Append-only history (the audit trail) and the linkage's own history
(links, reviews) are never rewritten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import column, inspect, select, table, update
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import raise_duties
from safeguard.db import utcnow
from safeguard.duties.models import BREACHED, DISCHARGED, DUPLICATE, OPEN, Duty, DutyTransition
from safeguard.duties.service import close_as_duplicate
from safeguard.errors import Conflict, NotFound
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.linkage.evidence import DIFFERENT, SAME
from safeguard.people.linkage.evidence import OPEN as REVIEW_OPEN
from safeguard.people.linkage.online import rebuild_keys
from safeguard.people.linkage.review import NOT_MOVED, person_columns, require_reviewer
from safeguard.people.models import MatchReview, Person, PersonMerge, PersonMergeMove, PersonRecord
from safeguard.rules.context import RuleContext
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.quality import Gap, data_quality_duties
from safeguard.sharing.service import restore_deliveries, withdraw_deliveries


def decide(session: Session, *, review_id: int, same: bool, principal: Principal,
           ctx: RuleContext, now: datetime | None = None) -> PersonMerge | None:
    """Record a human's decision; "same person" merges the record's person into the candidate.

    A decision is final: it is never reopened or overwritten (undo a merge with unmerge).
    "Different" for an officer's record that an incident took to be the candidate child
    raises a task for the police to check which child was there.
    """
    require_reviewer(principal)
    review = session.get(MatchReview, review_id)
    if review is None:
        raise NotFound("No such review.")
    if review.status != REVIEW_OPEN:
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
    if not same:
        _taken_for_another(session, record=record, candidate_id=review.candidate_person_id,
                           principal=principal, ctx=ctx, now=now or utcnow())
    if not same or record.person_id == review.candidate_person_id:
        session.flush()
        return None
    return merge_persons(session, survivor_id=review.candidate_person_id,
                         merged_id=record.person_id, principal=principal, review_id=review.id,
                         reason=f"review {review.id}: same person", now=now)


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
    for table_name, key, col in person_columns(session):
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
    closed = _close_duplicates(session, merge=merge)
    for person_id in (survivor_id, merged_id):
        audit(session, principal=principal, action="merge", entity="person",
              entity_id=merge.id, person_id=person_id,
              why=f"person {merged_id} merged into {survivor_id}: {reason}")
    for duty_id in closed:
        audit(session, principal=principal, action="merge", entity="duty", entity_id=duty_id,
              person_id=survivor_id, why=f"closed as a duplicate by merge {merge.id}")
    session.flush()
    return merge


def _close_duplicates(session: Session, *, merge: PersonMerge) -> list[int]:
    """Undischarged duties of the survivor that now repeat each other (one event, one kind,
    one partner: two records of one child each raised it) are closed as duplicates of the
    first raised. Returns the ids closed."""
    duties = session.scalars(select(Duty).where(
        Duty.subject_person_id == merge.survivor_id, Duty.status.in_((OPEN, BREACHED)))
        .order_by(Duty.id)).all()
    first: dict[tuple[int, str, str | None], Duty] = {}
    closed = []
    for duty in duties:
        key = (duty.event_id, duty.kind, duty.partner_agency_id)
        if key not in first:
            first[key] = duty
            continue
        close_as_duplicate(session, duty=duty, of=first[key], now=merge.merged_at,
                           actor=merge.merged_by,
                           why=f"person {merge.merged_id} was merged into person "
                               f"{merge.survivor_id} ({merge.reason}; merge {merge.id}), so "
                               "both duties are about one child")
        closed.append(duty.id)
    session.flush()
    # The partner hears of the child once: a closed duplicate's share is not sent.
    withdraw_deliveries(session, duty_ids=closed,
                        why=f"withdrawn: its duty was closed as a duplicate by merge {merge.id}")
    return closed


def _reopen_duplicates(session: Session, *, merge: PersonMerge, now: datetime,
                       actor: str) -> list[int]:
    """Undoing a merge reopens the duties it closed as duplicates: they are about two people
    again. Each goes back to open, or breached if its time has passed."""
    duties = session.scalars(select(Duty).where(
        Duty.outcome == DUPLICATE, Duty.discharged_at == merge.merged_at,
        Duty.discharged_by == merge.merged_by,
        Duty.subject_person_id.in_((merge.survivor_id, merge.merged_id)))).all()
    reopened = []
    for duty in duties:
        if f"merge {merge.id})" not in (duty.discharge_note or ""):
            continue
        status = BREACHED if duty.breached_at is not None or duty.due_at < now else OPEN
        duty.status, duty.discharged_at, duty.discharged_by = status, None, None
        duty.outcome, duty.discharge_note = None, None
        session.add(DutyTransition(duty_id=duty.id, at=now, action="reopened",
                                   from_status=DISCHARGED, to_status=status, actor=actor,
                                   note=f"merge {merge.id} undone: no longer a duplicate"))
        reopened.append(duty.id)
    session.flush()
    restore_deliveries(session, duty_ids=reopened, now=now)
    return reopened


def _taken_for_another(session: Session, *, record: PersonRecord, candidate_id: int,
                       principal: Principal, ctx: RuleContext, now: datetime) -> None:
    """An incident took the officer's record to be a known child found at the address (a
    possible match) and raised that child's duties; a reviewer has now said they are two
    children, so the police check which child was there and raise what the other needs."""
    incident = session.scalar(select(Incident).where(Incident.event_id == record.event_id))
    if incident is None:
        return  # not an incident's record: nothing was raised on the strength of the match
    taken = session.scalar(select(IncidentPerson.id).where(
        IncidentPerson.incident_id == incident.id, IncidentPerson.person_id == candidate_id,
        IncidentPerson.found_from.like(f"the officer's record {record.source_id} %")))
    if taken is None:
        return  # the incident did not take this record for the candidate
    gap = Gap("child_taken_for_another", AgencyKind.POLICE, record.person_id,
              f"incident {incident.reference} took the officer's record {record.source_id} to "
              f"be person {candidate_id}, a child other agencies place at the address, and "
              f"raised that child's duties; {principal.display_name} decided they are "
              "different children, so check which child was at the incident and make sure "
              "each has their notifications")
    drafts = data_quality_duties([gap], reference=incident.reference, recorded_at=now,
                                 calendar=ctx.calendar, clocks=ctx.clocks)
    raise_duties(session, drafts=drafts, event_id=incident.event_id, now=now,
                 actor=principal.actor, ctx=ctx)


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
    reopened = _reopen_duplicates(session, merge=merge, now=now or utcnow(),
                                  actor=principal.actor)
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
    for duty_id in reopened:
        audit(session, principal=principal, action="unmerge", entity="duty", entity_id=duty_id,
              person_id=None, why=f"reopened: merge {merge.id} undone, so not a duplicate")
    for duty_id in followed:
        audit(session, principal=principal, action="unmerge", entity="duty", entity_id=duty_id,
              person_id=merge.merged_id,
              why=f"raised while merge {merge.id} stood; it concerns person {merge.merged_id}, "
                  f"so it goes with them")
    session.flush()
    return merge


def _refuse_two_open_discussions(session: Session, *, person_ids: tuple[int, int]) -> None:
    """A child has one strategy discussion at a time (the database refuses a second), and
    which of two to hold is children's social care's decision, not the merge's."""
    open_ids = list(session.scalars(select(Duty.id).where(
        Duty.subject_person_id.in_(person_ids), Duty.kind == STRATEGY_DISCUSSION.name,
        Duty.status != DISCHARGED).order_by(Duty.id)))
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
        select(Duty.id, Duty.parent_duty_id, Duty.event_id)
        .where(Duty.subject_person_id == survivor, Duty.created_at >= merge.merged_at)
        .order_by(Duty.id)).all()
    rows = [row for row in rows if row.id not in moved]
    if not rows:
        return []
    parents = {row.parent_duty_id for row in rows if row.parent_duty_id is not None}
    owner: dict[int, int] = {duty_id: person_id for duty_id, person_id in session.execute(
        select(Duty.id, Duty.subject_person_id).where(Duty.id.in_(parents)))
        if person_id is not None}
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
    session.execute(update(Duty).where(Duty.id.in_(duty_ids))
                    .values(subject_person_id=merge.merged_id)
                    .execution_options(synchronize_session=False))
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
        if name in NOT_MOVED or name == "duties":
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


