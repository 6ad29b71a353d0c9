"""Hex's per-token rate limits, by rate-limit group, and how a caller overrides them.

Each tool spec names its group in ``request.rateLimitGroup``. The executor paces
every (base URL, token, group) to stay under these numbers (see ``pacing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class RateLimit:
    """At most ``per_minute`` requests in any minute and ``per_hour`` in any hour.

    ``time_scale`` multiplies both window lengths: ``1/60`` makes a "minute" last one
    second, for tests and benchmarks that keep Hex's ratios without waiting minutes
    (the emulator's ``rate_limit_scale`` does the same on the server side).
    """

    per_minute: int | None = None
    per_hour: int | None = None
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("per_minute", "per_hour"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"RateLimit.{name} must be at least 1, got {value}")
        if self.time_scale <= 0:
            raise ValueError(f"RateLimit.time_scale must be > 0, got {self.time_scale}")

    def windows(self) -> tuple[tuple[int, float], ...]:
        """(request count, window length in seconds) for each limited window."""
        pairs = ((self.per_minute, MINUTE), (self.per_hour, HOUR))
        return tuple((count, span * self.time_scale) for count, span in pairs if count is not None)

    def scaled(self, time_scale: float) -> RateLimit:
        return replace(self, time_scale=time_scale)


# Hex's published per-token limits, read from the operation descriptions of Hex's
# OpenAPI spec (summary: shared/hex-api/hex-api-latest.derived.md, "RL groups"):
# - hex-api, the default group: "Max requests per minute may vary (default: 30)" and
#   "Max requests per hour may vary (default: 1800)" (newest spec, static.hex.site/
#   openapi.json, e.g. CreateProject).
# - hex-api-30rpm (users, cells, user sharing): a maximum of 30 requests per minute
#   (newest spec).
# - hex-run-kernel (RunProject): the newest spec says "may vary" without numbers; the
#   2025-05 copy (shared/hex-api/hex-openapi.franccesco-hex-toolkit.json, RunProject)
#   says "a maximum of 20 requests per minute and 60 requests per hour".
# - hex-chart-image: a maximum of 20 requests per minute (newest spec).
# "May vary" means a workspace can have other numbers: override them with
# HexExecutor(rate_limits={...}); a 429 that still arrives pauses the group.
HEX_RATE_LIMITS: Mapping[str, RateLimit] = MappingProxyType(
    {
        "hex-api": RateLimit(per_minute=30, per_hour=1800),
        "hex-api-30rpm": RateLimit(per_minute=30),
        "hex-run-kernel": RateLimit(per_minute=20, per_hour=60),
        "hex-chart-image": RateLimit(per_minute=20),
    }
)

RateLimitTable = Mapping[str, "RateLimit | None"]


def resolve_rate_limits(overrides: RateLimitTable | None) -> Mapping[str, RateLimit] | None:
    """Hex's limits with ``overrides`` laid over them; ``None`` turns pacing off.

    A group mapped to ``None`` is not paced; groups not named keep Hex's limits.
    """
    if overrides is None:
        return None
    merged: dict[str, RateLimit | None] = {**HEX_RATE_LIMITS, **overrides}
    return MappingProxyType({g: limit for g, limit in merged.items() if limit is not None})


def scale_rate_limits(limits: RateLimitTable, time_scale: float) -> dict[str, RateLimit | None]:
    """The same limits with every window multiplied by ``time_scale``."""
    return {g: None if limit is None else limit.scaled(time_scale) for g, limit in limits.items()}
