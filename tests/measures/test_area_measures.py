"""The area measures (missing, forensics, offenders, custody) on a hand-built store
(tests/measures/area_store.py), their figures worked out here. Every duty starts in October."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from safeguard.measures.declarations import (
    ACCOMMODATION_ASKED,
    CERTIFICATES_SHARED,
    CHILDREN_MOVED,
    CHILDREN_NEAR_OFFENDERS,
    DEVICES_IN_TIME,
    HOME_VISITS_IN_TIME,
    MEASURES,
    OUT_BY_MIDNIGHT,
    REPEAT_MISSING_DISCUSSED,
    RETURN_INTERVIEWS_IN_TIME,
    Indicator,
    Item,
    judge_all,
)
from safeguard.measures.facts import refresh
from safeguard.measures.figures import Figure, Figures, Filters, figures

from .area_store import build, repeat_line
from .store import CSC, T0, H

OCTOBER = Filters((date(2026, 10, 1),))
D = 24 * 3600.0


@pytest.fixture
def store(session: Session) -> dict[str, int]:
    built = build(session)
    refresh(session)
    return built


def _read(session: Session, indicator: Indicator) -> Figures:
    return figures(session, indicator=indicator, filters=OCTOBER)


def _counts(figure: Figure) -> tuple[int, int, int, int]:
    return figure.numerator, figure.denominator, figure.breached, figure.open


def test_every_measure_reads_its_areas_duties() -> None:
    assert all(m.indicators for m in MEASURES)


def test_return_interviews_count_those_recorded_within_72_hours_with_their_times(
        session: Session, store: dict[str, int]) -> None:
    # R1 (10 h) and R4 (declined at 30 h) in time; R2 at 80 h, late; R3 not yet due.
    found = _read(session, RETURN_INTERVIEWS_IN_TIME)
    assert _counts(found.total) == (2, 3, 1, 1)
    assert (found.total.median, found.total.p90) == (30 * 3600, 80 * 3600)
    assert list(found.agencies) == [CSC]


def test_repeat_missing_children_count_whether_the_discussion_was_held_at_all(
        session: Session, store: dict[str, int]) -> None:
    # M1 held late (met), M3 never held; M2 was high risk only, M5 a duplicate, M4 open.
    found = _read(session, REPEAT_MISSING_DISCUSSED)
    assert _counts(found.total) == (1, 2, 2, 1)


def test_devices_are_examined_within_their_priority_and_the_backlog_is_counted(
        session: Session, store: dict[str, int]) -> None:
    found = _read(session, DEVICES_IN_TIME)
    # D1 in 5 days and D4 in 100 days in time; D2 past its clock; D3 waiting, not due.
    assert _counts(found.total) == (2, 3, 1, 1)
    assert (found.total.median, found.total.p90) == (5 * D, 100 * D)
    # The priority is read from the device (the duty does not carry it).
    assert {k: _counts(f) for k, f in found.segments.items()} == {
        "priority 1": (1, 2, 1, 0), "priority 2": (0, 0, 0, 1), "priority 3": (1, 1, 0, 0)}


def test_home_visits_leave_out_those_no_longer_owed_unless_already_missed(
        session: Session, store: dict[str, int]) -> None:
    # V1 in time; V2 late; V4 missed before the plan went reactive; V3 rescheduled before
    # its clock (left out); V5 not yet due.
    assert _counts(_read(session, HOME_VISITS_IN_TIME).total) == (1, 3, 2, 1)
    shares = _read(session, CHILDREN_NEAR_OFFENDERS)
    assert _counts(shares.total) == (1, 2, 1, 0)
    assert shares.total.median == 3 * 3600 and list(shares.agencies) == [CSC]


def test_children_after_charge_moves_certificates_requests_and_hours_held(
        session: Session, store: dict[str, int]) -> None:
    moved = _read(session, CHILDREN_MOVED)
    assert _counts(moved.total) == (1, 4, 1, 1)
    assert {k: (f.denominator, f.open) for k, f in moved.segments.items()} == {
        "moved": (1, 0), "certificate": (1, 0), "left custody first (bail, court or release)":
        (1, 0), "neither, past the clock": (1, 0), "awaiting": (0, 1)}
    certificates = _read(session, CERTIFICATES_SHARED)
    assert {k: _counts(f) for k, f in certificates.segments.items()} == {
        "impracticable": (1, 1, 0, 0),
        "no secure place and risk of serious harm": (0, 1, 1, 0)}
    asked = _read(session, ACCOMMODATION_ASKED)
    assert _counts(asked.total) == (1, 2, 1, 0)
    assert (asked.total.median, asked.total.p90) == (3600, 3 * 3600)
    # Hours held are timed from the charge (the detention's), not the duty's creation: 6 h
    # for C1 (out by midnight) and 29 h for C2 (still held at midnight).
    held = _read(session, OUT_BY_MIDNIGHT)
    assert _counts(held.total) == (1, 2, 1, 0)
    assert (held.total.median, held.total.p90) == (6 * 3600, 29 * 3600)


def test_only_the_repeat_triggers_line_puts_a_strategy_discussion_in_the_repeat_figure(
) -> None:
    def item(*evidence: str) -> Item:
        return Item(duty_id=1, kind="strategy_discussion", status="open",
                    owner_agency_id=CSC, partner_agency_id=None, created_at=T0,
                    due_at=T0 + 48 * H, discharged_at=None, breached_at=None, outcome=None,
                    evidence=evidence)

    def names(found: Item) -> set[str]:
        return {indicator.name for indicator, _ in judge_all(found)}

    assert REPEAT_MISSING_DISCUSSED.name in names(item(repeat_line(7)))
    long_missing = ("Missing episode MIS-1: the child has not been found 72 hours after last "
                    "being seen")
    assert REPEAT_MISSING_DISCUSSED.name not in names(item(long_missing))
