"""Handlers that wait for a Hex run: ``wait_for_run`` and ``run_project_and_wait``.

A wait registers its run with the token's run watcher (``engine.watcher``), which looks
at many runs of a project with one list request inside a share of the token's budget,
and reads the looks it delivers until the run reaches a final status. At its timeout it
returns what it knows, after cancelling the run if asked. A run that ends ERRORED, KILLED
or UNABLE_TO_ALLOCATE_KERNEL is a successful wait with ``succeeded: false``: the tool did
its job, and a workflow branches on the outcome. A failed call means the wait itself could
not be done (bad token, unknown run, Hex unreachable for several checks in a row).

Cancelling the task that awaits a wait unregisters it at once (the watcher stops looking
at a run nobody waits for); it does not cancel the run in Hex (use ``cancelOnTimeout``
or hex_cancel_run for that).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

from ..results import ToolError, ToolFailure, ToolResult
from ..watcher import Look
from .context import AFTER_DEADLINE, HandlerContext
from .run_status import (
    MAX_FAILED_CHECKS_IN_A_ROW,
    TRANSIENT_ERRORS,
    is_terminal,
    succeeded,
    wait_summary,
)

# The params that steer the wait; run_project_and_wait sends all others to hex_run_project.
WAIT_PARAMS = frozenset({"timeout", "pollInterval", "maxPollInterval", "cancelOnTimeout"})
DEFAULT_TIMEOUT = 3600.0
DEFAULT_POLL_INTERVAL = 5.0


@dataclass(frozen=True)
class WaitOptions:
    timeout: float
    # The first pause between looks; the run watcher grows it (engine.watch_schedule).
    poll_interval: float
    cancel_on_timeout: bool
    # The caller's maxPollInterval; None lets the watcher pace by the project's run times.
    max_poll_interval: float | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> WaitOptions:
        given_cap = params.get("maxPollInterval")
        timeout = params.get("timeout")
        return cls(
            timeout=DEFAULT_TIMEOUT if timeout is None else float(timeout),
            poll_interval=float(params.get("pollInterval") or DEFAULT_POLL_INTERVAL),
            cancel_on_timeout=bool(params.get("cancelOnTimeout")),
            max_poll_interval=None if given_cap is None else float(given_cap),
        )


@dataclass
class _Watch:
    """What one wait has seen so far."""

    run: dict[str, str]
    last: dict[str, Any] | None = None
    checks: int = 0
    failed_in_a_row: int = 0
    last_error: ToolError | None = None

    @property
    def status(self) -> str | None:
        status = (self.last or {}).get("status")
        return status if isinstance(status, str) else None


async def wait_for_run(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    run = {"projectId": params["projectId"], "runId": params["runId"]}
    return await wait_until_done(ctx, run, WaitOptions.from_params(params))


async def run_project_and_wait(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    options = WaitOptions.from_params(params)
    trigger = {k: v for k, v in params.items() if k not in WAIT_PARAMS}
    started = await ctx.require(
        "hex_run_project", trigger, timeout=_request_timeout(ctx, options.timeout)
    )
    run_id, run_url = started.get("runId"), started.get("runUrl")
    if not isinstance(run_id, str):
        raise ToolFailure(
            ToolError(kind="invalid_response", message="Hex started a run but sent no runId.")
        )
    await ctx.report("STARTED", f"started run {run_id}", run_id=run_id)
    run = {"projectId": str(started.get("projectId") or params["projectId"]), "runId": run_id}
    try:
        final = await wait_until_done(ctx, run, options)
    except ToolFailure as exc:
        where = f" The run {run_id} was started ({run_url}); check it before starting another."
        raise ToolFailure(
            exc.error.model_copy(update={"message": exc.error.message + where})
        ) from exc
    # The trigger's fields win: its traceId is the one that identifies this run's start.
    return {**final, **started}


async def wait_until_done(
    ctx: HandlerContext, run: dict[str, str], options: WaitOptions
) -> dict[str, Any]:
    """Read the watcher's looks until the run ends or ``options.timeout`` passes.

    The timeout counts from the start of the tool call, so a trigger that waited for its
    turn under the token's rate limit leaves that much less time for the run. The first
    look is awaited even past the timeout (``timeout: 0`` looks once), as long as a
    request may take.
    """
    watch = _Watch(run)
    registration = ctx.run_watcher().watch(
        run["projectId"],
        run["runId"],
        first=options.poll_interval,
        cap=options.max_poll_interval,
        deadline=ctx.started + options.timeout,
    )
    with registration:
        while True:
            remaining = options.timeout - ctx.elapsed()
            if watch.checks == 0:
                remaining = _first_look_within(ctx, remaining)
            if remaining <= 0:
                break
            look = await registration.next_look(within=remaining)
            if look is None:
                break
            await _take(ctx, watch, look)
            if is_terminal(watch.status):
                return _outcome(watch, waited=ctx.elapsed())
    if watch.checks == 0:
        raise ToolFailure(
            ToolError(
                kind="timeout",
                message=(
                    f"No status of run {run['runId']} could be read within the wait's "
                    f"{options.timeout:g} s timeout (Hex did not answer in time)."
                ),
            )
        )
    return await _give_up(ctx, watch, options, waited=ctx.elapsed())


def _first_look_within(ctx: HandlerContext, remaining: float) -> float:
    """Seconds the first look may take: as long as a request may, within the call's deadline."""
    limit = _request_timeout(ctx, remaining)
    if ctx.deadline is not None:
        left = ctx.deadline - time.monotonic()
        limit = min(limit, left if left > 0 else AFTER_DEADLINE)
    return limit


def _request_timeout(ctx: HandlerContext, remaining: float) -> float:
    """A request may take the executor's usual time, or up to the wait's own deadline.

    The executor's timeout includes the time a request waits for its turn under the
    token's rate limit; with many waits on one token that turn can take minutes, which
    is no reason to give up while the wait itself still has time.
    """
    return max(ctx.request_timeout, remaining)


async def _check(ctx: HandlerContext, watch: _Watch, timeout: float | None = None) -> None:
    """One status read of the wait's own (after a cancel, to see what it left behind)."""
    result = await ctx.execute("hex_get_run_status", watch.run, timeout=timeout)
    await _take(ctx, watch, _look_of(result))


def _look_of(result: ToolResult) -> Look:
    if result.success:
        return Look(record=result.output)
    return Look(error=result.error or ToolError(kind="invalid_response", message="no status"))


async def _take(ctx: HandlerContext, watch: _Watch, look: Look) -> None:
    """Take in one look; a lasting or permanent failure ends the wait with its error."""
    watch.checks += 1
    run_id = watch.run["runId"]
    if look.record is not None:
        changed = watch.last is None or look.record.get("status") != watch.status
        watch.last, watch.failed_in_a_row = look.record, 0
        await ctx.report(
            watch.status or "UNKNOWN",
            _status_line(look.record),
            run_id=run_id,
            heartbeat=not changed,
        )
        return
    error = look.error or ToolError(kind="invalid_response", message="no status")
    watch.failed_in_a_row += 1
    watch.last_error = error
    if error.kind not in TRANSIENT_ERRORS or watch.failed_in_a_row >= MAX_FAILED_CHECKS_IN_A_ROW:
        tries = (
            f" ({watch.failed_in_a_row} failed checks in a row)"
            if watch.failed_in_a_row > 1
            else ""
        )
        message = f"Checking the status of run {run_id} failed{tries}: {error.message}"
        raise ToolFailure(error.model_copy(update={"message": message}))
    await ctx.report(
        watch.status or "UNKNOWN",
        f"status check failed ({error.kind}); trying again",
        run_id=run_id,
    )


def _status_line(status: dict[str, Any]) -> str:
    elapsed = status.get("elapsedTime")
    ran = f", run time {elapsed:.1f} s" if isinstance(elapsed, (int, float)) else ""
    return f"run is {status.get('status') or 'in an unknown state'}{ran}"


async def _give_up(
    ctx: HandlerContext, watch: _Watch, options: WaitOptions, *, waited: float
) -> dict[str, Any]:
    run_id = watch.run["runId"]
    cancelled, cancel_error = False, None
    if options.cancel_on_timeout:
        await ctx.report("CANCELLING", f"timed out after {waited:.1f} s; cancelling", run_id=run_id)
        result = await ctx.execute("hex_cancel_run", watch.run)
        if result.success:
            cancelled = True
        elif result.error is not None:
            cancel_error = result.error.message
        # The status the cancel left behind; if that check fails, the last one seen stands.
        with contextlib.suppress(ToolFailure):
            await _check(ctx, watch)
    if watch.last is None and watch.last_error is not None:
        raise ToolFailure(watch.last_error)
    outcome = _outcome(
        watch, waited=waited, timed_out=True, cancelled=cancelled, cancel_error=cancel_error
    )
    await ctx.report(watch.status or "UNKNOWN", outcome["message"], run_id=run_id)
    return outcome


def _outcome(
    watch: _Watch,
    *,
    waited: float,
    timed_out: bool = False,
    cancelled: bool = False,
    cancel_error: str | None = None,
) -> dict[str, Any]:
    status = watch.status
    message = wait_summary(
        status, waited=waited, timed_out=timed_out, cancelled=cancelled, cancel_error=cancel_error
    )
    return {
        **(watch.last or watch.run),
        "succeeded": succeeded(status),
        "timedOut": timed_out,
        "cancelled": cancelled,
        "cancelError": cancel_error,
        "statusChecks": watch.checks,
        "waitedSeconds": round(waited, 3),
        "message": message,
    }
