"""Online resolution: a record's candidates from the index in the store, scored in Python.

Splink's own one-record-at-a-time path costs 0.1-0.9 s a record; a form needs milliseconds.
So every person is filed under blocking keys (:func:`features.index_keys`) in
``person_blocking_keys``; a record's candidates come back from one indexed query, their
records from one more, and each pair is scored with the trained weights (:mod:`.model`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.people.linkage.features import Features, features, index_keys, query_keys
from safeguard.people.linkage.model import Model, Score, load_model
from safeguard.people.models import Address, PersonBlockingKey, PersonIdentifier, PersonRecord

MAX_CANDIDATES = 50
MAX_REVIEWS = 3


@dataclass(frozen=True)
class Candidate:
    person_id: int
    score: Score

    @property
    def probability(self) -> float:
        return self.score.probability


def record_features(
    *, given_name: str | None, family_name: str | None, dob: date | str | None,
    sex: str | None, address: Address | None, ids: dict[str, str],
) -> Features:
    return features(
        given_name=given_name, family_name=family_name, dob=dob, sex=sex,
        postcode=address.postcode if address else None,
        address=address.line1 if address else None,
        nhs=ids.get("nhs"), upn=ids.get("upn"), pnc=ids.get("pnc"),
    )


def candidate_ids(session: Session, keys: Iterable[str]) -> list[int]:
    """Persons filed under any of the keys, those sharing most keys first."""
    keys = sorted(keys)
    if not keys:
        return []
    shared = func.count(PersonBlockingKey.id)
    return list(session.scalars(
        select(PersonBlockingKey.person_id).where(PersonBlockingKey.key.in_(keys))
        .group_by(PersonBlockingKey.person_id).order_by(shared.desc(),
                                                        PersonBlockingKey.person_id)
        .limit(MAX_CANDIDATES)))


def _candidate_features(session: Session, person_ids: list[int]) -> dict[int, list[Features]]:
    held: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme, PersonIdentifier.value)
            .where(PersonIdentifier.person_id.in_(person_ids))):
        held[person_id][scheme].add(value)
    rows = session.execute(
        select(PersonRecord.person_id, PersonRecord.given_name, PersonRecord.family_name,
               PersonRecord.dob, PersonRecord.sex, Address.postcode, Address.line1)
        .outerjoin(Address, Address.id == PersonRecord.address_id)
        .where(PersonRecord.person_id.in_(person_ids)))
    out: dict[int, list[Features]] = defaultdict(list)
    for person_id, given, family, dob, sex, postcode, line1 in rows:
        schemes = held.get(person_id, {})
        ids = {scheme: min(values) for scheme, values in schemes.items()}
        out[person_id].append(features(
            given_name=given, family_name=family, dob=dob, sex=sex, postcode=postcode,
            address=line1, nhs=ids.get("nhs"), upn=ids.get("upn"), pnc=ids.get("pnc")))
        # A person may hold several values of one scheme; each is a chance to agree.
        for scheme, values in schemes.items():
            for value in sorted(values)[1:]:
                out[person_id].append(features(**{scheme: value}))
    return out


def _best(model: Model, query: Features, known: list[Features]) -> Score:
    scores = [model.score(query, other) for other in known]
    return max(scores, key=lambda s: (s.probability, s.match_weight))


def find_candidates(session: Session, query: Features, *,
                    model: Model | None = None) -> list[Candidate]:
    """Every candidate person for the record, scored, most likely first."""
    model = model or load_model()
    person_ids = candidate_ids(session, query_keys(query))
    if not person_ids:
        return []
    known = _candidate_features(session, person_ids)
    found = [Candidate(person_id, _best(model, query, known[person_id]))
             for person_id in person_ids if known.get(person_id)]
    return sorted(found, key=lambda c: (-c.probability, -c.score.match_weight, c.person_id))


def file_keys(session: Session, *, person_id: int, record: Features) -> None:
    """File a person under the keys of one more of their records."""
    keys = index_keys(record)
    if not keys:
        return
    have = set(session.scalars(select(PersonBlockingKey.key).where(
        PersonBlockingKey.person_id == person_id, PersonBlockingKey.key.in_(sorted(keys)))))
    session.add_all(PersonBlockingKey(person_id=person_id, key=key)
                    for key in sorted(keys - have))


def rebuild_keys(session: Session, *, person_ids: Iterable[int]) -> None:
    """Re-file persons from their records and identifiers (after a merge or an unmerge)."""
    ids = sorted(set(person_ids))
    existing = session.scalars(select(PersonBlockingKey).where(
        PersonBlockingKey.person_id.in_(ids))).all()
    for row in existing:
        session.delete(row)
    session.flush()
    wanted: dict[int, set[str]] = defaultdict(set)
    for person_id, records in _candidate_features(session, ids).items():
        for record in records:
            wanted[person_id] |= index_keys(record)
    session.add_all(PersonBlockingKey(person_id=person_id, key=key)
                    for person_id, keys in wanted.items() for key in sorted(keys))
    session.flush()
