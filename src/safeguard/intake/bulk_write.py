"""Writing one chunk of a bulk load set-based (:mod:`.bulk`): what the online path writes
for a person event, for thousands of lines in a statement each."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.db import table_of, utcnow
from safeguard.events.models import Event
from safeguard.events.schemas import PersonEvent
from safeguard.forensics import service as forensics
from safeguard.forensics.models import Device
from safeguard.intake.importer import ImportSummary
from safeguard.intake.rows import insert_new_pairs, insert_rows
from safeguard.intake.service import IntakeContext, record_gaps
from safeguard.offenders import service as offenders
from safeguard.offenders.models import OffenderRegistration
from safeguard.people.bulk import GROUP, STORED, Placement, Plan, Target
from safeguard.people.linkage.evidence import OPEN
from safeguard.people.linkage.features import Features, index_keys
from safeguard.people.models import (
    Address,
    MatchReview,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonLink,
    PersonRecord,
)


@dataclass
class BulkSummary(ImportSummary):
    persons_created: int = 0
    reviews: int = 0
    pairs_scored: int = 0
    chunks: int = 0
    # Seconds spent reading, placing addresses, linking, writing, and on other events.
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Line:
    number: int
    data: PersonEvent
    raw: dict[str, Any]
    digest: str
    address: Address | None = None
    key: str = ""
    features: Features = field(default_factory=Features)


@dataclass
class WriteState:
    """What later chunks need from earlier ones: the persons made, who holds each identifier."""

    person_of_group: dict[int, int] = field(default_factory=dict)
    owners: dict[tuple[str, str], int] = field(default_factory=dict)
    records: set[int] = field(default_factory=set)



def _returning(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows with ids of their own (each row is given its "id"), in one
    executemany, and return the ids (an INSERT ... RETURNING of many rows costs several times
    a plain one). On PostgreSQL the ids come from the table's sequence. SQLite has one
    writer: a chunk's transaction holds the write lock from its first insert, and a writer
    that took ids in between makes the chunk fail as a whole (its lines are then loaded when
    the load is run again)."""
    if not rows:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = sorted(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:name, 'id')) "
                 "FROM generate_series(1, :n)"), {"name": table.name, "n": len(rows)}
        ).scalars())
    else:
        last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        ids = list(range(last + 1, last + len(rows) + 1))
    for row, new_id in zip(rows, ids, strict=True):  # the caller's own new rows
        row["id"] = new_id
    insert_rows(connection, table, rows)
    return ids


def write_chunk(session: Session, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
           state: WriteState, headline: dict[int, dict[str, Any]], summary: BulkSummary, *,
           principal: Principal, ctx: IntakeContext, via: str) -> None:
    """One chunk, set-based, in the caller's transaction."""
    now = utcnow()
    event_ids = _returning(session, table_of(Event), [
        {"event_type": line.data.event, "source": line.data.source,
         "source_id": line.data.source_id, "payload": line.raw, "payload_hash": line.digest,
         "occurred_at": None, "received_at": now, "received_via": via,
         "actor": principal.actor} for line in chunk])
    groups = sorted({p.target[1] for line in chunk if (p := placements[line.key]).target[0]
                     == GROUP and p.target[1] not in state.person_of_group})
    made = _returning(session, table_of(Person),
                      [dict(headline[group], created_at=now) for group in groups])
    state.person_of_group.update(zip(groups, made, strict=True))
    summary.persons_created += len(made)

    def person(target: Target) -> int:
        return target[1] if target[0] == STORED else state.person_of_group[target[1]]

    persons = [person(placements[line.key].target) for line in chunk]
    _fill_gaps(session, chunk, placements, persons)
    record_ids = _returning(session, table_of(PersonRecord), [
        {"person_id": person_id, "event_id": event_id, "source": line.data.source,
         "source_id": line.data.source_id, "given_name": line.data.given_name,
         "family_name": line.data.family_name, "dob": line.data.dob, "sex": line.data.sex,
         "address_id": line.address.id if line.address else None,
         "school_urn": line.data.school_urn, "recorded_at": line.data.recorded_at or now,
         "linked_by": _linked_by(placements[line.key]), "from_concern": False}
        for line, person_id, event_id in zip(chunk, persons, event_ids, strict=True)])
    state.records.update(record_ids)
    claimed, conflicts = _identifiers(session, chunk, persons, state)
    keys: dict[tuple[int, str], None] = {}
    for line, person_id, mine in zip(chunk, persons, claimed, strict=True):
        # Filed under the identifiers it brought to the store, as online.
        held = {scheme: None for scheme in line.data.ids.present() if scheme not in mine}
        f = replace(line.features, **held) if held else line.features
        keys.update(((person_id, key), None) for key in sorted(index_keys(f)))
    insert_new_pairs(session.connection(), table_of(PersonBlockingKey), ("person_id", "key"),
                     list(keys))
    _links(session, chunk, placements, plan, persons, record_ids, now)
    reviews = [{"record_id": record_id, "candidate_person_id": person(target),
                "probability": score.probability, "match_weight": score.match_weight,
                "evidence": json.dumps(score.evidence(plan.model.version)),
                "model_version": plan.model.version, "status": OPEN, "created_at": now}
               for line, record_id in zip(chunk, record_ids, strict=True)
               for _, target, score in placements[line.key].reviews]
    if reviews:
        insert_rows(session.connection(), table_of(MatchReview), reviews)
    summary.reviews += len(reviews)
    insert_rows(session.connection(), table_of(AuditEntry), [
        {"actor": principal.actor, "agency_id": principal.agency_id or None, "action": "write",
         "entity": "person_record", "entity_id": str(record_id), "person_id": person_id,
         "why": f"{via} of {line.data.source} record {line.data.source_id}", "at": now}
        for line, record_id, person_id in zip(chunk, record_ids, persons, strict=True)])
    summary.duties_raised += _duties(session, chunk, persons, record_ids, event_ids, conflicts,
                                     principal=principal, ctx=ctx, now=now)
    summary.accepted += len(chunk)
    summary.by_type["person"] += len(chunk)


def _fill_gaps(session: Session, chunk: list[Line], placements: dict[str, Placement],
               persons: list[int]) -> None:
    """A stored person's unknown date of birth or sex taken from the first record giving it;
    never overwritten (sources disagree and none is master)."""
    persons_table = table_of(Person)
    rows = [{"pid": person_id, "new_dob": line.data.dob, "new_sex": line.data.sex}
            for line, person_id in zip(chunk, persons, strict=True)
            if placements[line.key].target[0] == STORED and (line.data.dob or line.data.sex)]
    if not rows:
        return
    column = persons_table.c
    session.connection().execute(
        update(persons_table).where(column.id == bindparam("pid")).values(
            dob=func.coalesce(column.dob, bindparam("new_dob", type_=column.dob.type)),
            sex=func.coalesce(column.sex, bindparam("new_sex", type_=column.sex.type))), rows)


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


def _identifiers(session: Session, chunk: list[Line], persons: list[int], state: WriteState
                 ) -> tuple[list[dict[str, str]], dict[int, list[tuple[str, str, int]]]]:
    """Store each identifier no one holds yet with the record's person; one another person
    already holds is not moved but is a conflict. Returns each line's identifiers that are
    new to the store and, by position in the chunk, the conflicts."""
    wanted: dict[str, set[str]] = {}
    for line in chunk:
        for scheme, value in line.data.ids.present().items():
            if (scheme, value) not in state.owners:  # a holder an earlier chunk found or made
                wanted.setdefault(scheme, set()).add(value)
    for scheme, values in sorted(wanted.items()):
        ordered = sorted(values)
        for start in range(0, len(ordered), 1000):
            # By scheme and value: the unique index leads with the scheme, and a look-up by
            # value alone reads the whole table, once a chunk, as it grows.
            state.owners.update(((scheme, value), person_id) for value, person_id in
                                session.execute(select(PersonIdentifier.value,
                                                       PersonIdentifier.person_id)
                                                .where(PersonIdentifier.scheme == scheme,
                                                       PersonIdentifier.value.in_(
                                                           ordered[start:start + 1000]))))
    claimed: list[dict[str, str]] = []
    conflicts: dict[int, list[tuple[str, str, int]]] = {}
    rows = []
    for n, (line, person_id) in enumerate(zip(chunk, persons, strict=True)):
        mine = {}
        for scheme, value in line.data.ids.present().items():
            holder = state.owners.get((scheme, value))
            if holder is None:
                state.owners[(scheme, value)] = person_id
                mine[scheme] = value
                rows.append({"person_id": person_id, "scheme": scheme, "value": value,
                             "source": line.data.source})
            elif holder != person_id:
                conflicts.setdefault(n, []).append((scheme, value, holder))
        claimed.append(mine)
    if rows:
        insert_rows(session.connection(), table_of(PersonIdentifier), rows)
    return claimed, conflicts


def _links(session: Session, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
           persons: list[int], record_ids: list[int], now: datetime) -> None:
    """The evidence of each link: the batch's best pair with an earlier record."""
    rows = []
    for line, person_id, record_id in zip(chunk, persons, record_ids, strict=True):
        placement = placements[line.key]
        best = placement.best
        evidence: dict[str, object] = {"batch": True}
        if best is not None:
            evidence["best"] = {"probability": round(best.probability, 6),
                                "match_weight": round(best.match_weight, 3)}
        rows.append({"record_id": record_id, "person_id": person_id,
                     "outcome": placement.outcome,
                     "probability": best.probability if best else None,
                     "match_weight": best.match_weight if best else None, "agreed": None,
                     "evidence": json.dumps(evidence), "model_version": plan.model.version,
                     "created_at": now})
    insert_rows(session.connection(), table_of(PersonLink), rows)


def _duties(session: Session, chunk: list[Line], persons: list[int], record_ids: list[int],
            event_ids: list[int], conflicts: dict[int, list[tuple[str, str, int]]], *,
            principal: Principal, ctx: IntakeContext, now: datetime) -> int:
    """What the online path raises for a person record, for the few records that call for
    it: an identifier conflict is a data-quality task; a record placing someone at a seized
    device's suspect's address or a registered offender's goes through the same rules as
    online (found first in one query each, so a chunk with neither pays two queries)."""
    raised = 0
    for n, found in conflicts.items():
        line = chunk[n]
        raised += len(record_gaps(
            session, conflicts=found, person_id=persons[n], source=line.data.source,
            reference=line.data.source_id, event_id=event_ids[n],
            recorded_at=line.data.recorded_at or now, ctx=ctx, now=now, actor=principal.actor))
    addresses = sorted({line.address.id for line in chunk if line.address is not None})
    if not addresses:
        return raised
    devices = set(session.scalars(select(Device.suspect_address_id).where(
        Device.suspect_address_id.in_(addresses))))
    registered = set(session.scalars(select(OffenderRegistration.address_id).where(
        OffenderRegistration.address_id.in_(addresses), OffenderRegistration.ended.is_(False))))
    for n, line in enumerate(chunk):
        address_id = line.address.id if line.address is not None else None
        if address_id in devices:
            record = session.get_one(PersonRecord, record_ids[n])
            raised += len(forensics.child_recorded(session, record=record, event_id=event_ids[n],
                                                   principal=principal, ctx=ctx, now=now))
        if address_id in registered:
            raised += len(offenders.child_record_arrived(
                session, person_id=persons[n], address_id=address_id, event_id=event_ids[n],
                recorded_at=line.data.recorded_at or now, principal=principal, ctx=ctx,
                now=now))
    return raised
