"""The synthetic county's register of sex offenders, managed by a unit under strain.

The register stands for the whole force area, not only the households the county models in
detail: ``force_population`` (by default ``FORCE_POPULATION``, the county's towns' 2021
census populations as ``places.TOWNS`` weighs them, about half a million people) sets its
size. The modelled households hold their share (one offender per ``RATE`` of their
residents, so the product finds children near some of them); the rest live at plain
addresses of their own across the force area's towns, in proportion to the towns'
populations. Those are known here only to the register: no other agency's record is written
for them (so they carry no NHS number), and the police record of them is the registration.
A force population below the modelled residents counts as theirs.

Drawn from its own random stream (seeded from the county's seed), after everything else, so
the rest of the county is the same with or without it (its dwellings come from a copy of the
county's gazetteer drawing from that stream: they never share a door with the county's).
Rates (assumptions unless a source is named):
- About 1 registered offender per 700 people (England and Wales: ~70,000 registered sex
  offenders among ~60m people, MAPPA annual report 2023/24, i.e. 1 per ~850; rounded up as
  the brief asks), adults aged 21+, 97% men; of the modelled households' share, a fifth live
  in a household with children (the product must find them); the others are 21-80, most
  around 40.
- Registered 1-15 years before the history window opens, or (8%) within it.
- Risk (ARMS): 45% low, 35% medium, 15% high, 5% very high; MAPPA category 1, level 1
  (level 2 for 8%, 3 for 2%; very high risk at level 2 or 3).
- Home visits: very high every 14 days, high every 28-42, medium every 84-91, low every
  182-365 days or (60% of low) reactive management with no home visits.
- Managers: one offender manager per 60 offenders (at least one), offenders shared unevenly
  (the first manager's share about twice the last's), so most carry more than the target
  caseload of 50 and the register needs more managers than the unit has, as the inspection
  found. A busier manager's visits run later, and their latest visit is more often not yet
  made, so the board shows overdue visits.
- Notifications: the annual notification on or a few days before the anniversary of the
  registration (3% missed this year: their last is the year before's); 8% changed their name
  in the window, 30% of them notifying the change late (4-10 days after it).
- Assessments: 10% reassessed in the window (the risk moves one level, the plan with it);
  the visits follow whichever plan is in force.
Only the history window's visits are written (``history_start``: the capacity figures look
back twelve whole months) and, for a plan already running then, its last visit before the
window (the first visit due in the window is due on the plan's clock), so the register's
lines stay a small part of the county's.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker import Faker

from safeguard.synth.incidents import give_pnc
from safeguard.synth.names import given_name, pick_culture, surname
from safeguard.synth.places import TOWNS, Gazetteer, render_address
from safeguard.synth.population import YEAR, Person, Population

__all__ = ["FORCE_POPULATION", "MAX_FORCE_POPULATION", "RATE", "history_start",
           "offender_events"]

RATE = 700
FORCE_POPULATION = 1000 * sum(town.weight for town in TOWNS)
# England and Wales's largest force polices about 9m people.
MAX_FORCE_POPULATION = 10_000_000
PER_MANAGER = 60
RISKS = (("low", 45), ("medium", 35), ("high", 15), ("very_high", 5))
CONVICTIONS = ("Sexual assault", "Sexual assault of a child under 13",
               "Making indecent images of children", "Possession of indecent images of children",
               "Sexual communication with a child", "Rape", "Voyeurism", "Exposure")
MANAGER_SURNAMES = ("Shah", "Walsh", "Okoro", "Byrne", "Clarke", "Hughes", "Price", "Rahman",
                    "Kowalski", "Patel", "Murphy", "Evans", "Campbell", "Ahmed", "Reid",
                    "Foster", "Nowak", "Bennett", "Mensah", "Doyle", "Khan", "Turner", "Gill",
                    "Lloyd", "Osei", "Harrison", "Begum", "Fraser", "Quinn", "Sandhu")
FIRST_COLLAR = 2231
FIRST_MANAGER = f"DC {FIRST_COLLAR} {MANAGER_SURNAMES[0]}"
Plan = list[tuple[date, int | None]]  # (from, visit every N days or reactive)


def history_start(end: date) -> date:
    """The first day the register's history covers: the first of the month a year before
    ``end``'s, where the capacity chart's twelve past months begin."""
    return date(end.year - 1, end.month, 1)


def _interval(rng: random.Random, risk: str) -> int | None:
    if risk == "very_high":
        return 14
    if risk == "high":
        return rng.choice((28, 35, 42))
    if risk == "medium":
        return rng.choice((84, 91))
    return None if rng.random() < 0.6 else rng.choice((182, 365))


def _at(day: date, rng: random.Random) -> str:
    return datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))),
                            tzinfo=UTC).isoformat()


def _offender(person: Person) -> dict[str, Any]:
    fields: dict[str, Any] = {"given_name": person.given_name,
                              "family_name": person.family_name,
                              "dob": person.dob.isoformat(), "sex": person.sex}
    if person.pnc:
        fields["ids"] = {"pnc": person.pnc}
    return fields


def _candidates(pop: Population, rng: random.Random, count: int) -> list[Person]:
    """The modelled households' share of the register."""
    end = pop.end
    with_children = [a for h in pop.households if h.children(end) for a in h.adults(end)
                     if a.age_on(end) >= 21]
    without = [a for h in pop.households if not h.children(end) for a in h.adults(end)
               if a.age_on(end) >= 21]
    chosen: list[Person] = []
    for _ in range(count):
        pool = with_children if rng.random() < 0.2 and with_children else without
        men = [p for p in pool if p.sex == "male" and p not in chosen]
        pick = men if men and rng.random() < 0.97 else [p for p in pool if p not in chosen]
        if pick:
            chosen.append(rng.choice(pick))
    return chosen


def _elsewhere(pop: Population, rng: random.Random, count: int) -> list[Person]:
    """Offenders at plain addresses across the force area, outside the modelled households."""
    if count <= 0:
        return []
    fake = Faker("en_GB")
    fake.seed_instance(rng.getrandbits(64))
    gazetteer: Gazetteer = pop.gazetteer.drawing_from(rng)
    towns = rng.choices(TOWNS, [town.weight for town in TOWNS], k=count)
    for town, living in sorted(Counter(towns).items(), key=lambda pair: TOWNS.index(pair[0])):
        gazetteer.add_streets(town, math.ceil(living / 2))
    pncs = {p.pnc for p in pop.residents + pop.externals if p.pnc}
    people = []
    for town in towns:
        culture = pick_culture(rng)
        sex = "male" if rng.random() < 0.97 else "female"
        dob = pop.end - timedelta(days=int(rng.triangular(21, 80, 40) * YEAR))
        person = Person(given_name(rng, fake, sex=sex, born=dob, culture=culture),
                        surname(rng, fake, culture), dob, sex, culture, nhs="",
                        home=gazetteer.dwelling(town))
        while person.pnc is None or person.pnc in pncs:
            give_pnc(rng, person, pop.end)
        pncs.add(person.pnc)
        people.append(person)
    return people


def _managers(rng: random.Random, count: int) -> list[str]:
    """The unit's offender managers, the largest share first: the demo's offender manager
    (DC Sam Shah, ``seed.DEMO_USERS``) is among the busiest."""
    others = count - 1
    collars = rng.sample([n for n in range(1000, 4000) if n != FIRST_COLLAR], others)
    surnames = MANAGER_SURNAMES[1:]
    names = rng.sample(surnames, min(others, len(surnames)))
    names += rng.choices(surnames, k=others - len(names))
    return [FIRST_MANAGER] + [f"{'DC' if rng.random() < 0.75 else 'PC'} {collar} {name}"
                              for collar, name in zip(collars, names, strict=True)]


def offender_events(pop: Population, *, seed: int,
                    force_population: int = FORCE_POPULATION) -> list[dict[str, Any]]:
    """The register's events in the order an import needs them (each registration first)."""
    rng = random.Random(f"offenders-{seed}")
    modelled = round(len(pop.residents) / RATE)
    count = max(1, modelled, round(force_population / RATE))
    people = _candidates(pop, rng, max(1, modelled))
    people += _elsewhere(pop, rng, count - len(people))
    rng.shuffle(people)
    managers = _managers(rng, max(1, round(count / PER_MANAGER)))
    # Uneven caseloads: the first manager's share is about twice the last's.
    weights = [2.0 - n / len(managers) for n in range(len(managers))]
    since = history_start(pop.end)
    events: list[dict[str, Any]] = []
    for n, person in enumerate(people, start=1):
        at = rng.choices(range(len(managers)), weights)[0]
        events += _register(rng, pop.end, since, person, f"RSO-{n:05d}", managers[at],
                            lateness=(len(managers) - at) / len(managers))
    return events


def _register(rng: random.Random, end: date, since: date, person: Person, reference: str,
              manager: str, lateness: float) -> list[dict[str, Any]]:
    if rng.random() < 0.08:  # registered within the window
        registered = since + timedelta(days=rng.randint(0, (end - since).days - 30))
    else:
        registered = since - timedelta(days=rng.randint(1, 15 * 365))
    risk = rng.choices([r for r, _ in RISKS], [w for _, w in RISKS])[0]
    every = _interval(rng, risk)
    level = rng.choice((2, 3)) if risk == "very_high" else rng.choices((1, 2, 3), (90, 8, 2))[0]
    home = person.dwelling
    registration: dict[str, Any] = {
        "event": "offender_registration", "source": "police", "source_id": reference,
        "offender": _offender(person), "registered_at": _at(registered, rng),
        "conviction": rng.choice(CONVICTIONS), "mappa_category": 1, "mappa_level": level,
        "risk": risk, "offender_manager": manager}
    if home is not None:
        registration["address"] = render_address(home)
    if every is not None:
        registration["visit_every_days"] = every
    start = max(since, registered)
    plan: Plan = [(start, every)]
    dated: list[tuple[date, dict[str, Any]]] = []
    if rng.random() < 0.10:
        on = start + timedelta(days=rng.randint(1, (end - start).days))
        order = [r for r, _ in RISKS]
        moved = order[max(0, min(len(order) - 1, order.index(risk) + rng.choice((-1, 1))))]
        assessment: dict[str, Any] = {"event": "offender_assessment", "source": "police",
                                      "registration": reference, "at": _at(on, rng),
                                      "risk": moved}
        new_every = _interval(rng, moved)
        if new_every is None:
            assessment["reactive"] = True
        else:
            assessment["visit_every_days"] = new_every
        dated.append((on, assessment))
        plan.append((on + timedelta(days=1), new_every))
    for day in _visit_days(rng, plan, end=end, registered=registered, lateness=lateness):
        dated.append((day, {"event": "offender_visit", "source": "police",
                            "registration": reference, "visited_at": _at(day, rng),
                            "by": manager, "home_visit": True}))
    dated += _notifications(rng, end, since, registered, reference)
    dated.sort(key=lambda pair: pair[0])
    out = [registration]
    for number, (_, event) in enumerate(dated, start=1):
        out.append({**event, "source_id": f"{reference}-{number:03d}"})
    return out


def _visit_days(rng: random.Random, plan: Plan, *, end: date, registered: date,
                lateness: float) -> list[date]:
    """The home visits made under each plan in turn: each visit due its plan's interval after
    the last (or the registration), made later by a busier manager; the latest may not be
    made yet. A plan already running when the window opens has its last visit before the
    window written too, so that the first visit due in the window is due on its clock."""
    days: list[date] = []
    for n, (begin, every) in enumerate(plan):
        last = n == len(plan) - 1
        stop = end + timedelta(days=1) if last else plan[n + 1][0]
        if every is None:
            continue
        if days:  # a new plan's clock runs from the last visit, no earlier than the plan
            due = max(days[-1] + timedelta(days=every), begin)
        elif n > 0:  # home visits start again: the first within weeks of the new plan
            due = begin + timedelta(days=rng.randint(0, min(every, 28)))
        else:
            before = begin - timedelta(days=rng.randint(1, every))
            if before > registered:
                days.append(before)
            due = max(before, registered) + timedelta(days=every)
        while True:
            made = due + timedelta(days=int(rng.random() * lateness * every * 0.5))
            if made >= stop:
                break
            if last and made > end - timedelta(days=every) and rng.random() < 0.3 * lateness:
                break  # not yet made: due or overdue on the board
            days.append(made)
            due = made + timedelta(days=every)
    return days


def _notifications(rng: random.Random, end: date, since: date, registered: date,
                   reference: str) -> list[tuple[date, dict[str, Any]]]:
    dated: list[tuple[date, dict[str, Any]]] = []

    def notify(day: date, kind: str, **more: Any) -> None:
        dated.append((day, {"event": "offender_notification", "source": "police",
                            "registration": reference, "kind": kind,
                            "notified_at": _at(day, rng), **more}))

    anniversary = date(end.year, registered.month, min(registered.day, 28))
    if anniversary > end:
        anniversary = date(end.year - 1, anniversary.month, anniversary.day)
    if rng.random() < 0.03:  # missed this year: the last was the year before
        anniversary = date(anniversary.year - 1, anniversary.month, anniversary.day)
    notified = anniversary - timedelta(days=rng.randint(0, 7))
    if notified > registered + timedelta(days=300):
        notify(notified, "annual")
    if rng.random() < 0.08:
        changed = max(since, registered) + timedelta(days=rng.randint(1, 330))
        told = changed + timedelta(days=rng.randint(4, 10) if rng.random() < 0.3
                                   else rng.randint(0, 2))
        if told <= end:
            notify(told, "change_of_name",
                   changed_at=datetime.combine(changed, time(8), tzinfo=UTC).isoformat())
    return dated
