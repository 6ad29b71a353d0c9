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


# -- the profile and the pause, pinned to the figure ---------------------------------
# One hundred runs of 1 to 100 s: the profile keeps the latest fifty by length (51 to
# 100 s), whose 5th and 95th percentiles are 53.45 s and 97.55 s.
SPREAD = DurationProfile(shortest=1000.0, longest=2000.0)


def test_a_profile_is_the_5th_to_95th_percentile_of_the_latest_fifty_runs() -> None:
    profile = DurationProfile.from_durations(range(1, 101))
    assert profile is not None
    assert profile.shortest == pytest.approx(53.45 * 0.98)  # a little early, to be safe
    assert profile.longest == pytest.approx(97.55)


def test_three_finished_runs_make_a_profile_and_runs_without_a_time_do_not_count() -> None:
    assert DurationProfile.from_durations([60, 60, 60]) == DurationProfile(60 * 0.98, 60)
    assert DurationProfile.from_durations([0.5, 0.5, 0.5]) == DurationProfile(0.49, 0.5)
    assert DurationProfile.from_durations([0, 0, 0, 60, 60]) is None  # two runs with a time
    assert DurationProfile.from_durations([-5, 60, 60]) is None


def test_without_a_profile_the_pause_starts_at_the_poll_interval_and_grows_by_half() -> None:
    pauses = [pause(600, None, looks=n, first=2.0) for n in range(6)]
    assert pauses == [2.0, 2.0, 3.0, 4.5, 6.75, 10.125]
    assert pause(600, None, looks=9, first=2.0, cap=12) == 12  # the caller's maxPollInterval
    # A poll interval longer than the cap (or the default 30 s) is kept.
    assert pause(600, None, looks=9, first=50.0) == 50.0
    assert pause(600, None, looks=9, first=50.0, cap=12) == 50.0
    assert pause(600, None, looks=10_000, first=2.0) == 30.0  # no overflow however many looks


def test_with_a_profile_each_phase_of_a_run_has_its_own_pause() -> None:
    # Before its usual end: 80 % of the time left until the shortest usual run time.
    assert pause(200, SPREAD, floor=4) == pytest.approx(640.0)
    assert pause(990, SPREAD, floor=4) == 15.0  # ...but never below 1.5 % of it
    # Within the usual times: 1.5 budget cycles, or 1.5 % of the shortest, or the poll
    # interval, whichever is longest.
    assert pause(1000, SPREAD, floor=4) == 15.0
    assert pause(1500, SPREAD, floor=20) == 30.0
    assert pause(1500, SPREAD, floor=4, first=18.0) == 18.0
    assert pause(2000, SPREAD, floor=4) == 15.0
    # Past the longest usual time: a quarter of the overrun.
    assert pause(2100, SPREAD, floor=4) == 25.0
    assert pause(2040, SPREAD, floor=4) == 15.0
    # The caller's maxPollInterval puts the run on the wait's own schedule.
    assert pause(200, SPREAD, floor=4, looks=2, cap=9.0) == 7.5


def test_the_share_keeps_at_least_one_request_per_window_and_no_window_it_lacks() -> None:
    hourly = share_of(RateLimit(per_hour=100, time_scale=0.5), 0.25)
    assert (hourly.per_minute, hourly.per_hour, hourly.time_scale) == (None, 25, 0.5)
    assert share_of(RateLimit(per_minute=3), 0.5).per_minute == 1
    assert sustained_rate(hourly) == pytest.approx(25 / 1800)
    # The tighter window sets the rate: 30 a minute is 0.5/s, 600 an hour only 1/6 s.
    assert sustained_rate(RateLimit(per_minute=30, per_hour=600)) == pytest.approx(1 / 6)
    assert sustained_rate(RateLimit()) is None  # no window: unlimited
