"""The synthetic county's missing episodes: valid events, in the order they happened, each
episode's events after its report, some children missing repeatedly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.synth.county import _generate

END = date(2026, 11, 27)
KINDS = ("missing_report", "missing_update", "missing_return", "return_interview")


@pytest.fixture(scope="module")
def county() -> list[dict[str, Any]]:
    return list(_generate(4, 1500, END))


def _at(event: dict[str, Any]) -> datetime:
    key = {"missing_report": "reported_at", "missing_update": "at",
           "missing_return": "returned_at"}.get(event["event"])
    if key is None:
        return datetime.fromisoformat(event.get("held_at") or event["offered_at"])
    return datetime.fromisoformat(event[key])


def test_every_missing_event_validates_and_follows_its_report_in_time_order(
        county: list[dict[str, Any]]) -> None:
    missing = [e for e in county if e["event"] in KINDS]
    assert Counter(e["event"] for e in missing)["missing_report"] >= 3
    reported: set[str] = set()
    for event in missing:
        EVENT_ADAPTER.validate_python(event)
        if event["event"] == "missing_report":
            reported.add(event["source_id"])
        else:
            assert event["report"] in reported, event
    times = [_at(e) for e in missing]
    assert times == sorted(times)
    assert max(times).date() <= END


def test_some_children_go_missing_again_and_never_twice_at_once(
        county: list[dict[str, Any]]) -> None:
    reports = [e for e in county if e["event"] == "missing_report"]
    returns = {e["report"]: _at(e) for e in county if e["event"] == "missing_return"}
    by_child: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for report in reports:
        child = report["child"]
        by_child.setdefault((child["given_name"], child["dob"]), []).append(report)
    assert any(len(episodes) > 1 for episodes in by_child.values())
    for episodes in by_child.values():
        for earlier, later in zip(episodes, episodes[1:], strict=False):
            assert returns[earlier["source_id"]] < datetime.fromisoformat(later["last_seen_at"])


def test_the_last_weeks_hold_a_child_missing_a_third_time_within_ninety_days(
        county: list[dict[str, Any]]) -> None:
    """So a demo, which raises duties for its last weeks only, has the repeat to count."""
    starts: dict[tuple[str, str], list[datetime]] = {}
    for report in (e for e in county if e["event"] == "missing_report"):
        child = report["child"]
        starts.setdefault((child["given_name"], child["dob"]), []).append(
            datetime.fromisoformat(report["last_seen_at"]))
    recent = datetime.combine(END, datetime.min.time(), tzinfo=UTC) - timedelta(days=28)
    assert any(len(days) >= 3 and days[-1] >= recent and days[-1] - days[-3] <=
               timedelta(days=90) for days in starts.values())
