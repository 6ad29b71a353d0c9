"""Progress of long tool calls (waiting for a run): the event, its delivery, a terminal line.

A caller passes a callback (``HexExecutor(progress=...)`` or ``execute(..., progress=...)``);
tools that take a while call it with a :class:`ProgressEvent` at each step. A callback may be
a plain function or a coroutine function. A callback that raises is logged and ignored: a
broken progress display must never break the call it reports on.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO

log = logging.getLogger("aacflow_hex")


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a long call.

    ``status`` is the run's status as last seen (PENDING, RUNNING, COMPLETED, ...) or a step
    of the call itself (STARTED, CANCELLING). ``elapsed`` counts seconds since the tool call
    began. A ``heartbeat`` repeats the last status with a newer elapsed time; every other
    event reports something new (a status change, a failed check, a cancel).
    """

    tool_id: str
    status: str
    elapsed: float
    message: str
    run_id: str | None = None
    heartbeat: bool = False


ProgressCallback = Callable[[ProgressEvent], Awaitable[None] | None]


async def report(callback: ProgressCallback | None, event: ProgressEvent) -> None:
    """Hand ``event`` to ``callback`` (sync or async); its errors are logged, not raised."""
    if callback is None:
        return
    try:
        outcome = callback(event)
        if inspect.isawaitable(outcome):
            await outcome
    except Exception:  # the callback is the caller's code; any failure there is theirs
        log.warning("progress callback failed on %s", event.tool_id, exc_info=True)


def format_event(event: ProgressEvent, elapsed: float | None = None) -> str:
    """``hex_wait_for_run  RUNNING  1m05s  message`` for one line of a terminal."""
    seconds = event.elapsed if elapsed is None else elapsed
    return f"{event.tool_id}  {event.status}  {format_duration(seconds)}  {event.message}"


def format_duration(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    if whole < 60:
        return f"{max(0.0, seconds):.1f}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


class ProgressPrinter:
    """Shows progress events on a stream (the CLI's stderr, so stdout stays the result).

    On a terminal one line is rewritten in place (``\\r``) and its elapsed time keeps
    ticking between events; elsewhere (a log file, a pipe) each new step is one plain line
    and heartbeats are skipped.

    Use it as ``async with ProgressPrinter(sys.stderr) as printer`` and pass ``printer``
    as the progress callback.
    """

    def __init__(self, stream: TextIO, *, tick: float = 1.0, live: bool | None = None) -> None:
        self._stream = stream
        self._live = stream.isatty() if live is None else live
        self._tick = tick
        self._last: ProgressEvent | None = None
        self._last_at = 0.0
        self._width = 0
        self._ticker: asyncio.Task[None] | None = None

    def __call__(self, event: ProgressEvent) -> None:
        self._last, self._last_at = event, time.monotonic()
        if self._live:
            self._draw(format_event(event))
        elif not event.heartbeat:
            self._stream.write(format_event(event) + "\n")
            self._stream.flush()

    async def __aenter__(self) -> ProgressPrinter:
        if self._live:
            self._ticker = asyncio.create_task(self._keep_ticking())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._live and self._width:
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, line: str) -> None:
        padding = " " * max(0, self._width - len(line))
        self._stream.write("\r" + line + padding)
        self._stream.flush()
        self._width = len(line)

    async def _keep_ticking(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            if self._last is not None:
                since = time.monotonic() - self._last_at
                self._draw(format_event(self._last, self._last.elapsed + since))
