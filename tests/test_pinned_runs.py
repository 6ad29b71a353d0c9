"""Runs as a caller sees them: whose token every request carries, elapsedTime in
seconds (converted once), and the trigger's trace id kept through a wait.

All through ``execute()``, against the emulator or a scripted server, so the tests
hold whatever way a wait polls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT_ID, RUN, RUN_ID, RUN_TRIGGERED

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.engine.retry import NO_RETRY

FAST = {"pollInterval": 0.05, "maxPollInterval": 0.1, "timeout": 10}
WAIT_TOOLS = ["hex_wait_for_run", "hex_run_project_and_wait"]
STATUS_PATH = f"/projects/{PROJECT_ID}/runs/{RUN_ID}"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(run_duration=0.2, rate_limits=None, projects=12, users=8)
    async with run_emulator(config) as running:
        yield running


def _roles(emu: Emulator) -> list[str | None]:
    return [entry.role for entry in emu.requests]


# -- whose token -------------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["hex_get_project", *WAIT_TOOLS])
async def test_a_callers_own_api_key_is_used_for_every_request_of_the_call(
    tool: str, emu: Emulator
) -> None:
    """One server serving many tenants: a caller's key is never swapped for the server's."""
    project_id = emu.fixtures.completing_project_id
    params: dict[str, Any] = {"projectId": project_id, "apiKey": emu.tokens["EDITOR"]}
    if tool == "hex_wait_for_run":
        async with HexExecutor(emu.base_url, emu.tokens["EDITOR"], retry=NO_RETRY) as editor:
            started = await editor.execute("hex_run_project", {"projectId": project_id})
        params["runId"] = started.output["runId"]
        emu.requests.clear()
    if tool in WAIT_TOOLS:
        params.update(FAST)

    async with HexExecutor(emu.base_url, emu.tokens["ADMIN"], retry=NO_RETRY) as server:
        result = await server.execute(tool, params)

    assert result.success, result.error
    if tool in WAIT_TOOLS:
        assert result.output["status"] == "COMPLETED"
        assert emu.requests.count(operation="GetRunStatus") >= 2
    assert _roles(emu) and set(_roles(emu)) == {"EDITOR"}


async def test_a_wait_that_cancels_at_its_timeout_cancels_with_the_callers_key(
    emu: Emulator,
) -> None:
    emu.set_run_duration(60)
    params = {
        "projectId": emu.fixtures.completing_project_id,
        "apiKey": emu.tokens["EDITOR"],
        **FAST,
        "timeout": 0.3,
        "cancelOnTimeout": True,
    }
    async with HexExecutor(emu.base_url, emu.tokens["ADMIN"], retry=NO_RETRY) as server:
        result = await server.execute("hex_run_project_and_wait", params)

    assert result.success, result.error
    assert result.output["cancelled"] is True
    assert emu.requests.count(method="DELETE") == 1
    assert set(_roles(emu)) == {"EDITOR"}


async def test_without_an_api_key_param_the_executors_key_is_used(emu: Emulator) -> None:
    async with HexExecutor(emu.base_url, emu.tokens["MANAGER"], retry=NO_RETRY) as server:
        params = {"projectId": emu.fixtures.completing_project_id, **FAST}
        result = await server.execute("hex_run_project_and_wait", params)
    assert result.success, result.error
    assert set(_roles(emu)) == {"MANAGER"}


# -- units, once -------------------------------------------------------------------------


def _script_a_finished_run(hex_api: FakeHex) -> None:
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED))
    running = {**RUN, "status": "RUNNING", "endTime": None, "elapsedTime": 1500}
    hex_api.reply("GET", STATUS_PATH, Reply(200, running), Reply(200, RUN))


@pytest.mark.parametrize("tool", ["hex_get_run_status", *WAIT_TOOLS])
async def test_elapsed_time_is_hexs_milliseconds_in_seconds_in_every_tool(
    tool: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    _script_a_finished_run(hex_api)
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUN))  # Hex: 61500 ms
    params: dict[str, Any] = {"projectId": PROJECT_ID}
    if tool != "hex_run_project_and_wait":
        params["runId"] = RUN_ID
    if tool in WAIT_TOOLS:
        params.update(FAST)

    result = await executor.execute(tool, params)

    assert result.success, result.error
    assert result.output["elapsedTime"] == pytest.approx(61.5)


async def test_a_waits_progress_reports_the_run_time_in_seconds(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    _script_a_finished_run(hex_api)
    lines: list[str] = []

    async def heard(event: Any) -> None:
        lines.append(event.message)

    params = {"projectId": PROJECT_ID, "runId": RUN_ID, **FAST}
    result = await executor.execute("hex_wait_for_run", params, progress=heard)

    assert result.success, result.error
    assert any("run time 1.5 s" in line for line in lines), lines
    assert any("run time 61.5 s" in line for line in lines), lines


# -- trace ids ---------------------------------------------------------------------------


async def test_run_and_wait_returns_the_triggers_trace_id_not_a_status_checks(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    _script_a_finished_run(hex_api)  # the trigger says trace-trigger-1, checks trace-run-1
    params = {"projectId": PROJECT_ID, **FAST}

    result = await executor.execute("hex_run_project_and_wait", params)

    assert result.success, result.error
    assert result.output["traceId"] == RUN_TRIGGERED["traceId"]
    assert result.output["status"] == "COMPLETED"  # and the status is the last check's
    assert result.output["runStatusUrl"] == RUN_TRIGGERED["runStatusUrl"]
