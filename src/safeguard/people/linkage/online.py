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
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from safeguard.db import table_of
from safeguard.people.addresses import AddressText
from safeguard.people.linkage.features import Features, features, index_keys, query_keys
from safeguard.people.linkage.levels import identifier_agrees
from safeguard.people.linkage.model import Model, Score, load_model
from safeguard.people.models import (
    Address,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonRecord,
)

MAX_CANDIDATES = 50
MAX_REVIEWS = 3


@dataclass(frozen=True)
class Candidate:
    person_id: int
    score: Score

    @property
    def probability(self) -> float:
        return self.score.probability

    @property
    def identified(self) -> bool:
        """An identifier agrees and the guard does not keep the pair apart: this is the
        person the identifier names (validated, check-digited, given to one person)."""
        return not self.score.held_apart and identifier_agrees(self.score.levels)


def record_features(
    *, given_name: str | None, family_name: str | None, dob: date | str | None,
    sex: str | None, address: AddressText | None, ids: dict[str, str],
) -> Features:
    return features(
        given_name=given_name, family_name=family_name, dob=dob, sex=sex,
        postcode=address.postcode if address else None,
        address=address.line1 if address else None,
        nhs=ids.get("nhs"), upn=ids.get("upn"), pnc=ids.get("pnc"),
    )


# Which candidates to score. At a million persons a name sound and a birth year, or a given
# name and a birth year, file a few hundred people each, and the one the record belongs to
# may share nothing else with it (a new surname, a new address, a transposed date), so the
# pool is ranked before the best MAX_CANDIDATES are scored: by the keys shared (an
# identifier outranks everything else, so a record with an agreeing NHS number is never
# crowded out by namesakes; a whole date of birth is narrower than a name sound and a
# year) and by the person's headline name and date of birth agreeing exactly with the
# record's (one indexed row per candidate, so cheap for hundreds of them). A postcode and an
# initial count as a whole date of birth does: a postcode holds about fifteen homes, and the
# model weighs a shared postcode as it weighs a shared birthday (12.6 bits against 13.3),
# far above a name sound and a birth year, which file hundreds at a million persons. Both
# names (the given name's formal form and the surname's sound) count for more than either
# with a year: a Danny Connolly known only by an undated record is found by Daniel Conolly
# born in 2004, past the hundred Daniels born that year. A headline birthday agreeing adds
# little to the date key it already shares: a birthday alone, under two other names, is a
# stranger (the model: 13 bits for the date, less 7 and 3 for the names), and ranks below
# one of the record's given name and birth year.
_KEY = PersonBlockingKey.key
_WEIGHT = case((or_(_KEY.startswith("nhs:"), _KEY.startswith("upn:"),
                    _KEY.startswith("pnc:")), 20),
               (_KEY.startswith("nm:"), 3),
               (or_(_KEY.startswith("d:"), _KEY.startswith("pi:")), 2), else_=1)
_POOL = (select(PersonBlockingKey.person_id, func.sum(_WEIGHT).label("shared"))
         .where(_KEY.in_(bindparam("keys", expanding=True)))
         .group_by(PersonBlockingKey.person_id).subquery("pool"))
_ALIKE = (
    case((func.lower(Person.given_name).in_([bindparam("given"), bindparam("canon")]), 3),
         else_=0)
    + case((func.lower(Person.family_name) == bindparam("family"), 3), else_=0)
    + case((Person.dob.in_([bindparam("dob"), bindparam("swap")]), 1), else_=0))
_RANK = (_POOL.c.shared + _ALIKE).label("rank")
# Built once: building a statement costs more than running it against the index.
_RANKED = (select(_POOL.c.person_id, _RANK)
           .join(Person, Person.id == _POOL.c.person_id)
           .order_by(_RANK.desc(), _POOL.c.person_id).limit(MAX_CANDIDATES))
_BEST = _RANKED.cte("best")
# DISTINCT: a repeat victim gains a record like the last at every incident, and each record
# meets each identifier in the join; only the different ones are worth fetching and scoring
# (without it, rows grew with every incident at an address: 300 a look-up after 20 each).
_WITH_RECORDS = (
    select(_BEST.c.person_id, _BEST.c.rank, PersonRecord.given_name,
           PersonRecord.family_name, PersonRecord.dob, PersonRecord.sex, Address.postcode,
           Address.line1, PersonIdentifier.scheme, PersonIdentifier.value)
    .join(PersonRecord, PersonRecord.person_id == _BEST.c.person_id)
    .outerjoin(Address, Address.id == PersonRecord.address_id)
    .outerjoin(PersonIdentifier, PersonIdentifier.person_id == _BEST.c.person_id)
    .distinct())


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _lookup(keys: Iterable[str], like: Features | None) -> dict[str, Any]:
    like = like or Features()
    return {"keys": sorted(keys), "given": like.given, "canon": like.given_canon,
            "family": like.family, "dob": _date(like.dob), "swap": _date(like.dob_swap)}


def candidate_ids(session: Session, keys: Iterable[str], *,
                  like: Features | None = None) -> list[int]:
    """Persons filed under any of the keys, best first: those sharing the most telling keys,
    and (given ``like``, the record looked up) those whose name and birth date agree."""
    params = _lookup(keys, like)
    if not params["keys"]:
        return []
    return [person_id for person_id, _ in session.execute(_RANKED, params)]


def _candidates_with_records(session: Session, keys: list[str],
                             like: Features) -> dict[int, list[Features]]:
    """The best candidates with their records and identifiers, in one statement (each round
    trip costs more than scoring a pair)."""
    records: dict[int, dict[tuple[Any, ...], None]] = defaultdict(dict)
    held: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    order: dict[int, tuple[int, int]] = {}
    for person_id, rank, *fields, scheme, value in session.execute(
            _WITH_RECORDS, _lookup(keys, like)):
        order[person_id] = (-rank, person_id)
        records[person_id][tuple(fields)] = None
        if scheme is not None:
            held[person_id][scheme].add(value)
    return {person_id: _features_of(records[person_id], held.get(person_id, {}))
            for person_id in sorted(order, key=order.__getitem__)}


def _features_of(records: Iterable[tuple[Any, ...]],
                 schemes: dict[str, set[str]]) -> list[Features]:
    ids = {scheme: min(values) for scheme, values in schemes.items()}
    # A repeat victim gains a record like the last at every incident: score each once.
    unique = dict.fromkeys(records)
    out = [features(given_name=given, family_name=family, dob=dob, sex=sex, postcode=postcode,
                    address=line1, nhs=ids.get("nhs"), upn=ids.get("upn"), pnc=ids.get("pnc"))
           for given, family, dob, sex, postcode, line1 in unique]
    # A person may hold several values of one scheme; each is a chance to agree.
    for scheme, values in schemes.items():
        for value in sorted(values)[1:]:
            out.append(features(**{scheme: value}))
    return out


def candidate_features(session: Session, person_ids: list[int], *,
                       leave_out: int | None = None) -> dict[int, list[Features]]:
    """Each person's records and identifiers as the matcher compares them (``leave_out``:
    a record not to count, the one being scored again)."""
    held: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme, PersonIdentifier.value)
            .where(PersonIdentifier.person_id.in_(person_ids))):
        held[person_id][scheme].add(value)
    records: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for person_id, *fields in session.execute(
            select(PersonRecord.person_id, PersonRecord.given_name, PersonRecord.family_name,
                   PersonRecord.dob, PersonRecord.sex, Address.postcode, Address.line1)
            .outerjoin(Address, Address.id == PersonRecord.address_id)
            .where(PersonRecord.person_id.in_(person_ids),
                   PersonRecord.id != (-1 if leave_out is None else leave_out))):
        records[person_id].append(tuple(fields))
    return {person_id: _features_of(rows, held.get(person_id, {}))
            for person_id, rows in records.items()}


def best_score(model: Model, query: Features, known: list[Features]) -> Score:
    """The score of the person's record most like the query."""
    scores = [model.score(query, other) for other in known]
    return max(scores, key=lambda s: (s.probability, s.match_weight))


def find_candidates(session: Session, query: Features, *,
                    model: Model | None = None) -> list[Candidate]:
    """Every candidate person for the record, scored, most likely first."""
    model = model or load_model()
    keys = sorted(query_keys(query))
    if not keys:
        return []
    known = _candidates_with_records(session, keys, query)
    found = [Candidate(person_id, best_score(model, query, records))
             for person_id, records in known.items() if records]
    # The person an identifier names comes first, however strongly a lookalike scores: a
    # record with no given name shares a twin's surname, home and birthday, and those can
    # outweigh the other twin's NHS number on records with an old address and a partial date.
    return sorted(found, key=lambda c: (not c.identified, -c.probability,
                                        -c.score.match_weight, c.person_id))


# Built once: every record kept runs both (building a statement costs more than running it).
_FILED = select(PersonBlockingKey.key).where(
    PersonBlockingKey.person_id == bindparam("person_id"),
    PersonBlockingKey.key.in_(bindparam("keys", expanding=True)))
_INSERT_KEY = insert(table_of(PersonBlockingKey))


def file_keys(session: Session, *, person_id: int, record: Features) -> None:
    """File a person under the keys of one more of their records."""
    keys = index_keys(record)
    if not keys:
        return
    connection = session.connection()
    have = set(connection.execute(_FILED, {"person_id": person_id, "keys": sorted(keys)})
               .scalars())
    if keys - have:
        connection.execute(_INSERT_KEY, [{"person_id": person_id, "key": key}
                                         for key in sorted(keys - have)])


def rebuild_keys(session: Session, *, person_ids: Iterable[int]) -> None:
    """Re-file persons from their records and identifiers (after a merge or an unmerge)."""
    ids = sorted(set(person_ids))
    session.flush()  # the records to file from may still be pending objects
    connection = session.connection()
    # Rows, not objects, both ways: `safeguard db rebuild-keys` re-files every person.
    connection.execute(delete(table_of(PersonBlockingKey))
                       .where(table_of(PersonBlockingKey).c.person_id.in_(ids)))
    wanted: dict[int, set[str]] = defaultdict(set)
    for person_id, records in candidate_features(session, ids).items():
        for record in records:
            wanted[person_id] |= index_keys(record)
    rows = [{"person_id": person_id, "key": key}
            for person_id, keys in wanted.items() for key in sorted(keys)]
    if rows:
        connection.execute(_INSERT_KEY, rows)


def rebuild_keys_after(session: Session, *, after: int, limit: int) -> list[int]:
    """Re-file the next `limit` persons (by id, after `after`) under their records' keys, as
    after an upgrade that changes the name lists or the key rules; returns their ids."""
    ids = list(session.scalars(select(Person.id).where(Person.id > after)
                               .order_by(Person.id).limit(limit)))
    if ids:
        rebuild_keys(session, person_ids=ids)
    return ids
