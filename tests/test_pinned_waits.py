"""What a wait's params and progress promise, seen from outside: through execute(),
against the emulator or a scripted server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT_ID, RUN, RUN_ID

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.engine.progress import ProgressEvent
from aacflow_hex.engine.retry import NO_RETRY


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(run_duration=60, rate_limits=None, projects=12, users=8)
    async with run_emulator(config) as running:
        yield running


async def test_max_poll_interval_caps_the_pause_between_status_checks(emu: Emulator) -> None:
    """Two waits on runs that outlast them: the capped one looks far more often."""
    checks = []
    async with HexExecutor(emu.base_url, emu.token, retry=NO_RETRY, rate_limits=None) as ex:
        for cap in ({"maxPollInterval": 0.05}, {}):
            run = await ex.execute(
                "hex_run_project", {"projectId": emu.fixtures.completing_project_id}
            )
            ids = {"projectId": run.output["projectId"], "runId": run.output["runId"]}
            params = {**ids, "pollInterval": 0.05, "timeout": 1.5, **cap}
            result = await ex.execute("hex_wait_for_run", params)
            assert result.success and result.output["timedOut"], result
            checks.append(result.output["statusChecks"])
    capped, backing_off = checks
    # Backing off by 1.5x from 0.05 s leaves about 7 checks in 1.5 s; a 0.05 s cap about 25.
    assert capped >= 2 * backing_off, checks


async def test_a_failed_status_check_is_reported_as_progress_and_the_wait_goes_on(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    busy = Reply(503, {"code": "SERVICE_UNAVAILABLE", "message": "busy"})
    hex_api.reply("GET", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", busy, Reply(200, RUN))
    heard: list[ProgressEvent] = []

    async def listen(event: ProgressEvent) -> None:
        heard.append(event)

    params: dict[str, Any] = {
        "projectId": PROJECT_ID,
        "runId": RUN_ID,
        "pollInterval": 0.05,
        "timeout": 10,
    }
    result = await executor.execute("hex_wait_for_run", params, progress=listen)

    assert result.success, result.error
    assert result.output["status"] == "COMPLETED" and result.output["statusChecks"] == 2
    failed = [e for e in heard if "status check failed" in e.message]
    assert len(failed) == 1
    assert "server" in failed[0].message and failed[0].run_id == RUN_ID
    assert not failed[0].heartbeat
