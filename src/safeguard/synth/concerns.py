"""A year of concerns agencies raise about children in the synthetic county: a health
visitor's, a school's, a police officer's.

Rates (assumptions):
- About 1.5% of children are the subject of a concern in a year (a child in need referral
  rate is ~5% of children a year (DfE Children in need 2023); a concern raised through this
  product is some of those), aged 0-17.
- 35% of those children have a second concern from another agency 2-25 days later, which the
  joint-assessment rules meet with a strategy discussion (concerns from 2+ agencies within
  30 days); a few a third.
- Which agency: health 40%, the child's school 35% (the council's education service for a
  child on no roll), police 25%.
- The county's last four weeks hold at least two children with concerns from two agencies,
  so that a demo, whose duties are raised for its last weeks only, shows the joint
  assessments its measures count (an assumption about timing only).
- Raised in working hours (08:00-18:00), recorded 0-6 hours later.

Its own random stream, so the rest of the county is the same with or without it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from safeguard.synth.places import london_to_utc, render_address
from safeguard.synth.population import Person, Population

__all__ = ["concern_events"]

CONCERN_SHARE = 0.015
FURTHER_CONCERN = 0.35
THIRD_CONCERN = 0.2
RECENT_DAYS = 28
RECENT_CHILDREN = 2
AGENCIES = (("health", 0.40), ("school", 0.35), ("police", 0.25))
KINDS = (("neglect", 0.35), ("emotional", 0.25), ("physical_injury", 0.15),
         ("domestic_abuse_disclosure", 0.15), ("other", 0.10))
SUMMARIES = {
    "neglect": "Child seen repeatedly hungry and in unwashed clothes.",
    "emotional": "Child withdrawn and tearful; says there is shouting at home.",
    "physical_injury": "Bruising on the child's upper arm with no account of how it happened.",
    "domestic_abuse_disclosure": "Child disclosed that a parent was hurt at home last week.",
    "other": "Child often left alone at home in the evenings.",
}
RAISED_BY = {"health": "Health visitor", "school": "Designated safeguarding lead",
             "education": "Education welfare officer", "police": "Neighbourhood officer"}


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _source(agency: str, child: Person) -> str:
    if agency != "school":
        return agency
    return f"school-{child.school.urn}" if child.school is not None else "education"


def _concern(rng: random.Random, child: Person, agency: str, day: date, number: int
             ) -> tuple[datetime, dict[str, object]]:
    occurred = london_to_utc(datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60))))
    recorded = occurred + timedelta(minutes=rng.randint(10, 360))
    kind = _pick(rng, KINDS)
    source = _source(agency, child)
    person: dict[str, object] = {"given_name": child.given_name,
                                 "family_name": child.family_name,
                                 "dob": child.dob.isoformat(), "sex": child.sex}
    event: dict[str, object] = {
        "event": "concern", "source": source, "source_id": f"CON-{day.year}-{number:05d}",
        "kind": kind, "occurred_at": occurred.isoformat(), "recorded_at": recorded.isoformat(),
        "summary": SUMMARIES[kind], "raised_by": RAISED_BY[source.split("-")[0]],
        "child": person}
    if child.dwelling is not None:
        event["address"] = render_address(child.dwelling)
    return recorded, event


def _others(rng: random.Random, first: str, count: int) -> list[str]:
    """Agencies other than the first's, in a random order, weighted like the first."""
    rest = tuple((a, w) for a, w in AGENCIES if a != first)
    chosen: list[str] = []
    while len(chosen) < min(count, len(rest)):
        agency = _pick(rng, rest)
        if agency not in chosen:
            chosen.append(agency)
    return chosen


def concern_events(seed: int, pop: Population) -> list[dict[str, object]]:
    """The year's concerns (ending on the county's last day), in the order recorded."""
    rng = random.Random(f"concerns-{seed}")
    end = pop.end
    start = end - timedelta(days=364)
    children = [p for h in pop.households for p in h.children(end) if p.dob < start]
    if not children:
        return []
    chosen = rng.sample(children, min(len(children), round(len(children) * CONCERN_SHARE)))
    taken = {id(child) for child in chosen}
    others = [c for c in children if id(c) not in taken]
    recent = rng.sample(others, min(len(others), RECENT_CHILDREN))
    plans: list[tuple[Person, date, int]] = []
    for child in chosen:
        further = 0
        if rng.random() < FURTHER_CONCERN:
            further = 2 if rng.random() < THIRD_CONCERN else 1
        plans.append((child, start + timedelta(days=rng.randrange(365)), further))
    plans += [(child, end - timedelta(days=rng.randint(8, RECENT_DAYS)), 1)
              for child in recent]
    timed: list[tuple[datetime, int, dict[str, object]]] = []
    for child, day, further in plans:
        first = _pick(rng, AGENCIES)
        agencies = [first, *_others(rng, first, further)]
        for agency in agencies:
            if day > end:
                break
            at, event = _concern(rng, child, agency, day, len(timed) + 1)
            timed.append((at, len(timed), event))
            day += timedelta(days=rng.randint(2, 25 if day < end - timedelta(days=30) else 6))
    timed.sort(key=lambda item: (item[0], item[1]))
    return [event for _, _, event in timed]
