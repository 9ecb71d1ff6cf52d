"""The synthetic county's register: its rate, its mix and events the importer accepts."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from faker import Faker

from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.synth.offenders import offender_events
from safeguard.synth.population import Population, build_population

END = date(2026, 11, 27)


@pytest.fixture(scope="module")
def county() -> tuple[Population, list[dict[str, Any]]]:
    fake = Faker("en_GB")
    fake.seed_instance(7)
    pop = build_population(random.Random(7), fake, households=5000, end=END)
    return pop, offender_events(pop, seed=7)


def test_it_registers_about_one_offender_per_700_residents_mostly_low_or_medium_risk(
        county: tuple[Population, list[dict[str, Any]]]) -> None:
    pop, events = county
    registrations = [e for e in events if e["event"] == "offender_registration"]
    assert len(registrations) == round(len(pop.residents) / 700)
    risks = Counter(e["risk"] for e in registrations)
    assert risks["low"] + risks["medium"] > len(registrations) / 2
    assert all(e["offender"]["sex"] == "male" for e in registrations[:5])


def test_its_events_validate_and_each_follows_its_registration_within_the_last_year(
        county: tuple[Population, list[dict[str, Any]]]) -> None:
    _, events = county
    seen: set[str] = set()
    year_ago = datetime.combine(END - timedelta(days=366), datetime.min.time()).date()
    for event in events:
        EVENT_ADAPTER.validate_python(event)
        if event["event"] == "offender_registration":
            seen.add(event["source_id"])
            continue
        assert event["registration"] in seen
        when = event.get("visited_at") or event.get("notified_at") or event["at"]
        assert year_ago <= datetime.fromisoformat(when).date() <= END
    assert len({e["source_id"] for e in events}) == len(events)
    assert {e["event"] for e in events} >= {"offender_registration", "offender_visit",
                                            "offender_notification"}


def test_it_is_the_same_for_the_same_seed(
        county: tuple[Population, list[dict[str, Any]]]) -> None:
    pop, events = county
    assert offender_events(pop, seed=7) == events
