"""A human decides possible matches; merges move everything about a person, unmerges move
exactly that back, and decisions are never reopened or overwritten."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.casework.merges import decide, unmerge
from safeguard.config import Settings
from safeguard.duties.models import Duty
from safeguard.errors import Conflict, Forbidden
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.evidence import queue_review
from safeguard.people.linkage.online import find_candidates, record_features
from safeguard.people.linkage.review import current_person_id
from safeguard.people.models import MatchReview, PersonIdentifier, PersonRecord
from safeguard.rules.context import build_context

from ..intake.scenario import incident
from ..web.test_pages_support import accept
from .helpers import add, person

RULES = build_context(Settings())

NHS = "9992914173"


def _possible(session: Session, ctx: IntakeContext) -> tuple[int, int, MatchReview]:
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs=NHS),
                   person("education", "E-1", "Zoe", nhs=NHS))
    review = session.scalar(select(MatchReview))
    assert review is not None
    return amy, zoe, review


def _subjects(session: Session, event_id: int) -> dict[int, int]:
    """Duty id -> the person it is about."""
    rows = session.execute(select(Duty.id, Duty.subject_person_id)
                           .where(Duty.event_id == event_id))
    return {duty_id: person_id for duty_id, person_id in rows}


def test_agreeing_merges_the_records_and_moves_the_duties_and_unmerge_moves_them_back(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    amy, zoe, review = _possible(session, ctx)
    child = {"role": "child_present", "given_name": "Zoe", "family_name": "Smith",
             "dob": "2015-02-11"}
    accepted = accept(session, ctx, incident("INC-1", "2026-11-27T22:40:00+00:00",
                                             people=[child]))
    before = _subjects(session, accepted.event_id)
    assert zoe in before.values()  # Amy, at the same address, has her own duties too
    researcher = principal("csc.worker")

    merge = decide(session, ctx=RULES, review_id=review.id, same=True, principal=researcher)
    assert merge is not None and (merge.survivor_id, merge.merged_id) == (amy, zoe)
    owners = set(session.scalars(select(PersonRecord.person_id)))
    assert owners == {amy}
    assert set(_subjects(session, accepted.event_id).values()) == {amy}
    assert current_person_id(session, person_id=zoe) == amy
    # The merged person can now be found through either name.
    found = find_candidates(session, record_features(
        given_name="Zoe", family_name="Smith", dob="2015-02-11", sex=None, address=None,
        ids={}))
    assert found[0].person_id == amy

    unmerge(session, merge_id=merge.id, principal=researcher)
    assert session.scalar(select(PersonRecord.person_id)
                          .where(PersonRecord.source_id == "E-1")) == zoe
    assert session.scalar(select(PersonRecord.person_id)
                          .where(PersonRecord.source_id == "H-1")) == amy
    assert _subjects(session, accepted.event_id) == before
    assert session.scalar(select(PersonIdentifier.person_id)
                          .where(PersonIdentifier.value == NHS)) == amy
    assert current_person_id(session, person_id=zoe) == zoe
    # Undoing the merge is a human decision too: "different", and final.
    session.refresh(review)
    assert review.status == "different"
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.person_id == zoe)))
    assert {"decide", "merge", "unmerge"} <= actions
    with pytest.raises(Conflict):
        unmerge(session, merge_id=merge.id, principal=researcher)


def test_a_decision_is_never_reopened_or_overwritten(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    _, _, review = _possible(session, ctx)
    decide(session, ctx=RULES, review_id=review.id, same=False,
           principal=principal("mash.officer"))
    with pytest.raises(Conflict):
        decide(session, ctx=RULES, review_id=review.id, same=True,
               principal=principal("csc.worker"))
    # Matching the same pair again finds the decided review and leaves it alone.
    record = session.get_one(PersonRecord, review.record_id)
    candidates = find_candidates(session, record_features(
        given_name="Zoe", family_name="Smith", dob="2015-02-11", sex=None, address=None,
        ids={"nhs": NHS}))
    candidate = next(c for c in candidates if c.person_id == review.candidate_person_id)
    again = queue_review(session, record_id=record.id, candidate=candidate, version="x")
    assert again.id == review.id and again.status == "different"
    assert again.decided_by == "user:mash.officer"


def test_only_childrens_social_care_and_police_decide_matches(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    _, _, review = _possible(session, ctx)
    with pytest.raises(Forbidden):
        decide(session, ctx=RULES, review_id=review.id, same=True,
               principal=principal("health.visitor"))


def test_later_matching_leaves_a_pair_a_reviewer_kept_apart_apart(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    _, zoe, review = _possible(session, ctx)
    decide(session, ctx=RULES, review_id=review.id, same=False, principal=principal("csc.worker"))
    # The same record sent again is a no-op: it is not re-matched.
    assert accept(session, ctx, person("education", "E-1", "Zoe", nhs=NHS)).person_ids == []
    # Another agency's record of Zoe, carrying the identifier Amy holds, joins Zoe; nobody
    # is asked again about Amy and Zoe, and the decision stands as the reviewer left it.
    (police,) = add(session, ctx, person("police", "P-1", "Zoe", nhs=NHS))
    assert police == zoe
    session.refresh(review)
    assert (review.status, review.decided_by) == ("different", "user:csc.worker")
    assert session.scalars(select(MatchReview)).all() == [review]
    assert {r.person_id for r in session.scalars(select(PersonRecord))
            if r.source_id in ("E-1", "P-1")} == {zoe}
