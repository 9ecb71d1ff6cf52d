"""Validation of incoming events: clear errors that say what and where."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from safeguard.config import PACKAGE_DIR
from safeguard.events.schemas import (
    EVENT_ADAPTER,
    IncidentEvent,
    describe_errors,
    event_json_schema,
)

from ..intake.scenario import AMY, FRIDAY_NIGHT

SCHEMA_FILE = PACKAGE_DIR / "events" / "events.schema.json"


def problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as error:
        EVENT_ADAPTER.validate_python(raw)
    return describe_errors(error.value)


def test_it_accepts_the_documented_examples() -> None:
    assert EVENT_ADAPTER.validate_python(AMY).event == "person"
    assert EVENT_ADAPTER.validate_python(FRIDAY_NIGHT).event == "incident"


def test_an_invalid_nhs_number_is_rejected_with_its_field_and_reason() -> None:
    bad = dict(AMY, ids={"nhs": "943 476 5918"})
    [(field, reason)] = problems(bad)
    assert field == "ids.nhs"
    assert "check digit should be 9" in reason


def test_a_bad_identifier_inside_an_incident_names_the_person_row() -> None:
    people = [dict(FRIDAY_NIGHT["people"][0]),
              dict(FRIDAY_NIGHT["people"][1], ids={"pnc": "98/123456Z"})]
    [(field, reason)] = problems(dict(FRIDAY_NIGHT, people=people))
    assert field == "people[1].ids.pnc"
    assert "pnc" in reason


def test_unknown_fields_are_reported_not_dropped() -> None:
    [(field, reason)] = problems(dict(AMY, gvien_name="Amy"))
    assert field == "gvien_name"
    assert "not permitted" in reason


def test_a_domestic_abuse_incident_needs_all_24_dash_answers() -> None:
    answers = {f"q{i}": False for i in range(1, 24)}
    [(field, reason)] = problems(dict(FRIDAY_NIGHT, dash={"answers": answers}))
    assert field == "dash.answers"
    assert "q24" in reason
    [(_, missing)] = problems({k: v for k, v in FRIDAY_NIGHT.items() if k != "dash"})
    assert "DASH" in missing


def test_times_must_carry_an_offset() -> None:
    [(field, reason)] = problems(dict(FRIDAY_NIGHT, occurred_at="2026-11-27T22:40:00"))
    assert field == "occurred_at"
    assert "timezone" in reason


def test_postcodes_are_normalised_and_nonsense_rejected() -> None:
    event = EVENT_ADAPTER.validate_python(dict(AMY, address=dict(AMY["address"],
                                                                postcode="nn11aa")))
    assert event.address is not None and event.address.postcode == "NN1 1AA"
    [(field, _)] = problems(dict(AMY, address=dict(AMY["address"], postcode="12345")))
    assert field == "address.postcode"


def test_an_unknown_event_type_is_named() -> None:
    [(field, reason)] = problems({"event": "parcel", "source": "police", "source_id": "1"})
    assert "parcel" in reason or "event" in field


def test_the_json_schema_is_generated_from_the_models() -> None:
    schema = event_json_schema()
    assert {"PersonEvent", "SchoolEvent", "IncidentEvent"} <= set(schema["$defs"])


def test_the_published_schema_file_is_current_and_accepts_the_examples() -> None:
    published = json.loads(SCHEMA_FILE.read_text("utf-8"))
    assert published == json.loads(json.dumps(event_json_schema())), \
        "run `safeguard schema` to regenerate src/safeguard/events/events.schema.json"
    validator = jsonschema.Draft202012Validator(published)
    for example in (AMY, FRIDAY_NIGHT):
        assert list(validator.iter_errors(example)) == []
    assert list(validator.iter_errors(dict(AMY, sex="dragon")))


def test_dash_answers_are_yes_no_or_not_known_and_true_and_false_still_mean_yes_and_no(
) -> None:
    answers: dict[str, Any] = {f"q{i}": "no" for i in range(1, 25)}
    answers |= {"q1": "yes", "q2": True, "q3": False, "q4": "not_known"}
    event = EVENT_ADAPTER.validate_python(dict(FRIDAY_NIGHT, dash={"answers": answers}))
    assert isinstance(event, IncidentEvent) and event.dash is not None
    assert (event.dash.answers["q2"], event.dash.answers["q3"]) == ("yes", "no")
    assert (event.dash.yes_count, event.dash.not_known_count) == (2, 1)
    [(field, reason)] = problems(dict(FRIDAY_NIGHT, dash={"answers": answers | {"q5": "maybe"}}))
    assert field == "dash.answers.q5" and "'not_known'" in reason
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))
    assert list(validator.iter_errors(dict(FRIDAY_NIGHT, dash={"answers": answers}))) == []
    assert list(validator.iter_errors(dict(FRIDAY_NIGHT, dash={"answers": {"q1": 1}})))
