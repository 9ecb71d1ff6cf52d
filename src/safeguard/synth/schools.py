"""Schools of the synthetic county, and which child attends which.

About one school per 150 households (the brief), at least one primary and one secondary in
every town in use, 80% of any further schools primary (England has ~5 primaries per
secondary). Names are invented; URNs are random six-digit numbers in the range real URNs
use; DSL e-mail addresses are on example.org only. UPNs follow the DfE layout: check letter,
LA code (928 for Northamptonshire before April 2021, then 940 North or 941 West), DfE
establishment number of the first school, two-digit year of first entry, serial.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from faker import Faker

from safeguard.identifiers import make_upn
from safeguard.synth.places import OLD_LA_CODE, Dwelling, Gazetteer, Town

if TYPE_CHECKING:
    from safeguard.synth.population import Person

__all__ = ["School", "enrol", "make_schools"]


@dataclass(eq=False)
class School:
    urn: str
    name: str
    phase: str
    town: Town
    dwelling: Dwelling
    establishment: int
    dsl_name: str
    dsl_email: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


# fmt: off
_SCHOOL_PLACES = (
    "Abington", "Briar", "Cedar", "Kings", "Queens", "Hazel", "Millbrook", "Lark", "Rowan",
    "Thorn", "Willow", "Oakway", "Riverside", "Hillside", "Greenfields", "Brookside", "Ash",
    "Meadowbank", "Elm", "Holly", "Fernhill", "Parkside", "Castle", "Windmill", "Beacon",
)
# fmt: on
_SCHOOL_SUFFIX = ("", " Vale", " Park", " Hill", " Fields", " Lea", " Wood", " Green")
_SAINTS = ("St Andrew's", "St Mary's", "St Luke's", "Holy Trinity", "St Peter's", "All Saints")


def make_schools(
    rng: random.Random, fake: Faker, gaz: Gazetteer, towns: list[Town], count: int
) -> list[School]:
    plan = [(town, phase) for town in towns for phase in ("primary", "secondary")]
    while len(plan) < count:
        town = rng.choices(towns, [t.weight for t in towns])[0]
        plan.append((town, "primary" if rng.random() < 0.8 else "secondary"))
    schools: list[School] = []
    used_places: set[str] = set()
    used_urns: set[str] = set()
    for number, (town, phase) in enumerate(plan):
        for attempt in range(10**6):
            if rng.random() < 0.15:
                place = rng.choice(_SAINTS)
            else:
                place = rng.choice(_SCHOOL_PLACES) + rng.choice(_SCHOOL_SUFFIX)
            if attempt >= 20:  # a big county runs out of short names
                place = f"{town.name} {place}"
            if place not in used_places:
                used_places.add(place)
                break
        if phase == "primary":
            kind = (
                " Church of England Primary School"
                if place.endswith(_SAINTS)
                else rng.choice(
                    (" Primary School", " Primary School", " Primary Academy", " Junior School")
                )
            )
        else:
            kind = rng.choice((" Academy", " School", " Community College"))
        while (urn := str(rng.randint(110000, 149999))) in used_urns:
            pass
        used_urns.add(urn)
        dsl = f"{fake.first_name()} {fake.last_name()}"
        serial = (10 * number + rng.randrange(10)) % 2000
        establishment = (2000 if phase == "primary" else 4000) + serial
        schools.append(
            School(
                urn,
                place + kind,
                phase,
                town,
                gaz.dwelling(town, flat_rate=0),
                establishment,
                dsl,
                f"dsl@{_slug(place)}.example.org",
            )
        )
    return schools


def enrol(rng: random.Random, residents: list[Person], schools: list[School], end: date) -> None:
    """Give each school-age child (Reception to Year 11) a school in their town and a UPN."""
    used_upns: set[str] = set()
    year_start = end.year if end.month >= 9 else end.year - 1  # the academic year
    for person in residents:
        assert person.household is not None
        age_31_aug = person.age_on(date(year_start, 8, 31))
        if not 4 <= age_31_aug <= 15:
            continue
        town = person.household.dwelling.town
        phase = "primary" if age_31_aug <= 10 else "secondary"
        choices = [s for s in schools if s.town is town and s.phase == phase]
        person.school = rng.choice(choices)
        first_year = year_start - (age_31_aug - 4)  # UPNs are allocated on first entry
        primaries = [s for s in schools if s.town is town and s.phase == "primary"]
        first = person.school if phase == "primary" else rng.choice(primaries)
        la_code = town.la_code if first_year >= 2021 else OLD_LA_CODE
        while (
            upn := make_upn(
                rng, la_code=la_code, establishment=first.establishment, year=first_year
            )
        ) in used_upns:
            pass
        used_upns.add(upn)
        person.upn = upn
