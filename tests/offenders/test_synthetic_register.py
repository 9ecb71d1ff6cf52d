"""The synthetic county's register: the force area's size and mix, a unit under strain, and
events the importer accepts."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from faker import Faker

from safeguard.config import OffenderSettings
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.synth.offenders import (
    FIRST_MANAGER,
    FORCE_POPULATION,
    RATE,
    history_start,
    offender_events,
)
from safeguard.synth.population import Population, build_population

END = date(2026, 11, 27)
Events = list[dict[str, Any]]


@pytest.fixture(scope="module")
def population() -> Population:
    fake = Faker("en_GB")
    fake.seed_instance(7)
    return build_population(random.Random(7), fake, households=1500, end=END)


@pytest.fixture(scope="module")
def events(population: Population) -> Events:
    return offender_events(population, seed=7)


def of(events: Events, kind: str) -> Events:
    return [e for e in events if e["event"] == kind]


def day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


def test_the_register_stands_for_the_force_area_at_about_one_offender_per_700_people(
        population: Population, events: Events) -> None:
    assert FORCE_POPULATION >= 200_000  # a force area, not the modelled households
    registrations = of(events, "offender_registration")
    assert abs(len(registrations) / FORCE_POPULATION - 1 / 700) < 0.01 / 700
    smaller = of(offender_events(population, seed=7, force_population=140_000),
                 "offender_registration")
    assert len(smaller) == round(140_000 / RATE)


def test_most_live_outside_the_modelled_households_which_still_hold_their_share(
        population: Population, events: Events) -> None:
    modelled = {h.dwelling.uprn for h in population.households}
    with_children = {h.dwelling.uprn for h in population.households if h.children(END)}
    uprns = [e["address"]["uprn"] for e in of(events, "offender_registration")]
    inside = [uprn for uprn in uprns if uprn in modelled]
    assert len(inside) == round(len(population.residents) / RATE)
    assert len(uprns) - len(inside) > 10 * len(inside)
    assert len(set(uprns)) == len(uprns)  # plain addresses of their own, never shared
    assert any(uprn in with_children for uprn in inside)  # children near an offender
    # A force population below the modelled residents leaves the modelled share alone.
    alone = of(offender_events(population, seed=7, force_population=0), "offender_registration")
    assert len(alone) == len(inside)
    assert all(e["address"]["uprn"] in modelled for e in alone)


def test_its_risk_mix_is_mostly_low_or_medium_and_its_offenders_mostly_men(
        population: Population, events: Events) -> None:
    registrations = of(events, "offender_registration")
    risks = Counter(e["risk"] for e in registrations)
    assert (risks["low"] + risks["medium"]) / len(registrations) > 0.7
    assert risks["high"] > risks["very_high"] > 0
    men = sum(e["offender"]["sex"] == "male" for e in registrations)
    assert men / len(registrations) > 0.9
    # Outside the modelled households the registration is the police's record: with a PNC ID.
    modelled = {h.dwelling.uprn for h in population.households}
    outside = [e for e in registrations if e["address"]["uprn"] not in modelled]
    assert all("pnc" in e["offender"]["ids"] for e in outside)
    assert len({e["offender"]["ids"]["pnc"] for e in outside}) == len(outside)


def test_some_managers_carry_more_than_the_target_and_the_unit_is_short(
        events: Events) -> None:
    target = OffenderSettings().caseload_target
    caseloads = Counter(e["offender_manager"] for e in of(events, "offender_registration"))
    over = [m for m, n in caseloads.items() if n > target]
    assert over and len(over) < len(caseloads)  # some, not all
    assert caseloads[FIRST_MANAGER] > target  # the demo's offender manager among them
    assert sum(caseloads.values()) / target > len(caseloads)  # the target needs more officers


def plans(events: Events) -> dict[str, list[tuple[date, int | None]]]:
    """Each registration's plans in force: (from, visit every N days or reactive)."""
    out: dict[str, list[tuple[date, int | None]]] = {}
    for e in events:
        if e["event"] == "offender_registration":
            out[e["source_id"]] = [(day(e["registered_at"]), e.get("visit_every_days"))]
        elif e["event"] == "offender_assessment":
            out[e["registration"]].append((day(e["at"]) + timedelta(days=1),
                                           e.get("visit_every_days")))
    return out


def in_force(plan: list[tuple[date, int | None]], on: date) -> int | None:
    return [every for start, every in plan if start <= on][-1]


def test_home_visits_follow_the_plan_in_force_within_the_history_the_figures_need(
        events: Events) -> None:
    by_plan = plans(events)
    visits: dict[str, list[date]] = defaultdict(list)
    for e in of(events, "offender_visit"):
        visits[e["registration"]].append(day(e["visited_at"]))
        assert e["home_visit"] is True
    since = history_start(END)
    assert since == date(2025, 11, 1)
    assert sum(map(len, visits.values())) > 2 * len(by_plan)
    for reference, days in visits.items():
        plan = by_plan[reference]
        assert plan[0][0] < days[0] and days[-1] <= END
        # Before the window, only the visit whose clock the window's first visit runs on.
        assert all(since <= visit for visit in days[1:])
        first = plan[0][1]
        assert since <= days[0] or (first is not None and (since - days[0]).days <= first)
        for before, after in zip(days, days[1:], strict=False):
            every = in_force(plan, after)
            assert every is not None, f"{reference}: a visit under reactive management"
            assert (after - before).days >= every, reference
            assert (after - before).days <= 1.5 * every + 1 or len(plan) > 1, reference
    # Every plan with visits has them: none silently dropped (reactive plans have none).
    visited = [r for r, plan in by_plan.items() if any(every for _, every in plan)]
    assert len(visits) > 0.8 * len(visited)


def test_notifications_are_annual_or_a_change_some_notified_late(events: Events) -> None:
    registered = {e["source_id"]: day(e["registered_at"])
                  for e in of(events, "offender_registration")}
    notifications = of(events, "offender_notification")
    annual = Counter(e["registration"] for e in notifications if e["kind"] == "annual")
    assert max(annual.values()) == 1 and len(annual) > 0.8 * len(registered)
    changes = [e for e in notifications if e["kind"] == "change_of_name"]
    late = [e for e in changes if (day(e["notified_at"]) - day(e["changed_at"])).days > 3]
    assert changes and late and len(late) < len(changes)
    for e in notifications:
        assert registered[e["registration"]] < day(e["notified_at"]) <= END
        assert day(e["notified_at"]) >= END - timedelta(days=2 * 366)


def test_its_events_validate_each_after_its_registration_with_unique_references(
        events: Events) -> None:
    seen: set[str] = set()
    for event in events:
        EVENT_ADAPTER.validate_python(event)
        if event["event"] == "offender_registration":
            seen.add(event["source_id"])
        else:
            assert event["registration"] in seen
    assert len({e["source_id"] for e in events}) == len(events)
    assert {e["event"] for e in events} == {"offender_registration", "offender_visit",
                                            "offender_notification", "offender_assessment"}


def test_it_is_the_same_for_the_same_seed(population: Population, events: Events) -> None:
    assert offender_events(population, seed=7) == events
