"""A year of police incidents in the synthetic county, as the attending officers recorded them.

Rates and their sources are listed in ``county``'s module docstring. The officer's record is
deliberately imperfect: names as given at the door, missing dates of birth, and children who
live at the address but were never written down.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from faker import Faker

from safeguard.identifiers import make_pnc_id
from safeguard.synth.places import Dwelling, london_to_utc
from safeguard.synth.population import YEAR, Household, Person, Population

__all__ = ["Incident", "give_pnc", "plan_incidents"]

DA_PER_1000 = 20.0
KIND_SHARES = (("domestic_abuse", 0.85), ("concern_for_welfare", 0.10), ("other", 0.05))
REPEAT_SHARE = 0.30
CHILD_OMITTED = 0.30
SUSPECT_RECORD = 0.15
# Relative frequency by day of week (Mon..Sun) and local hour: evenings, nights, weekends.
_DAY_WEIGHTS = (0.9, 0.85, 0.85, 0.9, 1.05, 1.3, 1.25)
# fmt: off
_HOUR_WEIGHTS = {
    "domestic_abuse": (6, 5, 4, 3, 2, 1.5, 1, 1, 1, 1.2, 1.5, 1.8, 2, 2, 2.2, 2.5, 3, 3.5, 4.5,
                       5.5, 6.5, 7, 7, 6.5),
    "concern_for_welfare": (2, 1.5, 1, 1, 1, 1, 1.5, 2, 3, 3.5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
                            3.5, 3, 3, 2.5),
    "other": (2, 1.5, 1, 1, 1, 1, 1.5, 2.5, 3.5, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5,
              4.5, 4, 3.5, 3, 3, 2.5),
}
# fmt: on


@dataclass(eq=False)
class Incident:
    kind: str
    occurred: datetime
    recorded: datetime
    dwelling: Dwelling
    household: Household
    listed: list[tuple[str, Person]] = field(default_factory=list)
    omitted: list[Person] = field(default_factory=list)  # hidden truth: never written out
    repeat: bool = False
    officer: str = ""
    source_id: str = ""


def give_pnc(rng: random.Random, person: Person, end: date) -> None:
    """A PNC ID allocated on the person's first arrest, at 15 or older."""
    first = max(person.dob.year + 15, end.year - 30)
    person.pnc = make_pnc_id(rng, year=rng.randint(min(first, end.year), end.year))


def _times(rng: random.Random, kind: str, n: int, end: date) -> list[datetime]:
    days = [end - timedelta(days=i) for i in range(365)]
    weights = [
        _DAY_WEIGHTS[d.weekday()] * (2.0 if (d.month, d.day) == (1, 1) else 1.0) for d in days
    ]
    chosen = rng.choices(days, weights, k=n)
    hours = rng.choices(range(24), _HOUR_WEIGHTS[kind], k=n)
    return [
        london_to_utc(datetime.combine(d, time(h, rng.randrange(60))))
        for d, h in zip(chosen, hours, strict=True)
    ]


class _Planner:
    def __init__(self, rng: random.Random, fake: Faker, pop: Population) -> None:
        self.rng, self.fake, self.pop = rng, fake, pop
        self.end = pop.end
        self.towns = list(dict.fromkeys(h.dwelling.town for h in pop.households))
        self.count: dict[int, int] = {}  # household index -> DA incidents this year
        self.index = {id(h): i for i, h in enumerate(pop.households)}
        self.pool = [h for h in pop.households if h.history]  # a previous DA incident
        self.considered: set[int] = set()  # people already checked for a criminal record
        weights = [self._da_weight(h) for h in pop.households]
        self.da_cum = list(accumulate(weights))
        self.cfw_cum = list(
            accumulate(3.0 if h.children(self.end) else 1.0 for h in pop.households)
        )

    def _da_weight(self, h: Household) -> float:
        """How likely a household is to have police called to domestic abuse (assumption)."""
        youngest_adult = min(p.age_on(self.end) for p in h.adults(self.end))
        base = {
            "couple_children": 1.6,
            "lone_parent": 2.4,
            "multigen_children": 1.6,
            "parents_adult_children": 0.6,
            "sharers": 0.3,
        }.get(h.kind, 1.0)
        if h.kind in ("single", "couple"):
            base = 1.2 if youngest_adult < 45 else 0.2
        return base

    def _draw(self, cum: list[float]) -> Household:
        return self.pop.households[bisect_right(cum, self.rng.random() * cum[-1])]

    def da_household(self) -> tuple[Household, bool]:
        rng = self.rng
        if self.pool and rng.random() < REPEAT_SHARE:
            weights = [
                1 + 1.5 * self.count.get(self.index[id(h)], 0) + 0.5 * h.history for h in self.pool
            ]
            return rng.choices(self.pool, weights)[0], True
        for _ in range(1000):
            h = self._draw(self.da_cum)
            if h.history == 0 and self.index[id(h)] not in self.count:
                self.pool.append(h)
                return h, False
        return rng.choice(self.pool), True

    def ex_partner(self, h: Household, victim: Person) -> Person:
        if h.ex_partner is not None:
            return h.ex_partner
        rng, make = self.rng, self.pop.maker
        sex = "female" if victim.sex == "male" and rng.random() < 0.9 else "male"
        if h.absent_parent is not None and victim in h.members and h.children(self.end):
            family, dob = h.absent_parent
        else:
            family = self.fake.last_name() if victim.culture == "british" else victim.family_name
            dob = victim.dob - timedelta(days=int(rng.gauss(2, 4) * YEAR))
        dob = min(dob, self.end - timedelta(days=int(18.2 * YEAR)))
        ex = make.person(sex, dob, str(family), victim.culture)
        if rng.random() < 0.7:  # else of no fixed abode, or living out of the county
            ex.home = self.pop.gazetteer.dwelling(rng.choice(self.towns))
        self.pop.externals.append(ex)
        h.ex_partner = ex
        return ex

    def parties(self, h: Household, day: date) -> tuple[Person, Person]:
        rng = self.rng
        adults = h.adults(self.end)
        if h.kind == "parents_adult_children" and h.partners and rng.random() < 0.5:
            grown = [p for p in adults if p not in h.partners]
            if grown:  # abuse by an adult son or daughter of a parent
                mum, dad = h.partners
                victim = mum if rng.random() < 0.65 else dad
                suspect = rng.choice(grown)
                return victim, suspect
        if h.partners is not None:
            a, b = h.partners
            if a.sex != b.sex:
                woman, man = (a, b) if a.sex == "female" else (b, a)
                return (woman, man) if rng.random() < 0.78 else (man, woman)
            return (a, b) if rng.random() < 0.5 else (b, a)
        victim = adults[0] if h.kind != "sharers" else rng.choice(adults)
        return victim, self.ex_partner(h, victim)

    def check_record(self, person: Person, rate: float) -> None:
        if id(person) in self.considered:
            return
        self.considered.add(id(person))
        if person.pnc is None and self.rng.random() < rate:
            give_pnc(self.rng, person, self.end)

    def children(
        self, h: Household, day: date, kind: str, exclude: list[Person]
    ) -> tuple[list[tuple[str, Person]], list[Person]]:
        rng = self.rng
        kids = [k for k in h.children(day) if k not in exclude]
        present = {id(k): rng.random() < (0.55 if kind == "domestic_abuse" else 0.7) for k in kids}
        omitted: list[Person] = []
        if kids and rng.random() < CHILD_OMITTED:
            n = 1 if len(kids) == 1 or rng.random() < 0.7 else rng.randint(2, len(kids))
            # Children out of sight (asleep, at a relative's) are the ones officers miss.
            keyed = sorted(
                kids, key=lambda k: rng.random() ** (1 / (1 if present[id(k)] else 3)), reverse=True
            )
            omitted = keyed[:n]
        listed = [
            ("child_present" if present[id(k)] else "child_normally_resident", k)
            for k in kids
            if k not in omitted
        ]
        return listed, omitted

    def witness(self, h: Household, day: date, exclude: list[Person]) -> Person | None:
        rng = self.rng
        others = [p for p in h.adults(self.end) if p not in exclude]
        if others and rng.random() < 0.5:
            return rng.choice(others)
        for _ in range(20):  # a neighbour: an adult from another household in the town
            other = rng.choice(self.pop.households)
            if other is not h and other.dwelling.town is h.dwelling.town:
                return rng.choice(other.adults(self.end))
        return None

    def plan(self, kind: str, occurred: datetime) -> Incident:
        rng = self.rng
        day = occurred.date()
        if kind == "domestic_abuse":
            h, repeat = self.da_household()
            self.count[self.index[id(h)]] = self.count.get(self.index[id(h)], 0) + 1
        else:
            h, repeat = (
                self._draw(self.cfw_cum if kind == "concern_for_welfare" else self.da_cum),
                False,
            )
        delay = max(10.0, rng.lognormvariate(math.log(75), 0.6))
        incident = Incident(
            kind, occurred, occurred + timedelta(minutes=int(delay)), h.dwelling, h, repeat=repeat
        )
        if kind == "domestic_abuse":
            victim, suspect = self.parties(h, day)
            self.check_record(suspect, SUSPECT_RECORD - 0.02)
            incident.listed = [("victim", victim), ("suspect", suspect)]
            kids, incident.omitted = self.children(h, day, kind, [victim, suspect])
            incident.listed += kids
            if rng.random() < 0.15:
                witness = self.witness(h, day, [p for _, p in incident.listed])
                if witness is not None:
                    incident.listed.append(("witness", witness))
        elif kind == "concern_for_welfare":
            adult = rng.choice(h.adults(self.end))
            kids, incident.omitted = self.children(h, day, kind, [adult])
            incident.listed = [("witness" if kids else "victim", adult), *kids]
        else:
            incident.listed = [("victim", rng.choice(h.adults(self.end)))]
            witness = self.witness(h, day, [incident.listed[0][1]])
            if witness is not None and rng.random() < 0.4:
                incident.listed.append(("witness", witness))
        return incident


def plan_incidents(rng: random.Random, fake: Faker, pop: Population) -> list[Incident]:
    end = pop.end
    for person in pop.residents:  # criminal records before this year (assumption, see county)
        if person.age_on(end) >= 18 and rng.random() < (0.05 if person.sex == "male" else 0.012):
            give_pnc(rng, person, end)
    expected = len(pop.residents) * DA_PER_1000 / 1000
    n_da = max(1, round(rng.gauss(expected, math.sqrt(expected))))
    planned: list[tuple[datetime, str]] = []
    for kind, share in KIND_SHARES:
        n = n_da if kind == "domestic_abuse" else round(n_da * share / KIND_SHARES[0][1])
        planned += [(t, kind) for t in _times(rng, kind, n, end)]
    planned.sort()
    planner = _Planner(rng, fake, pop)
    incidents = [planner.plan(kind, occurred) for occurred, kind in planned]
    officers = _officers(rng, fake, max(8, len(incidents) // 6))
    serial: dict[int, int] = {}
    for incident in incidents:
        year = incident.occurred.year
        serial[year] = serial.get(year, rng.randint(1, 400)) + rng.randint(1, 60)
        incident.source_id = f"INC-{year}-{serial[year]:06d}"
        incident.officer = rng.choice(officers)
    return incidents


def _officers(rng: random.Random, fake: Faker, n: int) -> list[str]:
    collars = rng.sample(range(1000, 9999), n)
    ranks = rng.choices(("PC", "PS", "DC"), (85, 8, 7), k=n)
    return [
        f"{rank} {collar} {fake.last_name()}" for rank, collar in zip(ranks, collars, strict=True)
    ]
