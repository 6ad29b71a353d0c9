"""Ending in-flight tool calls cleanly when a server shuts down.

When :meth:`CallDrain.begin` is called (the server got SIGTERM), new calls are refused
and a wait that is only watching a run stops at once: its run goes on in Hex, and the
caller gets an error result saying which run and how to pick it up. Every other call
(a run trigger among them) may finish within the grace period; whatever is still
running then is stopped with an error that says whether it may have taken effect, so
no trigger ends without its "may have started" answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..engine.progress import ProgressCallback, ProgressEvent, report
from ..engine.results import ToolError, ToolResult
from ..spec.specs import ToolSpec

ToolCall = Callable[[ProgressCallback], Awaitable[ToolResult]]


@dataclass(eq=False)  # kept in a set by identity
class _InFlight:
    spec: ToolSpec
    task: asyncio.Task[ToolResult] | None = None
    last: ProgressEvent | None = None
    stop_reason: str | None = None  # "drain" or "grace", once stopped

    @property
    def run_id(self) -> str | None:
        return self.last.run_id if self.last is not None else None

    @property
    def only_watching(self) -> bool:
        """A wait past its trigger (if any): stopping it changes nothing in Hex."""
        if self.spec.handler is None:
            return False
        return self.spec.annotations.idempotent or self.run_id is not None

    def stop(self, reason: str) -> None:
        if self.stop_reason is None and self.task is not None and not self.task.done():
            self.stop_reason = reason
            self.task.cancel()


class CallDrain:
    """Runs tool calls so that a shutdown can end them with a clear result."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self._calls: set[_InFlight] = set()
        self._draining = False
        self._expiry: asyncio.TimerHandle | None = None

    @property
    def draining(self) -> bool:
        return self._draining

    @property
    def in_flight(self) -> int:
        return len(self._calls)

    def begin(self) -> None:
        """Refuse new calls, stop waits now, and stop the rest after the grace period."""
        if self._draining:
            return
        self._draining = True
        for call in list(self._calls):
            if call.only_watching:
                call.stop("drain")
        self._expiry = asyncio.get_running_loop().call_later(self.grace, self._expire)

    def _expire(self) -> None:
        for call in list(self._calls):
            call.stop("grace")

    async def run(
        self, spec: ToolSpec, call: ToolCall, progress: ProgressCallback | None
    ) -> ToolResult:
        """``call(progress)``, or an error result if the drain stops it."""
        if self._draining:
            return _failure(
                spec, "The MCP server is shutting down and takes no new calls; try again."
            )
        entry = _InFlight(spec)

        async def watch(event: ProgressEvent) -> None:
            entry.last = event
            await report(progress, event)
            if self._draining and entry.only_watching:
                entry.stop("drain")  # the run has just started: stop watching it

        entry.task = asyncio.ensure_future(call(watch))
        self._calls.add(entry)
        try:
            await asyncio.wait({entry.task})
        finally:
            self._calls.discard(entry)
            if not entry.task.done():  # our caller went away
                entry.task.cancel()
        if entry.task.cancelled():
            return _failure(spec, _stopped_message(entry, self.grace))
        return entry.task.result()


def _failure(spec: ToolSpec, message: str) -> ToolResult:
    return ToolResult(
        tool_id=spec.id, success=False, error=ToolError(kind="server", message=message)
    )


def _stopped_message(entry: _InFlight, grace: float) -> str:
    spec, event = entry.spec, entry.last
    if entry.stop_reason == "drain" and entry.run_id is not None and event is not None:
        return (
            f"The MCP server is shutting down, so it stopped waiting for run {entry.run_id} "
            f"after {event.elapsed:.1f} s (last seen: {event.status}). The run goes on in "
            "Hex: check it with hex_get_run_status or wait again with hex_wait_for_run"
            + ("; do not start it again." if not spec.annotations.idempotent else ".")
        )
    if entry.stop_reason == "drain":
        return (
            f"The MCP server is shutting down, so it stopped {spec.id} before it saw the "
            "run's status; nothing was changed in Hex. Call it again."
        )
    message = f"The MCP server shut down before {spec.id} finished (grace period {grace:g} s)."
    if spec.annotations.read_only or spec.annotations.idempotent:
        return message + " Call it again."
    if entry.run_id is not None:
        return message + f" Run {entry.run_id} was started; check it before starting another."
    hint = spec.request.ambiguous_hint if spec.request is not None else None
    if spec.handler == "run_project_and_wait":
        hint = "List the project's runs with hex_get_project_runs before triggering it again."
    return (
        message
        + " The request may have reached Hex and taken effect (a run may have started). "
        + (hint or "Check its state in Hex before trying again.")
    )
