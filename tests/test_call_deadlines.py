"""A call's timeout bounds what it waits for (a 429's pause, its turn under the rate
limit, a wait's cleanup), and the error then says which of them ended it."""

from __future__ import annotations

import asyncio
import math
import time

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID, RUN, RUN_ID, RUN_TRIGGERED

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.engine import executor as executor_module
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import RateLimit

TOKEN = "hxtp_deadline_token_0123456789abcdef"
GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")
PARAMS = {"projectId": PROJECT_ID}


def _executor(base_url: str, limiter: RateLimiter, **kw: object) -> HexExecutor:
    return HexExecutor(base_url, TOKEN, retry=NO_RETRY, rate_limiter=limiter, **kw)  # type: ignore[arg-type]


async def _answered_first(hex_api: FakeHex, ex: HexExecutor, status: int, seconds: int) -> None:
    """The first call gets ``status`` with ``Retry-After: seconds``; later ones the project."""
    refusal = Reply(status, {"message": "not now"}, headers={"Retry-After": str(seconds)})
    hex_api.reply(*GET_PROJECT, refusal, Reply(200, PROJECT))
    first = await ex.execute("hex_get_project", PARAMS)
    assert first.error is not None and first.error.status_code == status


def _is_to_the_millisecond(seconds: float | None) -> bool:
    return seconds is not None and seconds == round(seconds, 3)


async def test_a_429_pause_longer_than_the_call_may_wait_ends_it_unsent(
    hex_api: FakeHex,
) -> None:
    async with _executor(hex_api.base_url, RateLimiter()) as ex:
        await _answered_first(hex_api, ex, 429, 5)
        result = await ex.execute("hex_get_project", PARAMS, timeout=1)
    error = result.error
    assert error is not None and error.kind == "rate_limited"
    assert error.retry_after is not None and 4 < error.retry_after <= 5
    assert _is_to_the_millisecond(error.retry_after)
    assert error.message == (
        f"Hex asked this token to wait {error.retry_after:.0f} s before its next 'hex-api' "
        "request (a 429 with Retry-After); not sent"
    )
    assert len(hex_api.received) == 1 and result.timing.requests == 0


async def test_without_pacing_a_429_pauses_nothing(hex_api: FakeHex) -> None:
    async with _executor(hex_api.base_url, RateLimiter(), rate_limits=None) as ex:
        await _answered_first(hex_api, ex, 429, 5)
        result = await ex.execute("hex_get_project", PARAMS, timeout=1)
    assert result.success, result.error
    assert len(hex_api.received) == 2
    assert (result.timing.attempts, result.timing.requests) == (1, 1)


@pytest.mark.parametrize("status", [503, 500, 404])
async def test_only_a_429_pauses_the_tokens_requests(hex_api: FakeHex, status: int) -> None:
    async with _executor(hex_api.base_url, RateLimiter()) as ex:
        await _answered_first(hex_api, ex, status, 5)
        result = await ex.execute("hex_get_project", PARAMS, timeout=1)
    assert result.success, result.error
    assert len(hex_api.received) == 2


@pytest.mark.parametrize(
    ("executor_timeout", "call_timeout"),
    [(30.0, 0), (30.0, math.inf), (0.0, None)],
    ids=["call-timeout-0", "call-timeout-inf", "executor-timeout-0"],
)
async def test_a_call_without_a_cap_waits_out_a_429_pause(
    hex_api: FakeHex, executor_timeout: float, call_timeout: float | None
) -> None:
    limiter = RateLimiter()
    async with _executor(hex_api.base_url, limiter, timeout=executor_timeout) as ex:
        await _answered_first(hex_api, ex, 429, 5)
        call = asyncio.create_task(ex.execute("hex_get_project", PARAMS, timeout=call_timeout))
        waiting = 0
        for _ in range(500):  # until it queues (or ends), at most 5 s on a loaded machine
            waiting = limiter.stats(hex_api.base_url, TOKEN, "hex-api").waiting
            if waiting or call.done():
                break
            await asyncio.sleep(0.01)
        done = call.done()
        call.cancel()
        await asyncio.gather(call, return_exceptions=True)
    assert not done, call.result() if done else None
    assert waiting == 1  # in the line for its turn, not sent
    assert len(hex_api.received) == 1


@pytest.mark.parametrize("call_timeout", [0, math.inf])
async def test_a_call_without_a_cap_outlasts_the_executors_timeout(
    hex_api: FakeHex, call_timeout: float
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT, delay=0.3))
    async with _executor(hex_api.base_url, RateLimiter(), timeout=0.05) as ex:
        result = await ex.execute("hex_get_project", PARAMS, timeout=call_timeout)
    assert result.success, result.error


async def test_a_turn_that_comes_after_the_calls_timeout_is_not_waited_for(
    hex_api: FakeHex,
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT))
    one_per_ten_seconds = {"hex-api": RateLimit(per_minute=1, time_scale=10 / 60)}
    limits = {"rate_limits": one_per_ten_seconds}
    async with _executor(hex_api.base_url, RateLimiter(), **limits) as ex:
        first = await ex.execute("hex_get_project", PARAMS)
        second = await ex.execute("hex_get_project", PARAMS, timeout=0.5)
    assert first.success, first.error
    error = second.error
    assert error is not None and error.kind == "rate_limited"
    assert error.retry_after is not None and 8 < error.retry_after <= 10
    assert _is_to_the_millisecond(error.retry_after)
    assert error.message == (
        "Hex's 'hex-api' rate limit leaves this token no turn before this call's timeout "
        f"(the next comes in {error.retry_after:.0f} s); not sent"
    )
    assert len(hex_api.received) == 1 and second.timing.requests == 0


async def test_a_read_that_times_out_says_only_how_long_it_had(hex_api: FakeHex) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT, delay=2))
    async with _executor(hex_api.base_url, RateLimiter()) as ex:
        result = await ex.execute("hex_get_project", PARAMS, timeout=0.25)
    assert result.error is not None and result.error.kind == "timeout"
    assert result.error.message == "hex_get_project did not finish within 0.25 s."


async def _run_and_wait_with_a_hanging_cancel(
    hex_api: FakeHex, monkeypatch: pytest.MonkeyPatch, grace: float
) -> ToolResult:
    monkeypatch.setattr(executor_module, "HANDLER_GRACE", grace)
    running = {**RUN, "status": "RUNNING", "endTime": None}
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED))
    hex_api.reply("GET", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(200, running))
    hex_api.reply("DELETE", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(204, delay=30))
    params = {"projectId": PROJECT_ID, "timeout": 0.5, "pollInterval": 0.05}
    async with _executor(hex_api.base_url, RateLimiter()) as ex:
        return await ex.execute("hex_run_project_and_wait", {**params, "cancelOnTimeout": True})


async def test_a_wait_whose_cleanup_hangs_is_cut_off_after_its_grace(
    hex_api: FakeHex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wait ends itself at its own timeout; past that, the executor allows it a grace
    for its cleanup (here a cancel that hangs), then cuts it off, naming the run."""
    result = await _run_and_wait_with_a_hanging_cancel(hex_api, monkeypatch, grace=0.5)
    assert result.error is not None and result.error.kind == "timeout"
    assert result.error.message == (
        f"hex_run_project_and_wait did not finish within 1 s. Its run {RUN_ID} "
        f"({RUN['runUrl']}) had started and may still be running; check it before starting "
        "another."
    )
    assert [r.method for r in hex_api.received][-1] == "DELETE"


async def test_the_timing_counts_the_whole_call_in_milliseconds(hex_api: FakeHex) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT, delay=0.1))
    async with _executor(hex_api.base_url, RateLimiter()) as ex:
        started = time.monotonic()
        result = await ex.execute("hex_get_project", PARAMS)
        outside_ms = (time.monotonic() - started) * 1000
    assert result.success, result.error
    assert 100 <= result.timing.elapsed_ms <= outside_ms
    assert (result.timing.attempts, result.timing.requests) == (1, 1)
