"""Rates with their Wilson 95 % interval, hidden below the minimum sample."""

from __future__ import annotations

import pytest

from agora.foi.statistics import MIN_SAMPLE, Rate, figures_csv, wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # the "rule of three"-like bound for no success in ten
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (9, 12, 0.4677, 0.9111),
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), example table
    ],
)
def test_wilson_intervals(successes: int, n: int, low: float, high: float) -> None:
    got = wilson(successes, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_no_rate_below_the_minimum_sample() -> None:
    small = Rate(2, MIN_SAMPLE - 1)
    assert small.value is None and small.interval is None and small.percents is None
    assert Rate(2, MIN_SAMPLE).percents == (20, 6, 51)
    assert wilson(0, 0) == (0.0, 1.0)


def test_the_csv_leaves_hidden_rates_empty() -> None:
    row = {
        "key": "x",
        "label": "X",
        "requests": 3,
        "answered_in_time": Rate(1, 3).as_dict(),
        "refused": Rate(0, 2).as_dict(),
        "overdue_now": Rate(0, 1).as_dict(),
        "median_days_to_answer": None,
        "appeals": 0,
    }
    lines = figures_csv([row]).splitlines()
    assert lines[1] == "x,X,3,1,3,,,,0,2,,,,0,1,,,0"
