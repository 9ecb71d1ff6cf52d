"""The hidden truth of the synthetic county: schools, dwellings, households and people.

Nothing here is ever written out as it stands; agencies' records (``records``) and police
incidents (``incidents``) are renderings of it, with their own gaps and mistakes. The rates
are documented in ``county``'s module docstring.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from safeguard.identifiers import make_nhs_number
from safeguard.synth.names import Culture, given_name, pick_culture, surname
from safeguard.synth.places import TOWNS, Dwelling, Gazetteer
from safeguard.synth.schools import School, enrol, make_schools

__all__ = ["Household", "Person", "Population", "School", "build_population"]

YEAR = 365.25
TWIN_RATE = 0.015  # ONS Birth characteristics: ~15 multiple maternities per 1,000
# Share of households by composition; those with dependent children sum to ~20%.
KINDS = (
    ("single", 0.30),
    ("couple", 0.32),
    ("couple_children", 0.12),
    ("lone_parent", 0.055),
    ("multigen_children", 0.02),
    ("parents_adult_children", 0.10),
    ("sharers", 0.085),
)
CHILD_COUNTS = ((1, 0.45), (2, 0.38), (3, 0.12), (4, 0.05))
MOVED_RATE = 0.12  # households that moved in the two years before the incident year
HISTORY_RATE = 0.01  # households with a police-recorded DA incident in earlier years


@dataclass(eq=False)
class Person:
    given_name: str
    family_name: str
    dob: date
    sex: str
    culture: Culture
    nhs: str
    previous_family_name: str | None = None
    household: Household | None = None
    home: Dwelling | None = None  # only for people living outside the sampled households
    upn: str | None = None
    school: School | None = None
    pnc: str | None = None

    def age_on(self, day: date) -> int:
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))

    @property
    def dwelling(self) -> Dwelling | None:
        return self.household.dwelling if self.household is not None else self.home


@dataclass(eq=False)
class Household:
    kind: str
    dwelling: Dwelling
    members: list[Person] = field(default_factory=list)
    partners: tuple[Person, Person] | None = None
    moved_from: Dwelling | None = None
    moved_on: date | None = None
    history: int = 0
    # For a lone parent: the children's other parent (surname, dob), made real only when needed.
    absent_parent: tuple[str, date] | None = None
    ex_partner: Person | None = None

    def adults(self, day: date) -> list[Person]:
        return [p for p in self.members if p.age_on(day) >= 18]

    def children(self, day: date) -> list[Person]:
        return [p for p in self.members if 0 <= p.age_on(day) < 18 and p.dob <= day]


@dataclass
class Population:
    end: date
    schools: list[School]
    households: list[Household]
    residents: list[Person]
    externals: list[Person]
    gazetteer: Gazetteer
    maker: PersonMaker


class PersonMaker:
    def __init__(self, rng: random.Random, fake: Faker, end: date) -> None:
        self.rng, self.fake, self.end = rng, fake, end
        self._nhs: set[str] = set()

    def dob_aged(self, lo: float, hi: float) -> date:
        """A date of birth for someone aged between lo and hi years on the end date."""
        return self.end - timedelta(days=self.rng.randint(int(lo * YEAR), int(hi * YEAR)))

    def person(self, sex: str, dob: date, family: str, culture: Culture) -> Person:
        while True:
            nhs = make_nhs_number(self.rng)
            if nhs not in self._nhs:
                self._nhs.add(nhs)
                break
        given = given_name(self.rng, self.fake, sex=sex, born=dob, culture=culture)
        return Person(given, family, dob, sex, culture, nhs)

    def sex(self) -> str:
        return "male" if self.rng.random() < 0.51 else "female"


class _Builder:
    def __init__(self, rng: random.Random, fake: Faker, end: date) -> None:
        self.rng, self.fake, self.end = rng, fake, end
        self.make = PersonMaker(rng, fake, end)

    def surname(self, culture: Culture) -> str:
        return surname(self.rng, self.fake, culture)

    def children(self, culture: Culture, family: str) -> list[Person]:
        rng = self.rng
        n = rng.choices([c for c, _ in CHILD_COUNTS], [w for _, w in CHILD_COUNTS])[0]
        gaps = [0 if rng.random() < TWIN_RATE else rng.randint(1, 4) for _ in range(n - 1)]
        youngest = self.end - timedelta(days=rng.randint(0, int(max(0, 17 - sum(gaps)) * YEAR)))
        dobs = [youngest]
        for gap in gaps:
            dobs.append(
                dobs[-1]
                - timedelta(days=0 if gap == 0 else int(gap * YEAR) + rng.randint(-100, 100))
            )
        kids: list[Person] = []
        for dob in reversed(dobs):  # eldest first
            child = self.make.person(self.make.sex(), dob, family, culture)
            while any(k.given_name == child.given_name for k in kids):
                child.given_name = given_name(
                    rng, self.fake, sex=child.sex, born=dob, culture=culture
                )
            if child.age_on(self.end) < 18:
                kids.append(child)
        return kids

    def parent_dob(self, eldest: date, mean: float) -> date:
        years = min(48.0, max(17.0, self.rng.triangular(17, 44, mean)))
        return eldest - timedelta(days=int(years * YEAR) + self.rng.randint(0, 364))

    def couple(
        self, culture: Culture, *, woman_dob: date | None = None
    ) -> tuple[Person, Person, str]:
        """Two partners and the surname any children of theirs would take."""
        rng, make = self.rng, self.make
        dob_a = woman_dob or make.dob_aged(20, 85)
        same_sex = rng.random() < 0.02 and woman_dob is None
        sex_b = ("female" if rng.random() < 0.5 else "male") if same_sex else "male"
        sex_a = sex_b if same_sex else "female"
        dob_b = dob_a - timedelta(days=int(rng.gauss(2.5, 3.0) * YEAR))
        dob_b = min(dob_b, self.end - timedelta(days=int(18 * YEAR)))
        name_a, name_b = self.surname(culture), self.surname(culture)
        a = make.person(sex_a, dob_a, name_a, culture)
        b = make.person(sex_b, dob_b, name_b, culture)
        married = rng.random() < 0.66  # ONS Families and households 2023: ~2/3 of couples
        if married and not same_sex and rng.random() < 0.9:
            a.previous_family_name, a.family_name = a.family_name, b.family_name
        children_name = b.family_name if rng.random() < 0.8 else a.family_name
        return a, b, children_name

    def household(self, kind: str, dwelling: Dwelling) -> Household:
        rng, make = self.rng, self.make
        culture = pick_culture(rng)
        h = Household(kind, dwelling)
        members: list[Person] = []
        if kind == "single":
            lo, hi = (65, 95) if rng.random() < 0.5 else (18, 64)
            members.append(
                make.person(make.sex(), make.dob_aged(lo, hi), self.surname(culture), culture)
            )
        elif kind == "couple":
            a, b, _ = self.couple(culture)
            members, h.partners = [a, b], (a, b)
        elif kind == "sharers":
            for _ in range(rng.randint(2, 4)):
                own = pick_culture(rng)
                members.append(
                    make.person(make.sex(), make.dob_aged(19, 45), self.surname(own), own)
                )
        elif kind == "parents_adult_children":
            a, b, family = self.couple(culture, woman_dob=make.dob_aged(42, 68))
            members, h.partners = [a, b], (a, b)
            for _ in range(rng.randint(1, 2)):
                dob = a.dob + timedelta(days=int(rng.triangular(20, 40, 28) * YEAR))
                dob = min(dob, make.dob_aged(18, 18.9))
                members.append(make.person(make.sex(), dob, family, culture))
        else:
            members = self.family(h, kind, culture)
        for person in members:
            person.household = h
        h.members = members
        return h

    def family(self, h: Household, kind: str, culture: Culture) -> list[Person]:
        rng, make = self.rng, self.make
        lone = kind == "lone_parent" or (kind == "multigen_children" and rng.random() < 0.5)
        step = not lone and rng.random() < 0.12  # ONS 2011: ~11% of couple families are step
        first_family = self.surname(culture)
        kids = self.children(culture, first_family)
        mother_dob = self.parent_dob(kids[0].dob, 28)
        members: list[Person]
        if lone:
            father_dob = mother_dob - timedelta(days=int(rng.gauss(2.5, 3) * YEAR))
            if rng.random() < 0.1:  # lone fathers: ~10% of lone parents (ONS)
                parent = make.person("male", father_dob, first_family, culture)
                h.absent_parent = (self.surname(culture), mother_dob)
            else:
                parent = make.person("female", mother_dob, self.surname(culture), culture)
                if rng.random() < 0.4:  # the children carry their father's surname
                    h.absent_parent = (first_family, father_dob)
                else:
                    for kid in kids:
                        kid.family_name = parent.family_name
                    h.absent_parent = (self.surname(culture), father_dob)
            members = [parent, *kids]
        else:
            a, b, family = self.couple(culture, woman_dob=mother_dob)
            h.partners = (a, b)
            if step:  # her children from an earlier relationship keep their father's name
                if rng.random() < 0.3:
                    a.family_name = first_family  # she kept her former partner's name
                if rng.random() < 0.4:
                    younger = make.person(make.sex(), make.dob_aged(0, 3), family, culture)
                    if younger.dob > kids[-1].dob:
                        kids.append(younger)
            else:
                for kid in kids:
                    kid.family_name = family
            members = [a, b, *kids]
        if kind == "multigen_children":
            grand_dob = self.parent_dob(members[0].dob, 27)
            grand = make.person("female", grand_dob, self.surname(culture), culture)
            members.append(grand)
            if rng.random() < 0.5:
                members.append(
                    make.person("male", grand_dob - timedelta(days=700), grand.family_name, culture)
                )
        return members


def build_population(rng: random.Random, fake: Faker, *, households: int, end: date) -> Population:
    if households < 1:
        raise ValueError("households must be at least 1")
    target_schools = max(2, round(households / 150))
    # Every town in use needs a primary and a secondary school for its children.
    towns = list(TOWNS[: max(1, min(len(TOWNS), math.ceil(target_schools / 2)))])
    surnames = list(dict.fromkeys(str(fake.last_name()) for _ in range(300)))
    gaz = Gazetteer(rng, surnames)
    homes = rng.choices(towns, [t.weight for t in towns], k=households)
    for town in towns:
        gaz.add_streets(town, max(3, math.ceil(sum(1 for h in homes if h is town) / 6)))
    schools = make_schools(rng, fake, gaz, towns, max(target_schools, 2 * len(towns)))
    builder = _Builder(rng, fake, end)
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    hhs: list[Household] = []
    for town in homes:
        h = builder.household(rng.choices(kinds, weights)[0], gaz.dwelling(town))
        if rng.random() < MOVED_RATE:
            old_town = town if rng.random() < 0.75 else rng.choice(towns)
            h.moved_from = gaz.dwelling(old_town)
            h.moved_on = end - timedelta(days=rng.randint(400, 1095))
        if rng.random() < HISTORY_RATE * (3 if h.children(end) else 0.7):
            h.history = rng.randint(1, 3)
        hhs.append(h)
    residents = [p for h in hhs for p in h.members]
    pop = Population(end, schools, hhs, residents, [], gaz, builder.make)
    enrol(rng, residents, schools, end)
    return pop
