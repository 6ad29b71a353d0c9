"""The run watcher against a scripted executor: which requests it makes on a wait's
behalf (and with whose token), what a failed list or a bug in the watcher hands every
wait, and its store, share and running-time bookkeeping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.results import ToolError, ToolResult
from aacflow_hex.engine.watcher import (
    MemoryRunStatusStore,
    RunListSnapshot,
    RunWatcher,
    StoreKey,
    Watch,
)
from aacflow_hex.spec.ratelimits import RateLimit

BASE = "https://hex.example/api/v1"
TOKEN = "hxtp_watch_token_q7"
PROJECT = "p-1"


class ScriptedHex:
    """The executor, as far as the watcher sees it: answers from ``answer``."""

    timeout = 7.0

    def __init__(self, answer: Callable[[str, Mapping[str, Any]], ToolResult]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any], float | None]] = []

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        self.calls.append((tool_id, dict(params), timeout))
        await asyncio.sleep(0)
        return self.answer(tool_id, params)


def ok(tool_id: str, output: dict[str, Any]) -> ToolResult:
    return ToolResult(tool_id=tool_id, success=True, output=output)


def run(run_id: str, status: str, elapsed: float | None = None) -> dict[str, Any]:
    return {"runId": run_id, "status": status, "elapsedTime": elapsed}


def watcher(hex_: ScriptedHex, **kw: Any) -> RunWatcher:
    kw.setdefault("budget", None)
    return RunWatcher(hex_, TOKEN, base_url=BASE, limiter=RateLimiter(), **kw)


async def first_looks(w: RunWatcher, run_ids: list[str], within: float = 5) -> list[Any]:
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=0.05, cap=None, deadline=deadline) for r in run_ids]
    try:
        return [await watch.next_look(within) for watch in watches]
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()


async def test_one_or_two_runs_are_read_each_with_the_calls_own_token() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING", 1000)))
    looks = await first_looks(watcher(hex_), ["r1", "r2"])
    assert [look.record["runId"] for look in looks] == ["r1", "r2"]
    assert [(tool, params) for tool, params, _ in hex_.calls] == [
        ("hex_get_run_status", {"projectId": PROJECT, "runId": "r1", "apiKey": TOKEN}),
        ("hex_get_run_status", {"projectId": PROJECT, "runId": "r2", "apiKey": TOKEN}),
    ]
    # As long as the longest wait has left (a turn under the budget may take minutes).
    assert all(50 < timeout <= 60 for _, _, timeout in hex_.calls)  # type: ignore[operator]


async def test_without_a_token_of_its_own_the_executors_key_is_used() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING")))
    w = RunWatcher(hex_, None, base_url=BASE, limiter=RateLimiter(), budget=None)
    await first_looks(w, ["r1"])
    assert "apiKey" not in hex_.calls[0][1]


async def test_three_runs_are_proven_from_one_list_of_the_newest_runs() -> None:
    listed = [run(f"r{i}", "RUNNING", 5) for i in range(3)]
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {"runs": listed, "nextOffset": None}))
    looks = await first_looks(watcher(hex_), ["r0", "r1", "r2"])
    assert [look.record["status"] for look in looks] == ["RUNNING"] * 3
    first_tool, first_params, _ = hex_.calls[0]
    assert first_tool == "hex_get_project_runs"
    assert first_params == {"projectId": PROJECT, "limit": 100, "offset": 0, "apiKey": TOKEN}
    # Then, once, the project's finished runs: how long its runs usually take.
    history = [p for t, p, _ in hex_.calls if p.get("statusFilter") == "COMPLETED"]
    assert history == [{"projectId": PROJECT, "statusFilter": "COMPLETED", "limit": 100,
                        "apiKey": TOKEN}]  # fmt: skip
    assert not [t for t, _, _ in hex_.calls if t == "hex_get_run_status"]


async def test_a_failed_list_hands_its_error_to_every_wait_of_the_project() -> None:
    refused = ToolError(kind="permission", message="Hex API answered 403 Forbidden")
    hex_ = ScriptedHex(lambda tool, p: ToolResult(tool_id=tool, success=False, error=refused))
    looks = await first_looks(watcher(hex_), ["r0", "r1", "r2"])
    assert [(look.record, look.error) for look in looks] == [(None, refused)] * 3
    assert len(hex_.calls) == 1


async def test_a_failure_without_an_error_still_ends_the_waits_with_one() -> None:
    hex_ = ScriptedHex(lambda tool, p: ToolResult(tool_id=tool, success=False))
    looks = await first_looks(watcher(hex_), ["r1"])
    assert looks[0].error == ToolError(kind="invalid_response", message="no answer")


async def test_a_bug_in_the_watcher_ends_every_wait_with_an_error_not_a_hang() -> None:
    def broken(tool: str, params: Mapping[str, Any]) -> ToolResult:
        raise RuntimeError("boom")

    looks = await first_looks(watcher(ScriptedHex(broken)), ["r0", "r1", "r2"])
    for look in looks:
        assert look is not None and look.record is None
        assert look.error == ToolError(
            kind="invalid_response", message="the run watcher failed: boom"
        )


def test_the_share_must_be_a_part_of_the_budget() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    for share in (0, -0.5, 1.01):
        with pytest.raises(ValueError) as refused:
            watcher(hex_, share=share)
        assert str(refused.value) == (
            f"the watcher's share of the budget must be in (0, 1], got {share}"
        )
    watcher(hex_, share=1)


def test_a_budget_cycle_is_every_watched_project_once_at_the_share() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    assert watcher(hex_).cycle() == 0.0  # unpaced
    w = watcher(hex_, budget=RateLimit(per_minute=30, per_hour=1800), share=0.5)
    assert w.cycle() == 0.0  # nothing watched
    w._projects = {"a": {}, "b": {}, "c": {}}  # three projects watched
    assert w.cycle() == pytest.approx(3 / (900 / 3600))  # 900 an hour: the longest window
    shown = repr(w)
    assert TOKEN not in shown and f"base_url={BASE!r}" in shown and "projects=3" in shown


async def test_the_memory_store_keeps_the_newest_projects_and_hashes_tokens_per_process() -> None:
    store, other = MemoryRunStatusStore(max_projects=2), MemoryRunStatusStore()
    assert store.token_hash(None) == store.token_hash("") == "no-token"
    assert store.token_hash(TOKEN) == store.token_hash(TOKEN) != other.token_hash(TOKEN)
    assert TOKEN not in store.token_hash(TOKEN) and len(store.token_hash(TOKEN)) == 32
    keys = [StoreKey(BASE, "h", p) for p in ("a", "b", "c")]
    for n, key in enumerate(keys):
        await store.put(key, RunListSnapshot(float(n), {}))
        if n == 1:
            await store.put(keys[0], RunListSnapshot(9.0, {}))  # "a" is the newest now
    assert await store.get(keys[1]) is None  # the oldest went
    assert await store.get(keys[0]) == RunListSnapshot(9.0, {})
    assert await store.get(keys[2]) == RunListSnapshot(2.0, {})
    assert repr(store) == "MemoryRunStatusStore(projects=2)"


def test_a_runs_time_running_comes_from_its_last_record() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    watch = Watch(watcher(hex_), PROJECT, "r1", first=1, cap=None, deadline=0)
    assert watch.run_time(100.0) is None  # no record yet
    watch.record, watch.seen_at = run("r1", "PENDING"), 50.0
    assert watch.run_time(100.0) == 0.0
    watch.record = run("r1", "RUNNING", 30)
    assert watch.run_time(100.0) == 80.0  # 30 s when seen, 50 s ago
    watch.record = run("r1", "RUNNING", None)
    assert watch.run_time(100.0) is None
    watch.record = run("r1", "COMPLETED", 30)
    assert watch.run_time(100.0) is None
