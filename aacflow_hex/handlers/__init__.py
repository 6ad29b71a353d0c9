"""Named Python handlers for tools that are more than one request.

A spec with ``handler: NAME`` is run by ``HANDLERS[NAME](ctx, params)``,
which returns the body that the tool's outputs are mapped from, or raises
ToolFailure. Handlers call other tools through ``ctx.execute``, so they get
validation, pacing and retries like any other call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..results import ToolFailure, ToolResult

if TYPE_CHECKING:
    from ..executor import HexExecutor


class HandlerContext:
    def __init__(self, executor: HexExecutor, token: str | None) -> None:
        self._executor = executor
        self._token = token

    async def execute(self, tool_id: str, params: Mapping[str, Any]) -> ToolResult:
        """Call another tool with the same token."""
        with_token = {**params, "apiKey": self._token} if self._token else dict(params)
        return await self._executor.execute(tool_id, with_token)

    async def require(self, tool_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Call another tool; its failure ends this one with the same error."""
        result = await self.execute(tool_id, params)
        if not result.success and result.error is not None:
            raise ToolFailure(result.error)
        return result.output


Handler = Callable[[HandlerContext, dict[str, Any]], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {}
