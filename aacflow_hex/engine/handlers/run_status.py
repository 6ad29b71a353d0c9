"""What waiting for a run decides, as pure functions: when a run is over, how often to look.

Hex's run statuses: PENDING and RUNNING are on the way; COMPLETED, ERRORED, KILLED and
UNABLE_TO_ALLOCATE_KERNEL are final (the last three are failures; a wait that forgets one
of them hangs until its timeout). A status Hex may add later counts as not final, so an
unknown status ends at the wait's timeout instead of being misread as an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..results import ErrorKind
from ..run_states import ACTIVE_STATUSES as ACTIVE_STATUSES
from ..run_states import TERMINAL_STATUSES as TERMINAL_STATUSES
from ..run_states import is_terminal as is_terminal

SUCCESS_STATUS = "COMPLETED"

# Failed status checks worth another look: Hex was busy or the network hiccuped. The
# executor has already retried each of these; the wait only keeps going on its own clock.
TRANSIENT_ERRORS: frozenset[ErrorKind] = frozenset(
    {"rate_limited", "server", "timeout", "transport", "invalid_response"}
)
MAX_FAILED_CHECKS_IN_A_ROW = 5


def succeeded(status: str | None) -> bool:
    return status == SUCCESS_STATUS


@dataclass(frozen=True)
class PollSchedule:
    """Seconds between status checks: ``first``, then ``factor`` times longer, up to ``cap``.

    A short run is seen soon after it ends; a long one costs few requests (the token's
    rate budget is shared with every other call).
    """

    first: float
    factor: float = 1.5
    cap: float = 30.0

    def __post_init__(self) -> None:
        if self.first <= 0 or not 1.0 <= self.factor <= 10.0 or self.cap <= 0:
            raise ValueError("a poll schedule needs first > 0, 1 <= factor <= 10, cap > 0")

    def delay(self, checks_done: int) -> float:
        """The pause after the ``checks_done``-th check (counting from 1)."""
        ceiling = max(self.cap, self.first)
        # 10**64 is past any ceiling already; a larger power would only overflow.
        exponent = min(max(0, checks_done - 1), 64)
        return float(min(ceiling, self.first * self.factor**exponent))


def wait_summary(
    status: str | None,
    *,
    waited: float,
    timed_out: bool,
    cancelled: bool,
    cancel_error: str | None,
) -> str:
    """One sentence saying how the wait ended, for people and agents reading the output."""
    seen = status or "no status"
    if not timed_out:
        verdict = "succeeded" if succeeded(status) else "did not succeed"
        return f"The run ended {seen} after {waited:.1f} s of waiting; it {verdict}."
    head = f"Stopped waiting after {waited:.1f} s"
    if cancelled:
        return f"{head} and cancelled the run; Hex now reports {seen}."
    if cancel_error is not None:
        return f"{head}; cancelling the run failed ({cancel_error}); Hex reports {seen}."
    if is_terminal(status):
        return f"{head}; the run has ended {seen}."
    return f"{head}; the run is still {seen} and was not cancelled."
