"""Workers waiting on one project share its run statuses through a real Redis."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis_server import RedisServer, free_port, redis_server
from test_shared_pacing import redis_dump

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.emulator.state.models import Run
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.engine.retry import NO_RETRY

__all__ = ["redis_server"]  # the fixture, used by name

FAST = {"pollInterval": 0.5, "maxPollInterval": 1.0, "timeout": 10}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(rate_limits=None, projects=40, users=10)
    async with run_emulator(config) as running:
        yield running


def finished_runs(emu: Emulator, count: int) -> list[Run]:
    """Runs of one project that ended a moment ago."""
    project = emu.fixtures.completing_project_id
    runs = []
    for _ in range(count):
        run = Run(
            id=str(uuid.uuid4()),
            project_id=project,
            project_version="1",
            trigger="API",
            created_at=emu.now() - 1,
            duration=0.05,
            outcome="COMPLETED",
            pending_seconds=0.01,
            killed_at=None,
            via_api=True,
        )
        emu.workspace.add_run(run)
        runs.append(run)
    return runs


def worker(emu: Emulator, redis_url: str | None, **settings: Any) -> HexExecutor:
    """An executor as one worker process has it: its own watcher and store."""
    return HexExecutor(
        emu.base_url, emu.token, rate_limits=None, retry=NO_RETRY, redis_url=redis_url, **settings
    )


async def wait_all(ex: HexExecutor, runs: list[Run]) -> list[ToolResult]:
    return list(
        await asyncio.gather(
            *(
                ex.execute("hex_wait_for_run", {"projectId": r.project_id, "runId": r.id, **FAST})
                for r in runs
            )
        )
    )


def status_requests(emu: Emulator) -> int:
    return emu.requests.count(operation="GetProjectRuns") + emu.requests.count(
        operation="GetRunStatus"
    )


async def test_a_status_read_by_one_worker_is_used_by_the_others(
    emu: Emulator, redis_server: RedisServer
) -> None:
    runs = finished_runs(emu, 3)  # more than two: the watcher reads the project's list
    async with worker(emu, redis_server.url) as first:
        seen_first = await wait_all(first, runs)
    first_requests = status_requests(emu)
    async with worker(emu, redis_server.url) as second, worker(emu, redis_server.url) as third:
        seen_later = await wait_all(second, runs) + await wait_all(third, runs)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in seen_first + seen_later)
    assert first_requests >= 1
    assert status_requests(emu) == first_requests  # the others asked Hex nothing
    token = emu.token
    assert all(token not in text for _, text in await redis_dump(redis_server.url))


async def test_each_worker_polls_for_itself_without_redis(emu: Emulator) -> None:
    runs = finished_runs(emu, 3)
    for _ in range(2):
        async with worker(emu, None) as alone:
            assert all(r.success for r in await wait_all(alone, runs))
    assert emu.requests.count(operation="GetProjectRuns") >= 2


async def test_two_tokens_never_share_statuses(emu: Emulator, redis_server: RedisServer) -> None:
    runs = finished_runs(emu, 3)
    async with worker(emu, redis_server.url) as admin:
        await wait_all(admin, runs)
    before = emu.requests.count(operation="GetProjectRuns")
    async with HexExecutor(
        emu.base_url, emu.tokens["EDITOR"], rate_limits=None, redis_url=redis_server.url
    ) as editor:
        assert all(r.success for r in await wait_all(editor, runs))
    assert [e.role for e in emu.requests.filter(operation="GetProjectRuns")][before:] == ["EDITOR"]


async def test_redis_down_the_waits_poll_for_themselves(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    runs = finished_runs(emu, 3)
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="aacflow_hex"):
        async with worker(emu, nobody) as ex:
            results = await wait_all(ex, runs)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    assert emu.requests.count(operation="GetProjectRuns") >= 1
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


async def test_an_older_snapshot_never_replaces_a_newer_one(redis_server: RedisServer) -> None:
    from aacflow_hex.engine.redis_link import RedisLink
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore
    from aacflow_hex.engine.watcher import RunListSnapshot, StoreKey

    one, other = (
        RedisRunStatusStore(RedisLink(redis_server.url)),
        RedisRunStatusStore(RedisLink(redis_server.url)),
    )
    key = StoreKey("https://hex.example/api/v1", one.token_hash("tok"), "p1")
    assert one.token_hash("tok") == other.token_hash("tok") != one.token_hash("tok2")
    now = time.time()
    await one.put(key, RunListSnapshot(now, {"r1": {"status": "COMPLETED"}}))
    await other.put(key, RunListSnapshot(now - 5, {"r1": {"status": "RUNNING"}}))
    held = await other.get(key)
    assert held is not None
    assert held.fetched_at == now
    assert held.runs == {"r1": {"status": "COMPLETED"}}
    await one.link.aclose()
    await other.link.aclose()
