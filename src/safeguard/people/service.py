"""Persons, their records from every agency, addresses, schools and households."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeguard.access.service import ensure_agency
from safeguard.events.fields import AddressIn, PersonFields
from safeguard.events.schemas import SchoolEvent
from safeguard.people.addresses import place_address
from safeguard.people.linkage.evidence import record_link
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.online import (
    Candidate,
    file_keys,
    find_candidates,
    record_features,
)
from safeguard.people.models import Address, Person, PersonIdentifier, PersonRecord, School
from safeguard.people.names import full_name, name_key

ID_PRIORITY = ("nhs", "upn", "pnc")


@dataclass(frozen=True)
class Resolution:
    person: Person | None
    # "matched to existing person (0.998)" | "possible matches — needs review" | "new person"
    linked_by: str
    probability: float | None = None
    candidates: tuple[Candidate, ...] = ()
    # matched | possible | new | unmatchable
    outcome: str = "new"


def address_label(address: Address) -> str:
    return ", ".join(part for part in (address.line1, address.line2, address.town,
                                       address.postcode) if part)


def address_fields(address: Address) -> dict[str, str]:
    """A stored address as an event sends it (its UPRN too), so that it finds this row."""
    return {name: value for name in ("uprn", "line1", "line2", "town", "postcode")
            if (value := getattr(address, name))}


# Built once with parameters, as every incident and record with an address looks it up.
_ADDRESS_BY_KEY = select(Address).where(Address.match_key == bindparam("key")).order_by(Address.id)
_ADDRESS_BY_UPRN_OR_KEY = select(Address).where(
    or_(Address.uprn == bindparam("uprn"), Address.match_key == bindparam("key"))
).order_by(Address.id)
_ADDRESSES_AT_POSTCODE = select(Address).where(
    Address.postcode == bindparam("postcode")).order_by(Address.id)


def upsert_address(session: Session, *, address: AddressIn) -> Address:
    """Find an address by UPRN, else by its normalised first line and postcode.

    An address without a UPRN is the stored one its text and postcode agree with, whether
    or not that one has a UPRN; one with a UPRN takes the stored one with that UPRN, or
    gives its UPRN to the one its text agrees with that has none. Two different UPRNs are
    never joined because their text looks alike.
    """
    if not address.uprn:
        return _upsert_address(session, address=address)
    # A UPRN is unique: two events at once about one new address race to store it, and on
    # PostgreSQL the loser's insert is refused once the winner commits. In a savepoint only
    # this address is undone, and looking again finds the winner's.
    try:
        with session.begin_nested():
            return _upsert_address(session, address=address)
    except IntegrityError:
        return _upsert_address(session, address=address)


def _upsert_address(session: Session, *, address: AddressIn) -> Address:
    found = place_address(
        address,
        filed=lambda uprn, key: session.scalars(
            _ADDRESS_BY_UPRN_OR_KEY if uprn else _ADDRESS_BY_KEY,
            {"uprn": uprn, "key": key}).all(),
        at_postcode=lambda postcode: session.scalars(_ADDRESSES_AT_POSTCODE,
                                                     {"postcode": postcode}),
        make=Address)
    if found.id is None:
        session.add(found)
        session.flush()
    return found


@dataclass(frozen=True)
class KnownAddress:
    """An address an agency records a person at, as a form offers it."""

    address: Address
    label: str
    last_recorded: datetime
    current: bool  # the newest address any agency records for the person


def known_addresses(session: Session, *, person_id: int) -> list[KnownAddress]:
    """Every address agencies record the person at, the newest first (their current one)."""
    rows = session.execute(
        select(Address, func.max(PersonRecord.recorded_at).label("last"))
        .join(PersonRecord, PersonRecord.address_id == Address.id)
        .where(PersonRecord.person_id == person_id)
        .group_by(Address.id).order_by(func.max(PersonRecord.recorded_at).desc(), Address.id)
    ).all()
    return [KnownAddress(address, address_label(address), last, n == 0)
            for n, (address, last) in enumerate(rows)]


def _owners(session: Session, ids: dict[str, str]) -> dict[str, int]:
    """Which person already holds each identifier (scheme -> person id), in one query."""
    if not ids:
        return {}
    # By scheme and value together: the unique index leads with the scheme, and a look-up by
    # value alone reads the whole table, which grows with the county.
    rows = session.execute(
        select(PersonIdentifier.scheme, PersonIdentifier.person_id)
        .where(or_(*(and_(PersonIdentifier.scheme == scheme, PersonIdentifier.value == value)
                     for scheme, value in ids.items()))))
    return {scheme: person_id for scheme, person_id in rows}


def resolve_person(
    session: Session, *, fields: PersonFields, address: Address | None = None
) -> Resolution:
    """Find the known person these details describe, or say there is none.

    Probabilistic record linkage (:mod:`safeguard.people.linkage`): the record's candidates
    come from the blocking-key index in one query, each is scored with the trained match
    model, and the best one is a match (probability >= the upper threshold), a possible match
    for a human to review (between the thresholds), or there is none (a new person). An
    agreeing identifier is decisive unless the names or dates of birth strongly disagree.
    This is the one place person resolution happens.
    """
    return _resolve(session, fields=fields, address=address)


def _resolve(session: Session, *, fields: PersonFields, address: Address | None) -> Resolution:
    query = record_features(given_name=fields.given_name, family_name=fields.family_name,
                            dob=fields.dob, sex=fields.sex, address=address,
                            ids=fields.ids.present())
    if not (fields.given_name or fields.family_name or fields.dob):
        return Resolution(None, "new person (not enough to match on)", outcome="unmatchable")
    model = load_model()
    candidates = tuple(find_candidates(session, query, model=model))
    if not candidates or candidates[0].probability < model.thresholds["possible"]:
        return Resolution(None, "new person", candidates[0].probability if candidates else None,
                          candidates, "new")
    best = candidates[0]
    if best.probability >= model.thresholds["match"]:
        return Resolution(session.get(Person, best.person_id),
                          f"matched to existing person ({best.probability:.3f})",
                          best.probability, candidates, "matched")
    return Resolution(None, "possible matches — needs review", best.probability, candidates,
                      "possible")


@dataclass(frozen=True)
class Linked:
    """A kept record and the person it was linked to. The person is handed back because the
    session holds loaded rows weakly: a caller that needs them would otherwise load them again."""

    record: PersonRecord
    person: Person
    # matched | possible | new | unmatchable | existing (the record was already kept)
    outcome: str = "existing"
    # Possible matches awaiting review (the persons the record may be).
    possible_person_ids: tuple[int, ...] = ()
    # Identifiers on the record that another person already holds: (scheme, value, holder).
    identifier_conflicts: tuple[tuple[str, str, int], ...] = ()


# How often a record is matched again after losing a race for a new identifier: once is
# enough (the winner has committed), the rest is for a record with several new identifiers.
IDENTIFIER_RACE_ATTEMPTS = 4


def _person_for(session: Session, *, fields: PersonFields, resolution: Resolution) -> Person:
    """The resolved person (its gaps filled from the record), or a new one."""
    person = resolution.person
    if person is None:
        person = Person(
            given_name=fields.given_name, family_name=fields.family_name, dob=fields.dob,
            sex=fields.sex, match_key=name_key(fields.given_name, fields.family_name),
        )
        session.add(person)
        session.flush()
    else:
        # Fill gaps in what we know, never overwrite: sources disagree and none is master.
        person.dob = person.dob or fields.dob
        person.sex = person.sex or fields.sex
    return person


def link_record(
    session: Session,
    *,
    fields: PersonFields,
    source: str,
    source_id: str,
    event_id: int,
    address_id: int | None,
    school_urn: str | None,
    recorded_at: datetime,
    none_stored: bool = False,
    from_concern: bool = False,
) -> Linked:
    """Keep an agency's record of a person, linked to the person it describes.

    The link's evidence (outcome, probability, match weight, the comparisons that agreed,
    the model version) is kept in ``person_links``; a possible match leaves the record with a
    person of its own (precision first) and puts each possible candidate on the review queue.
    """
    # A record id made from a new event's own id cannot be stored yet (`none_stored`); one
    # an agency gave may be, and a repeat links nothing twice.
    existing = None if none_stored else session.scalar(
        select(PersonRecord).where(PersonRecord.source == source,
                                   PersonRecord.source_id == source_id)
    )
    if existing is not None:
        return Linked(existing, session.get_one(Person, existing.person_id))
    ids = fields.ids.present()
    address = session.get(Address, address_id) if address_id is not None else None
    for attempt in range(1, IDENTIFIER_RACE_ATTEMPTS + 1):
        owners = _owners(session, ids)
        resolution = _resolve(session, fields=fields, address=address)
        if all(scheme in owners for scheme in ids):
            person = _person_for(session, fields=fields, resolution=resolution)
            break
        # Another transaction may be storing the same new identifier at this moment (two
        # agencies sending one new child at once): neither saw the other's, and on
        # PostgreSQL the second insert waits for the first to commit and is then refused.
        # In a savepoint the refusal undoes only this person; the identifier's holder is
        # then committed and visible, so matching again links this record to them.
        try:
            with session.begin_nested():
                person = _person_for(session, fields=fields, resolution=resolution)
                # An identifier already held by another person is not moved: that conflict
                # is for person matching (and a human) to resolve, not for an import.
                session.add_all(PersonIdentifier(person_id=person.id, scheme=scheme,
                                                 value=value, source=source)
                                for scheme, value in ids.items() if scheme not in owners)
            break
        except IntegrityError:
            if attempt == IDENTIFIER_RACE_ATTEMPTS:
                raise
    record = PersonRecord(
        person_id=person.id, event_id=event_id, source=source, source_id=source_id,
        given_name=fields.given_name, family_name=fields.family_name, dob=fields.dob,
        sex=fields.sex, address_id=address_id, school_urn=school_urn, recorded_at=recorded_at,
        linked_by=resolution.linked_by, from_concern=from_concern,
    )
    session.add(record)
    session.flush()
    mine = {scheme: value for scheme, value in ids.items() if scheme not in owners}
    file_keys(session, person_id=person.id, record=record_features(
        given_name=fields.given_name, family_name=fields.family_name, dob=fields.dob,
        sex=fields.sex, address=address, ids=mine))
    record_link(session, record=record, outcome=resolution.outcome,
                candidates=resolution.candidates)
    possible = tuple(c.person_id for c in resolution.candidates
                     if c.probability >= load_model().thresholds["possible"]) \
        if resolution.outcome == "possible" else ()
    conflicts = tuple((scheme, value, owners[scheme]) for scheme, value in ids.items()
                      if scheme in owners and owners[scheme] != person.id)
    return Linked(record, person, resolution.outcome, possible, conflicts)


def upsert_school(session: Session, *, school: SchoolEvent) -> School:
    agency = ensure_agency(
        session, agency_id=f"school-{school.urn}", name=school.name, kind="school",
        school_urn=school.urn,
    )
    agency.name = school.name  # a notice may have made the agency before the school registered
    found = session.get(School, school.urn)
    if found is None:
        address = upsert_address(session, address=school.address) if school.address else None
        found = School(
            urn=school.urn, name=school.name, phase=school.phase, agency_id=agency.id,
            address_id=address.id if address else None,
            dsl_name=school.dsl.name if school.dsl else None,
            dsl_email=school.dsl.email if school.dsl else None,
        )
        session.add(found)
        session.flush()
    return found


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def years_before(day: date, years: int) -> date:
    """The same date `years` earlier (28 February for a 29 February with no match): anyone
    born on or before it is at least that old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# Built once with parameters: recording an incident runs each of these (building a statement
# costs more than running it).
_RECORDS_AT = (
    select(PersonRecord, Person).join(Person, Person.id == PersonRecord.person_id)
    .where(PersonRecord.address_id == bindparam("address_id"),
           Person.dob > bindparam("born_after"))
    .order_by(PersonRecord.recorded_at.desc(), PersonRecord.id))
_PLACED_RECORDS = (
    select(PersonRecord.person_id, PersonRecord.address_id, PersonRecord.recorded_at)
    .where(PersonRecord.person_id.in_(bindparam("person_ids", expanding=True)),
           PersonRecord.address_id.is_not(None))
    .order_by(PersonRecord.recorded_at.desc(), PersonRecord.id.desc()))
# Only the council's education service says which school a child attends: a school's own
# record names its own pupils only, and so adds nothing (nor can it hold a child by being newer).
ENROLMENT_SOURCE = "education"
_SCHOOL_OF = (
    select(PersonRecord.school_urn, School)
    .outerjoin(School, School.urn == PersonRecord.school_urn)
    .where(PersonRecord.person_id == bindparam("person_id"),
           PersonRecord.source == ENROLMENT_SOURCE, PersonRecord.from_concern.is_(False),
           PersonRecord.school_urn.is_not(None))
    .order_by(PersonRecord.recorded_at.desc(), PersonRecord.id.desc()).limit(1))


_UNDATED_AT = (
    select(PersonRecord, Person).join(Person, Person.id == PersonRecord.person_id)
    .where(PersonRecord.address_id == bindparam("address_id"), Person.dob.is_(None))
    .order_by(PersonRecord.recorded_at.desc(), PersonRecord.id))


def undated_at_address(session: Session, *, address_id: int, exclude: Sequence[int] = ()
                       ) -> list[tuple[Person, PersonRecord]]:
    """People any agency records at the address whose date of birth nobody knows (so whether
    they are children cannot be told), each with the newest record placing them there."""
    with session.no_autoflush:  # reads stored records only; see children_at_address
        rows = session.execute(_UNDATED_AT, {"address_id": address_id}).all()
    found: dict[int, tuple[Person, PersonRecord]] = {}
    for record, person in rows:
        if person.id not in exclude and person.id not in found:
            found[person.id] = (person, record)
    return list(found.values())


@dataclass(frozen=True)
class ResidentChild:
    person: Person
    record: PersonRecord  # the record that places the child at the address


def children_at_address(
    session: Session, *, address_id: int, on: date, exclude: Sequence[int] = ()
) -> list[ResidentChild]:
    """Children under 18 whom any agency records as living at the address.

    A child whose newest record anywhere places them at another address (a house move recorded
    later) is not counted: an old record must not outweigh a newer one.
    """
    # Two queries whatever the household's size: the records at the address with their
    # persons, then each possible child's newest record that gives any address.
    # Only stored records place a child, so the caller's pending rows need not be flushed
    # first (a flush per look-up is most of what recording an incident costs).
    # Adults' records (a victim's, one per incident at a repeat address) are left in the store.
    with session.no_autoflush:
        rows = session.execute(_RECORDS_AT, {"address_id": address_id,
                                             "born_after": years_before(on, 18)}).all()
    placed: dict[int, tuple[Person, PersonRecord]] = {}
    for record, person in rows:
        if person.id in placed or person.id in exclude:
            continue
        if person.dob is None or not 0 <= age_on(person.dob, on) < 18:
            continue
        placed[person.id] = (person, record)
    if not placed:
        return []
    newest: dict[int, tuple[int | None, datetime]] = {}
    for person_id, newest_address, recorded_at in session.connection().execute(
            _PLACED_RECORDS, {"person_ids": list(placed)}):
        newest.setdefault(person_id, (newest_address, recorded_at))
    found = []
    for person_id, (person, record) in placed.items():
        newest_address, recorded_at = newest.get(person_id, (address_id, record.recorded_at))
        if newest_address != address_id and recorded_at > record.recorded_at:
            continue
        found.append(ResidentChild(person, record))
    return found


@dataclass(frozen=True)
class SchoolOnRecord:
    """The school the newest record names: by URN, with the school when it is registered
    (its agency and designated safeguarding lead); a URN alone when it is not."""

    urn: str
    school: School | None


def school_of(session: Session, *, person_id: int) -> SchoolOnRecord | None:
    """The child's school by the newest record that names one, registered or not."""
    with session.no_autoflush:  # reads stored records only; see children_at_address
        row = session.execute(_SCHOOL_OF, {"person_id": person_id}).first()
    return SchoolOnRecord(str(row[0]), row[1]) if row else None


def school_agency_for_urn(session: Session, *, urn: str) -> str:
    """The agency a school is told through: the registered school's, or, for a URN no
    `school` event has registered, an agency for the URN made now (named by its URN, with no
    users), so a notice to it is still a duty with an owner and a clock and the police can
    telephone the school. Registering the school later takes the agency over."""
    agency = ensure_agency(session, agency_id=f"school-{urn}",
                           name=f"School URN {urn} (not registered: no safeguarding lead on "
                                "record)", kind="school", school_urn=urn)
    return agency.id


def person_name(person: Person) -> str:
    return full_name(person.given_name, person.family_name)


SOURCE_WORDS = {
    "police": "police", "childrens_social_care": "children's social care", "health": "health",
    "education": "education", "probation": "probation",
}


def source_words(source: str) -> str:
    """A source in words: "children's social care", "school (URN 123456)"."""
    if source.startswith("school-"):
        return f"school (URN {source.removeprefix('school-')})"
    return SOURCE_WORDS.get(source, source)


def describe_record(record: PersonRecord) -> str:
    return f"{source_words(record.source)} record {record.source_id}"
