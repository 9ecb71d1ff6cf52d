"""Re-scoring the store's records with a new model (`safeguard model relink`).

After a model upgrade each record is resolved again, as if it arrived now, against every
other record in the store (its own left out). Where the new model would link it to another
person, or to no one where it sits with others, the record goes to the review queue with
the new model's evidence; a human decides, and nothing moves on the model's say-so. Records
the new model links as they are stay as they are. Reading every record is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.people.linkage.evidence import queue_review
from safeguard.people.linkage.features import Features, query_keys
from safeguard.people.linkage.model import Model
from safeguard.people.linkage.online import (
    MAX_REVIEWS,
    Candidate,
    best_score,
    candidate_features,
    candidate_ids,
    record_features,
)
from safeguard.people.models import Address, PersonIdentifier, PersonLink, PersonRecord


@dataclass(frozen=True)
class Relinked:
    rescored: int
    agreeing: int
    to_review: int


def rescore(session: Session, *, record: PersonRecord, query: Features,
            model: Model) -> list[Candidate]:
    """The record's candidates as the model scores them, the record itself left out."""
    ids = candidate_ids(session, query_keys(query), like=query)
    known = candidate_features(session, ids, leave_out=record.id)
    found = [Candidate(person_id, best_score(model, query, known[person_id]))
             for person_id in ids if known.get(person_id)]
    return sorted(found, key=lambda c: (not c.identified, -c.probability,
                                        -c.score.match_weight, c.person_id))


def relink(session: Session, *, model: Model, principal: Principal,
           every_record: bool = False) -> Relinked:
    """Every record linked by another model version (``every_record``: every record) scored
    again with ``model``; those it would link differently queued for review."""
    statement = (select(PersonRecord, Address)
                 .outerjoin(Address, Address.id == PersonRecord.address_id)
                 .outerjoin(PersonLink, PersonLink.record_id == PersonRecord.id)
                 .order_by(PersonRecord.id))
    if not every_record:
        statement = statement.where(func.coalesce(PersonLink.model_version, "")
                                    != model.version)
    rows = session.execute(statement).all()
    audit(session, principal=principal, action="read", entity="person_records",
          entity_id="all", why=f"re-scoring {len(rows)} records with model {model.version}")
    held: dict[int, dict[str, str]] = {}
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme,
                   PersonIdentifier.value).order_by(PersonIdentifier.value.desc())):
        held.setdefault(person_id, {})[scheme] = value
    agreeing = to_review = 0
    threshold = model.thresholds["match"]
    for record, address in rows:
        query = record_features(given_name=record.given_name, family_name=record.family_name,
                                dob=record.dob, sex=record.sex, address=address,
                                ids=held.get(record.person_id, {}))
        candidates = rescore(session, record=record, query=query, model=model)
        best = candidates[0] if candidates and candidates[0].probability >= threshold \
            else None
        if best is not None and best.person_id == record.person_id:
            agreeing += 1
            continue
        if best is None:
            others = candidate_features(session, [record.person_id],
                                        leave_out=record.id).get(record.person_id)
            if not others:  # its person's only record: alone, as before
                agreeing += 1
                continue
            # Its person's other records are no longer a match for it.
            best = Candidate(record.person_id, best_score(model, query, others))
        queue_review(session, record_id=record.id, candidate=best, version=model.version)
        to_review += 1
    session.flush()
    return Relinked(len(rows), agreeing, to_review)


def review_records_linked_meanwhile(
        session: Session, *, after_record_id: int, loaded_records: set[int],
        loaded_persons: set[int], model: Model, principal: Principal) -> int:
    """A bulk load links its file against the store as it stood when the load read it; a
    record an online import kept while the load wrote (after ``after_record_id``, and not
    one of the load's own) never met the persons the load went on to make, so the same child
    can stand as two persons. Each such record is scored again against the store now; where
    a person the load made is a possible match or better, the pair goes to the review queue
    (a human decides, nothing moves). Returns how many review items were queued."""
    kept_after = set(session.scalars(select(PersonRecord.id)
                                     .where(PersonRecord.id > after_record_id)))
    meanwhile = sorted(kept_after - loaded_records)
    if not meanwhile:
        return 0
    audit(session, principal=principal, action="read", entity="person_records",
          entity_id=f"{meanwhile[0]}-{meanwhile[-1]}",
          why=f"checking {len(meanwhile)} records kept during a bulk load against its persons")
    held: dict[int, dict[str, str]] = {}
    queued = 0
    rows = session.execute(select(PersonRecord, Address)
                           .outerjoin(Address, Address.id == PersonRecord.address_id)
                           .where(PersonRecord.id.in_(meanwhile))
                           .order_by(PersonRecord.id)).all()
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme, PersonIdentifier.value)
            .where(PersonIdentifier.person_id.in_({record.person_id for record, _ in rows}))):
        held.setdefault(person_id, {})[scheme] = value
    for record, address in rows:
        query = record_features(given_name=record.given_name, family_name=record.family_name,
                                dob=record.dob, sex=record.sex, address=address,
                                ids=held.get(record.person_id, {}))
        found = [candidate for candidate in rescore(session, record=record, query=query,
                                                    model=model)
                 if candidate.person_id in loaded_persons
                 and candidate.person_id != record.person_id
                 and candidate.probability >= model.thresholds["possible"]]
        for candidate in found[:MAX_REVIEWS]:
            queue_review(session, record_id=record.id, candidate=candidate,
                         version=model.version)
            queued += 1
    session.flush()
    return queued
