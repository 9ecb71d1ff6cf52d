"""Each agency's person records: who it knows about, and how its records differ from the truth.

Rates and sources are listed in ``county``'s module docstring. Records of one agency are
shuffled before numbering so that neither the order nor the numbering of records gives
households away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from safeguard.synth.incidents import Incident
from safeguard.synth.names import nickname, strip_accents, swap_day_month, typo
from safeguard.synth.places import AddressStyle, Dwelling, london_to_utc, render_address
from safeguard.synth.population import Household, Person, Population

__all__ = ["AGENCIES", "Agency", "agency_records"]


@dataclass(frozen=True)
class Agency:
    source: str
    prefix: str
    digits: int
    address: AddressStyle
    stale_address: float  # chance a moved household's record still has the old address
    typo: float
    nickname: float
    old_surname: float  # chance a record still has a surname the person has since changed
    missing_dob: float
    swap_dob: float
    unknown_sex: float
    ascii_only: float  # chance the record lost the accents in a name
    nhs: float  # chance the record carries the person's NHS number
    office_hours: bool = True


AGENCIES = {
    "health": Agency(
        "health",
        "H-",
        7,
        AddressStyle(0.10, 0.05, 0.02, 0.1),
        0.15,
        0.01,
        0.01,
        0.05,
        0.002,
        0.003,
        0.002,
        0.3,
        0.95,
    ),
    "education": Agency(
        "education",
        "E-",
        6,
        AddressStyle(0.25, 0.15, 0.05, 0.2),
        0.10,
        0.01,
        0.02,
        0.0,
        0.0,
        0.003,
        0.0,
        0.5,
        0.30,
    ),
    "childrens_social_care": Agency(
        "childrens_social_care",
        "CSC-",
        6,
        AddressStyle(0.15, 0.1, 0.03, 0.1),
        0.2,
        0.015,
        0.03,
        0.1,
        0.02,
        0.005,
        0.005,
        0.4,
        0.85,
    ),
    "police": Agency(
        "police",
        "P-",
        7,
        AddressStyle(0.35, 0.2, 0.05, 0.3),
        0.35,
        0.025,
        0.06,
        0.15,
        0.04,
        0.01,
        0.01,
        0.6,
        0.15,
        office_hours=False,
    ),
    "probation": Agency(
        "probation",
        "PRB-",
        6,
        AddressStyle(0.3, 0.15, 0.05, 0.2),
        0.2,
        0.01,
        0.03,
        0.1,
        0.005,
        0.005,
        0.0,
        0.5,
        0.10,
    ),
}
ORDER = ("health", "education", "childrens_social_care", "police", "probation")
CSC_SHARE = 0.04  # children known to children's social care (see county docstring)
PROBATION_SHARE = 0.005


def _when(rng: random.Random, lo: date, hi: date, office: bool) -> datetime:
    hi = max(lo, hi)
    day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
    if office:
        while day.weekday() >= 5 and day > lo:
            day -= timedelta(days=1)
        clock = time(rng.randint(8, 16), rng.randrange(60))
    else:
        clock = time(rng.randrange(24), rng.randrange(60))
    return london_to_utc(datetime.combine(day, clock))


class _Writer:
    def __init__(self, rng: random.Random, pop: Population) -> None:
        self.rng, self.pop, self.end = rng, pop, pop.end

    def record(
        self,
        agency: Agency,
        person: Person,
        *,
        ids: dict[str, str],
        school_urn: str | None = None,
        lo: date | None = None,
        at: datetime | None = None,
    ) -> dict[str, object]:
        rng, end = self.rng, self.end
        given, family = person.given_name, person.family_name
        if rng.random() < agency.nickname:
            given = nickname(rng, given)
        if rng.random() < agency.typo:
            given = typo(rng, given)
        if person.previous_family_name and rng.random() < agency.old_surname:
            family = person.previous_family_name
        if rng.random() < agency.typo:
            family = typo(rng, family)
        if rng.random() < agency.ascii_only:
            given, family = strip_accents(given), strip_accents(family)
        record: dict[str, object] = {
            "event": "person",
            "source": agency.source,
            "source_id": "",
            "given_name": given,
            "family_name": family,
        }
        if rng.random() >= agency.missing_dob:
            dob = swap_day_month(person.dob) if rng.random() < agency.swap_dob else person.dob
            record["dob"] = dob.isoformat()
        record["sex"] = "unknown" if rng.random() < agency.unknown_sex else person.sex
        if ids:
            record["ids"] = ids
        lo = max(lo or end - timedelta(days=3 * 365), person.dob + timedelta(days=3))
        hi = end - timedelta(days=1)
        dwelling: Dwelling | None = person.dwelling
        household: Household | None = person.household
        if household is not None and household.moved_from is not None:
            assert household.moved_on is not None
            if rng.random() < agency.stale_address and person.dob < household.moved_on:
                dwelling, hi = household.moved_from, household.moved_on - timedelta(days=1)
            else:
                lo = max(lo, household.moved_on)
        if dwelling is not None:
            record["address"] = render_address(dwelling, rng, agency.address)
        if school_urn is not None:
            record["school_urn"] = school_urn
        when = at or _when(rng, min(lo, hi), hi, agency.office_hours)
        record["recorded_at"] = when.isoformat(timespec="seconds")
        return record

    def ids(self, agency: Agency, person: Person, **extra: str | None) -> dict[str, str]:
        ids: dict[str, str] = {}
        if self.rng.random() < agency.nhs:
            ids["nhs"] = person.nhs
        ids.update({k: v for k, v in extra.items() if v})
        return ids


def _number(rng: random.Random, agency: Agency, records: list[dict[str, object]]) -> None:
    rng.shuffle(records)
    n = rng.randint(1, 10 ** (agency.digits - 2))
    for record in records:
        n += rng.randint(1, 30)
        record["source_id"] = f"{agency.prefix}{n:0{agency.digits}d}"


def _csc_households(rng: random.Random, pop: Population, da: set[int]) -> list[Household]:
    families = [h for h in pop.households if h.children(pop.end)]
    target = CSC_SHARE * sum(len(h.children(pop.end)) for h in families)
    keyed = sorted(
        families,
        key=lambda h: -(rng.random() ** (1 / (1 + (8 if h.history or id(h) in da else 0)))),
    )
    chosen: list[Household] = []
    known = 0
    for h in keyed:
        if known >= target:
            break
        chosen.append(h)
        known += len(h.children(pop.end))
    return chosen


def agency_records(
    rng: random.Random, pop: Population, incidents: list[Incident]
) -> list[dict[str, object]]:
    w = _Writer(rng, pop)
    end = pop.end
    out: dict[str, list[dict[str, object]]] = {source: [] for source in ORDER}
    everyone = pop.residents + pop.externals

    agency = AGENCIES["health"]
    for person in everyone:
        registered = 0.985 if person.household is not None else 0.9 * (person.home is not None)
        if rng.random() < registered:
            out["health"].append(w.record(agency, person, ids=w.ids(agency, person)))
            if rng.random() < 0.005:  # a temporary registration elsewhere, never merged
                out["health"].append(w.record(agency, person, ids={}))

    agency = AGENCIES["education"]
    year_start = date(end.year if end.month >= 9 else end.year - 1, 9, 3)
    for person in pop.residents:
        if person.school is not None and rng.random() < 0.98:  # the rest: home educated
            ids = w.ids(agency, person)
            ids = {"upn": str(person.upn), **ids}
            out["education"].append(
                w.record(agency, person, ids=ids, school_urn=person.school.urn, lo=year_start)
            )

    da = {id(i.household) for i in incidents if i.kind == "domestic_abuse"}
    agency = AGENCIES["childrens_social_care"]
    for h in _csc_households(rng, pop, da):
        known = list(h.members)
        if h.ex_partner is not None and rng.random() < 0.5:
            known.append(h.ex_partner)
        for person in known:
            out["childrens_social_care"].append(w.record(agency, person, ids=w.ids(agency, person)))

    agency = AGENCIES["police"]
    first_seen: dict[int, datetime] = {}
    police: list[Person] = []
    for incident in incidents:
        for _role, person in incident.listed:
            if id(person) not in first_seen:
                first_seen[id(person)] = incident.recorded + timedelta(minutes=rng.randint(5, 90))
                police.append(person)
    for h in pop.households:
        police += [p for p in h.adults(end) if h.history and id(p) not in first_seen]
    police += [
        p
        for p in everyone
        if p.pnc
        and id(p) not in first_seen
        and not (p.household is not None and p.household.history)
    ]
    before = end - timedelta(days=366)
    for person in police:
        out["police"].append(
            w.record(
                agency,
                person,
                ids=w.ids(agency, person, pnc=person.pnc),
                lo=before - timedelta(days=5 * 365),
                at=first_seen.get(id(person)),
            )
        )

    agency = AGENCIES["probation"]
    suspects = {id(p) for i in incidents for role, p in i.listed if role == "suspect"}
    offenders = [p for p in everyone if p.pnc]
    adults = sum(1 for p in everyone if p.age_on(end) >= 18)
    n = min(len(offenders), max(1, round(PROBATION_SHARE * adults)))
    keyed = sorted(
        offenders, key=lambda p: -(rng.random() ** (1 / (3 if id(p) in suspects else 1)))
    )
    for person in keyed[:n]:
        out["probation"].append(w.record(agency, person, ids=w.ids(agency, person, pnc=person.pnc)))

    records: list[dict[str, object]] = []
    for source in ORDER:
        _number(rng, AGENCIES[source], out[source])
        records += out[source]
    return records
