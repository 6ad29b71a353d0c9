"""What waiting for a run decides, as pure functions: when a run is over, how it ended.

Hex's run statuses: PENDING and RUNNING are on the way; COMPLETED, ERRORED, KILLED and
UNABLE_TO_ALLOCATE_KERNEL are final (the last three are failures; a wait that forgets one
of them hangs until its timeout). A status Hex may add later counts as not final, so an
unknown status ends at the wait's timeout instead of being misread as an outcome.
"""

from __future__ import annotations

from ..results import ErrorKind
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
