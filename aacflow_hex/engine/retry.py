"""When to try a request again, and how long to wait first. Pure functions.

The rule that keeps runs from starting twice: a request that is not idempotent
(a run trigger, creating a collection) is sent again only when Hex cannot have
acted on it: a 429 (refused before it ran) or a connection that was never made.
After anything ambiguous (a timeout, a reset after sending, a 5xx) it is not
repeated; the caller is told it may have taken effect and what to check.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ..spec.specs import RetrySpec

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; Retry-After honoured up to a cap.

    ``max_attempts`` counts the first try. A Retry-After longer than
    ``max_retry_after`` is not waited for: the call ends with the error and its
    ``retry_after``, so a workflow engine can reschedule the step instead.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}"
            )
        for name in ("base_delay", "max_delay", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} must not be negative")

    def ceiling(self, attempt: int) -> float:
        """The longest backoff after attempt ``attempt`` (counting from 1)."""
        return min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 62))

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, ceiling], so concurrent callers spread out."""
        return rng.uniform(0, self.ceiling(attempt))

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before the next attempt; None: the server asked for too long."""
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(attempt, rng)

    def tuned(self, spec: RetrySpec | None) -> RetryPolicy:
        """This policy with a tool spec's ``retry:`` block laid over it."""
        if spec is None:
            return self
        fields = {k: v for k, v in spec.model_dump().items() if v is not None}
        return replace(self, **fields) if fields else self


NO_RETRY = RetryPolicy(max_attempts=1)


def may_retry_status(status: int, *, idempotent: bool) -> bool:
    """A request Hex refused with 429 was never started, so even a run trigger may retry it."""
    if status == 429:
        return True
    return idempotent and status in RETRYABLE_STATUSES


def is_ambiguous_status(status: int, *, idempotent: bool) -> bool:
    """A 5xx to a non-idempotent request: Hex (or a proxy before it) may have acted on it."""
    return not idempotent and status >= 500


def may_retry_transport(*, idempotent: bool, maybe_sent: bool, permanent: bool = False) -> bool:
    if permanent:
        return False
    return idempotent or not maybe_sent
