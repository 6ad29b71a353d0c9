"""Waiting for runs against the emulator: every final status, timeouts, cancels, progress."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, FaultRule, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.progress import ProgressEvent
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import RateLimit
from aacflow_hex.surfaces.cli import main as cli_main

RUN_SECONDS = 0.3
FAST = {"pollInterval": 0.05, "maxPollInterval": 0.1, "timeout": 10}
STATUS_PATH = "/projects/*/runs/*"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(run_duration=RUN_SECONDS, rate_limits=None, projects=40, users=10)
    async with run_emulator(config) as running:
        yield running


@pytest.fixture
async def ex(emu: Emulator) -> AsyncIterator[HexExecutor]:
    async with HexExecutor(
        base_url=emu.base_url, api_key=emu.token, rate_limits=None, retry=NO_RETRY
    ) as executor:
        yield executor


def status_checks(emu: Emulator) -> int:
    return emu.requests.count(method="GET", operation="GetRunStatus")


@pytest.mark.parametrize(
    ("project", "status", "succeeded"),
    [
        ("completing_project_id", "COMPLETED", True),
        ("erroring_project_id", "ERRORED", False),
        ("kernel_failure_project_id", "UNABLE_TO_ALLOCATE_KERNEL", False),
    ],
)
async def test_run_and_wait_ends_on_each_final_status(
    project: str, status: str, succeeded: bool, emu: Emulator, ex: HexExecutor
) -> None:
    project_id = getattr(emu.fixtures, project)
    result = await ex.execute("hex_run_project_and_wait", {"projectId": project_id, **FAST})

    assert result.success, result.error  # a failed run is a finished wait, not a failed call
    out = result.output
    assert (out["status"], out["succeeded"]) == (status, succeeded)
    assert (out["timedOut"], out["cancelled"]) == (False, False)
    assert out["projectId"] == project_id and out["runStatusUrl"].endswith(out["runId"])
    assert out["statusChecks"] == status_checks(emu) >= 2
    assert status in out["message"]
    if status != "UNABLE_TO_ALLOCATE_KERNEL":
        # Seconds, not Hex's milliseconds, converted once: the run was RUNNING for most
        # of RUN_SECONDS (its first part is PENDING), so a value scaled twice is far below.
        assert RUN_SECONDS / 2 <= out["elapsedTime"] <= RUN_SECONDS + 1


async def test_a_run_cancelled_elsewhere_ends_the_wait_killed(
    emu: Emulator, ex: HexExecutor
) -> None:
    emu.set_run_duration(60)
    started = await ex.execute("hex_run_project", {"projectId": emu.fixtures.completing_project_id})
    ids = {"projectId": started.output["projectId"], "runId": started.output["runId"]}
    waiting = asyncio.create_task(ex.execute("hex_wait_for_run", {**ids, **FAST}))
    await asyncio.sleep(0.2)
    assert (await ex.execute("hex_cancel_run", ids)).success

    result = await asyncio.wait_for(waiting, 5)
    assert result.success
    assert (result.output["status"], result.output["succeeded"]) == ("KILLED", False)
    assert result.output["cancelled"] is False  # the wait did not cancel it


async def test_a_timeout_with_cancel_leaves_the_run_killed_in_hex(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.running_run_project_id, "runId": fx.running_run_id}
    result = await ex.execute(
        "hex_wait_for_run", {**ids, **FAST, "timeout": 0.3, "cancelOnTimeout": True}
    )

    assert result.success, result.error
    out = result.output
    assert (out["timedOut"], out["cancelled"], out["status"]) == (True, True, "KILLED")
    assert emu.requests.count(method="DELETE", operation="CancelRun") == 1
    after = await ex.execute("hex_get_run_status", ids)
    assert after.output["status"] == "KILLED"


async def test_a_timeout_without_cancel_returns_what_is_known_and_leaves_the_run(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.running_run_project_id, "runId": fx.running_run_id}
    result = await ex.execute("hex_wait_for_run", {**ids, **FAST, "timeout": 0.2})

    assert result.success
    out = result.output
    assert (out["timedOut"], out["cancelled"], out["succeeded"]) == (True, False, False)
    assert out["status"] == "RUNNING" and out["runId"] == fx.running_run_id
    assert "still RUNNING" in out["message"]
    assert emu.requests.count(operation="CancelRun") == 0


async def test_timeout_zero_looks_once(emu: Emulator, ex: HexExecutor) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.running_run_project_id, "runId": fx.running_run_id}
    result = await ex.execute("hex_wait_for_run", {**ids, "timeout": 0})
    assert result.output["statusChecks"] == status_checks(emu) == 1
    assert result.output["timedOut"] is True


async def test_cancelling_cancel_on_a_finished_run_reports_the_real_outcome(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.completing_project_id, "runId": fx.finished_run_id}
    result = await ex.execute("hex_wait_for_run", {**ids, "timeout": 0, "cancelOnTimeout": True})
    # Already finished at the first look: nothing to cancel.
    assert result.output["status"] == "COMPLETED" and result.output["timedOut"] is False
    assert emu.requests.count(operation="CancelRun") == 0


async def test_cancelling_the_waiting_task_stops_polling_at_once(
    emu: Emulator, ex: HexExecutor
) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.running_run_project_id, "runId": fx.running_run_id}
    waiting = asyncio.create_task(
        ex.execute("hex_wait_for_run", {**ids, "pollInterval": 0.05, "maxPollInterval": 0.05})
    )
    while status_checks(emu) < 3:
        await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, 1)
    seen = status_checks(emu)
    await asyncio.sleep(0.3)  # six poll intervals
    assert status_checks(emu) == seen
    assert emu.requests.count(operation="CancelRun") == 0  # the run itself is left alone


async def test_checks_back_off_while_the_run_is_long(emu: Emulator, ex: HexExecutor) -> None:
    fx = emu.fixtures
    ids = {"projectId": fx.running_run_project_id, "runId": fx.running_run_id}
    # Unchanged, 1 s at 0.05 s would be 21 checks; backing off to 0.2 s makes it about 9.
    result = await ex.execute(
        "hex_wait_for_run", {**ids, "pollInterval": 0.05, "maxPollInterval": 0.2, "timeout": 1}
    )
    assert 3 <= result.output["statusChecks"] == status_checks(emu) <= 11


async def test_a_failed_trigger_is_the_calls_error_and_nothing_is_polled(
    emu: Emulator, ex: HexExecutor
) -> None:
    project_id = emu.fixtures.never_published_project_id
    direct = await ex.execute("hex_run_project", {"projectId": project_id})
    result = await ex.execute("hex_run_project_and_wait", {"projectId": project_id, **FAST})
    assert not result.success and result.error is not None and direct.error is not None
    assert (result.error.kind, result.error.status_code) == (
        direct.error.kind,
        direct.error.status_code,
    )
    assert result.error.message == direct.error.message
    assert status_checks(emu) == 0


async def test_waiting_for_an_unknown_run_fails_with_not_found_and_no_secret(
    emu: Emulator, ex: HexExecutor
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = await ex.execute(
        "hex_wait_for_run",
        {"projectId": emu.fixtures.completing_project_id, "runId": unknown, **FAST},
    )
    assert not result.success and result.error is not None
    assert result.error.kind == "not_found"
    assert unknown in result.error.message
    assert emu.token not in result.error.message
    assert status_checks(emu) == 1


async def test_a_few_failed_checks_are_tolerated_and_a_lasting_failure_ends_the_wait(
    emu: Emulator, ex: HexExecutor
) -> None:
    project_id = emu.fixtures.completing_project_id
    emu.add_fault(FaultRule(kind="status", status=503, path=STATUS_PATH, method="GET", times=2))
    result = await ex.execute("hex_run_project_and_wait", {"projectId": project_id, **FAST})
    assert result.success and result.output["status"] == "COMPLETED"

    emu.faults.clear()
    emu.add_fault(FaultRule(kind="status", status=503, path=STATUS_PATH, method="GET"))
    failed = await ex.execute("hex_run_project_and_wait", {"projectId": project_id, **FAST})
    assert not failed.success and failed.error is not None
    assert failed.error.kind == "server"
    assert "5 failed checks in a row" in failed.error.message
    assert "was started" in failed.error.message  # the user learns a run is out there


async def test_bad_wait_params_are_refused_before_any_request(
    emu: Emulator, ex: HexExecutor
) -> None:
    result = await ex.execute(
        "hex_run_project_and_wait",
        {"projectId": emu.fixtures.completing_project_id, "pollInterval": 0, "timeout": -1},
    )
    assert not result.success and result.error is not None
    assert result.error.kind == "validation"
    assert "pollInterval" in result.error.message and "timeout" in result.error.message
    assert len(emu.requests) == 0


async def test_progress_reports_each_status_change_with_the_elapsed_time(
    emu: Emulator, ex: HexExecutor
) -> None:
    events: list[ProgressEvent] = []

    async def collect(event: ProgressEvent) -> None:
        events.append(event)

    result = await ex.execute(
        "hex_run_project_and_wait",
        {"projectId": emu.fixtures.completing_project_id, **FAST},
        progress=collect,
    )
    changes = [e.status for e in events if not e.heartbeat]
    assert changes == ["STARTED", "PENDING", "RUNNING", "COMPLETED"]
    assert {e.tool_id for e in events} == {"hex_run_project_and_wait"}
    assert {e.run_id for e in events} == {result.output["runId"]}
    elapsed = [e.elapsed for e in events]
    assert elapsed == sorted(elapsed) and elapsed[-1] >= RUN_SECONDS * 0.9


async def test_an_executor_wide_progress_callback_hears_waits(emu: Emulator) -> None:
    heard: list[str] = []
    async with HexExecutor(
        base_url=emu.base_url,
        api_key=emu.token,
        rate_limits=None,
        progress=lambda e: heard.append(e.status),
    ) as executor:
        await executor.execute(
            "hex_run_project_and_wait", {"projectId": emu.fixtures.erroring_project_id, **FAST}
        )
        await executor.execute("hex_list_projects", {"limit": 2})  # one request: nothing to report
    assert heard[0] == "STARTED" and heard[-1] == "ERRORED"


async def test_the_cli_prints_the_result_on_stdout_and_progress_on_stderr(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEX_API_BASE_URL", emu.base_url)
    monkeypatch.setenv("HEX_API_KEY", emu.token)
    argv = [
        "run",
        "hex_run_project_and_wait",
        "-p",
        f"projectId={emu.fixtures.completing_project_id}",
    ]
    argv += ["-p", "pollInterval=0.05", "-p", "maxPollInterval=0.1"]
    code = await asyncio.to_thread(cli_main, argv)

    out, err = capsys.readouterr()
    assert code == 0
    result: dict[str, Any] = json.loads(out)  # stdout is the JSON result alone
    assert result["status"] == "COMPLETED"
    lines = err.splitlines()  # not a terminal: one plain line per step
    assert lines[0].startswith("hex_run_project_and_wait  STARTED")
    assert lines[-1].startswith("hex_run_project_and_wait  COMPLETED")
    assert "\r" not in err and emu.token not in err


async def test_a_check_waiting_its_turn_under_the_rate_limit_is_not_a_timeout(
    emu: Emulator,
) -> None:
    # One status request in 3 s, while one request may take 0.3 s: the second check
    # waits ~3 s for its turn, which must not count against that 0.3 s (five checks
    # timing out in a row would end the wait).
    one_in_3_s = {"hex-api": RateLimit(per_minute=1, time_scale=1 / 20)}
    emu.set_run_duration(1.2)
    async with HexExecutor(
        base_url=emu.base_url,
        api_key=emu.token,
        timeout=0.3,
        rate_limits=one_in_3_s,
        rate_limiter=RateLimiter(),
    ) as slow:
        result = await slow.execute(
            "hex_run_project_and_wait",
            {"projectId": emu.fixtures.completing_project_id, **FAST, "timeout": 10},
        )
    assert result.success, result.error
    assert result.output["status"] == "COMPLETED"
    assert result.output["statusChecks"] == status_checks(emu) == 2
