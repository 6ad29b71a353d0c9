"""What a handler's context does with its calls: whose token, how long each may take,
which run it last started, and what reaches the progress callback."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from aacflow_hex.engine.handlers.context import AFTER_DEADLINE, HandlerContext
from aacflow_hex.engine.progress import ProgressEvent
from aacflow_hex.engine.results import ToolError, ToolFailure, ToolResult
from aacflow_hex.engine.watcher import RunWatcher

TOKEN = "hxtp_context_token_0123456789"


class Executor:
    """Answers each call in turn and records (tool, params, timeout)."""

    timeout = 30.0

    def __init__(self, *results: ToolResult) -> None:
        self.results = list(results)
        self.calls: list[tuple[str, dict[str, Any], float | None]] = []

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        self.calls.append((tool_id, dict(params), timeout))
        return self.results.pop(0) if self.results else ToolResult(tool_id=tool_id, success=True)

    def run_watcher(self, token: str | None) -> RunWatcher:
        raise AssertionError("not used here")


def ok(**output: Any) -> ToolResult:
    return ToolResult(tool_id="t", success=True, output=output)


def failed(message: str) -> ToolResult:
    return ToolResult(tool_id="t", success=False, error=ToolError(kind="server", message=message))


async def test_every_call_carries_the_callers_token_and_only_then() -> None:
    executor = Executor()
    await HandlerContext(executor, TOKEN).execute("hex_get_run_status", {"runId": "r"})
    await HandlerContext(executor, None).execute("hex_get_run_status", {"runId": "r"})
    assert [params for _, params, _ in executor.calls] == [
        {"runId": "r", "apiKey": TOKEN},
        {"runId": "r"},  # the executor's own key applies
    ]


async def test_without_a_deadline_a_call_takes_the_timeout_it_asks_for() -> None:
    executor = Executor()
    ctx = HandlerContext(executor, TOKEN)
    await ctx.execute("a", {})
    await ctx.execute("b", {}, timeout=3.0)
    assert [timeout for *_, timeout in executor.calls] == [None, 3.0]
    assert ctx.sent == ["a", "b"]


async def test_a_call_never_outlasts_the_handlers_deadline() -> None:
    executor = Executor()
    ctx = HandlerContext(executor, TOKEN, deadline=time.monotonic() + 10)
    await ctx.execute("usual", {})  # the executor's 30 s, cut to the 10 s left
    await ctx.execute("shorter", {}, timeout=2.0)
    await ctx.execute("uncapped", {}, timeout=0)  # no cap of its own: the deadline's
    usual, shorter, uncapped = (timeout for *_, timeout in executor.calls)
    assert usual is not None and 9.0 < usual <= 10.0
    assert shorter == 2.0
    assert uncapped is not None and 9.0 < uncapped <= 10.0


async def test_after_the_deadline_a_last_call_still_gets_a_short_while() -> None:
    executor = Executor()
    ctx = HandlerContext(executor, TOKEN, deadline=time.monotonic() - 1)
    await ctx.execute("hex_cancel_run", {})
    await ctx.execute("hex_get_run_status", {}, timeout=1.0)
    assert [timeout for *_, timeout in executor.calls] == [AFTER_DEADLINE, 1.0]
    assert 0 < AFTER_DEADLINE < Executor.timeout


async def test_the_context_remembers_the_last_run_a_call_answered_with() -> None:
    url = "https://app.hex.tech/acme/app/p/latest?runId=r1"
    executor = Executor(
        ok(runId="r1", runUrl=url),
        ok(runId="r2"),  # no URL of its own: the one known stays
        failed("boom"),
        ok(runId=5, runUrl="https://x"),  # not a run id
    )
    ctx = HandlerContext(executor, TOKEN)
    assert (ctx.run_id, ctx.run_url) == (None, None)
    await ctx.execute("hex_run_project", {})
    assert (ctx.run_id, ctx.run_url) == ("r1", url)
    for _ in range(3):
        await ctx.execute("hex_get_run_status", {})
    assert (ctx.run_id, ctx.run_url) == ("r2", url)


async def test_require_returns_the_output_or_raises_the_calls_own_error() -> None:
    ctx = HandlerContext(Executor(ok(runId="r1"), failed("Hex is down")), TOKEN)
    assert await ctx.require("hex_run_project", {}) == {"runId": "r1"}
    with pytest.raises(ToolFailure) as caught:
        await ctx.require("hex_run_project", {})
    assert caught.value.error == ToolError(kind="server", message="Hex is down")


async def test_reports_reach_the_progress_callback_as_events_of_the_tool() -> None:
    heard: list[ProgressEvent] = []
    started = time.monotonic() - 2.0
    ctx = HandlerContext(
        Executor(), TOKEN, tool_id="hex_wait_for_run", progress=heard.append, started=started
    )
    await ctx.report("RUNNING", "run is RUNNING", run_id="r1", heartbeat=True)
    await ctx.report("STARTED", "started")
    first, second = heard
    assert (first.tool_id, first.status, first.message, first.run_id, first.heartbeat) == (
        "hex_wait_for_run",
        "RUNNING",
        "run is RUNNING",
        "r1",
        True,
    )
    assert (second.run_id, second.heartbeat) == (None, False)
    assert 2.0 <= first.elapsed <= second.elapsed < 60
    assert 2.0 <= ctx.elapsed() < 60
    assert ctx.request_timeout == Executor.timeout
    fresh = HandlerContext(Executor(), TOKEN)
    assert 0 <= fresh.elapsed() < 60  # counts from when the context was made
