"""Run lifecycle computed from the clock: PENDING -> RUNNING -> terminal, no background tasks.

A run is PENDING for ``pending_seconds`` after it was created, RUNNING until ``duration``
has passed, then ends in its ``outcome``. UNABLE_TO_ALLOCATE_KERNEL never reaches RUNNING
(no start time, no elapsed time). A cancel sets ``killed_at``; from then on it is KILLED.
"""

from __future__ import annotations

from dataclasses import dataclass

from .state.models import TERMINAL_STATUSES, Run


@dataclass(frozen=True)
class RunView:
    status: str
    start: float | None
    end: float | None
    elapsed_ms: int | None  # whole milliseconds, as Hex's Node server writes them

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


def view_run(run: Run, now: float) -> RunView:
    started = run.created_at + run.pending_seconds
    finished = run.created_at + run.duration
    kernel_fails = run.outcome == "UNABLE_TO_ALLOCATE_KERNEL"
    status: str
    if run.killed_at is not None and run.killed_at < finished and run.killed_at <= now:
        status, end = "KILLED", run.killed_at
        start = started if (run.killed_at >= started and not kernel_fails) else None
    elif now >= finished:
        status, start, end = run.outcome, (None if kernel_fails else started), finished
    elif now < started or kernel_fails:
        status, start, end = "PENDING", None, None
    else:
        status, start, end = "RUNNING", started, None
    elapsed = None if start is None else round(((end or now) - start) * 1000.0)
    return RunView(status, start, end, elapsed)
