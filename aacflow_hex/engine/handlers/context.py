"""What a handler gets: calls to other tools with the same token, and progress reporting."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

from ..progress import ProgressCallback, ProgressEvent, report
from ..results import ToolFailure, ToolResult
from ..watcher import RunWatcher


class ToolCaller(Protocol):
    """What a handler needs of the executor: its request timeout and calls to other tools.

    A protocol, not the executor class, so that handlers sit below the executor that runs them.
    """

    @property
    def timeout(self) -> float: ...

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult: ...

    def run_watcher(self, token: str | None) -> RunWatcher: ...


# Once a handler's deadline has passed, a call it still makes (a last status check, a
# cancel) may take this long: the handler ends soon after its own timeout all the same.
AFTER_DEADLINE = 5.0


class HandlerContext:
    """A handler's calls to other tools, bounded by its ``deadline`` (time.monotonic()).

    It remembers what it sent (``sent``, in order) and the last run id a call answered
    with, so that a caller that cuts the handler off can say what may have started.
    """

    def __init__(
        self,
        executor: ToolCaller,
        token: str | None,
        *,
        tool_id: str = "",
        progress: ProgressCallback | None = None,
        started: float | None = None,
        deadline: float | None = None,
    ) -> None:
        self._executor = executor
        self._token = token
        self.tool_id = tool_id
        self._progress = progress
        self.started = time.monotonic() if started is None else started
        self.deadline = deadline
        self.sent: list[str] = []
        self.run_id: str | None = None
        self.run_url: str | None = None

    @property
    def request_timeout(self) -> float:
        """Seconds one request of a sub-call may take, unless the handler says otherwise."""
        return self._executor.timeout

    def elapsed(self) -> float:
        """Seconds since the tool call began."""
        return time.monotonic() - self.started

    def run_watcher(self) -> RunWatcher:
        """The watcher that every wait of this call's token (and base URL) registers with."""
        return self._executor.run_watcher(self._token)

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        """Call another tool with the same token (paced and retried like any call).

        The call ends by the handler's deadline whatever ``timeout`` it asks for, so a
        status check or a trigger that hangs cannot hold the handler past its own time.
        """
        with_token = {**params, "apiKey": self._token} if self._token else dict(params)
        self.sent.append(tool_id)
        result = await self._executor.execute(tool_id, with_token, timeout=self._bounded(timeout))
        run_id = result.output.get("runId") if result.success else None
        if isinstance(run_id, str):
            self.run_id = run_id
            run_url = result.output.get("runUrl")
            self.run_url = run_url if isinstance(run_url, str) else self.run_url
        return result

    def _bounded(self, timeout: float | None) -> float | None:
        if self.deadline is None:
            return timeout
        requested = self._executor.timeout if timeout is None else timeout
        if requested <= 0:  # no cap of its own
            requested = float("inf")
        left = self.deadline - time.monotonic()
        return min(requested, left if left > 0 else AFTER_DEADLINE)

    async def require(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Call another tool; its failure ends this one with the same error."""
        result = await self.execute(tool_id, params, timeout=timeout)
        if not result.success and result.error is not None:
            raise ToolFailure(result.error)
        return result.output

    async def report(
        self, status: str, message: str, *, run_id: str | None = None, heartbeat: bool = False
    ) -> None:
        """Tell the caller's progress callback (if any) where this call is."""
        event = ProgressEvent(
            tool_id=self.tool_id,
            status=status,
            elapsed=self.elapsed(),
            message=message,
            run_id=run_id,
            heartbeat=heartbeat,
        )
        await report(self._progress, event)
