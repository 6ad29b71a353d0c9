"""When the run watcher looks again: pure functions of run time, history and budget."""

from __future__ import annotations

import pytest

from aacflow_hex.engine.watch_schedule import (
    DurationProfile,
    next_pause,
    share_of,
    sustained_rate,
)
from aacflow_hex.spec.ratelimits import RateLimit

HALF_HOUR = DurationProfile.from_durations([1700, 1750, 1800, 1850, 1900] * 4)
HALF_MINUTE = DurationProfile.from_durations([28, 29, 30, 31, 32] * 4)


def pause(run_time: float | None, profile: DurationProfile | None, **kw: float) -> float:
    args = {"looks": 3, "first": 5.0, "cap": None, "floor": 40.0, **kw}
    return next_pause(run_time=run_time, profile=profile, **args)  # type: ignore[arg-type]


def test_a_profile_needs_a_few_finished_runs_and_spans_their_usual_times() -> None:
    assert DurationProfile.from_durations([10, 20]) is None
    assert DurationProfile.from_durations([0, 0, 0, 0]) is None  # no run time: no profile
    assert HALF_HOUR is not None
    assert 1600 < HALF_HOUR.shortest <= 1700 and 1850 <= HALF_HOUR.longest <= 1900


def test_a_long_run_is_left_alone_early_and_looked_at_often_near_its_usual_end() -> None:
    early, near, inside = pause(60, HALF_HOUR), pause(1500, HALF_HOUR), pause(1800, HALF_HOUR)
    assert early > 1000  # a few looks in its first half hour, not one every 30 s
    assert near < early and near < 1700 - 1500  # no look skips past its usual end
    assert inside == 60  # 1.5 budget cycles of 40 s


def test_a_30_second_run_is_not_polled_like_a_half_hour_one() -> None:
    assert HALF_MINUTE is not None
    quick = pause(5, HALF_MINUTE, floor=0, first=1)
    assert quick < 30 < pause(5, HALF_HOUR, floor=0, first=1)


def test_an_overrun_is_looked_at_less_and_less_often() -> None:
    assert HALF_HOUR is not None
    just_over = pause(HALF_HOUR.longest + 10, HALF_HOUR)
    long_over = pause(HALF_HOUR.longest + 3600, HALF_HOUR)
    assert just_over == 60 and long_over > 600


def test_a_pending_run_counts_as_just_started() -> None:
    assert pause(0.0, HALF_HOUR) == pause(0, HALF_HOUR) > 1000


def test_without_a_profile_or_with_the_callers_cap_the_waits_own_schedule_applies() -> None:
    assert pause(None, HALF_HOUR, looks=1) == 5  # not seen yet: pollInterval
    assert pause(600, None, looks=2) == 7.5  # no history: grows by 1.5x
    assert pause(600, None, looks=40) == 30  # up to 30 s
    assert pause(1800, HALF_HOUR, looks=40, cap=10) == 10  # the caller's maxPollInterval


def test_a_lone_long_project_is_not_polled_flat_out() -> None:
    assert HALF_HOUR is not None
    # No other project: the budget cycle is tiny, 1.5 % of the usual run time is not.
    assert pause(1800, HALF_HOUR, floor=0.1) == pytest.approx(HALF_HOUR.shortest * 0.015)


def test_the_share_of_a_budget_and_its_rate() -> None:
    budget = RateLimit(per_minute=30, per_hour=1800, time_scale=1 / 60)
    half = share_of(budget, 0.5)
    assert (half.per_minute, half.per_hour, half.time_scale) == (15, 900, 1 / 60)
    assert sustained_rate(half) == pytest.approx(15.0)  # a "minute" lasts one second
    assert share_of(RateLimit(per_minute=1), 0.1).per_minute == 1
    assert sustained_rate(None) is None
