"""Shutting down without cutting calls short, and who may call the HTTP server (no HTTP here)."""

from __future__ import annotations

import asyncio

import pytest

from aacflow_hex import load_registry
from aacflow_hex.engine.progress import ProgressCallback, ProgressEvent
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.surfaces.call_drain import CallDrain
from aacflow_hex.surfaces.http_credentials import Credentials, Grant, Refusal

REGISTRY = load_registry()
RUN_ID = "5c8f1a2b-0000-4000-8000-000000000001"


def _ok(tool_id: str) -> ToolResult:
    return ToolResult(tool_id=tool_id, success=True, output={"done": True})


def _slow(tool_id: str, seconds: float, events: list[ProgressEvent] = ()) -> object:  # type: ignore[assignment]
    async def call(progress: ProgressCallback) -> ToolResult:
        for event in events:
            await progress(event)  # type: ignore[misc]
        await asyncio.sleep(seconds)
        return _ok(tool_id)

    return call


def _started(tool_id: str) -> ProgressEvent:
    return ProgressEvent(tool_id, "STARTED", 0.1, f"started run {RUN_ID}", run_id=RUN_ID)


async def test_a_wait_stops_at_once_and_names_the_run_it_was_watching() -> None:
    drain = CallDrain(grace=30)
    spec = REGISTRY.get("hex_run_project_and_wait")
    call = asyncio.ensure_future(
        drain.run(spec, _slow(spec.id, 60, [_started(spec.id)]), None)  # type: ignore[arg-type]
    )
    await asyncio.sleep(0.05)
    drain.begin()
    result = await asyncio.wait_for(call, 1)
    assert result.error is not None and result.error.kind == "server"
    assert RUN_ID in result.error.message and "do not start it again" in result.error.message


async def test_a_trigger_in_flight_finishes_within_the_grace_period() -> None:
    drain = CallDrain(grace=5)
    spec = REGISTRY.get("hex_run_project")
    call = asyncio.ensure_future(drain.run(spec, _slow(spec.id, 0.2), None))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    drain.begin()
    assert (await call).success
    refused = await drain.run(spec, _slow(spec.id, 0), None)  # type: ignore[arg-type]
    assert refused.error is not None and "takes no new calls" in refused.error.message


@pytest.mark.parametrize("tool_id", ["hex_run_project", "hex_run_project_and_wait"])
async def test_a_trigger_cut_by_the_grace_period_says_the_run_may_have_started(
    tool_id: str,
) -> None:
    drain = CallDrain(grace=0.1)
    spec = REGISTRY.get(tool_id)
    call = asyncio.ensure_future(drain.run(spec, _slow(spec.id, 60), None))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    drain.begin()
    result = await asyncio.wait_for(call, 1)
    assert result.error is not None
    assert "may have started" in result.error.message
    assert "hex_get_project_runs" in result.error.message


async def test_a_caller_that_goes_away_cancels_its_call() -> None:
    drain = CallDrain(grace=5)
    spec = REGISTRY.get("hex_list_projects")
    finished: list[bool] = []

    async def call(_progress: ProgressCallback) -> ToolResult:
        try:
            await asyncio.sleep(60)
        finally:
            finished.append(True)
        return _ok(spec.id)

    task = asyncio.ensure_future(drain.run(spec, call, None))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)
    assert finished == [True] and drain.in_flight == 0


# -- credentials ----------------------------------------------------------------------------

SERVER = Credentials("server-held", "srv-token")
OPEN_SERVER = Credentials("server-held", None)
PER_REQUEST = Credentials("per-request")


@pytest.mark.parametrize(
    ("credentials", "headers", "expected"),
    [
        (PER_REQUEST, {"authorization": "Bearer hxtp_a"}, Grant("hxtp_a")),
        (PER_REQUEST, {"x-hex-api-key": "hxtp_b"}, Grant("hxtp_b")),
        (
            PER_REQUEST,
            {"authorization": "bearer hxtp_a", "x-hex-api-key": "hxtp_a"},
            Grant("hxtp_a"),
        ),
        (PER_REQUEST, {}, 401),
        (PER_REQUEST, {"authorization": "Basic abc"}, 401),
        (PER_REQUEST, {"x-hex-api-key": "hxtp_zq9 hxtp_zq8"}, 401),
        (PER_REQUEST, {"x-hex-api-key": "x" * 600}, 401),
        (PER_REQUEST, {"authorization": "Bearer hxtp_a", "x-hex-api-key": "hxtp_b"}, 400),
        (SERVER, {"authorization": "Bearer srv-token"}, Grant(None)),
        (SERVER, {"authorization": "Bearer srv-tokex"}, 401),
        (SERVER, {}, 401),
        (SERVER, {"authorization": "Bearer srv-token", "x-hex-api-key": "hxtp_a"}, 400),
        (OPEN_SERVER, {}, Grant(None)),
    ],
)
def test_who_may_call_and_with_which_token(
    credentials: Credentials, headers: dict[str, str], expected: Grant | int
) -> None:
    outcome = credentials.authenticate(headers)
    if isinstance(expected, Grant):
        assert outcome == expected
        return
    assert isinstance(outcome, Refusal) and outcome.status == expected
    for value in headers.values():
        secret = value.partition(" ")[2] or value
        assert secret not in outcome.message


def test_the_environment_picks_the_mode_and_refuses_what_guards_nothing() -> None:
    assert Credentials.from_env({}).mode == "per-request"
    held = Credentials.from_env({"HEX_API_KEY": "k", "AACFLOW_HEX_SERVER_TOKEN": "srv-9q"})
    assert held == Credentials("server-held", "srv-9q") and "srv-9q" not in repr(held)
    with pytest.raises(ValueError, match="HEX_API_KEY is not"):
        Credentials.from_env({"AACFLOW_HEX_SERVER_TOKEN": "t"})
    Credentials("server-held", None).check_bind("127.0.0.1")
    Credentials("server-held", None).check_bind("::1")
    with pytest.raises(ValueError, match="AACFLOW_HEX_SERVER_TOKEN"):
        Credentials("server-held", None).check_bind("0.0.0.0")
    Credentials("server-held", "t").check_bind("0.0.0.0")
    Credentials("per-request").check_bind("0.0.0.0")
