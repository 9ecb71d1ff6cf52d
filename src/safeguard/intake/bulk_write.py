"""Writing one chunk of a bulk load set-based (:mod:`.bulk`): what the online path writes
for a person event, for thousands of lines in a statement each."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.db import table_of, utcnow
from safeguard.events.fields import AddressIn
from safeguard.events.models import Event
from safeguard.events.schemas import PersonEvent
from safeguard.forensics import service as forensics
from safeguard.forensics.models import Device
from safeguard.intake.importer import ImportSummary
from safeguard.intake.service import IntakeContext, record_gaps
from safeguard.offenders import service as offenders
from safeguard.offenders.models import OffenderRegistration
from safeguard.people.bulk import GROUP, STORED, Pair, Placement, Plan, Target
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
from safeguard.rows import insert_columns, insert_new_pairs, new_ids, one_of, values_of


@dataclass
class BulkSummary(ImportSummary):
    persons_created: int = 0
    reviews: int = 0
    pairs_scored: int = 0
    chunks: int = 0
    # Seconds spent reading, placing addresses, linking, writing, and on other events.
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """What the load keeps of a validated person event: its fields, not the validated model
    (the event's payload is the line's own text). The model, with its nested models and
    sets, is several times the size: a million of them held through a load cost gigabytes
    and, on a machine that faults memory in from its host, tens of seconds in the kernel."""

    event: str
    source: str
    source_id: str
    given_name: str | None
    family_name: str | None
    dob: date | None
    sex: str | None
    school_urn: str | None
    recorded_at: datetime | None

    @classmethod
    def of(cls, data: PersonEvent) -> Record:
        return cls(data.event, data.source, data.source_id, data.given_name, data.family_name,
                   data.dob, data.sex, data.school_urn, data.recorded_at)


@dataclass(slots=True)
class Line:
    number: int
    data: Record
    # The event as the agency sent it (JSON text, stored as the event's payload).
    payload: str
    digest: str
    # The identifiers the record gives (scheme -> normalised value).
    ids: dict[str, str]
    # The address as given, until it is placed (``address``: the address it is).
    given_address: AddressIn | None = None
    address: Address | None = None
    key: str = ""
    features: Features = field(default_factory=Features)


@dataclass
class WriteState:
    """What later chunks need from earlier ones: the persons made, who holds each identifier."""

    person_of_group: dict[int, int] = field(default_factory=dict)
    owners: dict[tuple[str, str], int] = field(default_factory=dict)
    records: set[int] = field(default_factory=set)


def _insert(session: Session, table: Table, columns: dict[str, list[Any]],
            ready: tuple[str, ...] = ()) -> None:
    insert_columns(session.connection(), table, columns, ready=ready)


def write_chunk(session: Session, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
           state: WriteState, headline: dict[int, dict[str, Any]], summary: BulkSummary, *,
           principal: Principal, ctx: IntakeContext, via: str) -> None:
    """One chunk, set-based, in the caller's transaction: each table's rows built column by
    column (a list per column, not a dict per row) and inserted in one statement."""
    now = utcnow()
    n = len(chunk)
    data = [line.data for line in chunk]
    event_ids = new_ids(session.connection(), table_of(Event), n)
    _insert(session, table_of(Event), {
        "id": event_ids, "event_type": [d.event for d in data],
        "source": [d.source for d in data], "source_id": [d.source_id for d in data],
        "payload": [line.payload for line in chunk],
        "payload_hash": [line.digest for line in chunk], "received_at": [now] * n,
        "received_via": [via] * n, "actor": [principal.actor] * n}, ready=("payload",))
    targets = [placements[line.key].target for line in chunk]
    groups = sorted({group for kind, group in targets
                     if kind == GROUP and group not in state.person_of_group})
    made = new_ids(session.connection(), table_of(Person), len(groups))
    if groups:
        heads = [headline[group] for group in groups]
        _insert(session, table_of(Person), {
            "id": made, **{name: [head[name] for head in heads] for name in heads[0]},
            "created_at": [now] * len(groups)})
    state.person_of_group.update(zip(groups, made, strict=True))
    summary.persons_created += len(made)
    of_group = state.person_of_group
    persons = [group if kind == STORED else of_group[group] for kind, group in targets]
    _fill_gaps(session, chunk, targets, persons)
    record_ids = new_ids(session.connection(), table_of(PersonRecord), n)
    _insert(session, table_of(PersonRecord), {
        "id": record_ids, "person_id": persons, "event_id": event_ids,
        "source": [d.source for d in data], "source_id": [d.source_id for d in data],
        "given_name": [d.given_name for d in data], "family_name": [d.family_name for d in data],
        "dob": [d.dob for d in data], "sex": [d.sex for d in data],
        "address_id": [line.address.id if line.address else None for line in chunk],
        "school_urn": [d.school_urn for d in data],
        "recorded_at": [d.recorded_at or now for d in data],
        "linked_by": [_linked_by(placements[line.key]) for line in chunk],
        "from_concern": [False] * n})
    state.records.update(record_ids)
    claimed, conflicts = _identifiers(session, chunk, persons, state)
    keys: dict[tuple[int, str], None] = {}
    for line, person_id, mine in zip(chunk, persons, claimed, strict=True):
        # Filed under the identifiers it brought to the store, as online.
        f = line.features
        if len(mine) < len(line.ids):
            f = replace(f, **{scheme: None for scheme in line.ids if scheme not in mine})
        keys.update(((person_id, key), None) for key in sorted(index_keys(f)))
    insert_new_pairs(session.connection(), table_of(PersonBlockingKey), ("person_id", "key"),
                     list(keys))
    _links(session, chunk, placements, plan, persons, record_ids, now)
    _reviews(session, chunk, placements, plan, record_ids, of_group, summary, now)
    _insert(session, table_of(AuditEntry), {
        "actor": [principal.actor] * n, "agency_id": [principal.agency_id or None] * n,
        "action": ["write"] * n, "entity": ["person_record"] * n,
        "entity_id": [str(record_id) for record_id in record_ids], "person_id": persons,
        "why": [f"{via} of {d.source} record {d.source_id}" for d in data], "at": [now] * n})
    summary.duties_raised += _duties(session, chunk, persons, record_ids, event_ids, conflicts,
                                     principal=principal, ctx=ctx, now=now)
    summary.accepted += n
    summary.by_type["person"] += n


def _reviews(session: Session, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
             record_ids: list[int], of_group: dict[int, int], summary: BulkSummary,
             now: datetime) -> None:
    """The possible matches a human is to review (a few in a chunk)."""
    found = [(record_id, target[1] if target[0] == STORED else of_group[target[1]], score)
             for line, record_id in zip(chunk, record_ids, strict=True)
             for _, target, score in placements[line.key].reviews]
    if not found:
        return
    version = plan.model.version
    _insert(session, table_of(MatchReview), {
        "record_id": [record_id for record_id, _, _ in found],
        "candidate_person_id": [person_id for _, person_id, _ in found],
        "probability": [score.probability for _, _, score in found],
        "match_weight": [score.match_weight for _, _, score in found],
        "evidence": [json.dumps(score.evidence(version)) for _, _, score in found],
        "model_version": [version] * len(found), "status": [OPEN] * len(found),
        "created_at": [now] * len(found)})
    summary.reviews += len(found)


def _fill_gaps(session: Session, chunk: list[Line], targets: list[Target],
               persons: list[int]) -> None:
    """A stored person's unknown date of birth or sex taken from the first record giving it;
    never overwritten (sources disagree and none is master)."""
    persons_table = table_of(Person)
    rows = [{"pid": person_id, "new_dob": line.data.dob, "new_sex": line.data.sex}
            for line, target, person_id in zip(chunk, targets, persons, strict=True)
            if target[0] == STORED and (line.data.dob or line.data.sex)]
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
    owners = state.owners
    wanted: dict[str, set[str]] = {}
    for line in chunk:
        for scheme, value in line.ids.items():
            if (scheme, value) not in owners:  # a holder an earlier chunk found or made
                wanted.setdefault(scheme, set()).add(value)
    connection = session.connection()
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
    _insert(session, table_of(PersonIdentifier), columns)
    return claimed, conflicts


def _links(session: Session, chunk: list[Line], placements: dict[str, Placement], plan: Plan,
           persons: list[int], record_ids: list[int], now: datetime) -> None:
    """The evidence of each link: the batch's best pair with an earlier record."""
    chosen = [placements[line.key] for line in chunk]
    bests = [placement.best for placement in chosen]
    n = len(chunk)
    _insert(session, table_of(PersonLink), {
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


def _duties(session: Session, chunk: list[Line], persons: list[int], record_ids: list[int],
            event_ids: list[int], conflicts: dict[int, list[tuple[str, str, int]]], *,
            principal: Principal, ctx: IntakeContext, now: datetime) -> int:
    """What the online path raises for a person record, for the few records that call for
    it: an identifier conflict is a data-quality task; a record placing someone at a seized
    device's suspect's address or a registered offender's goes through the same rules as
    online (those addresses read first in one query each, so a chunk with neither pays two
    queries)."""
    raised = 0
    for n, found in conflicts.items():
        line = chunk[n]
        raised += len(record_gaps(
            session, conflicts=found, person_id=persons[n], source=line.data.source,
            reference=line.data.source_id, event_id=event_ids[n],
            recorded_at=line.data.recorded_at or now, ctx=ctx, now=now, actor=principal.actor))
    if all(line.address is None for line in chunk):
        return raised
    # Every such address, not those of the chunk: a county has thousands of them, and a
    # chunk's twenty thousand addresses as parameters of a query cost more than reading them.
    devices = set(session.scalars(select(Device.suspect_address_id).distinct().where(
        Device.suspect_address_id.is_not(None))))
    registered = set(session.scalars(select(OffenderRegistration.address_id).distinct().where(
        OffenderRegistration.address_id.is_not(None), OffenderRegistration.ended.is_(False))))
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
