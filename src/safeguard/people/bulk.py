"""Linking a bulk load's records in one batch, together with every record the store holds.

The online path resolves one record at a time against the candidate index; a first load of a
million records that way takes hours. Here the file's records and the store's records are
linked in one Splink batch (:mod:`.linkage.batch`: the shipped model, the guard, constrained
clustering), so a file's record joins the person the store already knows rather than making a
second one. What comes back is a placement for each new record, read as if the records had
arrived one at a time in the file's order: the first record of a cluster that holds no stored
record makes the cluster's person, every later one is matched to it, and a record that starts
a person but scores between the thresholds against an earlier record's person is a possible
match for a human to review, as online.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any

from splink import DuckDBAPI
from splink.internals.database_api import DatabaseAPI
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from safeguard.db import table_of
from safeguard.people.addresses import AddressText, PlacedAddress, place_address
from safeguard.people.linkage.batch import cluster_in_database, scaled_to, score_batch
from safeguard.people.linkage.features import Features, features
from safeguard.people.linkage.lookalikes import fitted_to_homes
from safeguard.people.linkage.model import Model, Score, load_model
from safeguard.people.linkage.online import MAX_REVIEWS
from safeguard.people.models import Address, PersonIdentifier, PersonRecord
from safeguard.rows import insert_columns, new_ids

# A person already in the store, or the person a cluster of new records makes.
STORED, GROUP = "person", "group"
Target = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Pair:
    """A scored pair seen from one of its records: the other record, and how alike."""

    other: str
    probability: float
    match_weight: float


@dataclass(slots=True)
class Placement:
    """Where one new record goes, and why."""

    key: str
    target: Target
    # matched | possible | new | unmatchable, as the online path says them
    outcome: str
    best: Pair | None = None
    # Possible matches to review: (the earlier record, its target, the model's score).
    reviews: list[tuple[str, Target, Score]] = field(default_factory=list)


@dataclass
class Plan:
    placements: list[Placement]
    # The new records of each group, in the file's order (the first makes the person).
    groups: dict[int, list[str]]
    model: Model
    pairs_scored: int


def _stored_rows(session: Session) -> Iterator[tuple[str, int, Features]]:
    """Every stored record as the batch reads it, each with its person's identifiers (as a
    candidate's records are scored online)."""
    held: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme, PersonIdentifier.value)
            .order_by(PersonIdentifier.value)):
        held[person_id].setdefault(scheme, value)
    query = (select(PersonRecord.id, PersonRecord.person_id, PersonRecord.given_name,
                    PersonRecord.family_name, PersonRecord.dob, PersonRecord.sex,
                    Address.postcode, Address.line1)
             .outerjoin(Address, Address.id == PersonRecord.address_id)
             .order_by(PersonRecord.id))
    for record_id, person_id, given, family, dob, sex, postcode, line1 in \
            session.execute(query.execution_options(yield_per=20_000)):
        ids = held.get(person_id, {})
        yield f"s{record_id}", person_id, features(
            given_name=given, family_name=family, dob=dob, sex=sex, postcode=postcode,
            address=line1, nhs=ids.get("nhs"), upn=ids.get("upn"), pnc=ids.get("pnc"))


def _usable(f: Features) -> bool:
    return bool(f.given or f.family or f.dob_y)


def _link(keys: list[str], feats: list[Features], *, model: Model,
          db_api: DatabaseAPI[Any] | None) -> tuple[dict[str, int], dict[str, list[Pair]], int]:
    """Cluster of each usable record, and each record's pairs scoring at least the possible
    threshold once guarded (both ways)."""
    usable = [n for n, f in enumerate(feats) if _usable(f)]
    if len(usable) < 2:
        return {}, {}, 0
    ids = [keys[n] for n in usable]
    scored = score_batch(db_api or DuckDBAPI(), ids, [feats[n] for n in usable], model=model,
                         floor=model.thresholds["possible"])
    table = scored.linker.misc.query_sql(  # type: ignore[no-untyped-call]
        f"SELECT unique_id_l, unique_id_r, probability, match_weight FROM "
        f"{scored.pairs.physical_name} WHERE probability >= {model.thresholds['possible']}",
        output_type="splink_df").as_dict()
    pairs: dict[str, list[Pair]] = defaultdict(list)
    for left, right, p, weight in zip(table["unique_id_l"], table["unique_id_r"],
                                      table["probability"], table["match_weight"], strict=True):
        pairs[str(left)].append(Pair(str(right), float(p), float(weight or 0.0)))
        pairs[str(right)].append(Pair(str(left), float(p), float(weight or 0.0)))
    clusters = cluster_in_database(scored, ids, threshold=model.thresholds["match"])
    return clusters, pairs, len(table["unique_id_l"])


def plan_links(session: Session, new: Sequence[tuple[str, Features]], *,
               model: Model | None = None, db_api: DatabaseAPI[Any] | None = None) -> Plan:
    """Place each new record (keys unique, in the file's order) among the store's persons."""
    base = model or load_model()
    person_of: dict[str, int] = {}
    keys: list[str] = []
    feats: list[Features] = []
    for key, person_id, f in _stored_rows(session):
        person_of[key] = person_id
        keys.append(key)
        feats.append(f)
    keys += [key for key, _ in new]
    feats += [f for _, f in new]
    usable = [f for f in feats if _usable(f)]
    model = fitted_to_homes(scaled_to(base, len(usable)), usable)
    del usable
    clusters, pairs, scored = _link(keys, feats, model=model, db_api=db_api)
    by_key = dict(zip(keys, feats, strict=True))
    del keys, feats
    # Stored records come before every new one; new ones in the file's order.
    order = {key: n for n, (key, _) in enumerate(new)}
    stored_in: dict[int, set[int]] = defaultdict(set)
    for key, person_id in person_of.items():
        if key in clusters:
            stored_in[clusters[key]].add(person_id)
    groups: dict[int, list[str]] = defaultdict(list)
    seen: set[int] = set()  # clusters an earlier record (stored or new) is already in
    seen.update(stored_in)
    placements = []
    target_of: dict[str, Target] = {key: (STORED, person_id) for key, person_id in
                                    person_of.items()}
    lone = -1  # clusters of their own for records nothing can match on
    # Most records have no pair scored with an earlier one: the loop's steps for pairs are
    # taken only for those that do (a million records pass through it).
    for key, f in new:
        cluster = clusters.get(key)
        if cluster is None:
            cluster, lone = lone, lone - 1
        mine = pairs.get(key)
        earlier = [] if mine is None else \
            [p for p in mine if order.get(p.other, -1) < order[key]]
        stored = stored_in.get(cluster)
        target = (GROUP, cluster) if stored is None else \
            _target(cluster, stored, earlier, clusters, person_of)
        target_of[key] = target
        if target[0] == GROUP:
            groups[cluster].append(key)
        matched = cluster in seen
        seen.add(cluster)
        best = None
        if earlier:
            together = [p for p in earlier if clusters.get(p.other) == cluster]
            best = max(together or earlier, key=_strength)
        if not _usable(f):
            placements.append(Placement(key, target, "unmatchable"))
            continue
        if matched:
            placements.append(Placement(key, target, "matched", best))
            continue
        reviews = _reviews(f, earlier, by_key=by_key, target_of=target_of, model=model)
        placements.append(Placement(key, target, "possible" if reviews else "new", best,
                                    reviews))
    return Plan(placements, dict(groups), model, scored)


_strength = attrgetter("probability", "match_weight")


def _target(cluster: int, stored: set[int], earlier: list[Pair], clusters: dict[str, int],
            person_of: dict[str, int]) -> Target:
    """The stored person the cluster holds; where it holds several (two persons the store
    keeps apart, which a batch never merges), the one whose record the new record is most
    like."""
    if not stored:
        return (GROUP, cluster)
    if len(stored) == 1:
        return (STORED, next(iter(stored)))
    alike = [p for p in earlier if p.other in person_of and clusters.get(p.other) == cluster]
    if alike:
        return (STORED, person_of[max(alike, key=_strength).other])
    return (STORED, min(stored))


def _reviews(f: Features, earlier: list[Pair], *, by_key: dict[str, Features],
             target_of: dict[str, Target], model: Model) -> list[tuple[str, Target, Score]]:
    """The earlier records' persons this record may be (between the thresholds), the most
    likely first, one review per person and at most MAX_REVIEWS, as online."""
    best: dict[Target, tuple[str, Score]] = {}
    for pair in earlier:
        if pair.probability >= model.thresholds["match"]:
            continue
        target = target_of[pair.other]
        score = model.score(f, by_key[pair.other])
        if not model.thresholds["possible"] <= score.probability < model.thresholds["match"]:
            continue
        held = best.get(target)
        if held is None or (score.probability, score.match_weight) > \
                (held[1].probability, held[1].match_weight):
            best[target] = (pair.other, score)
    ranked = sorted(best.items(), key=lambda item: (-item[1][1].probability,
                                                    -item[1][1].match_weight))
    return [(other, target, score) for target, (other, score) in ranked[:MAX_REVIEWS]]


class AddressBook:
    """Every stored address in memory, so a bulk load finds or makes each of its addresses as
    :func:`people.service.upsert_address` would (the same :func:`place_address`, in the
    file's order), without a query per address; :meth:`save` then stores the new ones and
    the UPRNs given to stored ones in a statement each."""

    def __init__(self, session: Session) -> None:
        self._by_uprn: dict[str, PlacedAddress] = {}
        self._by_key: dict[str, list[PlacedAddress]] = defaultdict(list)
        self._by_postcode: dict[str, list[PlacedAddress]] = defaultdict(list)
        self._seq: dict[int, int] = {}
        self._new: list[PlacedAddress] = []
        self._numbered: list[PlacedAddress] = []
        self._by_text: dict[tuple[str | None, ...], PlacedAddress] = {}
        for row in session.execute(select(Address.id, Address.uprn, Address.line1,
                                          Address.line2, Address.town, Address.postcode,
                                          Address.match_key).order_by(Address.id)):
            self._file(PlacedAddress(**row._asdict()))

    def _file(self, address: PlacedAddress) -> None:
        self._seq[id(address)] = len(self._seq)
        if address.uprn:
            self._by_uprn[address.uprn] = address
        self._by_key[address.match_key].append(address)
        if address.postcode:
            self._by_postcode[address.postcode].append(address)

    def _filed(self, uprn: str | None, key: str) -> list[PlacedAddress]:
        found = list(self._by_key.get(key, ()))
        numbered = self._by_uprn.get(uprn) if uprn else None
        if numbered is not None and all(a is not numbered for a in found):
            found.append(numbered)
            found.sort(key=lambda a: self._seq[id(a)])
        return found

    def place(self, address: AddressText) -> PlacedAddress:
        if address.uprn:
            # It may give its UPRN to an address placed before, which can change where the
            # same text goes next.
            self._by_text.clear()
            return self._place(address)
        # A home's records repeat its text (each person, each agency): without a UPRN the
        # same text finds the same address (one whose text agrees to the letter, or the one
        # that was found for it before, unchanged since), so it is placed once.
        text = (address.line1, address.line2, address.town, address.postcode)
        found = self._by_text.get(text)
        if found is None:
            found = self._by_text[text] = self._place(address)
        return found

    def _place(self, address: AddressText) -> PlacedAddress:
        found = place_address(address, filed=self._filed,
                              at_postcode=lambda postcode: self._by_postcode.get(postcode, ()),
                              make=partial(PlacedAddress, None))
        if id(found) not in self._seq:
            self._file(found)
            self._new.append(found)
        elif address.uprn and found.uprn == address.uprn and address.uprn not in self._by_uprn:
            self._by_uprn[address.uprn] = found
            if found.id is not None:
                self._numbered.append(found)
        return found

    def save(self, session: Session) -> int:
        """Store the new addresses (each then has its id) and the UPRNs given; returns how
        many addresses were new."""
        table = table_of(Address)
        connection = session.connection()
        if self._new:
            new = self._new
            ids = new_ids(connection, table, len(new))
            insert_columns(connection, table, {
                "id": ids, "uprn": [a.uprn for a in new], "line1": [a.line1 for a in new],
                "line2": [a.line2 for a in new], "town": [a.town for a in new],
                "postcode": [a.postcode for a in new],
                "match_key": [a.match_key for a in new]})
            for address, new_id in zip(new, ids, strict=True):
                address.id = new_id
        if self._numbered:
            connection.execute(update(table).where(table.c.id == bindparam("aid"))
                               .values(uprn=bindparam("new_uprn")),
                               [{"aid": a.id, "new_uprn": a.uprn} for a in self._numbered])
        made = len(self._new)
        self._new, self._numbered = [], []
        return made
