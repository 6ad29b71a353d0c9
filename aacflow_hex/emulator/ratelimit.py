"""Per-token, per-group sliding-window rate limiter (exact; see docs/emulator.md).

Semantics: a request of token ``t`` in group ``g`` at time ``now`` is admitted iff, for each
window of the group's :class:`RateLimit` (60 s and 3600 s, times ``scale``), fewer than
``limit`` requests of ``(t, g)`` were *admitted* in the half-open interval
``(now - window, now]``. Rejected requests are not counted. When rejected, the wait until
the oldest counted request leaves the interval is reported as ``retry_after`` (seconds;
for several violated windows, the longest wait).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .config import HEX_RATE_LIMITS, RateLimit

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    limit: int = 0
    window: float = 0.0


def merge_limits(
    overrides: Mapping[str, RateLimit | None] | None,
) -> dict[str, RateLimit] | None:
    """Hex's limits with ``overrides`` applied; ``None`` overrides mean "no limiting at all"."""
    if overrides is None:
        return None
    merged: dict[str, RateLimit | None] = {**HEX_RATE_LIMITS, **overrides}
    return {group: limit for group, limit in merged.items() if limit is not None}


class RateLimiter:
    def __init__(self, limits: Mapping[str, RateLimit] | None, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("rate_limit_scale must be > 0")
        self.limits: dict[str, RateLimit] | None = None if limits is None else dict(limits)
        self.scale = scale
        self._log: dict[tuple[str, str], deque[float]] = {}

    def configure(self, limits: Mapping[str, RateLimit] | None, scale: float | None = None) -> None:
        self.limits = None if limits is None else dict(limits)
        if scale is not None:
            self.scale = scale
        self._log.clear()

    def reset(self) -> None:
        self._log.clear()

    def _windows(self, limit: RateLimit) -> list[tuple[int, float]]:
        windows = [(limit.per_minute, MINUTE), (limit.per_hour, HOUR)]
        return [(count, span * self.scale) for count, span in windows if count is not None]

    def check(self, token: str, group: str | None, now: float) -> Decision:
        """Admit (and count) or reject one request."""
        if self.limits is None or group is None or group not in self.limits:
            return Decision(True)
        windows = self._windows(self.limits[group])
        if not windows:
            return Decision(True)
        log = self._log.setdefault((token, group), deque())
        longest = max(span for _, span in windows)
        while log and log[0] <= now - longest:
            log.popleft()
        worst: Decision | None = None
        for count, span in windows:
            in_window = [t for t in log if t > now - span]
            if len(in_window) >= count:
                # The request fits once the (len - count + 1)-th oldest leaves the window.
                wait = in_window[len(in_window) - count] + span - now
                if worst is None or wait > worst.retry_after:
                    worst = Decision(False, retry_after=wait, limit=count, window=span)
        if worst is not None:
            return worst
        log.append(now)
        return Decision(True)
