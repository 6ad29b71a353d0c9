"""What a wait does with each status check, and what it tells its caller: which failed
checks it rides out, when it gives up and with which words, what its progress says.

Through ``execute()`` against a scripted server (exact replies) or the emulator (faults).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT_ID, RUN, RUN_ID, RUN_TRIGGERED

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, FaultRule, run_emulator
from aacflow_hex.engine.progress import ProgressEvent
from aacflow_hex.engine.retry import NO_RETRY

STATUS_PATH = f"/projects/{PROJECT_ID}/runs/{RUN_ID}"
TRIGGER_PATH = f"/projects/{PROJECT_ID}/runs"
FAST: dict[str, Any] = {"pollInterval": 0.05, "maxPollInterval": 0.05, "timeout": 10}
IDS = {"projectId": PROJECT_ID, "runId": RUN_ID}
PENDING = {**RUN, "status": "PENDING", "endTime": None, "elapsedTime": None}
RUNNING = {**RUN, "status": "RUNNING", "endTime": None, "elapsedTime": 1500}
BUSY = Reply(503, {"code": "SERVICE_UNAVAILABLE", "message": "busy"})


class Heard:
    """A progress callback that keeps what it hears."""

    def __init__(self) -> None:
        self.events: list[ProgressEvent] = []

    async def __call__(self, event: ProgressEvent) -> None:
        self.events.append(event)

    def said(self) -> list[tuple[str, str, bool]]:
        return [(e.status, e.message, e.heartbeat) for e in self.events]


# -- failed checks the wait rides out, and the ones that end it --------------------------


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(run_duration=0.3, rate_limits=None, projects=10, users=4)
    async with run_emulator(config) as running:
        yield running


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (FaultRule(kind="status", status=429), "rate_limited"),
        (FaultRule(kind="status", status=503), "server"),
        (FaultRule(kind="status", status=408), "timeout"),
        (FaultRule(kind="drop_before"), "transport"),
        (FaultRule(kind="malformed"), "invalid_response"),
    ],
)
async def test_four_failed_checks_in_a_row_of_a_passing_kind_are_ridden_out(
    fault: FaultRule, kind: str, emu: Emulator
) -> None:
    heard = Heard()
    async with HexExecutor(emu.base_url, emu.token, retry=NO_RETRY, rate_limits=None) as ex:
        started = await ex.execute(
            "hex_run_project", {"projectId": emu.fixtures.completing_project_id}
        )
        ids = {"projectId": started.output["projectId"], "runId": started.output["runId"]}
        emu.add_fault(
            FaultRule(
                kind=fault.kind,
                status=fault.status,
                path="/projects/*/runs/*",
                method="GET",
                times=4,
            )
        )
        result = await ex.execute("hex_wait_for_run", {**ids, **FAST}, progress=heard)

    assert result.success, result.error
    assert result.output["status"] == "COMPLETED"
    failed = [m for _, m, _ in heard.said() if "failed" in m]
    assert set(failed) == {f"status check failed ({kind}); trying again"}
    if kind == "transport":
        # aiohttp itself sends a request again on a reused connection that was closed
        # before it, so some checks use up two of the four dropped requests.
        assert 1 <= len(failed) <= 4
    else:
        assert len(failed) == 4


async def test_a_fifth_failed_check_in_a_row_ends_the_wait_with_the_count(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, BUSY)
    result = await executor.execute("hex_wait_for_run", {**IDS, **FAST})

    assert not result.success and result.error is not None
    assert (result.error.kind, result.error.status_code) == ("server", 503)
    assert result.error.message == (
        f"Checking the status of run {RUN_ID} failed (5 failed checks in a row): "
        "Hex API answered 503 Service Unavailable: busy"
    )
    assert len(hex_api.received) == 5


async def test_a_good_check_between_failures_starts_the_count_again(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    ok = Reply(200, RUNNING)
    replies = [BUSY] * 4 + [ok] + [BUSY] * 4 + [ok] + [Reply(200, RUN)]
    hex_api.reply("GET", STATUS_PATH, *replies)
    result = await executor.execute("hex_wait_for_run", {**IDS, **FAST})

    assert result.success, result.error
    assert (result.output["status"], result.output["statusChecks"]) == ("COMPLETED", 11)


async def test_a_check_refused_for_good_ends_the_wait_at_once(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(403, {"reason": "no access"}))
    result = await executor.execute("hex_wait_for_run", {**IDS, **FAST})

    assert not result.success and result.error is not None
    assert result.error.kind == "permission"
    assert result.error.message == (
        f"Checking the status of run {RUN_ID} failed: Hex API answered 403 Forbidden: "
        "no access (the token's user lacks the rights for this; a workspace token may be needed)"
    )
    assert len(hex_api.received) == 1


async def test_checks_that_only_failed_until_the_timeout_end_with_the_last_error(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, BUSY)
    # Two checks fit in 0.3 s at 0.2 s apart: too few to give up on, no status to return.
    params = {**IDS, "pollInterval": 0.2, "maxPollInterval": 0.2, "timeout": 0.3}
    result = await executor.execute("hex_wait_for_run", params)

    assert not result.success and result.error is not None
    assert result.error.kind == "server"
    assert result.error.message == "Hex API answered 503 Service Unavailable: busy"


# -- starting the run ---------------------------------------------------------------------


async def test_a_trigger_answer_without_a_run_id_fails_and_nothing_is_polled(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    no_id = {k: v for k, v in RUN_TRIGGERED.items() if k != "runId"}
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, no_id))
    result = await executor.execute("hex_run_project_and_wait", {"projectId": PROJECT_ID, **FAST})

    assert not result.success and result.error is not None
    assert result.error.kind == "invalid_response"
    assert result.error.message == "Hex started a run but sent no runId."
    assert [r.method for r in hex_api.received] == ["POST"]


async def test_a_wait_that_fails_after_the_trigger_names_the_started_run(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED))
    hex_api.reply("GET", STATUS_PATH, Reply(404, {"reason": "gone"}))
    result = await executor.execute("hex_run_project_and_wait", {"projectId": PROJECT_ID, **FAST})

    assert not result.success and result.error is not None
    assert result.error.kind == "not_found"
    assert result.error.message == (
        f"Checking the status of run {RUN_ID} failed: Hex API answered 404 Not Found: gone "
        f"The run {RUN_ID} was started ({RUN_TRIGGERED['runUrl']}); "
        "check it before starting another."
    )


async def test_the_wait_params_steer_the_wait_and_only_the_others_reach_the_trigger(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED))
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUN))
    params = {"projectId": PROJECT_ID, "dryRun": True, **FAST, "cancelOnTimeout": True}
    result = await executor.execute("hex_run_project_and_wait", params)

    assert result.success, result.error
    trigger = hex_api.received[0]
    assert trigger.body == {"dryRun": True}


async def test_a_trigger_answer_without_the_project_id_is_waited_on_in_the_project_asked_for(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    no_project = {k: v for k, v in RUN_TRIGGERED.items() if k != "projectId"}
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, no_project))
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUN))
    result = await executor.execute("hex_run_project_and_wait", {"projectId": PROJECT_ID, **FAST})

    assert result.success, result.error
    assert [r.path for r in hex_api.received] == [TRIGGER_PATH, STATUS_PATH]


# -- what the progress says ---------------------------------------------------------------


async def test_progress_names_each_step_with_the_run_time_in_seconds(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", TRIGGER_PATH, Reply(201, RUN_TRIGGERED))
    replies = [Reply(200, PENDING), BUSY, Reply(200, RUNNING), Reply(200, RUNNING), Reply(200, RUN)]
    hex_api.reply("GET", STATUS_PATH, *replies)
    heard = Heard()
    result = await executor.execute(
        "hex_run_project_and_wait", {"projectId": PROJECT_ID, **FAST}, progress=heard
    )

    assert result.success, result.error
    assert heard.said() == [
        ("STARTED", f"started run {RUN_ID}", False),
        ("PENDING", "run is PENDING", False),
        ("PENDING", "status check failed (server); trying again", False),
        ("RUNNING", "run is RUNNING, run time 1.5 s", False),
        ("RUNNING", "run is RUNNING, run time 1.5 s", True),  # nothing new: a heartbeat
        ("COMPLETED", "run is COMPLETED, run time 61.5 s", False),
    ]
    assert {e.run_id for e in heard.events} == {RUN_ID}
    assert result.output["statusChecks"] == 5


async def test_a_failed_first_check_is_reported_before_any_status_is_known(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, BUSY, Reply(200, RUN))
    heard = Heard()
    result = await executor.execute("hex_wait_for_run", {**IDS, **FAST}, progress=heard)

    assert result.success, result.error
    assert heard.said()[0] == ("UNKNOWN", "status check failed (server); trying again", False)


# -- giving up at the timeout -------------------------------------------------------------


async def test_a_timeout_with_cancel_reports_the_cancel_and_the_status_it_left(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    killed = {**RUNNING, "status": "KILLED"}
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING))
    hex_api.reply("DELETE", STATUS_PATH, Reply(204))
    heard = Heard()

    async def kill_on_cancel(event: ProgressEvent) -> None:
        await heard(event)
        if event.status == "CANCELLING":  # Hex ends the run when it is cancelled
            hex_api.reply("GET", STATUS_PATH, Reply(200, killed))

    params = {**IDS, **FAST, "timeout": 0.2, "cancelOnTimeout": True}
    result = await executor.execute("hex_wait_for_run", params, progress=kill_on_cancel)

    assert result.success, result.error
    out = result.output
    assert (out["status"], out["timedOut"], out["cancelled"], out["cancelError"]) == (
        "KILLED",
        True,
        True,
        None,
    )
    assert out["succeeded"] is False
    assert out["statusChecks"] == [r.method for r in hex_api.received].count("GET")
    waited = out["waitedSeconds"]
    assert waited >= 0.2 and round(waited, 3) == waited  # milliseconds at most
    cancelling = [e for e in heard.events if e.status == "CANCELLING"]
    assert [e.message for e in cancelling] == [f"timed out after {waited:.1f} s; cancelling"]
    assert heard.events[-1].status == "KILLED"
    assert (
        heard.events[-1].message
        == out["message"]
        == (f"Stopped waiting after {waited:.1f} s and cancelled the run; Hex now reports KILLED.")
    )


async def test_a_cancel_that_fails_is_reported_and_the_last_status_stands(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING))
    hex_api.reply("DELETE", STATUS_PATH, Reply(403, {"reason": "not yours"}))
    params = {**IDS, **FAST, "timeout": 0.2, "cancelOnTimeout": True}
    result = await executor.execute("hex_wait_for_run", params)

    assert result.success, result.error
    out = result.output
    error = (
        "Hex API answered 403 Forbidden: not yours (the token's user lacks the rights "
        "for this; a workspace token may be needed)"
    )
    assert (out["status"], out["cancelled"], out["cancelError"]) == ("RUNNING", False, error)
    assert out["message"] == (
        f"Stopped waiting after {out['waitedSeconds']:.1f} s; cancelling the run failed "
        f"({error}); Hex reports RUNNING."
    )


async def test_when_the_check_after_a_cancel_fails_the_last_status_seen_stands(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", STATUS_PATH, Reply(200, RUNNING))
    hex_api.reply("DELETE", STATUS_PATH, Reply(204))

    async def fail_after_cancel(event: ProgressEvent) -> None:
        if event.status == "CANCELLING":
            hex_api.reply("GET", STATUS_PATH, Reply(403, {"reason": "no access"}))

    params = {**IDS, **FAST, "timeout": 0.2, "cancelOnTimeout": True}
    result = await executor.execute("hex_wait_for_run", params, progress=fail_after_cancel)

    assert result.success, result.error
    assert (result.output["status"], result.output["cancelled"]) == ("RUNNING", True)
    assert result.output["runId"] == RUN_ID and result.output["elapsedTime"] == 1.5
