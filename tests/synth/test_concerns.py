"""The synthetic county's concerns: valid events in the order recorded, some children the
subject of concerns from two or more agencies, some of them in the county's last weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.synth.county import _generate

END = date(2026, 11, 27)


def test_concerns_validate_in_order_and_some_come_from_two_agencies_in_the_last_weeks(
) -> None:
    concerns = [e for e in _generate(2, 400, END) if e["event"] == "concern"]
    for event in concerns:
        EVENT_ADAPTER.validate_python(event)
    times = [datetime.fromisoformat(e["recorded_at"]) for e in concerns]
    assert times == sorted(times)
    recent = datetime.combine(END, datetime.min.time(), tzinfo=UTC) - timedelta(days=28)
    by_child: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for event in concerns:
        by_child.setdefault((event["child"]["given_name"], event["child"]["dob"]),
                            []).append(event)
    def assessed_jointly(events: list[dict[str, Any]]) -> bool:
        at = [datetime.fromisoformat(e["occurred_at"]) for e in events]
        return any(later["source"] != earlier["source"] and at[n + 1] >= recent
                   and at[n + 1] - at[n] <= timedelta(days=30)
                   for n, (earlier, later) in enumerate(zip(events, events[1:], strict=False)))

    assert sum(assessed_jointly(events) for events in by_child.values()) >= 2
