"""The clearance forecast against worked examples, as pure arithmetic."""

from __future__ import annotations

import pytest

from safeguard.forensics.forecast import clearance_weeks, forecast, projection

CLOCKS = {1: 30, 2: 90, 3: 180}


def test_300_waiting_with_40_arriving_and_30_completed_a_week_never_clears() -> None:
    predicted = forecast(waiting={3: 300}, arrivals_per_week={3: 40.0},
                         completions_per_week=30.0, clock_days=CLOCKS,
                         devices_per_examiner_per_week=6.0)
    assert predicted.clears_in_weeks is None
    assert not predicted.every_clock_met


def test_two_more_examiners_at_six_a_week_make_42_and_clear_it_in_150_weeks() -> None:
    predicted = forecast(waiting={3: 300}, arrivals_per_week={3: 40.0},
                         completions_per_week=30.0, clock_days=CLOCKS,
                         devices_per_examiner_per_week=6.0, extra_examiners=2)
    assert predicted.completions_per_week == 42.0
    assert predicted.clears_in_weeks == 150.0


def test_the_examiners_needed_cover_arrivals_and_the_tightest_clock() -> None:
    # 60 priority-1 devices waiting must be done within 30 days (30/7 weeks): 14 a week
    # (those arriving meanwhile queue behind them); every priority's arrivals together,
    # 2 + 3 + 10 = 15 a week, must be kept up with. At 6 a week per examiner, 15 needs 3.
    predicted = forecast(waiting={1: 60, 3: 10}, arrivals_per_week={1: 2.0, 2: 3.0, 3: 10.0},
                         completions_per_week=12.0, clock_days=CLOCKS,
                         devices_per_examiner_per_week=6.0)
    assert predicted.capacity_needed == pytest.approx(15.0)
    assert predicted.examiners_needed == 3
    assert predicted.examiners_now == pytest.approx(2.0)
    one, two, three = predicted.outlooks
    # Priority 1: 60 ahead at 12 a week is 5 weeks, past its 30 days.
    assert (one.wait_weeks, one.clock_met) == (5.0, False)
    # Priority 3: arrivals of 15 a week outrun 12 completed; its queue grows without end.
    assert (three.wait_weeks, three.clock_met) == (None, False)
    assert two.wait_weeks == pytest.approx(60 / (12 - 2))


def test_an_empty_queue_has_cleared() -> None:
    assert clearance_weeks(0, 5.0, 1.0) == 0.0


def test_the_projection_falls_to_nothing_and_stays_there() -> None:
    assert projection(100, arrivals_per_week=10, completions_per_week=30,
                      weeks=[1, 4, 10]) == [80.0, 20.0, 0.0]


def test_the_examiners_needed_meet_every_clock_when_added() -> None:
    # 42 arriving a week and 300 waiting: keeping up needs 42 a week (7 examiners at 6), and
    # 300 ahead at 42 a week is 7.1 weeks, inside priority 3's 180 days.
    before = forecast(waiting={3: 300}, arrivals_per_week={3: 42.0}, completions_per_week=30.0,
                      clock_days=CLOCKS, devices_per_examiner_per_week=6.0)
    assert before.examiners_needed == 7
    after = forecast(waiting={3: 300}, arrivals_per_week={3: 42.0}, completions_per_week=30.0,
                     clock_days=CLOCKS, devices_per_examiner_per_week=6.0, extra_examiners=2)
    assert after.completions_per_week == 42.0
    assert after.every_clock_met
    assert after.clears_in_weeks is None  # it keeps up, but the 300 never clear
