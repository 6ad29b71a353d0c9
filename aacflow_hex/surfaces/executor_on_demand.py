"""A HexExecutor imported and opened when a call needs it, for a server that answers first.

An MCP client waits for ``initialize`` and ``tools/list`` before its session can start, and
neither needs the executor; importing it imports aiohttp, a good part of a server's
start-up. ``OnDemandExecutor`` stands in for it: ``warm_up`` imports it in a thread once
the server is serving (so the first call finds it ready), and the first ``execute``
opens it. A bad ``HEX_API_BASE_URL`` still fails at start, before anything is served.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine.baseurl import normalize_base_url
from ..engine.safety import check_base_url

if TYPE_CHECKING:
    from ..engine.executor import HexExecutor
    from ..engine.progress import ProgressCallback
    from ..engine.results import ToolResult

_EXECUTOR_MODULE = "aacflow_hex.engine.executor"


class OnDemandExecutor:
    """Runs calls through one HexExecutor(base_url, api_key), opened by the first call."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None) -> None:
        configured = base_url or os.environ.get("HEX_API_BASE_URL")
        if configured:
            # Raises UnsafeBaseURL now, as the executor would when it opens.
            check_base_url(normalize_base_url(configured))
        self._base_url = base_url
        self._api_key = api_key
        self._opening: asyncio.Future[HexExecutor] | None = None

    async def warm_up(self) -> None:
        """Import the executor (aiohttp) in a thread, so the event loop keeps answering."""
        await asyncio.to_thread(importlib.import_module, _EXECUTOR_MODULE)

    async def _open(self) -> HexExecutor:
        from ..engine.executor import HexExecutor

        executor = HexExecutor(base_url=self._base_url, api_key=self._api_key)
        return await executor.__aenter__()

    async def execute(
        self,
        tool_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ToolResult:
        if self._opening is None:  # one executor, however many calls arrive at once
            self._opening = asyncio.ensure_future(self._open())
        executor = await asyncio.shield(self._opening)
        return await executor.execute(tool_id, params, timeout=timeout, progress=progress)

    async def __aenter__(self) -> OnDemandExecutor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        opening, self._opening = self._opening, None
        if opening is None:
            return
        try:
            executor = await opening
        except Exception:
            return  # it never opened: its calls already reported why
        await executor.aclose()
