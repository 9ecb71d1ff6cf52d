"""Building one chunk of a bulk load set-based (:mod:`.bulk`): the rows of what the online
path writes for a person event, for thousands of lines, a table's in a statement each
(written by :mod:`.bulk_store`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, text

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.db import table_of, utcnow
from safeguard.events.models import Event
from safeguard.intake.bulk_read import Line
from safeguard.intake.importer import ImportSummary
from safeguard.people.bulk import GROUP, STORED, Pair, Placement, Plan, Target
from safeguard.people.linkage.evidence import OPEN
from safeguard.people.linkage.features import index_keys
from safeguard.people.models import (
    MatchReview,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonLink,
    PersonRecord,
)
from safeguard.rows import Rows, new_ids, one_of, rows_of, values_of


@dataclass
class BulkSummary(ImportSummary):
    persons_created: int = 0
    reviews: int = 0
    pairs_scored: int = 0
    chunks: int = 0
    # Seconds spent reading, placing addresses, linking, writing, and on other events.
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class WriteState:
    """What later chunks need from earlier ones: the persons made, who holds each identifier,
    the keys a person made by the load is filed under while its group has lines to come."""

    # The line number of each group's last line.
    last_line: dict[int, int]
    person_of_group: dict[int, int] = field(default_factory=dict)
    owners: dict[tuple[str, str], int] = field(default_factory=dict)
    records: set[int] = field(default_factory=set)
    filed: dict[int, set[str]] = field(default_factory=dict)
    # Whether a chunk is stored while the one before it still is (:mod:`.bulk_store`), and
    # then the persons the chunk built last made, which it may still be storing.
    overlapping: bool = False
    made_last: set[int] = field(default_factory=set)


@dataclass
class ChunkRows:
    """One chunk of a bulk load, built and ready to store (:mod:`.bulk_store`): every row of
    every table, in the order the foreign keys need, and what storing it calls for."""

    lines: list[Line]
    persons: list[int]
    record_ids: list[int]
    event_ids: list[int]
    inserts: list[Rows]
    # Rows that refer to the persons the chunk before made (and the reviews, whose candidates
    # may be those persons): stored once that chunk is committed.
    after_previous: list[Rows]
    # Blocking keys of persons stored before this chunk, which may hold some already.
    stored_keys: list[tuple[int, str]]
    # A stored person's unknown date of birth or sex, from the chunk's records.
    gaps: list[dict[str, Any]]
    # By position in the chunk: the identifiers another person holds.
    conflicts: dict[int, list[tuple[str, str, int]]]
    persons_created: int
    reviews: int
    now: datetime


def build_chunk(connection: Connection, chunk: list[Line], placements: dict[str, Placement],
                plan: Plan, state: WriteState, headline: dict[int, dict[str, Any]], *,
                principal: Principal, via: str) -> ChunkRows:
    """One chunk's rows: each table's built column by column (a list per column, not a dict
    per row). ``connection`` gives the new rows' ids and tells who holds an identifier; the
    rows are written by :func:`.bulk_store.store_chunk`, which may run while the next chunk
    is built, so nothing here reads what an earlier chunk stored (``state`` carries it)."""
    now = utcnow()
    dialect = connection.dialect
    n = len(chunk)
    data = [line.data for line in chunk]
    event_ids = new_ids(connection, table_of(Event), n)
    inserts = [rows_of(dialect, table_of(Event), {
        "id": event_ids, "event_type": [d.event for d in data],
        "source": [d.source for d in data], "source_id": [d.source_id for d in data],
        "payload": [line.payload for line in chunk],
        "payload_hash": [line.digest for line in chunk], "received_at": [now] * n,
        "received_via": [via] * n, "actor": [principal.actor] * n}, ready=("payload",))]
    targets = [placements[line.key].target for line in chunk]
    groups = sorted({group for kind, group in targets
                     if kind == GROUP and group not in state.person_of_group})
    made = new_ids(connection, table_of(Person), len(groups))
    if groups:
        heads = [headline[group] for group in groups]
        inserts.append(rows_of(dialect, table_of(Person), {
            "id": made, **{name: [head[name] for head in heads] for name in heads[0]},
            "created_at": [now] * len(groups)}))
    state.person_of_group.update(zip(groups, made, strict=True))
    of_group = state.person_of_group
    persons = [group if kind == STORED else of_group[group] for kind, group in targets]
    record_ids = new_ids(connection, table_of(PersonRecord), n)
    inserts.append(rows_of(dialect, table_of(PersonRecord), {
        "id": record_ids, "person_id": persons, "event_id": event_ids,
        "source": [d.source for d in data], "source_id": [d.source_id for d in data],
        "given_name": [d.given_name for d in data], "family_name": [d.family_name for d in data],
        "dob": [d.dob for d in data], "sex": [d.sex for d in data],
        "address_id": [line.address.id if line.address else None for line in chunk],
        "school_urn": [d.school_urn for d in data],
        "recorded_at": [d.recorded_at or now for d in data],
        "linked_by": [_linked_by(placements[line.key]) for line in chunk],
        "from_concern": [False] * n}))
    state.records.update(record_ids)
    claimed, conflicts, identifiers = _identifiers(connection, chunk, persons, state)
    inserts.append(identifiers)
    keys: dict[tuple[int, str], None] = {}
    for line, person_id, mine in zip(chunk, persons, claimed, strict=True):
        # Filed under the identifiers it brought to the store, as online.
        f = line.features
        if len(mine) < len(line.ids):
            f = f._replace(**{scheme: None for scheme in line.ids if scheme not in mine})
        keys.update(((person_id, key), None) for key in sorted(index_keys(f)))
    # A person this chunk makes has no keys yet, and no other writer can see it before the
    # chunk commits: its keys are copied in as they are. One stored before (by an earlier
    # chunk, or the store's own) may hold some already: those the load filed it under are
    # left out, and the rest are added by an insert that checks each row against the
    # unique index first (about twice the cost of a plain one).
    made_here = set(made)
    fresh = [pair for pair in keys if pair[0] in made_here]
    stored_keys = [pair for pair in keys if pair[0] not in made_here
                   and pair[1] not in state.filed.get(pair[0], ())]
    _remember_filed(state, targets, keys, end=chunk[-1].number)
    inserts.append(rows_of(dialect, table_of(PersonBlockingKey), {
        "person_id": [person_id for person_id, _ in fresh], "key": [key for _, key in fresh]}))
    inserts.append(_links(dialect, chunk, placements, plan, persons, record_ids, now))
    reviews = _reviews(dialect, chunk, placements, plan, record_ids, of_group, now)
    inserts.append(rows_of(dialect, table_of(AuditEntry), {
        "actor": [principal.actor] * n, "agency_id": [principal.agency_id or None] * n,
        "action": ["write"] * n, "entity": ["person_record"] * n,
        "entity_id": [str(record_id) for record_id in record_ids], "person_id": persons,
        "why": [f"{via} of {d.source} record {d.source_id}" for d in data], "at": [now] * n}))
    ready, after_previous = inserts, [reviews]  # reviews last: a review names its record
    if state.overlapping:
        # Split so that the rows this chunk can store while the chunk before is still
        # storing come first (their foreign keys name rows committed before, or its own).
        ready, after_previous = [], []
        for table_rows in inserts:
            if "person_id" in table_rows.names:
                table_rows, later = table_rows.parted("person_id", state.made_last)
                after_previous.append(later)
            ready.append(table_rows)
        after_previous.append(reviews)
        state.made_last = made_here
    return ChunkRows(
        chunk, persons, record_ids, event_ids, ready, after_previous,
        stored_keys=stored_keys,
        gaps=_gaps(chunk, targets, persons), conflicts=conflicts, persons_created=len(made),
        reviews=len(reviews.values), now=now)


def _remember_filed(state: WriteState, targets: list[Target], keys: dict[tuple[int, str], None],
                    *, end: int) -> None:
    """Keep the keys of the load's persons whose groups have lines after ``end``; forget
    those of groups that end here."""
    open_now: set[int] = set()
    for kind, group in targets:
        if kind == GROUP:
            person_id = state.person_of_group[group]
            if state.last_line[group] > end:
                open_now.add(person_id)
            else:
                state.filed.pop(person_id, None)
    for person_id, key in keys:
        if person_id in open_now:
            state.filed.setdefault(person_id, set()).add(key)


def _reviews(dialect: Dialect, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
             record_ids: list[int], of_group: dict[int, int], now: datetime) -> Rows:
    """The possible matches a human is to review (a few in a chunk)."""
    found = [(record_id, target[1] if target[0] == STORED else of_group[target[1]], score)
             for line, record_id in zip(chunk, record_ids, strict=True)
             for _, target, score in placements[line.key].reviews]
    version = plan.model.version
    return rows_of(dialect, table_of(MatchReview), {
        "record_id": [record_id for record_id, _, _ in found],
        "candidate_person_id": [person_id for _, person_id, _ in found],
        "probability": [score.probability for _, _, score in found],
        "match_weight": [score.match_weight for _, _, score in found],
        "evidence": [json.dumps(score.evidence(version)) for _, _, score in found],
        "model_version": [version] * len(found), "status": [OPEN] * len(found),
        "created_at": [now] * len(found)})


def _gaps(chunk: list[Line], targets: list[Target], persons: list[int]) -> list[dict[str, Any]]:
    """A stored person's unknown date of birth or sex, to take from the first record giving
    it (never overwritten: sources disagree and none is master)."""
    return [{"pid": person_id, "new_dob": line.data.dob, "new_sex": line.data.sex}
            for line, target, person_id in zip(chunk, targets, persons, strict=True)
            if target[0] == STORED and (line.data.dob or line.data.sex)]


def _linked_by(placement: Placement) -> str:
    """How the record was linked, in the online path's words."""
    if placement.outcome == "matched":
        if placement.best is None:
            return "matched to existing person (in a batch, through its other records)"
        return f"matched to existing person ({placement.best.probability:.3f})"
    if placement.outcome == "possible":
        return "possible matches — needs review"
    if placement.outcome == "unmatchable":
        return "new person (not enough to match on)"
    return "new person"


def _identifiers(connection: Connection, chunk: list[Line], persons: list[int],
                 state: WriteState
                 ) -> tuple[list[dict[str, str]], dict[int, list[tuple[str, str, int]]], Rows]:
    """Store each identifier no one holds yet with the record's person; one another person
    already holds is not moved but is a conflict. Returns each line's identifiers that are
    new to the store, by position in the chunk the conflicts, and the identifiers' rows."""
    owners = state.owners
    wanted: dict[str, set[str]] = {}
    for line in chunk:
        for scheme, value in line.ids.items():
            if (scheme, value) not in owners:  # a holder an earlier chunk found or made
                wanted.setdefault(scheme, set()).add(value)
    look_up = text(f"SELECT value, person_id FROM {table_of(PersonIdentifier).name} "
                   f"WHERE scheme = :scheme AND {one_of(connection, 'value', 'values')}")
    for scheme, values in sorted(wanted.items()):
        # By scheme and value: the unique index leads with the scheme, and a look-up by
        # value alone reads the whole table, once a chunk, as it grows.
        owners.update(((scheme, value), person_id) for value, person_id in connection.execute(
            look_up, {"scheme": scheme, "values": values_of(connection, sorted(values))}))
    claimed: list[dict[str, str]] = []
    conflicts: dict[int, list[tuple[str, str, int]]] = {}
    columns: dict[str, list[Any]] = {"person_id": [], "scheme": [], "value": [], "source": []}
    for n, (line, person_id) in enumerate(zip(chunk, persons, strict=True)):
        mine = {}
        for scheme, value in line.ids.items():
            holder = owners.get((scheme, value))
            if holder is None:
                owners[(scheme, value)] = person_id
                mine[scheme] = value
                columns["person_id"].append(person_id)
                columns["scheme"].append(scheme)
                columns["value"].append(value)
                columns["source"].append(line.data.source)
            elif holder != person_id:
                conflicts.setdefault(n, []).append((scheme, value, holder))
        claimed.append(mine)
    return claimed, conflicts, rows_of(connection.dialect, table_of(PersonIdentifier), columns)


def _links(dialect: Dialect, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
           persons: list[int], record_ids: list[int], now: datetime) -> Rows:
    """The evidence of each link: the batch's best pair with an earlier record."""
    chosen = [placements[line.key] for line in chunk]
    bests = [placement.best for placement in chosen]
    n = len(chunk)
    return rows_of(dialect, table_of(PersonLink), {
        "record_id": record_ids, "person_id": persons,
        "outcome": [placement.outcome for placement in chosen],
        "probability": [best.probability if best else None for best in bests],
        "match_weight": [best.match_weight if best else None for best in bests],
        "evidence": [link_evidence(best) for best in bests],
        "model_version": [plan.model.version] * n, "created_at": [now] * n})


def link_evidence(best: Pair | None) -> str:
    """The link's evidence as JSON: that the batch linked it, and its best pair's scores
    (written directly: a million records' evidence through json.dumps costs seconds)."""
    if best is None:
        return '{"batch": true}'
    probability, weight = round(best.probability, 6), round(best.match_weight, 3)
    if not (math.isfinite(probability) and math.isfinite(weight)):
        return json.dumps({"batch": True, "best": {"probability": probability,
                                                   "match_weight": weight}})
    return (f'{{"batch": true, "best": {{"probability": {probability!r}, '
            f'"match_weight": {weight!r}}}}}')
