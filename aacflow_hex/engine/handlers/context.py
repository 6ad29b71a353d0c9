"""What a handler gets: calls to other tools with the same token, and progress reporting."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

from ..progress import ProgressCallback, ProgressEvent, report
from ..results import ToolFailure, ToolResult


class ToolCaller(Protocol):
    """What a handler needs of the executor: its request timeout and calls to other tools.

    A protocol, not the executor class, so that handlers sit below the executor that runs them.
    """

    @property
    def timeout(self) -> float: ...

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult: ...


class HandlerContext:
    def __init__(
        self,
        executor: ToolCaller,
        token: str | None,
        *,
        tool_id: str = "",
        progress: ProgressCallback | None = None,
        started: float | None = None,
    ) -> None:
        self._executor = executor
        self._token = token
        self.tool_id = tool_id
        self._progress = progress
        self.started = time.monotonic() if started is None else started

    @property
    def request_timeout(self) -> float:
        """Seconds one request of a sub-call may take, unless the handler says otherwise."""
        return self._executor.timeout

    def elapsed(self) -> float:
        """Seconds since the tool call began."""
        return time.monotonic() - self.started

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        """Call another tool with the same token (paced and retried like any call)."""
        with_token = {**params, "apiKey": self._token} if self._token else dict(params)
        return await self._executor.execute(tool_id, with_token, timeout=timeout)

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
