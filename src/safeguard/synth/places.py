"""Places in the synthetic county: towns, streets, postcodes, UPRNs and addresses.

Towns, their postcode districts and their localities are real Northamptonshire geography so
that addresses look right to a local reader; every street, house number, postcode unit and
UPRN is invented. Town weights follow the towns' rough 2021 census populations.

An agency writes an address its own way. ``render_address`` gives the canonical form (as the
address gazetteer holds it) or an agency's rendering: without the UPRN, with "Rd" for "Road",
with the postcode in lower case and no space, without the locality line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "Dwelling",
    "Gazetteer",
    "Street",
    "Town",
    "TOWNS",
    "AddressStyle",
    "london_to_utc",
    "render_address",
]


@dataclass(frozen=True)
class Town:
    name: str
    weight: int  # thousands of residents, 2021 census, rounded
    districts: tuple[str, ...]  # postcode districts
    localities: tuple[str, ...]  # used as address line 2
    la_code: int  # DfE local authority code since the 2021 split (940 North, 941 West)


# Northamptonshire County Council (LA 928) was replaced in April 2021 by North Northamptonshire
# (940) and West Northamptonshire (941); pupils allocated a UPN before then carry 928.
OLD_LA_CODE = 928
# fmt: off
TOWNS: tuple[Town, ...] = (
    Town("Northampton", 230, ("NN1", "NN2", "NN3", "NN4", "NN5"),
         ("Abington", "Kingsthorpe", "Duston", "Weston Favell", "Far Cotton", "Semilong",
          "Spinney Hill", "Kingsley", "Parklands", "Blackthorn"), 941),
    Town("Kettering", 63, ("NN15", "NN16"), ("Barton Seagrave", "Ise Lodge", "Headlands"), 940),
    Town("Corby", 62, ("NN17", "NN18"),
         ("Lodge Park", "Danesholme", "Kingswood", "Beanfield"), 940),
    Town("Wellingborough", 56, ("NN8",), ("Queensway", "Hemmingwell", "Croyland"), 940),
    Town("Rushden", 32, ("NN10",), ("Higham Park", "Bedford Road Estate"), 940),
    Town("Daventry", 28, ("NN11",), ("Southbrook", "Grange", "Middlemore"), 941),
    Town("Brackley", 16, ("NN13",), ("Radstone Fields",), 941),
    Town("Towcester", 11, ("NN12",), ("Sawpit Green",), 941),
)

_STREET_WORDS = (
    "Acacia", "Alder", "Ash", "Beech", "Birch", "Bramble", "Briar", "Cedar", "Chestnut",
    "Clover", "Elm", "Fern", "Foxglove", "Hawthorn", "Hazel", "Heather", "Holly", "Juniper",
    "Larch", "Laurel", "Lime", "Maple", "Meadow", "Mill", "Oak", "Orchard", "Poplar", "Rowan",
    "Sycamore", "Willow", "Church", "Station", "Victoria", "Albert", "Queen", "King", "Park",
    "Spring", "Brook", "Castle", "Manor", "Windmill", "Kingfisher", "Swallow", "Wren", "Lark",
)
_SUFFIXES = (
    ("Road", 30), ("Street", 18), ("Close", 14), ("Avenue", 9), ("Lane", 8), ("Drive", 7),
    ("Way", 5), ("Crescent", 4), ("Gardens", 3), ("Walk", 2),
)
ABBREVIATIONS = {
    "Road": "Rd", "Street": "St", "Close": "Cl", "Avenue": "Ave", "Lane": "Ln", "Drive": "Dr",
    "Crescent": "Cres", "Gardens": "Gdns",
}
# fmt: on
# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass
class Street:
    name: str  # e.g. "Acacia Road"
    town: Town
    locality: str | None
    postcodes: list[str]
    used: set[tuple[int, int | None]] = field(default_factory=set)


@dataclass(frozen=True, eq=False)
class Dwelling:
    uprn: str
    flat: int | None
    number: int
    street: Street
    postcode: str

    @property
    def town(self) -> Town:
        return self.street.town


@dataclass(frozen=True)
class AddressStyle:
    """How an agency writes addresses: each field is the chance of that deviation."""

    drop_uprn: float = 0.0
    abbreviate: float = 0.0
    squash_postcode: float = 0.0
    drop_line2: float = 0.0


CANONICAL = AddressStyle()


def render_address(
    dwelling: Dwelling, rng: random.Random | None = None, style: AddressStyle = CANONICAL
) -> dict[str, object]:
    """The address as a JSON object: canonical without ``rng``, else in the agency's style."""

    def chance(p: float) -> bool:
        return rng is not None and p > 0 and rng.random() < p

    street_name = dwelling.street.name
    if chance(style.abbreviate):
        word, _, suffix = street_name.rpartition(" ")
        street_name = f"{word} {ABBREVIATIONS.get(suffix, suffix)}"
    line1 = f"{dwelling.number} {street_name}"
    if dwelling.flat is not None:
        line1 = f"Flat {dwelling.flat}, {line1}"
    postcode = dwelling.postcode
    if chance(style.squash_postcode):
        postcode = postcode.replace(" ", "").lower()
    line2 = None if chance(style.drop_line2) else dwelling.street.locality
    address: dict[str, object] = {}
    if not chance(style.drop_uprn):
        address["uprn"] = dwelling.uprn
    address.update(
        {"line1": line1, "line2": line2, "town": dwelling.town.name, "postcode": postcode}
    )
    return address


class Gazetteer:
    """Invents streets and dwellings, never the same UPRN, postcode or door twice."""

    def __init__(self, rng: random.Random, surnames: list[str]) -> None:
        self._rng = rng
        self._surnames = surnames  # streets are also named after people
        self._uprns: set[str] = set()
        self._postcodes: set[str] = set()
        self._streets: dict[str, list[Street]] = {town.name: [] for town in TOWNS}

    def drawing_from(self, rng: random.Random) -> Gazetteer:
        """A copy of this gazetteer (its streets, and the UPRNs, postcodes and doors already
        used) drawing from ``rng``: a part of the county made from a stream of its own gets
        dwellings that never collide with the county's, and leaves the county as it was."""
        fork = Gazetteer(rng, self._surnames)
        fork._uprns, fork._postcodes = set(self._uprns), set(self._postcodes)
        fork._streets = {town: [replace(street, used=set(street.used)) for street in streets]
                         for town, streets in self._streets.items()}
        return fork

    def _postcode(self, town: Town) -> str:
        while True:
            district = self._rng.choice(town.districts)
            inward = f"{self._rng.randrange(10)}{''.join(self._rng.choices(_INWARD_LETTERS, k=2))}"
            code = f"{district} {inward}"
            if code not in self._postcodes:
                self._postcodes.add(code)
                return code

    def _uprn(self) -> str:
        # Synthetic 12-digit UPRNs in one block, like those the OS allocates to a council.
        while True:
            uprn = f"1000{self._rng.randrange(10**8):08d}"
            if uprn not in self._uprns:
                self._uprns.add(uprn)
                return uprn

    def add_streets(self, town: Town, count: int) -> None:
        """Add up to ``count`` streets; a big town's streets get longer instead of repeating."""
        existing = self._streets[town.name]
        names = {street.name for street in existing}
        capacity = (len(self._surnames) + len(_STREET_WORDS)) * len(_SUFFIXES) // 2
        count = min(count, capacity - len(existing))
        while count > 0:
            word = (
                self._rng.choice(self._surnames)
                if self._rng.random() < 0.35
                else self._rng.choice(_STREET_WORDS)
            )
            suffix = self._rng.choices([s for s, _ in _SUFFIXES], [w for _, w in _SUFFIXES])[0]
            name = f"{word} {suffix}"
            if name in names:
                continue
            names.add(name)
            locality = self._rng.choice(town.localities) if self._rng.random() < 0.4 else None
            postcodes = [self._postcode(town) for _ in range(self._rng.randint(1, 3))]
            existing.append(Street(name, town, locality, postcodes))
            count -= 1

    def dwelling(self, town: Town, *, flat_rate: float = 0.12) -> Dwelling:
        streets = self._streets[town.name]
        if not streets:
            self.add_streets(town, 3)
        street = self._rng.choice(streets)
        while True:
            number = self._rng.randint(1, 40 + 4 * len(street.used))
            flat = self._rng.randint(1, 12) if self._rng.random() < flat_rate else None
            if (number, flat) not in street.used and (number, None) not in street.used:
                break
        street.used.add((number, flat))
        return Dwelling(self._uprn(), flat, number, street, self._rng.choice(street.postcodes))


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def london_to_utc(local: datetime) -> datetime:
    """A naive Europe/London wall-clock time as an aware UTC time.

    British Summer Time runs from 01:00 UTC on the last Sunday in March to 01:00 UTC on the
    last Sunday in October (Summer Time Order 2002). Computed here rather than read from the
    tz database so that output cannot depend on the machine's tzdata.
    """
    start = datetime.combine(_last_sunday(local.year, 3), datetime.min.time()).replace(hour=1)
    stop = datetime.combine(_last_sunday(local.year, 10), datetime.min.time()).replace(hour=2)
    offset = timedelta(hours=1) if start <= local < stop else timedelta(0)
    return (local - offset).replace(tzinfo=UTC)
