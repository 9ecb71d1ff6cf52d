"""Children detained in police custody: a year of custody records for the synthetic county.

Written after the incidents, from a random stream of their own (seeded from the county's
seed), so the rest of the county is the same with or without them. Rates (assumptions after
the Home Office's arrest statistics, about 55,000 arrests of 10-17 year olds a year in
England and Wales, nearly 1 per 1,000 residents):
- 1 detention of a child a year per 1,000 residents, aged 10-17, older children more often;
  arrivals mostly in the afternoon and evening;
- 55% released without charge (or under investigation), 33% charged and bailed, 12% charged
  and refused bail, nearly all late in the evening; of those, 60% moved to local authority
  accommodation and 40% kept on a certificate (impracticable), then taken to court;
- parents told and appropriate adults called mostly in time (85%), otherwise late;
- on the county's last evening two children are still in custody (one not yet charged, one
  refused bail at 23:10 and a transfer asked for), so the demo opens on a live board.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from safeguard.synth.places import london_to_utc
from safeguard.synth.population import Person, Population

SUITES = ("Northgate custody suite", "Riverside custody suite")
OFFENCES = ("theft from a shop", "robbery", "possession of a bladed article",
            "assault occasioning actual bodily harm", "criminal damage",
            "possession with intent to supply class A", "burglary", "taking a vehicle")
OFFICERS = ("PS Hughes", "PS Adeyemi", "PS Walsh", "PS Kowalski")
INSPECTORS = ("Insp. Hale", "Insp. Rahman", "Insp. Doyle")
EXPLANATIONS = (
    "No placement could be found that could receive the child before the court sat.",
    "The only available placement was 90 miles away and no transport could be arranged "
    "overnight.",
)

Event = dict[str, object]


def _iso(at: datetime) -> str:
    return at.isoformat()


class _Record:
    """One custody record's events, numbered in the order they are written."""

    def __init__(self, ref: str, child: Person, arrived: datetime, rng: random.Random) -> None:
        self.ref, self.rng = ref, rng
        self.events: list[Event] = []
        self.authorised = arrived + timedelta(minutes=rng.randint(5, 25))
        detainee: dict[str, object] = {"given_name": child.given_name,
                                       "family_name": child.family_name,
                                       "dob": child.dob.isoformat(), "sex": child.sex}
        if child.pnc:
            detainee["ids"] = {"pnc": child.pnc}
        self.events.append({
            "event": "custody_detention", "source": "police", "source_id": ref,
            "detainee": detainee, "arrived_at": _iso(arrived),
            "detention_authorised_at": _iso(self.authorised),
            "custody_suite": rng.choice(SUITES), "offence": rng.choice(OFFENCES),
            "officer": rng.choice(OFFICERS)})

    def step(self, step: str, at: datetime, **facts: object) -> datetime:
        source = "childrens_social_care" if step == "la_response" else "police"
        event: Event = {"event": "custody_update", "source": source,
                        "source_id": f"{self.ref}-{len(self.events)}", "detention": self.ref,
                        "at": _iso(at), "step": step}
        self.events.append({**event, **facts})
        return at

    def minutes(self, lo: int, hi: int, late: float = 0.15) -> timedelta:
        """A delay, usually within [lo, hi] minutes, sometimes (``late``) well beyond."""
        extra = self.rng.randint(hi, 3 * hi) if self.rng.random() < late else 0
        return timedelta(minutes=self.rng.randint(lo, hi) + extra)

    def first_hours(self) -> datetime:
        start = self.authorised
        self.step("parent_informed", start + self.minutes(10, 55))
        asked = self.step("appropriate_adult_requested", start + self.minutes(5, 50))
        return self.step("appropriate_adult_arrived", asked + self.minutes(30, 65))


def _arrival(rng: random.Random, day: date) -> datetime:
    hour = rng.choices(range(24), weights=[2, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9,
                                           10, 10, 10, 9, 8, 6, 4, 3])[0]
    return london_to_utc(datetime.combine(day, time(hour, rng.randint(0, 59))))


def _story(record: _Record, rng: random.Random) -> None:
    """What happened after arrival: released, bailed, or refused bail and moved or kept."""
    arrived = record.first_hours()
    roll = rng.random()
    if roll < 0.55:
        record.step("released", arrived + timedelta(minutes=rng.randint(60, 240)),
                    details="Released under investigation.")
        return
    charged = arrived + timedelta(minutes=rng.randint(60, 200))
    if charged - record.authorised > timedelta(hours=6):
        record.step("review", record.authorised + timedelta(hours=5, minutes=rng.randint(0, 55)),
                    inspector=rng.choice(INSPECTORS))
    record.step("charged", charged)
    if roll < 0.88:
        record.step("bail_granted", charged + timedelta(minutes=rng.randint(15, 60)))
        record.step("released", charged + timedelta(minutes=rng.randint(60, 90)))
        return
    refused = record.step("bail_refused", charged + timedelta(minutes=rng.randint(10, 40)))
    asked = record.step("transfer_requested", refused + record.minutes(15, 55),
                        accommodation="non_secure")
    record.step("la_response", asked + record.minutes(20, 100), offered="non_secure")
    if rng.random() < 0.6:
        record.step("transferred", refused + record.minutes(120, 230))
        return
    certified = record.step("certificate", refused + record.minutes(120, 230),
                            reason="impracticable", explanation=rng.choice(EXPLANATIONS))
    court = london_to_utc(datetime.combine(
        (certified + timedelta(hours=2)).date() + timedelta(days=1), time(9, 30)))
    record.step("taken_to_court", court)


def custody_events(pop: Population, *, seed: int) -> list[Event]:
    """The year's custody records of children (the 365 days ending on ``pop.end``), in time
    order of arrival, each record's steps following its detention."""
    rng = random.Random(f"custody-{seed}")
    end = pop.end
    children = [p for p in pop.residents if 10 <= p.age_on(end) < 18]
    if not children:
        return []
    count = max(1, round(len(pop.residents) / 1000))
    weights = [p.age_on(end) - 8 for p in children]  # older children more often
    records: list[_Record] = []
    for n in range(count):
        child = rng.choices(children, weights)[0]
        day = end - timedelta(days=rng.randint(2, 364))
        record = _Record(f"CUS-{day.year}-{n + 1:05d}", child, _arrival(rng, day), rng)
        _story(record, rng)
        records.append(record)
    records += _live(rng, children, end, count)
    records.sort(key=lambda r: r.authorised)
    return [event for record in records for event in record.events]


def _live(rng: random.Random, children: list[Person], end: date, count: int) -> list[_Record]:
    """Two children still in custody at the county's end, so the board has live clocks."""
    first, second = rng.sample(children, 2) if len(children) > 1 else (children[0],) * 2
    waiting = _Record(f"CUS-{end.year}-{count + 1:05d}", first,
                      london_to_utc(datetime.combine(end, time(19, 40))), rng)
    waiting.step("parent_informed", waiting.authorised + timedelta(minutes=35))
    waiting.step("appropriate_adult_requested", waiting.authorised + timedelta(minutes=20))
    refused = _Record(f"CUS-{end.year}-{count + 2:05d}", second,
                      london_to_utc(datetime.combine(end, time(17, 5))), rng)
    refused.first_hours()
    refused.step("charged", london_to_utc(datetime.combine(end, time(22, 35))))
    at = refused.step("bail_refused", london_to_utc(datetime.combine(end, time(23, 10))))
    refused.step("transfer_requested", at + timedelta(minutes=25), accommodation="non_secure")
    return [waiting, refused]
