"""Hard, UK-shaped person records with known truth, for training and benchmarking linkage.

Households of parents and children share a surname, an address and a postcode; some children
are twins (same date of birth, different given names). Siblings are given different names, not
two forms of one name: a family does not call its twins Kathryn and Catherine, or Joseph and
Joe, and the records of two such children are what one child's records look like, so the truth
would not be knowable from them. Agencies each hold their own record of a person with nicknames
(Bill for William), typos, given name and surname written in each other's fields, married or
changed surnames, transposed day and month, partial or
missing dates of birth, old addresses after a move, missing fields, and identifiers that only
some sources hold. Every record carries ``truth`` (the real person) and ``household`` and
``role`` (parent or child) so that false merges of twins and siblings, and of a parent and
child, can be counted.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker.providers.person.en_GB import Provider as _Names

from safeguard.identifiers import make_pnc_id, make_upn, nhs_check_digit
from safeguard.people.linkage.features import canonical_given, nicknames
from safeguard.people.names import normalise_name
from safeguard.synth.names import typo

COLUMNS = ("record_id", "source", "given_name", "family_name", "dob", "sex", "postcode",
           "address", "nhs_number", "upn", "pnc_id")
TRUTH_COLUMNS = ("truth", "household", "role")

_STREETS = ("Acacia", "Albert", "Alder", "Ash", "Beech", "Birch", "Cedar", "Chapel", "Church",
            "Elm", "Forge", "Granby", "Hawthorn", "Holly", "Larch", "Maple", "Mill", "Oak",
            "Orchard", "Park", "Queen", "Rowan", "School", "Spring", "Station", "Victoria",
            "Willow", "York", "Wellington", "Nelson", "Grange", "Meadow", "Kings", "Priory")
_SUFFIXES = (("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave"), ("Close", "Cl"),
             ("Lane", "Ln"), ("Drive", "Dr"), ("Grove", "Gr"), ("Crescent", "Cres"))
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_DIGITS = "0123456789"


def _formal_names() -> tuple[list[str], list[str]]:
    formal = sorted(set(nicknames().values()))
    female = [n for n in _Names.first_names_female]
    male = [n for n in _Names.first_names_male]
    # The formal names with nicknames appear often, as they do in England.
    for name in formal:
        target = female if name.endswith(("a", "e", "y", "ine", "eth")) else male
        target.extend([name.title()] * 3)
    return female, male


def formal_name(given: str) -> str:
    """The name a given name is a form of: Kathryn, Catherine and Kate are all Catherine.
    Siblings are given names of which none is a form of another."""
    return canonical_given(normalise_name(given))


@dataclass
class _Person:
    truth: str
    household: str
    given: str
    family: str
    dob: date
    sex: str
    nhs: str | None = None
    upn: str | None = None
    pnc: str | None = None
    addresses: list[tuple[str, str]] = field(default_factory=list)  # (line, postcode)
    role: str = "child"


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.female, self.male = _formal_names()
        self.surnames = list(_Names.last_names)
        self.used_nhs: set[str] = set()
        self.used_ids: set[str] = set()
        self.people = 0
        self.households = 0
        self.today = date(2025, 6, 1)

    def nhs(self) -> str:
        """A unique valid NHS number starting 99. The 999 test range holds only about 909,000
        valid numbers, too few to give a million people one each; no real NHS number
        starts 99 (England issues 400-499 and 600-708)."""
        while True:
            first_nine = "99" + "".join(self.rng.choice(_DIGITS) for _ in range(7))
            check = nhs_check_digit(first_nine)
            value = f"{first_nine}{check}"
            if check is not None and value not in self.used_nhs:
                self.used_nhs.add(value)
                return value

    def address(self) -> tuple[str, str]:
        rng = self.rng
        district = f"{rng.choice('BCDLMNSTW')}{rng.choice('ABCDEFGHKLMNRSTY')}{rng.randint(1, 40)}"
        street = f"{rng.choice(_STREETS)} {rng.choice(_SUFFIXES)[0]}"
        postcode = f"{district} {rng.randint(1, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
        return f"{rng.randint(1, 220)} {street}", postcode

    def person(self, household: str, family: str, born: date, sex: str | None = None,
               avoid: set[str] | None = None) -> _Person:
        rng = self.rng
        sex = sex or rng.choice("FM")
        pool = self.female if sex == "F" else self.male
        given = rng.choice(pool)
        while avoid and formal_name(given) in avoid:
            given = rng.choice(pool)
        self.people += 1
        person = _Person(f"P{self.people}", household, given, family, born, sex)
        age = (self.today - born).days // 365
        if rng.random() < (0.97 if age < 18 else 0.85):
            person.nhs = self.nhs()
        if 4 <= age <= 18 and rng.random() < 0.95:
            while (upn := make_upn(rng, la_code=rng.randint(201, 938),
                                   establishment=rng.randint(1000, 9999),
                                   year=born.year + 4)) in self.used_ids:
                pass
            person.upn = upn
            self.used_ids.add(upn)
        if age >= 12 and rng.random() < (0.35 if age >= 18 else 0.1):
            first = min(max(born.year + 12, 1990), 2024)
            # Identifiers are unique, as real ones are: a million people draw enough PNC
            # serials for some to repeat by chance.
            while (pnc := make_pnc_id(rng, year=rng.randint(first, 2024))) in self.used_ids:
                pass
            person.pnc = pnc
            self.used_ids.add(pnc)
        return person

    def household(self) -> list[_Person]:
        rng = self.rng
        self.households += 1
        hid = f"H{self.households}"
        family = rng.choice(self.surnames)
        home = self.address()
        people: list[_Person] = []
        mother_born = date(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))
        people.append(self.person(hid, family, mother_born, "F"))
        if rng.random() < 0.6:
            father_born = mother_born + timedelta(days=rng.randint(-2500, 2500))
            people.append(self.person(hid, family, father_born, "M"))
        for parent in people:
            parent.role = "parent"
        children = rng.choices((0, 1, 2, 3, 4), weights=(15, 30, 30, 17, 8))[0]
        names: set[str] = set()
        born = mother_born + timedelta(days=365 * rng.randint(18, 24))
        while children > 0 and born < self.today:
            if children >= 2 and rng.random() < 0.12:  # twins: same birthday, other names
                for _ in range(2):
                    child = self.person(hid, family, born, avoid=names)
                    names.add(formal_name(child.given))
                    people.append(child)
                children -= 2
            else:
                child = self.person(hid, family, born, avoid=names)
                names.add(formal_name(child.given))
                people.append(child)
                children -= 1
            born += timedelta(days=rng.randint(330, 1400))
        moved = self.address() if rng.random() < 0.15 else None
        for person in people:
            person.addresses.append(home)
            if moved:
                person.addresses.append(moved)
        return people


def _records_of(maker: _Maker, person: _Person) -> Iterator[dict[str, str]]:
    rng = maker.rng
    age = (maker.today - person.dob).days // 365
    sources = [("health", 0.85)]
    if 4 <= age <= 18:
        sources.append(("education", 0.9))
    sources += [("police", 0.3 if age >= 14 else 0.15), ("childrens_social_care", 0.3)]
    chosen = [name for name, p in sources if rng.random() < p] or ["health"]
    for number, source in enumerate(chosen):
        given, family, born = person.given, person.family, person.dob
        if rng.random() < 0.15:
            given = rng.choice([n for n, f in nicknames().items() if f == given.lower()]
                               or [given]).title()
        if rng.random() < 0.04:
            given = typo(rng, given)
        if rng.random() < 0.04:
            family = typo(rng, family)
        if age >= 18 and person.sex == "F" and rng.random() < 0.12:
            family = rng.choice(maker.surnames)  # married or maiden name
        elif rng.random() < 0.02:
            family = rng.choice(maker.surnames)  # took a step-parent's name
        dob = born.isoformat()
        roll = rng.random()
        if roll < 0.06:
            dob = ""
        elif roll < 0.10 and born.day <= 12:
            dob = date(born.year, born.day, born.month).isoformat()
        elif roll < 0.13:
            dob = str(born.year)
        elif roll < 0.16:
            dob = f"{born.year}-{born.month:02d}"
        elif roll < 0.18:
            dob = born.replace(day=max(1, min(28, born.day + rng.choice((-2, -1, 1, 2))))
                               ).isoformat()
        sex = person.sex if rng.random() > 0.1 else ""
        if sex and rng.random() < 0.005:
            sex = "M" if sex == "F" else "F"
        line, postcode = person.addresses[-1 if rng.random() < 0.6 else 0]
        if rng.random() < 0.3:
            for long, short in _SUFFIXES:
                line = line.replace(long, short)
        line = _misspelt_street(line, f"{person.truth}-{number}")
        given, family = _swapped(given, family, f"{person.truth}-{number}")
        if rng.random() < 0.08:
            line = ""
        if rng.random() < 0.06:
            postcode = ""
        ids = {"nhs_number": "", "upn": "", "pnc_id": ""}
        held = {"health": (0.97, 0.0, 0.0), "education": (0.3, 0.95, 0.0),
                "police": (0.1, 0.0, 0.85), "childrens_social_care": (0.6, 0.25, 0.05)}[source]
        for (column, value), p in zip((("nhs_number", person.nhs), ("upn", person.upn),
                                       ("pnc_id", person.pnc)), held, strict=True):
            if value and rng.random() < p:
                ids[column] = value
        yield {
            "record_id": f"{person.truth}-{number}", "source": source, "given_name": given,
            "family_name": family, "dob": dob, "sex": sex, "postcode": postcode,
            "address": f"{line}, Townsville" if line else "", **ids,
            "truth": person.truth, "household": person.household,
            "role": person.role,
        }


def _misspelt_street(line: str, record: str) -> str:
    """The street's name keyed in a hurry on 5% of records ("12 Acaica Road"). Drawn from a
    generator of the record's own, so every other field of every record is as before."""
    noise = random.Random(record)
    if not line or noise.random() >= 0.05:
        return line
    number, _, street = line.partition(" ")
    name, _, suffix = street.partition(" ")
    return f"{number} {typo(noise, name)} {suffix}".rstrip()


def _swapped(given: str, family: str, record: str) -> tuple[str, str]:
    """The surname written in the given name's field and the given name in the surname's on
    1% of records, as agencies' forms are filled in. Drawn from a generator of the record's
    own, so every other field of every record is as before."""
    return (family, given) if random.Random(f"{record}/swap").random() < 0.01 \
        else (given, family)


def generate(records: int, *, seed: int = 1) -> list[dict[str, str]]:
    """About ``records`` person records (whole households, so a few more), shuffled."""
    maker = _Maker(seed)
    rows: list[dict[str, str]] = []
    while len(rows) < records:
        for person in maker.household():
            rows.extend(_records_of(maker, person))
    maker.rng.shuffle(rows)
    for number, row in enumerate(rows):
        row["record_id"] = f"R{number}"
    return rows


def write_csv(rows: list[dict[str, str]], path: Path, *, truth: bool = True) -> None:
    columns = COLUMNS + (TRUTH_COLUMNS if truth else ())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
