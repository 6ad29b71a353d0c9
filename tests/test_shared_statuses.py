"""Workers waiting on one project share its run statuses through a real Redis."""

from __future__ import annotations

import asyncio
import itertools
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


def add_runs(emu: Emulator, count: int, *, started_ago: float, duration: float) -> list[Run]:
    """Runs of one project, started ``started_ago`` seconds ago, lasting ``duration``."""
    project = emu.fixtures.completing_project_id
    runs = []
    for _ in range(count):
        run = Run(
            id=str(uuid.uuid4()),
            project_id=project,
            project_version="1",
            trigger="API",
            created_at=emu.now() - started_ago,
            duration=duration,
            outcome="COMPLETED",
            pending_seconds=0.01,
            killed_at=None,
            via_api=True,
        )
        emu.workspace.add_run(run)
        runs.append(run)
    return runs


def finished_runs(emu: Emulator, count: int) -> list[Run]:
    """Runs of one project that ended a moment ago."""
    return add_runs(emu, count, started_ago=1, duration=0.05)


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
    from aacflow_hex.engine.run_store import RunListSnapshot, StoreKey
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore

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


# -- taking turns: one worker polls a project, the others use its answer ---------------


def list_polls(emu: Emulator) -> list[float]:
    """When the project's runs were listed to see how watched runs are doing."""
    return [
        e.at
        for e in emu.requests.filter(operation="GetProjectRuns")
        if e.query_value("statusFilter") is None
    ]


async def test_two_workers_on_one_project_make_one_poll_per_round(
    emu: Emulator, redis_server: RedisServer
) -> None:
    runs = add_runs(emu, 3, started_ago=0, duration=1.5)
    every = {"pollInterval": 0.25, "maxPollInterval": 0.25, "timeout": 20}

    async def wait(ex: HexExecutor) -> list[ToolResult]:
        return list(
            await asyncio.gather(
                *(
                    ex.execute(
                        "hex_wait_for_run", {"projectId": r.project_id, "runId": r.id, **every}
                    )
                    for r in runs
                )
            )
        )

    async with worker(emu, redis_server.url) as one, worker(emu, redis_server.url) as other:
        results = [*(await asyncio.gather(wait(one), wait(other)))]
    assert all(r.success and r.output["status"] == "COMPLETED" for rs in results for r in rs)
    polls = list_polls(emu)
    assert len(polls) >= 3  # the runs took several rounds
    # Both workers look every 0.25 s, at about the same moments; in each round one of
    # them polls and the other uses its answer, so no two polls come close together.
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert min(gaps) > 0.1, f"two polls {min(gaps):.3f} s apart: {polls}"
    token = emu.token
    assert all(token not in text for _, text in await redis_dump(redis_server.url))


async def test_a_claim_whose_holder_is_gone_holds_the_others_one_lease_at_most(
    emu: Emulator, redis_server: RedisServer
) -> None:
    from aacflow_hex.engine.redis_link import RedisLink
    from aacflow_hex.engine.run_store import StoreKey
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore

    runs = finished_runs(emu, 3)
    lease = 1.0
    # A worker took the project's claim and died before it polled: nobody renews it.
    gone = RedisRunStatusStore(RedisLink(redis_server.url), claim_lease=lease)
    key = StoreKey(emu.base_url, gone.token_hash(emu.token), runs[0].project_id)
    assert await gone.claim(key, "a worker that died") is True
    await gone.link.aclose()
    async with worker(emu, redis_server.url) as ex:
        results = await wait_all(ex, runs)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    waited = max(r.output["waitedSeconds"] for r in results)
    assert waited >= lease * 0.8  # it did wait for the holder's answer...
    assert waited < lease + 5  # ...and not much beyond the lease
    assert len(list_polls(emu)) == 1  # then it polled, once


async def test_a_run_seen_ending_is_never_read_again(
    emu: Emulator, redis_server: RedisServer
) -> None:
    alone = finished_runs(emu, 1)  # read by a status read of its own
    listed = finished_runs(emu, 3)  # read from the project's list
    async with worker(emu, redis_server.url) as first:
        assert all(r.success for r in await wait_all(first, alone) + await wait_all(first, listed))
    assert status_requests(emu) >= 2
    emu.requests.clear()
    # Long after: no snapshot is fresh any more, but a final status stays final.
    await asyncio.sleep(FAST["maxPollInterval"] + 0.5)
    async with worker(emu, redis_server.url) as later:
        seen = await wait_all(later, alone) + await wait_all(later, listed)
    assert [r.output["runId"] for r in seen] == [r.id for r in alone + listed]
    assert all(r.success and r.output["status"] == "COMPLETED" for r in seen)
    assert all(r.output["elapsedTime"] is not None for r in seen)  # the run's own record
    assert status_requests(emu) == 0


async def test_redis_lost_while_a_claim_is_held_the_worker_polls_itself(
    emu: Emulator, redis_server: RedisServer
) -> None:
    from aacflow_hex.engine.redis_link import RedisLink
    from aacflow_hex.engine.run_store import StoreKey
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore

    runs = finished_runs(emu, 3)
    holder = RedisRunStatusStore(RedisLink(redis_server.url), claim_lease=60)
    key = StoreKey(emu.base_url, holder.token_hash(emu.token), runs[0].project_id)
    assert await holder.claim(key, "a worker that polls for a minute") is True
    await holder.link.aclose()
    async with worker(emu, redis_server.url) as ex:
        waits = asyncio.ensure_future(wait_all(ex, runs))
        await asyncio.sleep(0.3)
        assert not waits.done()  # waiting for the holder's answer
        redis_server.stop()
        results = await asyncio.wait_for(waits, 10)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    assert len(list_polls(emu)) == 1


async def test_a_holder_keeps_its_claim_while_its_poll_takes_longer_than_the_lease(
    emu: Emulator, redis_server: RedisServer
) -> None:
    from aacflow_hex.emulator import FaultRule
    from aacflow_hex.engine.redis_link import RedisLink
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore

    runs = finished_runs(emu, 3)
    project = runs[0].project_id
    emu.add_fault(FaultRule(kind="latency", latency=1.0, path=f"/projects/{project}/runs", times=1))

    def short_leases() -> HexExecutor:
        store = RedisRunStatusStore(RedisLink(redis_server.url), claim_lease=0.3)
        return worker(emu, redis_server.url, run_status_store=store)

    async with short_leases() as one, short_leases() as other:
        results = await asyncio.gather(wait_all(one, runs), wait_all(other, runs))
    assert all(r.success and r.output["status"] == "COMPLETED" for rs in results for r in rs)
    # The first poll took a second, three leases: its holder renewed the claim meanwhile,
    # so the other worker waited for its answer instead of polling too.
    assert len(list_polls(emu)) == 1


async def test_a_project_history_read_by_one_worker_is_not_read_again_by_another(
    emu: Emulator, redis_server: RedisServer
) -> None:
    from aacflow_hex.engine.redis_link import RedisLink
    from aacflow_hex.engine.run_store import RunListSnapshot, StoreKey
    from aacflow_hex.engine.shared_statuses import RedisRunStatusStore

    # A project with no COMPLETED runs: its history told the worker that read it nothing.
    project = next(
        p
        for p in emu.workspace.published_project_ids()
        if all(r.outcome != "COMPLETED" for r in emu.workspace.project_runs(p))
    )
    runs = [
        Run(
            id=str(uuid.uuid4()),
            project_id=project,
            project_version="1",
            trigger="API",
            created_at=emu.now(),
            duration=1.0,
            outcome="COMPLETED",
            pending_seconds=0.01,
            killed_at=None,
            via_api=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        emu.workspace.add_run(run)
    other = RedisRunStatusStore(RedisLink(redis_server.url))
    key = StoreKey(emu.base_url, other.token_hash(emu.token), project)
    records = {r.id: {"runId": r.id, "projectId": project, "status": "PENDING"} for r in runs}
    await other.put(key, RunListSnapshot(time.time(), records, {}, history_read=True))
    await other.link.aclose()
    async with worker(emu, redis_server.url) as ex:
        results = await wait_all(ex, runs)
    assert all(r.success and r.output["status"] == "COMPLETED" for r in results)
    history = [
        e
        for e in emu.requests.filter(operation="GetProjectRuns")
        if e.query_value("statusFilter") == "COMPLETED"
    ]
    assert history == []
    assert list_polls(emu)  # it did poll the project itself, for the runs' ends
