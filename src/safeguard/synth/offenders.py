"""The synthetic county's register of sex offenders, managed by a unit under strain.

Drawn from its own random stream (seeded from the county's seed), after everything else,
so the rest of the county is the same with or without it. Rates (assumptions unless a
source is named):
- About 1 registered offender per 700 residents (England and Wales: ~70,000 registered
  sex offenders among ~60m people, MAPPA annual report 2023/24, i.e. 1 per ~850; rounded up
  as the brief asks), adults aged 21+, 97% men; registered 1-15 years before the county's
  last day; a fifth live in a household with children (the product must find them).
- Risk (ARMS): 45% low, 35% medium, 15% high, 5% very high; MAPPA category 1, level 1
  (level 2 for 8%, 3 for 2%; very high risk at level 2 or 3).
- Home visits: very high every 14 days, high every 28-42, medium every 84-91, low every
  182-365 days or (60% of low) reactive management with no home visits.
- Managers: one offender manager per 65 offenders (at least one), offenders shared unevenly
  (the first manager holds the most): caseloads above the target of 50, as the inspection
  found. A manager's visits run late in proportion to their caseload, and their latest
  visit is sometimes not yet made, so the board shows overdue visits.
- Notifications: the annual notification in the last year (missed by 3%); 8% changed their
  name in the last year, 30% of them notifying the change late (4-10 days after it).
- Assessments: 10% reassessed in the last year (the risk moves one level, the plan with it).
Only the last year of visits is written: the capacity figures look back 12 months.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from safeguard.synth.places import render_address
from safeguard.synth.population import Person, Population

RATE = 700
PER_MANAGER = 65
RISKS = (("low", 45), ("medium", 35), ("high", 15), ("very_high", 5))
CONVICTIONS = ("Sexual assault", "Sexual assault of a child under 13",
               "Making indecent images of children", "Possession of indecent images of children",
               "Sexual communication with a child", "Rape", "Voyeurism", "Exposure")
MANAGERS = ("DC 2231 Shah", "DC 1876 Walsh", "DC 3012 Okoro", "DC 2490 Byrne",
            "DC 1745 Clarke", "DC 3301 Hughes", "DC 2078 Price", "DC 2655 Rahman")


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


def offender_events(pop: Population, *, seed: int) -> list[dict[str, Any]]:
    """The register's events in the order an import needs them (each registration first)."""
    rng = random.Random(f"offenders-{seed}")
    count = max(1, round(len(pop.residents) / RATE))
    managers = MANAGERS[:max(1, min(len(MANAGERS), round(count / PER_MANAGER)))]
    # Uneven caseloads: the first manager's share is about twice the last's.
    weights = [2.0 - n / max(1, len(managers)) for n in range(len(managers))]
    events: list[dict[str, Any]] = []
    for n, person in enumerate(_candidates(pop, rng, count), start=1):
        manager_at = rng.choices(range(len(managers)), weights)[0]
        events += _register(rng, pop, person, f"RSO-{n:05d}", managers[manager_at],
                            lateness=(1 + manager_at) / len(managers))
    return events


def _register(rng: random.Random, pop: Population, person: Person, reference: str,
              manager: str, lateness: float) -> list[dict[str, Any]]:
    end = pop.end
    registered = end - timedelta(days=rng.randint(366, 15 * 365))
    risk = rng.choices([r for r, _ in RISKS], [w for _, w in RISKS])[0]
    every = _interval(rng, risk)
    level = rng.choice((2, 3)) if risk == "very_high" else rng.choices((1, 2, 3), (90, 8, 2))[0]
    home = person.household.dwelling if person.household else person.home
    registration: dict[str, Any] = {
        "event": "offender_registration", "source": "police", "source_id": reference,
        "offender": _offender(person), "registered_at": _at(registered, rng),
        "conviction": rng.choice(CONVICTIONS), "mappa_category": 1, "mappa_level": level,
        "risk": risk, "offender_manager": manager}
    if home is not None:
        registration["address"] = render_address(home)
    if every is not None:
        registration["visit_every_days"] = every
    dated: list[tuple[date, dict[str, Any]]] = []
    year_ago = end - timedelta(days=365)
    if every is not None:
        # The last year's home visits, later for a busier manager; the latest may be missed.
        day = year_ago + timedelta(days=rng.randint(0, every))
        while day <= end:
            if day > end - timedelta(days=every) and rng.random() < 0.3 * lateness:
                break  # not yet made: due or overdue on the board
            dated.append((day, {"event": "offender_visit", "source": "police",
                                "registration": reference, "visited_at": _at(day, rng),
                                "by": manager, "home_visit": True}))
            day += timedelta(days=every + int(rng.random() * lateness * every * 0.5))
    anniversary = date(end.year, registered.month, min(registered.day, 28))
    if anniversary > end:
        anniversary = date(end.year - 1, anniversary.month, anniversary.day)
    if rng.random() > 0.03:
        dated.append((anniversary, {"event": "offender_notification", "source": "police",
                                    "registration": reference, "kind": "annual",
                                    "notified_at": _at(anniversary, rng)}))
    if rng.random() < 0.08 and person.household is not None:
        changed = year_ago + timedelta(days=rng.randint(30, 330))
        notified = changed + timedelta(days=rng.randint(4, 10) if rng.random() < 0.3
                                       else rng.randint(0, 2))
        if notified <= end:
            dated.append((notified, {
                "event": "offender_notification", "source": "police",
                "registration": reference, "kind": "change_of_name",
                "notified_at": _at(notified, rng),
                "changed_at": datetime.combine(changed, time(8), tzinfo=UTC).isoformat()}))
    if rng.random() < 0.10:
        on = year_ago + timedelta(days=rng.randint(0, 360))
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
    dated.sort(key=lambda pair: pair[0])
    out = [registration]
    for number, (_, event) in enumerate(dated, start=1):
        out.append({**event, "source_id": f"{reference}-{number:03d}"})
    return out
