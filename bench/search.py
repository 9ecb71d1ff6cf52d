"""Find-anyone benchmark: search latency over a store of N persons (default a million).

    .venv/bin/python bench/search.py                           # 1M persons on SQLite
    .venv/bin/python bench/search.py --persons 100000 --keep .tmp/search-100k.db
    .venv/bin/python bench/search.py --database-url postgresql+psycopg://postgres@127.0.0.1/x

The store is built with bulk inserts of plain rows (persons, their records from police,
social care, health and schools, addresses, identifiers, the matcher's blocking keys), in
batches, after the migrations; a fifth of the persons have a second record from another
agency, a tenth of those under a mistyped family name. Then a mix of queries as a MASH
officer types them (a mistyped name, a name and a date of birth, a family name alone, a
date of birth, an NHS number, UPN or PNC ID, a postcode, an address) runs through
`search.service.search` as a police user, audit rows included, each in its own transaction
(rolled back, so the store stays as built). Prints the median and 99th percentile overall
and by kind of query. The target is p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from faker.providers.person.en_GB import Provider as Names
from sqlalchemy import Engine, event, insert, select, text

from safeguard.access.service import Principal
from safeguard.db import make_engine, make_session_factory
from safeguard.events.models import Event
from safeguard.identifiers import make_pnc_id, make_upn, nhs_check_digit
from safeguard.migrate import upgrade
from safeguard.people.linkage.features import features, index_keys
from safeguard.people.models import (
    Address,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonRecord,
)
from safeguard.people.names import address_key, name_key
from safeguard.search.service import search

WHEN = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
BATCH = 20_000
PERSONS_PER_ADDRESS = 2.5
ADDRESSES_PER_POSTCODE = 15
SOURCES = ("police", "police", "childrens_social_care", "health", "health", "education")
STREETS = ("Road", "Street", "Close", "Avenue", "Lane", "Drive", "Way", "Crescent")
FAMILIES = tuple(Names.last_names)
POLICE = Principal("user", 1, "bench.officer", "Bench Officer", "police", "Police", "police",
                   frozenset({"practitioner"}))


@dataclass
class Someone:
    id: int
    given: str
    family: str
    dob: date
    sex: str
    address: int
    nhs: str | None
    upn: str | None
    pnc: str | None
    typo: str | None  # the family name as a second record mistypes it


def _typo(name: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped ("Griffiths" -> "Griffitsh")."""
    if len(name) < 4:
        return name + name[-1]
    at = rng.randrange(1, len(name) - 2)
    return name[:at] + name[at + 1] + name[at] + name[at + 2:]


def _nhs_numbers(start: int) -> Iterator[str]:
    """Valid NHS numbers in order from ``start`` (nine digits), so none repeats."""
    body = start
    while True:
        digits = f"{body:09d}"
        check = nhs_check_digit(digits)
        if check is not None:
            yield digits + str(check)
        body += 1


def _postcode(n: int) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (f"NN{n // 4000 + 1} {n // 400 % 10}"
            f"{letters[n // 20 % 20]}{letters[n % 20]}")


def _street(n: int) -> str:
    names = FAMILIES
    return f"{names[n * 7 % len(names)]} {STREETS[n % len(STREETS)]}"


def _address_rows(count: int) -> Iterator[list[dict[str, Any]]]:
    rows = []
    for n in range(1, count + 1):
        postcode = _postcode(n // ADDRESSES_PER_POSTCODE)
        line1 = f"{n % ADDRESSES_PER_POSTCODE + 1} {_street(n // ADDRESSES_PER_POSTCODE)}"
        rows.append({"id": n, "line1": line1, "town": "Northampton", "postcode": postcode,
                     "match_key": address_key(line1, postcode)})
        if len(rows) == BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def _people(count: int, addresses: int, rng: random.Random) -> Iterator[Someone]:
    nhs = _nhs_numbers(400_000_000)
    upns: set[str] = set()
    pncs: set[str] = set()
    given_f, given_m = tuple(Names.first_names_female), tuple(Names.first_names_male)
    families = FAMILIES
    for n in range(1, count + 1):
        sex = rng.choice("fm")
        dob = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 86))
        child = dob.year >= 2008
        upn = pnc = None
        if child and rng.random() < 0.8:
            upn = make_upn(rng, la_code=928, establishment=rng.randrange(2000, 4000),
                           year=dob.year + 4)
            upn = None if upn in upns else upn
        if not child and rng.random() < 0.15:
            pnc = make_pnc_id(rng, year=min(dob.year + rng.randrange(12, 40), 2025))
            pnc = None if pnc in pncs else pnc
        upns.add(upn or "")
        pncs.add(pnc or "")
        family = rng.choice(families)
        yield Someone(
            n, rng.choice(given_f if sex == "f" else given_m), family, dob, sex,
            rng.randrange(1, addresses + 1), next(nhs) if rng.random() < 0.8 else None,
            upn, pnc,
            (_typo(family, rng) if rng.random() < 0.1 else family) if rng.random() < 0.2
            else None)


def _rows(batch: list[Someone], addresses: dict[int, tuple[str, str]],
          rng: random.Random) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for p in batch:
        out[Person].append({"id": p.id, "given_name": p.given, "family_name": p.family,
                            "dob": p.dob, "sex": p.sex, "match_key": name_key(p.given, p.family),
                            "created_at": WHEN})
        line1, postcode = addresses[p.address]
        ids = {"nhs": p.nhs, "upn": p.upn, "pnc": p.pnc}
        keys: set[str] = set()
        sources = [rng.choice(SOURCES)] + ([rng.choice(SOURCES)] if p.typo else [])
        for n, source in enumerate(sources):
            family = p.family if n == 0 else (p.typo or p.family)
            out[PersonRecord].append({
                "person_id": p.id, "event_id": 1, "source": source,
                "source_id": f"{source}-{p.id}-{n}", "given_name": p.given,
                "family_name": family, "dob": p.dob, "sex": p.sex, "address_id": p.address,
                "school_urn": None, "recorded_at": WHEN, "linked_by": "bench",
                "from_concern": False})
            keys |= index_keys(features(given_name=p.given, family_name=family, dob=p.dob,
                                        sex=p.sex, postcode=postcode, address=line1, **ids))
        out[PersonIdentifier] += [{"person_id": p.id, "scheme": scheme, "value": value,
                                   "source": "bench"} for scheme, value in ids.items() if value]
        out[PersonBlockingKey] += [{"person_id": p.id, "key": key} for key in sorted(keys)]
    return out


def _roomy(dbapi_connection: Any, _: Any) -> None:
    """SQLite's page cache at 1 GiB and no fsync while the store is built: its default 2 MB
    cache makes every insert into the million-row indexes a read from disk."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size = -1000000")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def build(engine: Engine, persons: int, rng: random.Random) -> None:
    """The store, from empty."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _roomy)
    upgrade(engine)
    address_count = int(persons / PERSONS_PER_ADDRESS)
    addresses: dict[int, tuple[str, str]] = {}
    with engine.begin() as conn:
        conn.execute(insert(Event), [{"id": 1, "event_type": "person", "source": "bench",
                                      "source_id": "bench", "received_at": WHEN,
                                      "payload_hash": "x", "payload": {},
                                      "received_via": "import", "actor": "bench"}])
        for rows in _address_rows(address_count):
            conn.execute(insert(Address), rows)
            addresses.update({r["id"]: (r["line1"], r["postcode"]) for r in rows})
    batch: list[Someone] = []
    for someone in _people(persons, address_count, rng):
        batch.append(someone)
        if len(batch) == BATCH or someone.id == persons:
            with engine.begin() as conn:
                for model, rows in _rows(batch, addresses, rng).items():
                    conn.execute(insert(model), rows)
            if someone.id % 100_000 == 0:
                print(f"  {someone.id:,} persons", flush=True)
            batch = []
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        event.remove(engine, "connect", _roomy)
        engine.dispose()  # the queries run with the store's own settings


@dataclass(frozen=True)
class Asked:
    """A person of the store, as a query is made from them."""

    given: str
    family: str
    dob: date
    line1: str
    postcode: str
    ids: dict[str, str]


def _sample(engine: Engine, persons: int, rng: random.Random, size: int = 5000
            ) -> list[Asked]:
    picked = sorted(rng.sample(range(1, persons + 1), min(size, persons)))
    with engine.connect() as conn:
        ids: dict[int, dict[str, str]] = defaultdict(dict)
        for person_id, scheme, value in conn.execute(
                select(PersonIdentifier.person_id, PersonIdentifier.scheme,
                       PersonIdentifier.value).where(PersonIdentifier.person_id.in_(picked))):
            ids[person_id][scheme] = value
        return [Asked(given, family, dob, line1, postcode, ids[person_id])
                for person_id, given, family, dob, line1, postcode in conn.execute(
                    select(Person.id, Person.given_name, Person.family_name, Person.dob,
                           Address.line1, Address.postcode)
                    .join(PersonRecord, PersonRecord.person_id == Person.id)
                    .join(Address, Address.id == PersonRecord.address_id)
                    .where(Person.id.in_(picked), PersonRecord.source_id.endswith("-0")))]


def _queries(sample: list[Asked], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) as a MASH officer would type them."""
    kinds = [("mistyped name", 25), ("name and date of birth", 15), ("family name", 10),
             ("date of birth", 10), ("NHS number", 10), ("UPN or PNC ID", 5),
             ("postcode", 15), ("address", 10)]
    out = []
    for _ in range(count):
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        p = rng.choice(sample)
        line1, postcode = p.line1, p.postcode
        if kind == "mistyped name":
            q = f"{p.given} {_typo(p.family, rng)}"
        elif kind == "name and date of birth":
            q = f"{p.given.lower()} {p.family} {p.dob:%d/%m/%Y}"
        elif kind == "family name":
            q = p.family
        elif kind == "date of birth":
            q = rng.choice((f"{p.dob:%d/%m/%Y}", p.dob.isoformat(),
                            f"{p.dob.day} {p.dob:%B %Y}"))
        elif kind == "NHS number":
            value = p.ids.get("nhs", "9434765919")
            q = f"{value[:3]} {value[3:6]} {value[6:]}"
        elif kind == "UPN or PNC ID":
            q = p.ids.get("upn") or p.ids.get("pnc") or "A123456789012"
        elif kind == "postcode":
            q = postcode.replace(" ", "").lower()
        else:
            q = line1
        out.append((kind, q))
    return out


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[max(int(len(ordered) * 0.99) - 1, 0)]
    return (f"median {statistics.median(ordered):6.1f} ms, p99 {p99:6.1f} ms, "
            f"max {ordered[-1]:6.1f} ms ({len(ordered)} queries)")


def run(engine: Engine, sample: list[Asked], queries: int, rng: random.Random) -> None:
    asked = _queries(sample, queries, rng)
    factory = make_session_factory(engine)
    by_kind: dict[str, list[float]] = defaultdict(list)
    hits: dict[str, int] = defaultdict(int)
    for n, (kind, q) in enumerate(asked[:50] + asked):  # the first 50 again: warming up
        with factory() as session:
            started = time.perf_counter()
            found = search(session, principal=POLICE, query=q, now=NOW)
            session.flush()
            took = (time.perf_counter() - started) * 1000
            session.rollback()
        if n >= 50:
            by_kind[kind].append(took)
            hits[kind] += bool(found.hits)
    every = [t for times in by_kind.values() for t in times]
    print(f"all      {_summary(every)}")
    for kind, times in sorted(by_kind.items()):
        print(f"  {kind:<24}{_summary(times)}; {hits[kind] / len(times):.0%} found someone")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--database-url", default=None,
                        help="an empty database to build in (default: a new SQLite file)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="SQLite file: built once, then reused (its sample drawn again)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    path = args.keep or Path(tempfile.mkdtemp()) / "search.db"
    reuse = args.database_url is None and path.exists()
    engine = make_engine(args.database_url or f"sqlite:///{path}")
    started = time.perf_counter()
    if reuse:
        print(f"{args.persons:,} persons ({engine.dialect.name}, kept store {path})")
    else:
        build(engine, args.persons, rng)
        print(f"{args.persons:,} persons ({engine.dialect.name}) built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    sample = _sample(engine, args.persons, random.Random(args.seed + 1))
    run(engine, sample, args.queries, random.Random(args.seed + 2))
    engine.dispose()


if __name__ == "__main__":
    main()
