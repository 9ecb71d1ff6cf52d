"""What an agency may see about a child, and the child's whole picture: records, household,
chronology. An agency sees the children it holds records on or has duties about — nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.names import Names
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.breakglass import grant_condition
from safeguard.concerns.models import Concern
from safeguard.custody.board import detentions_of, may_use_board
from safeguard.db import utcnow
from safeguard.duties.models import Duty
from safeguard.duties.presenters import escalation_words, relative_due
from safeguard.duties.service import visible_to
from safeguard.errors import NotFound
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.notes.service import notes_about
from safeguard.people.linkage.households import Household, households_of
from safeguard.people.models import Address, Person, PersonIdentifier, PersonRecord, School
from safeguard.people.names import normalise_name
from safeguard.people.service import (
    SOURCE_WORDS,
    address_label,
    describe_record,
    person_name,
    source_words,
)
from safeguard.phrases import Phrase, phrase
from safeguard.rules.catalogue import KINDS
from safeguard.rules.custody import ACCOMMODATION_REQUEST
from safeguard.rules.quality import DATA_QUALITY
from safeguard.strategy.service import discussions_about
from safeguard.workdays import LONDON


def _visible(principal: Principal, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition: the principal may see Person, by a legitimate relationship only — its
    agency's own records of them (a school's also those the council's education service
    files under its URN), or a duty or share addressed to it — or else by a live break-glass
    grant of the principal's own.

    Not a concern it raised: a record a concern left is no relationship (anyone could
    otherwise see any child by naming them in a concern), and nor is a data-quality task
    about its own record (which an identifier on that concern could raise about the child).
    """
    holds = [PersonRecord.source == principal.agency_id]
    if principal.school_urn:
        holds.append(PersonRecord.school_urn == principal.school_urn)
    has_record = exists().where(PersonRecord.person_id == Person.id,
                                PersonRecord.from_concern.is_(False), or_(*holds))
    has_duty = exists().where(Duty.subject_person_id == Person.id,
                              Duty.kind != DATA_QUALITY.name, visible_to(principal))
    return or_(has_record, has_duty, grant_condition(principal, now or utcnow()))


def visible_condition(principal: Principal, now: datetime) -> ColumnElement[bool]:
    """The SQL condition that the principal may see ``Person`` (the rule above), for a
    search that filters and limits in one statement."""
    return _visible(principal, now)


def may_see_person(session: Session, *, principal: Principal, person_id: int,
                   now: datetime | None = None) -> bool:
    return session.scalar(select(func.count(Person.id)).where(
        Person.id == person_id, _visible(principal, now))) == 1


def visible_person_ids(session: Session, *, principal: Principal, person_ids: list[int],
                       now: datetime | None = None) -> set[int]:
    """Which of these people the principal may see, in one query (not one per person)."""
    if not person_ids:
        return set()
    return set(session.scalars(select(Person.id).where(Person.id.in_(person_ids),
                                                       _visible(principal, now))))


def search_people(
    session: Session, *, principal: Principal, query: str = "", children_only: bool = True,
    on: datetime, limit: int = 50,
) -> list[Person]:
    statement = select(Person).where(_visible(principal, on))
    if children_only:
        cutoff = on.date().replace(year=on.year - 18)
        statement = statement.where(Person.dob > cutoff)
    for word in query.split():
        token = f"%{normalise_name(word)}%"
        statement = statement.where(Person.match_key.like(token))
    people = list(session.scalars(statement.order_by(Person.family_name, Person.given_name,
                                                     Person.id).limit(limit)))
    for person in people:
        audit(session, principal=principal, action="read", entity="person",
              entity_id=person.id, person_id=person.id, why="listed in a search of children")
    return people


@dataclass(frozen=True)
class ChronologyItem:
    at: datetime
    # Its heading and byline as phrases: English in the API, the reader's language on a page.
    label_words: Phrase
    byline_words: Phrase
    detail: str
    link: str | None = None
    # Who it names, as records keep them (an agency id, an actor), for the API to name.
    agency: str | None = None
    actor: str | None = None

    @property
    def label(self) -> str:
        return str(self.label_words)

    @property
    def byline(self) -> str:
        return str(self.byline_words)


# The chronology's sentences (safeguard/words.py gives them to the Welsh catalogue).
RECORD_FROM, LINKED_BY = "Record from %(source)s", "linked by %(how)s"
RECORD_FROM_SOURCE = "Record from %(source)s record %(reference)s"
INCIDENT = "Police incident %(reference)s: %(kind)s"
INCIDENT_RISK = "Police incident %(reference)s: %(kind)s, %(risk)s risk"
BY_OFFICER = "%(role)s (recorded by the officer)"
NOT_BY_OFFICER = "%(role)s (not listed by the officer; found from %(source)s)"
CONCERN_FROM = "Concern from %(agency)s: %(kind)s"
CUSTODY, CUSTODY_RECORD = "Police custody: %(suite)s", "custody record %(reference)s"
DUTY_RAISED, OWNED_BY = "Duty raised: %(title)s", "owned by %(agency)s"
DUTY_BREACHED, ESCALATED_TO = "Duty breached: %(title)s", "escalated to %(whom)s"
DUTY_DISCHARGED, DISCHARGED_BY = "Duty discharged: %(title)s", "by %(name)s"
DISCUSSION, DISCUSSED_WITH = "Strategy discussion: %(decision)s", "with %(agencies)s"
NOTE_FROM, NOTE_BY = "Case note from %(agency)s", "%(author)s; %(visibility)s"
PHRASES = (RECORD_FROM, RECORD_FROM_SOURCE, LINKED_BY, INCIDENT, INCIDENT_RISK, BY_OFFICER,
           NOT_BY_OFFICER, CONCERN_FROM, CUSTODY, CUSTODY_RECORD, DUTY_RAISED, OWNED_BY,
           DUTY_BREACHED, ESCALATED_TO, DUTY_DISCHARGED, DISCHARGED_BY, DISCUSSION,
           DISCUSSED_WITH, NOTE_FROM, NOTE_BY)


@dataclass(frozen=True)
class HouseholdMember:
    """Someone else recorded at one of the child's addresses."""

    person: Person
    name: str
    age: int | None
    child: bool
    first_recorded: datetime
    last_recorded: datetime
    current: bool  # this address is the newest any agency records for them
    agencies: tuple[str, ...]  # in words: the agencies whose records place them here
    visible: bool  # the viewer may open their own page


@dataclass(frozen=True)
class HouseholdView:
    """One address the child has been recorded at, and who else is recorded there."""

    address: Address
    label: str
    current: bool  # the child's newest recorded address
    first_seen: datetime  # the child's first and last record there
    last_seen: datetime
    members: list[HouseholdMember]  # children first, then adults; current before former


@dataclass(frozen=True)
class ChildView:
    person: Person
    name: str
    identifiers: list[PersonIdentifier]
    records: list[tuple[PersonRecord, str, str | None]]  # record, described source, address
    school: School | None
    addresses: list[Address]
    households: list[HouseholdView]  # the current household first, then former ones
    duties: list[Duty]
    chronology: list[ChronologyItem]


# What a copy of a child's records taken off the screen is audited as: the print layout
# (a page meant for paper) and the chronology's PDF for a conference. Information
# governance sees them in the child's access history beside every read.
PRINTED, EXPORTED = "print", "export"


def child_view(session: Session, *, principal: Principal, person_id: int, why: str,
               on: date | None = None, now: datetime | None = None, action: str = "read",
               with_households: bool = True) -> ChildView:
    """The child's whole picture; ``on`` (default today in London) is the day ages are
    counted on, ``now`` the time break-glass grants are live at. ``action`` is what the
    audit entry says was done with it (read, or PRINTED or EXPORTED); without households,
    the people living with the child are neither read nor audited as read."""
    person = session.get(Person, person_id)
    if person is None or not may_see_person(session, principal=principal, person_id=person_id,
                                            now=now):
        raise NotFound(f"person {person_id} not found")
    audit(session, principal=principal, action=action, entity="person", entity_id=person_id,
          person_id=person_id, why=why)
    today = on or utcnow().astimezone(LONDON).date()
    records = list(session.scalars(select(PersonRecord).where(PersonRecord.person_id == person_id)
                                   .order_by(PersonRecord.recorded_at)))
    households = _households(session, principal=principal, person_id=person_id, on=today,
                             now=now) if with_households else []
    address_ids = sorted({r.address_id for r in records if r.address_id is not None})
    # Already loaded with the households: these come from the session, not the database.
    addresses = [session.get_one(Address, a) for a in address_ids]
    labels = {a.id: address_label(a) for a in addresses}
    urn = next((r.school_urn for r in reversed(records) if r.school_urn), None)
    duties = list(session.scalars(select(Duty).where(Duty.subject_person_id == person_id)
                                  .order_by(Duty.due_at)))
    return ChildView(
        person=person, name=person_name(person),
        identifiers=list(session.scalars(select(PersonIdentifier)
                                         .where(PersonIdentifier.person_id == person_id)
                                         .order_by(PersonIdentifier.scheme))),
        records=[(r, describe_record(r), labels.get(r.address_id or -1)) for r in records],
        school=session.get(School, urn) if urn else None,
        addresses=addresses,
        households=households,
        duties=duties,
        chronology=sorted([
            *_chronology(session, person_id=person_id, records=records, duties=duties,
                         agency_id=principal.agency_id, now=now or utcnow(),
                         custody_pages=may_use_board(principal)),
            *_discussions_and_notes(session, principal=principal, person_id=person_id)],
            key=lambda item: item.at, reverse=True),
    )


def _households(session: Session, *, principal: Principal, person_id: int,
                on: date, now: datetime | None) -> list[HouseholdView]:
    households = households_of(session, person_id=person_id)
    others = sorted({m.person.id for h in households for m in h.members} - {person_id})
    visible = visible_person_ids(session, principal=principal, person_ids=others, now=now)
    # Showing someone in the household is a read of their data, like listing them in a search.
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=others, why=f"listed in the household of person {person_id}")
    return [_household_view(h, person_id=person_id, visible=visible, on=on)
            for h in households]


def _household_view(household: Household, *, person_id: int, visible: set[int],
                    on: date) -> HouseholdView:
    me = household.member(person_id)
    assert me is not None  # households_of returns only households the child is recorded in
    members = [HouseholdMember(
        person=m.person, name=person_name(m.person), age=m.age_on(on), child=m.is_child_on(on),
        first_recorded=m.first_recorded, last_recorded=m.last_recorded, current=m.current,
        agencies=tuple(source_words(s) for s in m.sources),
        visible=m.person.id in visible) for m in household.members if m.person.id != person_id]
    members.sort(key=_member_order)
    return HouseholdView(address=household.address, label=address_label(household.address),
                         current=me.current, first_seen=me.first_recorded,
                         last_seen=me.last_recorded, members=members)


def _member_order(member: HouseholdMember) -> tuple[bool, bool, date, int]:
    """Children first, then everyone else; those living there now before those who moved
    away; then oldest first (unknown dates of birth first, so they are not overlooked)."""
    return (not member.child, not member.current, member.person.dob or date.min,
            member.person.id)


def _chronology(session: Session, *, person_id: int, records: list[PersonRecord],
                duties: list[Duty], agency_id: str, now: datetime,
                custody_pages: bool = False) -> list[ChronologyItem]:
    names = Names(session)
    items = [ChronologyItem(r.recorded_at, _record_label(r), phrase(LINKED_BY, how=r.linked_by),
                            "") for r in records]
    incidents = session.execute(
        select(Incident, IncidentPerson).join(IncidentPerson,
                                              IncidentPerson.incident_id == Incident.id)
        .where(IncidentPerson.person_id == person_id)).all()
    for incident, role in incidents:
        role_words = {"role": role.role.replace("_", " ")}
        how = phrase(BY_OFFICER, words=role_words) if role.recorded_by_officer else \
            phrase(NOT_BY_OFFICER, words=role_words, source=str(role.found_from))
        kind = {"kind": incident.kind.replace("_", " ")}
        label = phrase(INCIDENT_RISK, words={**kind, "risk": incident.risk_level},
                       reference=incident.reference) if incident.risk_level else \
            phrase(INCIDENT, words=kind, reference=incident.reference)
        items.append(ChronologyItem(incident.occurred_at, label, how, incident.summary or "",
                                    f"/incidents/{incident.id}"))
    concerns = session.execute(
        select(Concern, Agency.name).join(Agency, Agency.id == Concern.agency_id)
        .where(Concern.person_id == person_id)).all()
    for concern, agency_name in concerns:
        # Every agency entitled to see the child sees the concern; only its raiser opens it.
        items.append(ChronologyItem(
            concern.occurred_at,
            phrase(CONCERN_FROM, words={"kind": concern.kind.replace("_", " ")},
                   agency=agency_name),
            Phrase(concern.raised_by or agency_name), concern.summary,
            f"/concerns/{concern.id}" if concern.agency_id == agency_id else None,
            agency=concern.agency_id))
    for detention in detentions_of(session, person_id=person_id):
        items.append(ChronologyItem(
            detention.arrived_at, phrase(CUSTODY, suite=detention.custody_suite),
            phrase(CUSTODY_RECORD, reference=detention.reference),
            f"{detention.offence}; " + (f"left custody ({detention.ended_step.replace('_', ' ')})"
                                        if detention.ended_step else "still in custody"),
            f"/custody/{detention.id}" if custody_pages else None))
    for duty in duties:
        title = {"title": KINDS[duty.kind].title}
        reason = duty.reason
        if duty.kind == ACCOMMODATION_REQUEST.name and duty.status != "discharged":
            # A transfer request counts down in the chronology as in the inbox.
            reason += f" Answer {relative_due(duty, now)}."
        items.append(ChronologyItem(duty.created_at, phrase(DUTY_RAISED, words=title),
                                    phrase(OWNED_BY, agency=names.agency(duty.owner_agency_id)),
                                    reason, f"/duties/{duty.id}", agency=duty.owner_agency_id))
        if duty.breached_at:
            whom = escalation_words(duty.escalated_to, duty, names.agency) or ""
            items.append(ChronologyItem(duty.breached_at, phrase(DUTY_BREACHED, words=title),
                                        phrase(ESCALATED_TO, whom=whom), "",
                                        f"/duties/{duty.id}"))
        if duty.discharged_at:
            items.append(ChronologyItem(duty.discharged_at, phrase(DUTY_DISCHARGED, words=title),
                                        phrase(DISCHARGED_BY,
                                               name=names.actor(duty.discharged_by)),
                                        duty.discharge_note or "",
                                        f"/duties/{duty.id}", actor=duty.discharged_by))
    return sorted(items, key=lambda item: item.at, reverse=True)


def _record_label(record: PersonRecord) -> Phrase:
    """"Record from education record E-88" (as describe_record words it), its source a word
    a page translates; a school's, named by its URN, in English."""
    if record.source in SOURCE_WORDS:
        return phrase(RECORD_FROM_SOURCE, words={"source": SOURCE_WORDS[record.source]},
                      reference=record.source_id)
    return phrase(RECORD_FROM, source=describe_record(record))


def _discussions_and_notes(session: Session, *, principal: Principal,
                           person_id: int) -> list[ChronologyItem]:
    """The strategy discussions the principal's agency was in, and the case notes it may
    read (each note's visibility decides)."""
    items = []
    for held in discussions_about(session, person_id=person_id):
        if principal.agency_id not in held.agencies:
            continue
        audit(session, principal=principal, action="read", entity="strategy_discussion",
              entity_id=held.discussion.id, person_id=person_id,
              why="read in the child's chronology")
        names = sorted({held.agency_names.get(a.agency_id, a.agency_id) for a in held.attendees})
        actions = "; ".join(f"{a.action.text} ({a.owner}, by {a.action.due_on:%d %b %Y})"
                            for a in held.actions)
        items.append(ChronologyItem(
            held.discussion.held_at,
            phrase(DISCUSSION, words={"decision": held.decision_words}),
            phrase(DISCUSSED_WITH, agencies=", ".join(names)),
            held.discussion.reasons + (f" Actions: {actions}." if actions else ""),
            f"/strategy-discussions/{held.discussion.id}"))
    for note in notes_about(session, principal=principal, person_id=person_id,
                            why="read in the child's chronology"):
        items.append(ChronologyItem(
            note.note.at, phrase(NOTE_FROM, agency=note.agency_name),
            phrase(NOTE_BY, words={"visibility": note.visibility_words.lower()},
                   author=note.note.author_name), note.note.text))
    return items


def incident_view(session: Session, *, principal: Principal, incident_id: int
                  ) -> tuple[Incident, Address, list[tuple[IncidentPerson, Person]], list[Duty]]:
    """An incident is visible to the police and to agencies with a duty arising from it."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    duties = list(session.scalars(select(Duty).where(Duty.event_id == incident.event_id)
                                  .order_by(Duty.due_at, Duty.id)))
    involved = principal.agency_id == "police" or any(
        principal.agency_id in (d.owner_agency_id, d.partner_agency_id) for d in duties)
    if not involved:
        raise NotFound(f"incident {incident_id} not found")
    people = [(row[0], row[1]) for row in session.execute(
        select(IncidentPerson, Person).join(Person, Person.id == IncidentPerson.person_id)
        .where(IncidentPerson.incident_id == incident_id).order_by(IncidentPerson.id))]
    if principal.agency_id != "police":
        # A partner sees the incident only through its own duties' subjects.
        mine = {d.subject_person_id for d in duties
                if principal.agency_id in (d.owner_agency_id, d.partner_agency_id)}
        people = [(ip, p) for ip, p in people if p.id in mine]
        duties = [d for d in duties if principal.agency_id in (d.owner_agency_id,
                                                                d.partner_agency_id)]
    for _, person in people:
        audit(session, principal=principal, action="read", entity="incident",
              entity_id=incident_id, person_id=person.id, why="viewed the incident")
    return incident, session.get_one(Address, incident.address_id), people, duties
