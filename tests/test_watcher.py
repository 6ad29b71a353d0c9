"""The run watcher against the emulator: many waits on one token, proven from lists.

Runs are put into the emulator's workspace directly (a trigger per run would spend the
token's run budget), with the durations and outcomes each test needs.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, FaultRule, run_emulator
from aacflow_hex.emulator.config import HEX_RATE_LIMITS as EMULATED_HEX_LIMITS
from aacflow_hex.emulator.routes import runs as run_routes
from aacflow_hex.emulator.state.models import Run
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.engine.run_store import MemoryRunStatusStore, RunListSnapshot, StoreKey
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, RateLimit, scale_rate_limits

FAST = {"pollInterval": 0.05, "maxPollInterval": 0.1, "timeout": 10}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(rate_limits=None, projects=40, users=10)
    async with run_emulator(config) as running:
        yield running


@pytest.fixture
async def ex(emu: Emulator) -> AsyncIterator[HexExecutor]:
    async with HexExecutor(
        base_url=emu.base_url, api_key=emu.token, rate_limits=None, retry=NO_RETRY
    ) as executor:
        yield executor


def add_run(
    emu: Emulator,
    project_id: str,
    *,
    seconds: float,
    outcome: str = "COMPLETED",
    killed_after: float | None = None,
    ago: float = 0.0,
) -> Run:
    created = emu.now() - ago
    run = Run(
        id=str(uuid.uuid4()),
        project_id=project_id,
        project_version="1",
        trigger="API",
        created_at=created,
        duration=seconds,
        outcome=outcome,  # type: ignore[arg-type]
        pending_seconds=min(0.05, seconds / 4),
        killed_at=None if killed_after is None else created + killed_after,
        via_api=True,
    )
    emu.workspace.add_run(run)
    return run


def ended_at(run: Run) -> float:
    return run.killed_at if run.killed_at is not None else run.created_at + run.duration


def wait_params(run: Run, **extra: Any) -> dict[str, Any]:
    return {"projectId": run.project_id, "runId": run.id, **FAST, **extra}


async def wait_all(
    ex: HexExecutor, runs: list[Run], **extra: Any
) -> list[tuple[ToolResult, float]]:
    async def one(run: Run) -> tuple[ToolResult, float]:
        result = await ex.execute("hex_wait_for_run", wait_params(run, **extra))
        return result, time.time()

    return list(await asyncio.gather(*(one(r) for r in runs)))


def lists(emu: Emulator) -> int:
    return emu.requests.count(operation="GetProjectRuns")


def reads(emu: Emulator) -> int:
    return emu.requests.count(operation="GetRunStatus")


async def test_many_runs_of_a_project_end_in_every_final_status_seen_from_lists(
    emu: Emulator, ex: HexExecutor
) -> None:
    project = emu.fixtures.completing_project_id
    outcomes = ["COMPLETED", "ERRORED", "UNABLE_TO_ALLOCATE_KERNEL", "KILLED"] * 5
    runs = [
        add_run(
            emu,
            project,
            seconds=0.3 + 0.02 * i,
            outcome="COMPLETED" if o == "KILLED" else o,
            killed_after=0.2 if o == "KILLED" else None,
        )
        for i, o in enumerate(outcomes)
    ]
    done = await wait_all(ex, runs)

    for run, expected, (result, returned_at) in zip(runs, outcomes, done, strict=True):
        assert result.success, result.error
        out = result.output
        assert (out["runId"], out["status"]) == (run.id, expected)
        assert out["succeeded"] is (expected == "COMPLETED") and out["timedOut"] is False
        assert returned_at >= ended_at(run)  # never reported finished before it is
        # The run's own record, as hex_get_run_status reads it.
        own = await ex.execute("hex_get_run_status", {"projectId": project, "runId": run.id})
        for field in ("status", "startTime", "endTime", "elapsedTime", "projectVersion"):
            assert out[field] == own.output[field], field
    # Lists answered for the many runs: far fewer requests than one read per run per look.
    looks = sum(int(r.output["statusChecks"]) for r, _ in done)
    assert lists(emu) > 0
    assert reads(emu) - len(runs) <= 2  # the reads above, and next to none by the watcher
    assert lists(emu) * 4 < looks


async def test_runs_older_than_the_newest_hundred_are_proven_from_the_active_lists(
    emu: Emulator, ex: HexExecutor
) -> None:
    project = emu.fixtures.completing_project_id
    old = [add_run(emu, project, seconds=1.0 + 0.1 * i, ago=0.2) for i in range(3)]
    for _ in range(150):  # newer, finished runs push the watched ones off the first page
        add_run(emu, project, seconds=0.01, ago=0.1)
    done = await wait_all(ex, old)

    for run, (result, returned_at) in zip(old, done, strict=True):
        assert result.success, result.error
        assert (result.output["runId"], result.output["status"]) == (run.id, "COMPLETED")
        assert returned_at >= ended_at(run)
    listed = emu.requests.filter(operation="GetProjectRuns")
    filters = [e.query_value("statusFilter") for e in listed]
    assert "RUNNING" in filters and "PENDING" in filters
    # While all three ran, the lists proved it: no run was read by itself before one ended.
    first_read = min(e.at for e in emu.requests.filter(operation="GetRunStatus"))
    assert first_read >= ended_at(old[0])


async def test_runs_missing_from_every_list_are_read_by_themselves(
    emu: Emulator, ex: HexExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = emu.fixtures.completing_project_id
    long = [add_run(emu, project, seconds=60) for _ in range(3)]
    hidden = [add_run(emu, project, seconds=0.4) for _ in range(3)]
    hidden_ids = {r.id for r in hidden}
    listed = run_routes.list_runs_response

    def without_hidden(request: Any, state: Any, items: list[Run], *args: Any, **kw: Any) -> Any:
        return listed(request, state, [r for r in items if r.id not in hidden_ids], *args, **kw)

    monkeypatch.setattr(run_routes, "list_runs_response", without_hidden)
    long_waits = [asyncio.create_task(ex.execute("hex_wait_for_run", wait_params(r))) for r in long]
    try:
        done = await asyncio.wait_for(wait_all(ex, hidden), 10)
    finally:
        for task in long_waits:
            task.cancel()
        await asyncio.gather(*long_waits, return_exceptions=True)
    for run, (result, returned_at) in zip(hidden, done, strict=True):
        assert result.success and result.output["status"] == "COMPLETED", result.error
        # Absent from every list: only its own record may say it ended.
        assert returned_at >= ended_at(run)


async def test_an_unknown_run_fails_its_own_wait_and_the_others_go_on(
    emu: Emulator, ex: HexExecutor
) -> None:
    project = emu.fixtures.completing_project_id
    runs = [add_run(emu, project, seconds=0.4) for _ in range(4)]
    unknown = "00000000-0000-4000-8000-000000000000"
    results = await asyncio.gather(
        ex.execute("hex_wait_for_run", {"projectId": project, "runId": unknown, **FAST}),
        *(ex.execute("hex_wait_for_run", wait_params(r)) for r in runs),
    )
    failed, others = results[0], results[1:]
    assert not failed.success and failed.error is not None
    assert failed.error.kind == "not_found" and unknown in failed.error.message
    assert all(r.success and r.output["status"] == "COMPLETED" for r in others)


async def test_a_token_refused_mid_wait_fails_every_wait_on_it_without_the_token(
    emu: Emulator, ex: HexExecutor
) -> None:
    project = emu.fixtures.completing_project_id
    runs = [add_run(emu, project, seconds=30) for _ in range(4)]
    waits = [asyncio.create_task(ex.execute("hex_wait_for_run", wait_params(r))) for r in runs]
    while lists(emu) < 2:
        await asyncio.sleep(0.01)
    admin = emu.fixtures.token_user_ids["ADMIN"]
    emu.workspace.users[admin].active = False  # the workspace revokes the token's user

    results = await asyncio.wait_for(asyncio.gather(*waits), 5)
    for result in results:
        assert not result.success and result.error is not None
        assert result.error.kind == "auth"
        assert emu.token not in result.error.message


async def test_a_cancelled_wait_stops_its_looks_while_the_others_go_on(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    long = add_run(emu, fx.erroring_project_id, seconds=60)
    short = [add_run(emu, fx.completing_project_id, seconds=0.6) for _ in range(3)]
    cancelled = asyncio.create_task(ex.execute("hex_wait_for_run", wait_params(long)))
    others = asyncio.gather(*(ex.execute("hex_wait_for_run", wait_params(r)) for r in short))
    while reads(emu) < 2:
        await asyncio.sleep(0.01)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    seen = emu.requests.count(path=f"/projects/{long.project_id}/*")

    results = await asyncio.wait_for(others, 5)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    assert emu.requests.count(path=f"/projects/{long.project_id}/*") == seen


async def test_a_calls_own_key_wins_and_tokens_never_share_a_watcher(
    emu: Emulator, ex: HexExecutor
) -> None:
    project = emu.fixtures.completing_project_id
    mine = [add_run(emu, project, seconds=0.4) for _ in range(3)]
    theirs = [add_run(emu, project, seconds=0.4) for _ in range(3)]
    other_key = emu.tokens["EDITOR"]
    results = await asyncio.gather(
        *(ex.execute("hex_wait_for_run", wait_params(r)) for r in mine),
        *(ex.execute("hex_wait_for_run", wait_params(r, apiKey=other_key)) for r in theirs),
    )
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    roles = {e.role for e in emu.requests.filter(operation="GetProjectRuns")}
    assert roles == {"ADMIN", "EDITOR"}  # each token's waits polled with that token
    # Separate watchers: each token's lists were read for its own waits alone.
    assert ex.run_watcher(emu.token) is not ex.run_watcher(other_key)
    assert ex.run_watcher(emu.token).requests and ex.run_watcher(other_key).requests


async def test_a_fresh_snapshot_in_the_store_saves_the_request(emu: Emulator) -> None:
    project = emu.fixtures.completing_project_id
    runs = [add_run(emu, project, seconds=0.05, ago=1) for _ in range(3)]
    store = MemoryRunStatusStore()
    async with HexExecutor(
        base_url=emu.base_url, api_key=emu.token, rate_limits=None, run_status_store=store
    ) as executor:
        finished = await executor.execute(
            "hex_get_project_runs", {"projectId": project, "limit": 10}
        )
        records = {r["runId"]: r for r in finished.output["runs"]}
        # Another process of the fleet read this project's runs a moment ago.
        key = StoreKey(emu.base_url, store.token_hash(emu.token), project)
        await store.put(key, RunListSnapshot(time.time(), records))
        emu.requests.clear()
        results = await wait_all(executor, runs)
    assert all(r.success and r.output["status"] == "COMPLETED" for r, _ in results)
    assert len(emu.requests) == 0


def test_a_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="watch_share"):
        HexExecutor("https://hex.example/api/v1", "k", watch_share=0)


async def test_under_hex_limits_many_waits_get_no_429(emu: Emulator) -> None:
    scale = 1 / 60
    emu.set_rate_limits(dict(EMULATED_HEX_LIMITS), scale)
    projects = emu.workspace.published_project_ids()[:4]
    runs = [add_run(emu, projects[i % 4], seconds=1.0 + 0.05 * (i % 7)) for i in range(80)]
    async with HexExecutor(
        base_url=emu.base_url,
        api_key=emu.token,
        rate_limits=scale_rate_limits(HEX_RATE_LIMITS, scale),
        rate_limiter=RateLimiter(),
    ) as executor:
        done = await wait_all(executor, runs, pollInterval=0.05, timeout=30)
    assert all(r.success and r.output["status"] == "COMPLETED" for r, _ in done)
    assert emu.requests.count(status=429) == 0


async def test_a_project_whose_list_hangs_holds_up_only_its_own_waits(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    stuck = [add_run(emu, fx.erroring_project_id, seconds=0.3) for _ in range(3)]
    moving = [add_run(emu, fx.completing_project_id, seconds=0.3) for _ in range(3)]
    emu.add_fault(
        FaultRule(kind="latency", latency=30, path=f"/projects/{fx.erroring_project_id}/runs")
    )
    started = time.monotonic()
    stuck_waits = asyncio.gather(
        *(ex.execute("hex_wait_for_run", wait_params(r, timeout=1)) for r in stuck)
    )
    done = await wait_all(ex, moving)
    assert all(r.success and r.output["status"] == "COMPLETED" for r, _ in done)
    assert time.monotonic() - started < 5
    for result in await asyncio.wait_for(stuck_waits, 10):  # each ends at its own timeout
        assert result.error is not None and result.error.kind == "timeout"


async def test_a_waits_looks_keep_to_the_watchers_share_of_the_tokens_budget(
    emu: Emulator,
) -> None:
    """With 4 requests a minute for the token, the watcher's half share is 2: a wait asking
    for a look every 0.05 s gets 2 in its 1 s, and leaves the rest to other calls."""
    run = add_run(emu, emu.workspace.published_project_ids()[0], seconds=60)
    async with HexExecutor(
        base_url=emu.base_url,
        api_key=emu.token,
        rate_limits={"hex-api": RateLimit(per_minute=4)},
        rate_limiter=RateLimiter(),
        retry=NO_RETRY,
    ) as executor:
        result = await executor.execute("hex_wait_for_run", wait_params(run, timeout=1))
    assert result.success and result.output["timedOut"] is True, result
    assert lists(emu) + reads(emu) == 2
