"""Waits end near their own timeout even when Hex hangs, and a wait cut off by the
caller's timeout says which run may have started."""

from __future__ import annotations

import time

from hexfake import FakeHex, Reply
from samples import PROJECT_ID, RUN, RUN_ID, RUN_TRIGGERED

from aacflow_hex import HexExecutor

STATUS_PATH = f"/projects/{PROJECT_ID}/runs/{RUN_ID}"
TRIGGER_PATH = f"/projects/{PROJECT_ID}/runs"
RUNNING = {**RUN, "status": "RUNNING", "endTime": None}
HANG = 30.0  # longer than the executor's own 30 s default would allow to notice


async def test_a_wait_ends_at_its_timeout_when_a_status_check_hangs(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING), Reply(200, RUNNING, delay=HANG))
    params = {"projectId": PROJECT_ID, "runId": RUN_ID, "timeout": 1, "pollInterval": 0.05}
    started = time.monotonic()
    result = await executor.execute("hex_wait_for_run", params)
    assert time.monotonic() - started < 3.0
    assert result.success, result.error
    assert result.output["timedOut"] is True and result.output["status"] == "RUNNING"


async def test_a_wait_whose_every_status_check_hangs_fails_at_its_timeout(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING, delay=HANG))
    params = {"projectId": PROJECT_ID, "runId": RUN_ID, "timeout": 1}
    started = time.monotonic()
    result = await executor.execute("hex_wait_for_run", params)
    assert time.monotonic() - started < 3.0
    assert result.error is not None and result.error.kind == "timeout"


async def test_run_and_wait_ends_at_its_timeout_when_the_trigger_hangs(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED, delay=HANG))
    started = time.monotonic()
    result = await executor.execute(
        "hex_run_project_and_wait", {"projectId": PROJECT_ID, "timeout": 1}
    )
    assert time.monotonic() - started < 3.0
    assert result.error is not None and result.error.kind == "timeout"
    assert "may have reached Hex" in result.error.message
    assert len(hex_api.received) == 1  # never sent twice


async def test_an_outer_timeout_after_the_trigger_names_the_run_that_may_be_running(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED))
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING))
    params = {"projectId": PROJECT_ID, "timeout": 600, "pollInterval": 0.05}
    result = await executor.execute("hex_run_project_and_wait", params, timeout=0.5)
    assert result.error is not None and result.error.kind == "timeout"
    assert f"Its run {RUN_ID}" in result.error.message
    assert RUN_TRIGGERED["runUrl"] in result.error.message
    assert "may still be running" in result.error.message


async def test_an_outer_timeout_during_the_trigger_says_the_run_may_have_started(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED, delay=HANG))
    result = await executor.execute(
        "hex_run_project_and_wait", {"projectId": PROJECT_ID}, timeout=0.5
    )
    assert result.error is not None and result.error.kind == "timeout"
    assert "hex_run_project was sent, so the run may have started" in result.error.message


async def test_a_wait_that_is_only_reading_says_nothing_may_have_started(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING))
    params = {"projectId": PROJECT_ID, "runId": RUN_ID, "pollInterval": 0.05}
    result = await executor.execute("hex_wait_for_run", params, timeout=0.5)
    assert result.error is not None and result.error.kind == "timeout"
    assert "may have started" not in result.error.message
    assert "may still be running" not in result.error.message
