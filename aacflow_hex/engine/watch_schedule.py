"""When the run watcher looks at a run again, as pure functions of what it knows.

The pause after a look follows how long the project's runs usually take (its recent
runs say) and the watcher's share of the token's budget:

- before the shortest usual run time, the pause halves the time left until then
  (a 3-hour run is looked at a handful of times in its first hours);
- between the shortest and the longest usual run time, the run is looked at every
  ``floor`` seconds (one budget cycle: every watched project once at the watcher's
  share of the budget), so an end is seen within about a cycle;
- past the longest usual time, the pause grows slowly with the overrun.

Without a duration profile (a project with no finished runs yet), for a PENDING run,
or when the caller set ``maxPollInterval``, the wait's own schedule applies:
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
# Margins around the usual run times: a run a little faster or slower than any seen
# so far still falls in the dense window.
EARLY_MARGIN = 0.9
LATE_MARGIN = 1.1
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
        """The window from the 10th to the 90th percentile, widened by the margins.

        Percentiles, not min and max, so one odd run (a quick failure, a stuck one)
        does not stretch the dense window over hours.
        """
        seen = sorted(d for d in durations if d > 0)[-PROFILE_RUNS:]
        if len(seen) < MIN_PROFILE_RUNS:
            return None
        deciles = statistics.quantiles(seen, n=10, method="inclusive")
        return cls(shortest=deciles[0] * EARLY_MARGIN, longest=deciles[-1] * LATE_MARGIN)


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

    ``run_time``: seconds the run has been RUNNING (None while PENDING or unknown);
    ``looks``: looks so far; ``first``: the wait's pollInterval; ``cap``: its
    maxPollInterval if the caller set one; ``floor``: the shortest pause the budget
    allows (one cycle of the watcher's share).
    """
    grown = first * GROWTH ** min(max(0, looks - 1), 64)
    if cap is not None or profile is None or run_time is None:
        # The wait's own schedule; the share's lane still bounds what it costs.
        ceiling = DEFAULT_CAP if cap is None else cap
        return max(first, min(grown, ceiling))
    floor = max(first, floor)
    if run_time < profile.shortest:
        return max(floor, (profile.shortest - run_time) / 2)
    if run_time <= profile.longest:
        return floor
    return max(floor, (run_time - profile.longest) * OVERRUN_FRACTION)
