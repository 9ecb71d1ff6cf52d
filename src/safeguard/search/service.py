"""Find anyone: one search box over every person the user may see, each hit saying why.

A name goes to the person matcher (people/linkage/online.py: the blocking keys fetch the
candidates, the trained comparisons score them), so a name as people mistype it finds the
record spelled otherwise; an identifier is looked up exactly; a date of birth, a postcode or
an address each through their own index. Whatever is found passes the children area's rule
of who may see whom (children.service), in the same statement where the set may be large,
and nobody else appears: break-glass stays the way to reach a person without a relationship.
The search itself is audited as a read (its terms are personal data), and so is every person
it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.service import visible_condition, visible_person_ids
from safeguard.people.linkage.features import features, jaro_winkler, normalise_postcode
from safeguard.people.linkage.levels import ELSE, NULL
from safeguard.people.linkage.model import POSSIBLE
from safeguard.people.linkage.online import Candidate, find_candidates
from safeguard.people.models import (
    Address,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonRecord,
)
from safeguard.people.names import address_key, full_name, normalise_name
from safeguard.people.service import age_on, person_name
from safeguard.phrases import Phrase, phrase
from safeguard.search.terms import LABELS, Terms, parse
from safeguard.workdays import LONDON

SEARCH_LIMIT = 50
# How strongly each way of matching ranks a hit: an identifier names one person.
IDENTIFIED, MATCHED, FOUND = 1000.0, 100.0, 10.0
_ALIKE = {"exact", "nickname", "jw92", "jw80"}
_DOB_WORDS = {"exact": "date of birth", "transposed": "date of birth with day and month swapped",
              "year_month": "born the same month", "year": "born the same year"}
# Why a hit matched, in words a page translates (safeguard/words.py gives them to the catalogue).
NAME, NAME_LIKE, FAMILY_NAME = "name", "name similar to %(name)s", "family name %(name)s"
BORN_ON, POSTCODE, NEAR = ("date of birth %(date)s", "postcode %(postcode)s",
                           "near postcode %(postcode)s")
ADDRESS, ADDRESS_POSTCODE = "address %(address)s", "address %(address)s %(postcode)s"
REASONS = (NAME, NAME_LIKE, FAMILY_NAME, BORN_ON, POSTCODE, NEAR, ADDRESS, ADDRESS_POSTCODE,
           *_DOB_WORDS.values(), *LABELS.values())


@dataclass
class Hit:
    person: Person
    name: str
    age: int | None
    reasons: list[Phrase] = field(default_factory=list)  # English in the API, drawn translated
    rank: float = 0.0

    @property
    def child(self) -> bool:
        return self.age is not None and self.age < 18


@dataclass(frozen=True)
class Found:
    query: str
    terms: Terms
    hits: list[Hit]
    more: bool  # there were more than the limit


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def search(session: Session, *, principal: Principal, query: str, now: datetime,
           limit: int = SEARCH_LIMIT) -> Found:
    """Everyone the principal may see whom the query describes, best first, at most
    ``limit``; audited (the search and each person listed)."""
    query = " ".join(query.split())[:200]
    terms = parse(query)
    if terms.empty:
        return Found(query, terms, [], False)
    audit(session, principal=principal, action="read", entity="search", entity_id="people",
          why=f"searched for “{query}”")
    found: dict[int, tuple[float, list[Phrase]]] = {}
    _add(found, _by_identifier(session, terms=terms, principal=principal, now=now,
                               limit=limit + 1))
    if len(terms.names) >= 2 or (terms.names and (terms.dob or terms.postcode)):
        _add(found, _by_matcher(session, terms=terms, principal=principal, now=now))
    elif terms.names:
        _add(found, _by_family_name(session, terms=terms, principal=principal, now=now,
                                    limit=limit + 1))
    elif terms.dob or terms.postcode or terms.address:
        _add(found, _by_place_and_date(session, terms=terms, principal=principal, now=now,
                                       limit=limit + 1))
    ordered = sorted(found, key=lambda person_id: (-found[person_id][0], person_id))
    shown = ordered[:limit]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(shown)))}
    today = now.astimezone(LONDON).date()
    hits = [Hit(people[i], person_name(people[i]), _age(people[i].dob, today), found[i][1],
                found[i][0]) for i in shown]
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=shown, why=f"listed in a search for “{query}”")
    return Found(query, terms, hits, len(ordered) > limit)


def _age(dob: date | None, today: date) -> int | None:
    return age_on(dob, today) if dob else None


def _add(found: dict[int, tuple[float, list[Phrase]]],
         more: dict[int, tuple[float, list[Phrase]]]) -> None:
    for person_id, (rank, reasons) in more.items():
        had_rank, had = found.get(person_id, (0.0, []))
        found[person_id] = (had_rank + rank, had + [r for r in reasons if r not in had])


def _visible_ids(session: Session, ids: Select[int], *, principal: Principal,
                 now: datetime, limit: int) -> list[int]:
    """Of the persons ``ids`` selects, those the principal may see (filtered and limited in
    the database: a common surname or a busy postcode selects thousands)."""
    return list(session.scalars(
        select(Person.id).where(Person.id.in_(ids.scalar_subquery()),
                                visible_condition(principal, now))
        .order_by(Person.family_name, Person.given_name, Person.id).limit(limit)))


def _by_identifier(session: Session, *, terms: Terms, principal: Principal, now: datetime,
                   limit: int) -> dict[int, tuple[float, list[Phrase]]]:
    found: dict[int, tuple[float, list[Phrase]]] = {}
    for scheme, value in terms.identifiers.items():
        ids = select(PersonIdentifier.person_id).where(PersonIdentifier.scheme == scheme,
                                                       PersonIdentifier.value == value)
        for person_id in _visible_ids(session, ids, principal=principal, now=now, limit=limit):
            found[person_id] = (IDENTIFIED, [Phrase(LABELS[scheme])])
    return found


def _by_family_name(session: Session, *, terms: Terms, principal: Principal, now: datetime,
                    limit: int) -> dict[int, tuple[float, list[Phrase]]]:
    """One name word: people any agency records under that family name (a given name alone
    names too many to be a search), written as typed, capitalised or in capitals: names are
    stored as agencies send them, and an index on the name as stored is one both stores
    keep alike (an index on its lower case is one SQLite cannot reflect)."""
    word = terms.names[0]
    forms = sorted({word, word.lower(), word.upper(), word.title(), word.capitalize()})
    ids = select(PersonRecord.person_id).where(PersonRecord.family_name.in_(forms))
    return {person_id: (FOUND, [phrase(FAMILY_NAME, name=word)]) for person_id in
            _visible_ids(session, ids, principal=principal, now=now, limit=limit)}


def _address_ids(session: Session, *, terms: Terms) -> Select[int]:
    """The addresses the query's address and postcode describe, as a subquery's select."""
    statement = select(Address.id)
    if terms.postcode:
        statement = statement.where(Address.postcode == terms.postcode)
    if terms.address:
        line = address_key(terms.address, None).rstrip("|")
        if terms.postcode:
            code = normalise_postcode(terms.postcode) or ""
            statement = statement.where(Address.match_key == f"{line}|{code}")
        elif session.get_bind().dialect.name == "sqlite":
            # A range on the key, so SQLite uses its index (its LIKE ignores case, which
            # its index does not). "}" sorts straight after the key's "|".
            statement = statement.where(Address.match_key >= f"{line}|",
                                        Address.match_key < f"{line}}}")
        else:
            statement = statement.where(Address.match_key.startswith(f"{line}|"))
    return statement


def _by_place_and_date(session: Session, *, terms: Terms, principal: Principal,
                       now: datetime, limit: int) -> dict[int, tuple[float, list[Phrase]]]:
    """No name: everyone born on the date, recorded at the address or postcode (all that
    are given must hold)."""
    reasons: list[Phrase] = []
    ids = select(Person.id)
    if terms.dob:
        # The date key files every record's date of birth, not only the headline one.
        ids = ids.where(Person.id.in_(select(PersonBlockingKey.person_id).where(
            PersonBlockingKey.key == f"d:{terms.dob.isoformat()}")))
        reasons.append(phrase(BORN_ON, date=long_date(terms.dob)))
    if terms.postcode or terms.address:
        ids = ids.where(Person.id.in_(select(PersonRecord.person_id).where(
            PersonRecord.address_id.in_(_address_ids(session, terms=terms)))))
        reasons.append(phrase(ADDRESS_POSTCODE, address=terms.address,
                              postcode=terms.postcode) if terms.address and terms.postcode
                       else phrase(ADDRESS, address=terms.address) if terms.address
                       else phrase(POSTCODE, postcode=terms.postcode or ""))
    return {person_id: (FOUND, reasons) for person_id in
            _visible_ids(session, ids, principal=principal, now=now, limit=limit)}


def _by_matcher(session: Session, *, terms: Terms, principal: Principal,
                now: datetime) -> dict[int, tuple[float, list[Phrase]]]:
    """A name (with a date of birth or a postcode, if given) through the person matcher."""
    given, family = (terms.names[0], terms.names[-1]) if len(terms.names) > 1 \
        else (None, terms.names[0])
    query = features(given_name=given, family_name=family, dob=terms.dob,
                     postcode=terms.postcode, address=terms.address)
    candidates = [c for c in find_candidates(session, query) if _relevant(c, terms)]
    visible = visible_person_ids(session, principal=principal,
                                 person_ids=[c.person_id for c in candidates], now=now)
    candidates = [c for c in candidates if c.person_id in visible]
    names = _record_names(session, [c.person_id for c in candidates])
    typed = normalise_name(" ".join(terms.names))
    found = {}
    for candidate in candidates:
        levels = candidate.score.levels
        closest = max(names.get(candidate.person_id, []), default="",
                      key=lambda name: jaro_winkler(normalise_name(name), typed))
        reasons = [Phrase(NAME) if normalise_name(closest) == typed else
                   phrase(NAME_LIKE, name=closest)]
        if levels["dob"] in _DOB_WORDS and terms.dob:
            reasons.append(Phrase(_DOB_WORDS[levels["dob"]]))
        if levels["location"] not in (NULL, ELSE) and terms.postcode:
            reasons.append(phrase(POSTCODE if levels["location"] in (
                "address_postcode", "alike_postcode", "postcode") else NEAR,
                postcode=terms.postcode))
        found[candidate.person_id] = (MATCHED * (1 + candidate.probability)
                                      + 10 * len(reasons), reasons)
    return found


def _relevant(candidate: Candidate, terms: Terms) -> bool:
    """Whether a candidate is one the searcher meant: the model says so, or the names are
    alike and nothing else typed disagrees (a name alone scores low, however exact)."""
    if candidate.probability >= POSSIBLE:
        return True
    levels = candidate.score.levels
    if levels["family_name"] not in _ALIKE or levels["given_name"] not in (_ALIKE | {NULL}):
        return False
    if terms.dob and levels["dob"] == ELSE:
        return False
    return not (terms.postcode and levels["location"] == ELSE)


def _record_names(session: Session, person_ids: list[int]) -> dict[int, list[str]]:
    """Every name any agency records each person under (the name that matched may be any)."""
    names: dict[int, list[str]] = {}
    rows = session.execute(
        select(PersonRecord.person_id, PersonRecord.given_name, PersonRecord.family_name)
        .where(PersonRecord.person_id.in_(person_ids), or_(
            PersonRecord.given_name.is_not(None), PersonRecord.family_name.is_not(None)))
        .distinct())
    for person_id, given, family in rows:
        names.setdefault(person_id, []).append(full_name(given, family))
    return names
