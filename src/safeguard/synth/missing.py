"""A year of children missing from home or care in the synthetic county, as police and
children's social care record them.

Rates (assumptions unless a source is named):
- About 0.6% of children aged 10-17 go missing in a year (NCA Missing Persons Data Report:
  ~70,000 children a year in England and Wales, of ~12 million), and at least three children
  in any county, so that a small demo county shows the pages; they are teenagers far more
  often than not.
- Some go missing repeatedly: 60% once, 25% twice, 15% three to six times, the repeats close
  together (days to weeks apart), so some reach the third episode within 90 days.
- 12% of the children who go missing are looked after (looked-after children are ~0.7% of
  children and go missing far more often: DfE SSDA903); about a third of their episodes are
  from care (the rest from home, a placement with family), and 40% of them were placed here
  by another council.
- Risk at report: no apparent risk 10%, low 35%, medium 40%, high 15%; exploitation indicators
  on 8% of episodes, 25% for looked-after children.
- Reported 1-6 hours after last seen; found after a few hours to a few days (median ~14
  hours); an episode whose return would fall after the county's last day is still open.
- The county's last four weeks hold at least two children's episodes, one of them the third
  within 90 days of a child missing again and again (their earlier episodes weeks before), so
  that a demo, whose duties are raised for its last weeks only, shows the return interviews
  and the repeat-episode strategy discussions its measures count (an assumption about timing
  only: these children are drawn like any other).
- 30% of episodes have an update (a check made, sometimes a re-grading).
- Return home interviews: offered for 85% of returns; 63% held within 72 hours (Missing
  People, 2023-24); outcome completed 65%, declined 25%, not possible 10%; an independent
  person in 85%.

Its own random stream, so the rest of the county is the same with or without it.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

from safeguard.synth.places import london_to_utc, render_address
from safeguard.synth.population import Person, Population

__all__ = ["missing_events"]

MISSING_SHARE = 0.006
LOOKED_AFTER_SHARE = 0.12
FROM_CARE_SHARE = 1 / 3
PLACED_BY_ANOTHER_COUNCIL = 0.4
# Councils near the county that place children in it: (DfE code, name).
PLACING_COUNCILS = (("855", "Leicestershire County Council"),
                    ("873", "Cambridgeshire County Council"),
                    ("825", "Buckinghamshire Council"))
RISKS = (("no_apparent_risk", 0.10), ("low", 0.35), ("medium", 0.40), ("high", 0.15))
# The county's last weeks: a demo raises duties for its last 30 days (cli demo --live-days).
RECENT_DAYS = 28
INDICATORS = ("sexual", "criminal", "county_lines", "trafficking")
PROVIDERS = ("Oak House children's home", "Willow Lodge", "Foster carers (independent agency)")


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _iso(at: datetime) -> str:
    return at.replace(second=0, microsecond=0).isoformat()


def _episodes(rng: random.Random) -> int:
    roll = rng.random()
    return 1 if roll < 0.60 else 2 if roll < 0.85 else rng.randint(3, 6)


def _child(person: Person) -> dict[str, object]:
    child: dict[str, object] = {"given_name": person.given_name,
                                "family_name": person.family_name,
                                "dob": person.dob.isoformat(), "sex": person.sex}
    if person.dwelling is not None:
        child["address"] = render_address(person.dwelling)
    return child


def missing_events(seed: int, pop: Population) -> list[dict[str, object]]:
    """The year's missing episodes (ending on the county's last day), each as its report,
    update, return and interview, all in the order they happened."""
    rng = random.Random(f"missing-{seed}")
    end = pop.end
    start = end - timedelta(days=364)
    teens = [p for h in pop.households for p in h.children(end) if 10 <= p.age_on(end) < 18]
    if not teens:
        return []
    chosen = rng.sample(teens, min(len(teens), max(3, round(len(teens) * MISSING_SHARE))))
    last = london_to_utc(datetime.combine(end, time(23, 0)))
    timed: list[tuple[datetime, int, dict[str, object]]] = []
    number = 0
    plans = [(child, _planned_days(rng, start, end)) for child in chosen]
    taken = {id(child) for child in chosen}
    plans += _recent_plans(rng, [t for t in teens if id(t) not in taken], end)
    for child, days in plans:
        looked_after = rng.random() < LOOKED_AFTER_SHARE
        placing = rng.choice(PLACING_COUNCILS) \
            if looked_after and rng.random() < PLACED_BY_ANOTHER_COUNCIL else None
        free_from = start
        for planned in days:
            day = max(planned, free_from)
            if day > end:
                break
            number += 1
            events, returned = _episode(rng, child, number, day, last, looked_after, placing)
            for event in events:
                timed.append((datetime.fromisoformat(str(event["_at"])), len(timed), event))
            if returned is None:
                break  # still missing (or not yet reported) at the county's last day
            # The next episode starts after this one has ended.
            free_from = returned.date() + timedelta(days=1)
    timed.sort(key=lambda item: (item[0], item[1]))
    for _, _, event in timed:
        del event["_at"]
    return [event for _, _, event in timed]


def _planned_days(rng: random.Random, start: date, end: date) -> list[date]:
    """When a child's episodes start: the first on any day of the year, the repeats days or
    weeks apart."""
    days = [start + timedelta(days=rng.randrange(365))]
    for _ in range(_episodes(rng) - 1):
        days.append(days[-1] + timedelta(days=rng.randint(3, 40)))
    return days


def _recent_plans(rng: random.Random, others: list[Person], end: date
                  ) -> list[tuple[Person, list[date]]]:
    """Two more children missing in the county's last weeks: one for the first time, one a
    third time within 90 days (each drawn from the children not already chosen)."""
    if len(others) < 2:
        return []
    once, again = rng.sample(others, 2)
    third = end - timedelta(days=rng.randint(3, RECENT_DAYS - 7))
    first = third - timedelta(days=rng.randint(40, 75))
    second = first + timedelta(days=rng.randint(10, (third - first).days - 10))
    return [(once, [end - timedelta(days=rng.randint(4, RECENT_DAYS))]),
            (again, [first, second, third])]


def _episode(rng: random.Random, child: Person, number: int, day: date, last: datetime,
             looked_after: bool, placing: tuple[str, str] | None
             ) -> tuple[list[dict[str, object]], datetime | None]:
    ref = f"MP-{day.year}-{number:05d}"
    seen = london_to_utc(datetime.combine(day, time(rng.randint(12, 23), rng.randrange(60))))
    reported = seen + timedelta(minutes=rng.randint(60, 360))
    if reported > last:
        return [], None
    risk = _pick(rng, RISKS)
    from_care = looked_after and rng.random() < FROM_CARE_SHARE
    report: dict[str, object] = {
        "event": "missing_report", "source": "police", "source_id": ref, "child": _child(child),
        "missing_from": "care" if from_care else "home", "last_seen_at": _iso(seen),
        "reported_at": _iso(reported), "risk": risk, "officer": f"PC {rng.randint(1000, 9999)}",
        "_at": _iso(reported)}
    if from_care:
        report["placement"] = {"provider": rng.choice(PROVIDERS)}
    if placing is not None:
        report["placing_authority"] = {"code": placing[0], "name": placing[1]}
    if rng.random() < (0.25 if looked_after else 0.08):
        report["exploitation_indicators"] = sorted(rng.sample(INDICATORS, rng.randint(1, 2)))
    events = [report]
    hours = math.exp(rng.gauss(math.log(14), 1.0))
    # Found after being reported, never before: a report comes while the child is missing.
    returned = max(seen + timedelta(hours=min(hours, 24 * 14)),
                   reported + timedelta(minutes=rng.randint(30, 180)))
    if rng.random() < 0.30:
        at = reported + timedelta(minutes=1) + (min(returned, last) - reported) * rng.uniform(
            0.2, 0.8)
        update: dict[str, object] = {
            "event": "missing_update", "source": "police", "source_id": f"{ref}-U1",
            "report": ref, "at": _iso(at), "note": rng.choice((
                "Checked with the school: not seen today.",
                "Friends' addresses visited; not there.",
                "Seen on CCTV at the bus station.")), "_at": _iso(at)}
        if rng.random() < 0.4:
            update["risk"] = rng.choice(("medium", "high"))
        events.append(update)
    if returned > last:
        return events, None  # still missing at the county's last day
    events.append({"event": "missing_return", "source": "police", "source_id": f"{ref}-R",
                   "report": ref, "returned_at": _iso(returned),
                   "where_found": rng.choice(("Home address", "A friend's address",
                                              "Town centre", "Railway station")),
                   "harm_disclosed": rng.random() < 0.05, "_at": _iso(returned)})
    if rng.random() < 0.85:
        within = rng.random() < 0.63
        offered = returned + timedelta(hours=rng.uniform(2, 48))
        held = returned + timedelta(hours=rng.uniform(4, 72) if within else rng.uniform(73, 240))
        outcome = _pick(rng, (("completed", 0.65), ("declined", 0.25), ("not_possible", 0.10)))
        # Recorded when held; one declined or not possible, when offered.
        at = max(offered, held) if outcome == "completed" else offered
        if at <= last:
            interview: dict[str, object] = {
                "event": "return_interview", "source": "childrens_social_care",
                "source_id": f"RHI-{ref}", "report": ref, "offered_at": _iso(offered),
                "outcome": outcome, "by_independent_person": rng.random() < 0.85,
                "provider": "Return interview service (commissioned)", "_at": _iso(at)}
            if outcome == "completed":
                interview["held_at"] = _iso(at)
            else:
                interview["reason"] = ("Did not want to talk about it." if outcome == "declined"
                                       else "Could not be reached at the placement.")
            events.append(interview)
    return events, returned
