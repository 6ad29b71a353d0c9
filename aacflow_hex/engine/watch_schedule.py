"""When the run watcher looks at a run again, as pure functions of what it knows.

The pause after a look follows how long the project's runs usually take (its recent
runs say) and the watcher's share of the token's budget:

- before the shortest usual run time, the pause is 80 % of the time left until
  then (a 3-hour run is looked at three or four times in its first hours; a PENDING
  run counts as just started);
- between the shortest and the longest usual run time, the run is looked at every
  1.5 budget cycles (a cycle: every watched project once at the watcher's share of
  the budget), or 1.5 % of the shortest usual run time if that is longer, so an end is
  seen within about 1.5 cycles and a lone project is not polled flat out;
- past the longest usual time, the pause grows slowly with the overrun.

Without a duration profile (a project with no finished runs yet), for a run not yet
seen, or when the caller set ``maxPollInterval``, the wait's own schedule applies:
``pollInterval`` growing by 1.5x up to ``maxPollInterval`` (default 30 s). The
watcher's lane in the rate limiter bounds what either costs.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from ..spec.ratelimits import RateLimit

# Without a profile the pause grows as the wait's own schedule does, up to this cap.
DEFAULT_CAP = 30.0
GROWTH = 1.5
# Margins around the usual run times: a run a little faster or slower than most seen
# so far still falls in the dense window.
EARLY_MARGIN = 0.98
LATE_MARGIN = 1.0  # past the window, short overruns are still looked at every floor
APPROACH = 0.8  # of the time left until the shortest usual run time
# In the dense window a run is looked at every this many budget cycles: were every
# watched project in its window at once, the watcher would use 2/3 of its share.
DENSE_CYCLES = 1.5
DENSE_FRACTION = 0.015  # of the shortest usual run time: the dense window's longest floor
# Past the longest usual time, the pause is this fraction of the overrun (at least floor).
OVERRUN_FRACTION = 0.25
MIN_PROFILE_RUNS = 3
PROFILE_RUNS = 50


@dataclass(frozen=True)
class DurationProfile:
    """How long a project's recent runs took (seconds of run time), as a window."""

    shortest: float
    longest: float

    @classmethod
    def from_durations(cls, durations: Iterable[float]) -> DurationProfile | None:
        """The window from the 5th to the 95th percentile, widened by the margins.

        Percentiles, not min and max, so one odd run (a quick failure, a stuck one)
        does not stretch the dense window over hours.
        """
        seen = sorted(d for d in durations if d > 0)[-PROFILE_RUNS:]
        if len(seen) < MIN_PROFILE_RUNS:
            return None
        twentieths = statistics.quantiles(seen, n=20, method="inclusive")
        return cls(shortest=twentieths[0] * EARLY_MARGIN, longest=twentieths[-1] * LATE_MARGIN)


def sustained_rate(limit: RateLimit | None) -> float | None:
    """Requests a second the limit allows over its longest window (None: unlimited)."""
    if limit is None:
        return None
    windows = limit.windows()
    return min(count / span for count, span in windows) if windows else None


def share_of(limit: RateLimit, share: float) -> RateLimit:
    """``limit`` cut to ``share`` of its requests (at least one per window)."""

    def cut(count: int | None) -> int | None:
        return None if count is None else max(1, int(count * share))

    return RateLimit(
        per_minute=cut(limit.per_minute),
        per_hour=cut(limit.per_hour),
        time_scale=limit.time_scale,
    )


def next_pause(
    *,
    run_time: float | None,
    looks: int,
    first: float,
    cap: float | None,
    floor: float,
    profile: DurationProfile | None,
) -> float:
    """Seconds until the run is worth another look.

    ``run_time``: seconds the run has been RUNNING (0 while PENDING; None: unknown);
    ``looks``: looks so far; ``first``: the wait's pollInterval; ``cap``: its
    maxPollInterval if the caller set one; ``floor``: the shortest pause the budget
    allows (one cycle of the watcher's share).
    """
    grown = first * GROWTH ** min(max(0, looks - 1), 64)
    if cap is not None or profile is None or run_time is None:
        # The wait's own schedule; the share's lane still bounds what it costs.
        ceiling = DEFAULT_CAP if cap is None else cap
        return max(first, min(grown, ceiling))
    floor = max(first, floor * DENSE_CYCLES, profile.shortest * DENSE_FRACTION)
    if run_time < profile.shortest:
        return max(floor, (profile.shortest - run_time) * APPROACH)
    if run_time <= profile.longest:
        return floor
    return max(floor, (run_time - profile.longest) * OVERRUN_FRACTION)
