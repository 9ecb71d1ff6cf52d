"""`safeguard model relink`: a new model's different links go to review, nothing moves."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.relink import relink
from safeguard.people.models import MatchReview, PersonRecord

from .helpers import add, link_of, person


def _records(session: Session) -> dict[str, int]:
    return {r.source_id: r.person_id for r in session.scalars(select(PersonRecord))}


def test_a_changed_model_sends_a_record_it_would_link_differently_to_review(
    session: Session, ctx: IntakeContext,
) -> None:
    catherine, kate, olivia, liv = add(
        session, ctx, person("education", "E-1", "Catherine"),
        person("health", "H-1", "Kate"),
        person("education", "E-2", "Olivia", "Jones", "2013-05-06"),
        person("police", "P-2", "Olivia", "Jones", "2013-05-06"))
    assert catherine == kate and olivia == liv and catherine != olivia
    assert link_of(session, "H-1").model_version == load_model().version
    before = _records(session)
    shipped = load_model()
    # The new model holds a nickname to be no evidence of one person.
    changed = replace(shipped, version="person-match-changed",
                      m_u={**shipped.m_u, "given_name": {
                          **shipped.m_u["given_name"], "nickname": (1e-6, 0.05)}})

    done = relink(session, model=changed, principal=SYSTEM)

    assert (done.rescored, done.agreeing, done.to_review) == (4, 2, 2)
    reviews = list(session.scalars(select(MatchReview)))
    by_record = {session.get_one(PersonRecord, r.record_id).source_id: r for r in reviews}
    assert set(by_record) == {"E-1", "H-1"}
    assert all(r.candidate_person_id == catherine and r.status == "open"
               and r.model_version == "person-match-changed" and r.probability < 0.95
               for r in reviews)
    assert _records(session) == before  # nothing moved on the model's say-so


def test_relinking_with_the_model_that_linked_the_records_changes_nothing(
    session: Session, ctx: IntakeContext,
) -> None:
    add(session, ctx, person("education", "E-1", "Catherine"),
        person("health", "H-1", "Kate"), person("education", "E-2", "Olivia", "Jones"))
    assert relink(session, model=load_model(), principal=SYSTEM).rescored == 0
    every = relink(session, model=load_model(), principal=SYSTEM, every_record=True)
    assert (every.rescored, every.agreeing, every.to_review) == (3, 3, 0)
    assert session.scalar(select(MatchReview)) is None
