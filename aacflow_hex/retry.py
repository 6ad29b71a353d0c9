"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; Retry-After honoured up to a cap."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


NO_RETRY = RetryPolicy(max_attempts=1)


def may_retry_status(status: int, *, idempotent: bool) -> bool:
    """A request Hex refused with 429 was never started, so even a run trigger may retry it."""
    if status == 429:
        return True
    return idempotent and status in RETRYABLE_STATUSES


def may_retry_transport(*, idempotent: bool, maybe_sent: bool) -> bool:
    return idempotent or not maybe_sent
