"""The synthetic county: reproducible, valid import events with realistic gaps."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from safeguard.identifiers import normalise_identifier
from safeguard.synth.county import (
    FORCE_POPULATION,
    MAX_HOUSEHOLDS,
    default_end,
    generate_county,
)
from safeguard.synth.offenders import history_start
from safeguard.synth.places import TOWNS, london_to_utc
from safeguard.synth.writer import SynthSummary, write_county
from safeguard.workdays import LONDON

END = date(2026, 11, 27)
HOUSEHOLDS = 300
# A small force area: the register's own tests (tests/offenders/test_synthetic_register.py)
# measure the default one.
FORCE = 35_000
SOURCES = {"police", "childrens_social_care", "health", "education", "probation"}
ROLES = {"victim", "suspect", "child_present", "child_normally_resident", "witness"}
CHILD_ROLES = {"child_present", "child_normally_resident"}
POSTCODE = re.compile(r"^NN([1-9]|1[0-8]) ?[0-9][A-Z]{2}$", re.IGNORECASE)
KEYS = {
    "school": ({"event", "source", "source_id", "urn", "name", "phase", "address", "dsl"}, set()),
    "person": (
        {"event", "source", "source_id", "given_name", "family_name", "recorded_at"},
        {"dob", "sex", "ids", "address", "school_urn"},
    ),
    "incident": (
        {
            "event",
            "source",
            "source_id",
            "kind",
            "occurred_at",
            "recorded_at",
            "address",
            "officer",
            "summary",
            "people",
        },
        {"dash", "child_voice"},
    ),
    "custody_detention": ({"event", "source", "source_id", "detainee", "arrived_at",
                           "detention_authorised_at", "custody_suite", "offence", "officer"},
                          set()),
    "custody_update": ({"event", "source", "source_id", "detention", "at", "step"},
                       {"details", "inspector", "accommodation", "offered", "reason",
                        "explanation"}),
    "device_submission": (
        {"event", "source", "source_id", "case_reference", "seized_at", "submitted_at",
         "device", "offence", "suspect", "suspect_has_access_to_children", "threat_to_life",
         "officer"},
        set(),
    ),
    "device_examination": (
        {"event", "source", "source_id", "submission", "at", "step", "examiner"},
        {"findings"},
    ),
    # The register of sex offenders (its own tests: tests/offenders/test_synthetic_register.py).
    "offender_registration": (
        {"event", "source", "source_id", "offender", "registered_at", "conviction",
         "mappa_category", "mappa_level", "risk", "offender_manager"},
        {"address", "visit_every_days"},
    ),
    "offender_visit": (
        {"event", "source", "source_id", "registration", "visited_at", "by", "home_visit"},
        set(),
    ),
    "offender_notification": (
        {"event", "source", "source_id", "registration", "notified_at", "kind"},
        {"changed_at"},
    ),
    "offender_assessment": (
        {"event", "source", "source_id", "registration", "at", "risk"},
        {"visit_every_days", "reactive"},
    ),
    "missing_report": (
        {"event", "source", "source_id", "child", "missing_from", "last_seen_at",
         "reported_at", "risk", "officer"},
        {"placement", "placing_authority", "exploitation_indicators"},
    ),
    "missing_update": ({"event", "source", "source_id", "report", "at", "note"}, {"risk"}),
    "missing_return": ({"event", "source", "source_id", "report", "returned_at", "where_found",
                        "harm_disclosed"}, set()),
    "return_interview": ({"event", "source", "source_id", "report", "offered_at", "outcome",
                          "by_independent_person", "provider"}, {"held_at", "reason"}),
    "concern": ({"event", "source", "source_id", "kind", "occurred_at", "recorded_at",
                 "summary", "raised_by", "child"}, {"address"}),
}
DEVICE_EVENTS = ("device_submission", "device_examination")
# Schools, person records and incidents; then, each from a random stream of its own, the
# seized devices, the custody records (each detention followed by its steps), the register
# (each registration before its visits and notifications), the missing episodes and the
# concerns.
STAGES = {"school": 0, "person": 1, "incident": 2, "device_submission": 3,
          "device_examination": 3, "custody_detention": 4, "custody_update": 4,
          "offender_registration": 5, "offender_visit": 5, "offender_notification": 5,
          "offender_assessment": 5, "missing_report": 6, "missing_update": 6,
          "missing_return": 6, "return_interview": 6, "concern": 7}
ADDRESS_KEYS = {"line1", "line2", "town", "postcode"}
INCIDENT_PERSON_KEYS = {"role", "given_name", "family_name", "dob", "sex", "ids"}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    path = tmp_path_factory.mktemp("county") / "county.jsonl"
    return path, write_county(path, seed=1, households=HOUSEHOLDS, end=END,
                              force_population=FORCE)


@pytest.fixture(scope="module")
def events(written: tuple[Path, SynthSummary]) -> list[dict[str, Any]]:
    lines = written[0].read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def counties(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Three small counties, for rates that one small county gives too noisily."""
    more = [list(generate_county(seed=seed, households=HOUSEHOLDS, end=END,
                                 force_population=FORCE)) for seed in (2, 3)]
    return [events, *more]


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == kind]


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_it_writes_byte_identical_files_for_the_same_seed(
    written: tuple[Path, SynthSummary], tmp_path: Path
) -> None:
    again = tmp_path / "again.jsonl"
    summary = write_county(again, seed=1, households=HOUSEHOLDS, end=END,
                           force_population=FORCE)
    assert again.read_bytes() == written[0].read_bytes()
    assert summary.sha256 == written[1].sha256


def test_it_writes_a_different_county_for_a_different_seed(
    written: tuple[Path, SynthSummary], tmp_path: Path
) -> None:
    other = tmp_path / "other.jsonl"
    write_county(other, seed=2, households=HOUSEHOLDS, end=END, force_population=FORCE)
    assert other.read_bytes() != written[0].read_bytes()


def test_it_writes_one_compact_json_object_per_line_in_a_stable_key_order(
    written: tuple[Path, SynthSummary],
) -> None:
    generated = generate_county(seed=1, households=HOUSEHOLDS, end=END,
                                force_population=FORCE)
    for line, event in zip(written[0].read_text("utf-8").splitlines(), generated, strict=True):
        assert line == json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        assert list(json.loads(line)) == list(event)


def test_it_writes_only_the_keys_of_the_import_format(events: list[dict[str, Any]]) -> None:
    for event in events:
        required, optional = KEYS[event["event"]]
        assert required <= event.keys() <= required | optional, event
        assert all(value is not None for value in event.values()), event
        if "address" in event:
            assert ADDRESS_KEYS <= event["address"].keys() <= ADDRESS_KEYS | {"uprn"}
        for person in event.get("people", []):
            assert {"role", "given_name", "family_name"} <= person.keys() <= INCIDENT_PERSON_KEYS


def test_it_writes_only_allowed_values(events: list[dict[str, Any]]) -> None:
    for event in events:
        # A school raises concerns as itself.
        assert event["source"] in SOURCES or (
            event["event"] == "concern" and re.fullmatch(r"school-[0-9]{6}", event["source"]))
        if event["event"] == "school":
            assert event["source"] == "education"
            assert event["phase"] in {"primary", "secondary"}
            assert re.fullmatch(r"[0-9]{6}", event["urn"])
            assert event["source_id"] == f"SCH-{event['urn']}"
            assert event["dsl"]["email"].endswith(".example.org")
        elif event["event"] == "person":
            assert event.get("sex", "unknown") in {"female", "male", "unknown"}
            assert set(event.get("ids", {})) <= {"nhs", "upn", "pnc"}
            assert event.get("ids", {"omitted": "rather than empty"})
        elif event["event"].startswith("custody"):  # tests/custody/test_custody_synth.py
            assert event["source"] in {"police", "childrens_social_care"}
        elif event["event"] in DEVICE_EVENTS:
            assert event["source"] == "police"
            assert re.fullmatch(r"DF-[0-9]{5}(/[TSCR])?", event["source_id"])
        elif event["event"] == "incident":
            assert event["source"] == "police"
            assert event["kind"] in {"domestic_abuse", "concern_for_welfare", "other"}
            assert re.fullmatch(r"INC-20[0-9]{2}-[0-9]{6,}", event["source_id"])
            assert {person["role"] for person in event["people"]} <= ROLES


def test_its_forensics_queue_grows_with_a_long_tail_of_old_priority_three_devices(
    events: list[dict[str, Any]],
) -> None:
    submitted = {e["source_id"]: e for e in of(events, "device_submission")}
    steps = of(events, "device_examination")
    ended = {e["submission"] for e in steps if e["step"] in ("completed", "returned_unexamined")}
    since = datetime.combine(END, datetime.min.time(), tzinfo=LONDON) - timedelta(days=90)
    arrived = sum(1 for e in submitted.values() if parse(e["submitted_at"]) >= since)
    done = sum(1 for e in steps if e["step"] in ("completed", "returned_unexamined")
               and parse(e["at"]) >= since)
    assert arrived > done  # the backlog grows
    # Devices of no sexual offence, threat or access: priority 3 unless children live there.
    waiting = [e for key, e in submitted.items() if key not in ended
               and e["offence"] == "other" and not e["threat_to_life"]]
    oldest = min(parse(e["submitted_at"]) for e in waiting)
    assert (since - oldest).days > 90  # waiting for more than six months
    # Every step follows its own submission.
    for step in steps:
        assert parse(step["at"]) > parse(submitted[step["submission"]]["submitted_at"])


def test_it_uses_each_source_id_once_per_source(events: list[dict[str, Any]]) -> None:
    keys = Counter((event["source"], event["source_id"]) for event in events)
    assert keys.most_common(1)[0][1] == 1


def test_it_writes_schools_then_person_records_then_incidents_in_time_order(
    events: list[dict[str, Any]],
) -> None:
    order = [STAGES[event["event"]] for event in events]
    assert order == sorted(order)
    occurred = [parse(incident["occurred_at"]) for incident in of(events, "incident")]
    assert occurred == sorted(occurred)
    assert min(occurred).date() >= date(2025, 11, 27) and max(occurred).date() <= END
    assert {event["source"] for event in of(events, "person")} == SOURCES


def test_it_writes_only_identifiers_that_validate(events: list[dict[str, Any]]) -> None:
    checked = Counter[str]()
    for event in events:
        holders = [event, *event.get("people", [])]
        for holder in holders:
            for scheme, value in holder.get("ids", {}).items():
                assert normalise_identifier(scheme, value) == value
                checked[scheme] += 1
    assert set(checked) == {"nhs", "upn", "pnc"}


def test_it_gives_each_agency_only_the_identifiers_it_would_hold(
    events: list[dict[str, Any]],
) -> None:
    held = {
        "health": {"nhs"},
        "education": {"upn", "nhs"},
        "police": {"pnc", "nhs"},
        "childrens_social_care": {"nhs"},
        "probation": {"pnc", "nhs"},
    }
    for person in of(events, "person"):
        assert set(person.get("ids", {})) <= held[person["source"]]
        if person["source"] in ("education", "probation"):
            assert {"education": "upn", "probation": "pnc"}[person["source"]] in person["ids"]
    health = of(events, "person")
    health = [p for p in health if p["source"] == "health"]
    with_nhs = sum(1 for p in health if "nhs" in p.get("ids", {})) / len(health)
    assert 0.9 < with_nhs < 0.99


def test_it_writes_addresses_in_the_county_shape(events: list[dict[str, Any]]) -> None:
    towns = {town.name for town in TOWNS}
    addresses = [e["address"] for e in events if "address" in e]
    for address in addresses:
        assert address["town"] in towns
        assert POSTCODE.match(address["postcode"]), address
        if "uprn" in address:
            assert re.fullmatch(r"[0-9]{12}", address["uprn"])
    assert any("uprn" not in address for address in addresses)
    assert any(re.search(r"\bRd$", address["line1"]) for address in addresses)
    assert any(address["postcode"].islower() for address in addresses)


def test_it_writes_every_timestamp_with_an_explicit_offset(events: list[dict[str, Any]]) -> None:
    stamps = [e[k] for e in events for k in ("recorded_at", "occurred_at") if k in e]
    assert stamps
    for stamp in stamps:
        assert stamp.endswith("+00:00")
        assert parse(stamp).utcoffset() is not None
    for incident in of(events, "incident"):
        assert parse(incident["recorded_at"]) >= parse(incident["occurred_at"])


def test_it_gives_domestic_abuse_a_full_dash_checklist_and_other_kinds_none(
    events: list[dict[str, Any]],
) -> None:
    questions = {f"q{i}" for i in range(1, 25)}
    for incident in of(events, "incident"):
        if incident["kind"] != "domestic_abuse":
            assert "dash" not in incident
            continue
        dash = incident["dash"]
        assert set(dash["answers"]) == questions
        yes = sum(dash["answers"].values())
        actuarial = "high" if yes >= 14 else "medium" if yes >= 10 else "standard"
        if "professional_judgement" in dash:
            levels = ["standard", "medium", "high"]
            assert levels.index(dash["professional_judgement"]) > levels.index(actuarial)
        assert {"victim", "suspect"} <= {p["role"] for p in incident["people"]}


def test_it_records_domestic_abuse_at_a_plausible_rate_per_thousand_residents(
    counties: list[list[dict[str, Any]]],
) -> None:
    residents = domestic = incidents = 0
    for events in counties:  # health's NHS numbers stand in for the population
        residents += len(
            {
                p["ids"]["nhs"]
                for p in of(events, "person")
                if p["source"] == "health" and "nhs" in p.get("ids", {})
            }
        )
        domestic += sum(1 for i in of(events, "incident") if i["kind"] == "domestic_abuse")
        incidents += len(of(events, "incident"))
    rate = 1000 * domestic / residents
    assert 12 <= rate <= 30, rate  # about 20 expected
    assert 0.75 < domestic / incidents < 0.95


def test_it_omits_some_children_that_another_agency_places_at_the_incident_address(
    counties: list[list[dict[str, Any]]],
) -> None:
    assert sum(_missed_children(events) for events in counties) >= 1


def _missed_children(events: list[dict[str, Any]]) -> int:
    """Incidents listing fewer children than health records at the incident's UPRN."""
    children_at: dict[str, set[tuple[str, str]]] = {}
    for person in of(events, "person"):
        uprn = person.get("address", {}).get("uprn")
        if person["source"] == "health" and uprn and "nhs" in person.get("ids", {}):
            children_at.setdefault(uprn, set()).add((person["ids"]["nhs"], person.get("dob", "")))
    missed = 0
    for incident in of(events, "incident"):
        uprn = incident["address"].get("uprn")
        day = incident["occurred_at"][:10]
        under_18 = str(int(day[:4]) - 18) + day[4:]
        known = [nhs for nhs, dob in children_at.get(uprn or "", set()) if under_18 < dob <= day]
        listed = [p for p in incident["people"] if p["role"] in CHILD_ROLES]
        if len(known) > len(listed):
            missed += 1
    return missed


def test_it_records_school_age_children_at_a_school_in_their_town(
    events: list[dict[str, Any]],
) -> None:
    town_of = {school["urn"]: school["address"]["town"] for school in of(events, "school")}
    pupils = [p for p in of(events, "person") if p["source"] == "education"]
    assert pupils
    same_town = sum(1 for p in pupils if town_of[p["school_urn"]] == p["address"]["town"])
    assert same_town / len(pupils) > 0.9  # the rest: an old address after a house move


def test_it_summarises_what_it_wrote(
    written: tuple[Path, SynthSummary], events: list[dict[str, Any]]
) -> None:
    summary = written[1]
    assert summary.lines == len(events)
    assert summary.by_event == dict(sorted(Counter(e["event"] for e in events).items()))
    assert summary.by_source == dict(sorted(Counter(e["source"] for e in events).items()))
    assert sum(summary.persons_by_source.values()) == summary.by_event["person"]
    assert sum(summary.incidents_by_kind.values()) == summary.by_event["incident"]


def test_it_passes_the_importers_validation(events: list[dict[str, Any]]) -> None:
    schemas = pytest.importorskip("safeguard.events.schemas")
    for event in events:
        schemas.EVENT_ADAPTER.validate_python(event)


def test_it_refuses_a_county_without_households_or_beyond_the_nhs_test_range() -> None:
    with pytest.raises(ValueError, match="households"):
        generate_county(seed=1, households=0)
    with pytest.raises(ValueError, match="households"):
        generate_county(seed=1, households=MAX_HOUSEHOLDS + 1)
    with pytest.raises(ValueError, match="force_population"):
        generate_county(seed=1, households=10, force_population=-1)


def test_the_force_population_sizes_the_register_most_of_it_outside_the_households(
    events: list[dict[str, Any]],
) -> None:
    registrations = of(events, "offender_registration")
    assert len(registrations) == round(FORCE / 700)
    homes = {e["address"]["uprn"] for e in of(events, "person") if "uprn" in e.get("address", {})}
    outside = [e for e in registrations if e["address"]["uprn"] not in homes]
    assert len(outside) > len(registrations) / 2


def test_it_writes_british_summer_time_as_utc() -> None:
    assert london_to_utc(datetime(2026, 7, 1, 22, 40)).isoformat() == "2026-07-01T21:40:00+00:00"
    assert london_to_utc(datetime(2026, 11, 27, 22, 40)).isoformat() == "2026-11-27T22:40:00+00:00"
    assert london_to_utc(datetime(2026, 3, 29, 0, 30)).hour == 0  # before the clocks go forward
    assert london_to_utc(datetime(2026, 3, 29, 2, 30)).hour == 1


def test_by_default_the_county_is_made_for_today_its_incidents_ending_yesterday() -> None:
    yesterday = datetime.now(LONDON).date() - timedelta(days=1)
    assert default_end() == yesterday and default_end(date(2026, 3, 1)) == date(2026, 2, 28)
    made_today = list(generate_county(seed=4, households=60))
    assert made_today == list(generate_county(seed=4, households=60, end=yesterday))
    occurred = [parse(e["occurred_at"]).astimezone(LONDON).date()
                for e in of(made_today, "incident")]
    assert occurred and max(occurred) <= yesterday
    assert min(occurred) >= yesterday - timedelta(days=365)
    # The register's history too, relative to today (its default force area, ~700 offenders).
    visited = [parse(e["visited_at"]).date() for e in of(made_today, "offender_visit")]
    assert len(of(made_today, "offender_registration")) == round(FORCE_POPULATION / 700)
    assert max(visited) <= yesterday
    assert min(visited) >= history_start(yesterday) - timedelta(days=365)  # one plan's interval
