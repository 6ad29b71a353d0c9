"""A canary token sent down every failure path never shows up anywhere a person could see it:
not in a ToolResult (as JSON), an error message, a log record at DEBUG, or a repr."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
from hexfake import Reply, fake_hex
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.emulator import EmulatorConfig, FaultRule, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.redact import MASK
from aacflow_hex.engine.retry import RetryPolicy
from aacflow_hex.spec.ratelimits import RateLimit

CANARY = "hxtp_CANARY_9f8e7d6c5b4a39281706f5e4"
QUICK = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=1)


@dataclass
class Seen:
    """Everything a scenario produced that a person or a log could see."""

    results: list[ToolResult]
    reprs: list[str]


@asynccontextmanager
async def _executor(base_url: str, **kw: Any) -> AsyncIterator[tuple[HexExecutor, RateLimiter]]:
    limiter = RateLimiter()
    options: dict[str, Any] = {"retry": QUICK, "rate_limiter": limiter, **kw}
    async with HexExecutor(base_url, CANARY, **options) as ex:
        yield ex, limiter


async def _emulator_fault(
    fault: FaultRule | None, tool: str = "hex_get_project", **call: Any
) -> Seen:
    config = EmulatorConfig(token=CANARY, rate_limits=None, run_duration=0.1, projects=12)
    async with run_emulator(config) as emu, _executor(emu.base_url) as (ex, limiter):
        if fault is not None:
            emu.faults.add(fault)
        params = {"projectId": emu.fixtures.completing_project_id}
        result = await ex.execute(tool, params, **call)
        # The same call with the token as a param instead of the executor's key.
        again = await ex.execute(tool, {**params, "apiKey": CANARY}, **call)
        reprs = [repr(ex), str(ex), repr(limiter), repr(emu.requests.filter()[:3])]
        if fault is not None and fault.kind == "latency":
            import asyncio

            await asyncio.sleep(fault.latency)
        return Seen([result, again], reprs)


async def _echoing_server(reply: Reply, **kw: Any) -> Seen:
    async with fake_hex() as fake:
        fake.reply("GET", f"/projects/{PROJECT_ID}", reply)
        async with _executor(fake.base_url, **kw) as (ex, limiter):
            result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
            return Seen([result], [repr(ex), repr(limiter)])


async def _redirect_with_token_in_query() -> Seen:
    async with fake_hex() as other:
        target = other.base_url.replace("127.0.0.1", "localhost") + f"/x?token={CANARY}"
        return await _echoing_server(Reply(302, b"", headers={"Location": target}))


async def _unreachable(kind: str) -> Seen:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        fillers = []
        if kind == "connect timeout":
            server.listen(0)
            for _ in range(4):
                filler = socket.socket()
                filler.setblocking(False)
                with suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
                fillers.append(filler)
        try:
            base_url = f"http://127.0.0.1:{port}/api/v1"
            async with _executor(base_url, connect_timeout=0.1) as (ex, limiter):
                result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID}, timeout=2)
                return Seen([result], [repr(ex), repr(limiter)])
        finally:
            for filler in fillers:
                filler.close()


async def _waiting_for_the_rate_limit() -> Seen:
    config = EmulatorConfig(token=CANARY, rate_limits=None, projects=12)
    one = {"hex-api": RateLimit(per_minute=1)}
    async with run_emulator(config) as emu, _executor(emu.base_url, rate_limits=one) as (ex, lim):
        params = {"projectId": emu.fixtures.completing_project_id}
        first = await ex.execute("hex_get_project", params)
        second = await ex.execute("hex_get_project", params, timeout=0.1)
        stats = lim.stats(emu.base_url, CANARY, "hex-api")
        return Seen([first, second], [repr(ex), repr(lim), repr(stats)])


async def _validation_errors() -> Seen:
    async with _executor("https://app.hex.tech/api/v1") as (ex, limiter):
        results = [
            await ex.execute("hex_get_project", {"projectId": CANARY}),
            await ex.execute("hex_get_project", {"projectId": f"../{CANARY}"}),
            await ex.execute("hex_get_project", {"projectId": PROJECT_ID, "bogus": CANARY}),
            await ex.execute("hex_list_projects", {"limit": CANARY}),
            await ex.execute("hex_get_project", {"projectId": 5, "apiKey": 12345}),
        ]
        return Seen(results, [repr(ex), repr(limiter)])


def _status(code: int, **kw: Any) -> FaultRule:
    return FaultRule("status", path="/projects/*", status=code, **kw)


ECHO = {
    "reason": f"token {CANARY} is not valid",
    "details": f"Authorization: Bearer {CANARY}",
    "traceId": CANARY,
}
Scenario = Callable[[], Awaitable[Seen]]
SCENARIOS: dict[str, Scenario] = {
    "429 burst, recovered": lambda: _emulator_fault(_status(429, retry_after=0.02, times=2)),
    "429 past the Retry-After cap": lambda: _emulator_fault(_status(429, retry_after=120)),
    "500": lambda: _emulator_fault(_status(500)),
    "503 run on a trigger": lambda: _emulator_fault(_status(503), "hex_run_project"),
    "HTML 502 page": lambda: _emulator_fault(_status(502, body="html")),
    "dropped before": lambda: _emulator_fault(FaultRule("drop_before", path="/projects/*")),
    "dropped after, trigger": lambda: _emulator_fault(
        FaultRule("drop_after", path="/projects/*/runs"), "hex_run_project"
    ),
    "slow past the timeout": lambda: _emulator_fault(
        FaultRule("latency", path="/projects/*", latency=0.3), timeout=0.1
    ),
    "malformed JSON": lambda: _emulator_fault(FaultRule("malformed", path="/projects/*")),
    "success": lambda: _emulator_fault(None),
    "server echoes the token": lambda: _echoing_server(
        Reply(401, ECHO, headers={"X-Trace-Id": CANARY})
    ),
    "token echoed in a success": lambda: _echoing_server(
        Reply(200, {**PROJECT, "description": f"made with {CANARY}"})
    ),
    "token echoed in an HTML page": lambda: _echoing_server(
        Reply(500, f"<html>{CANARY}</html>", content_type="text/html")
    ),
    "redirect carrying the token": _redirect_with_token_in_query,
    "body too large": lambda: _echoing_server(
        Reply(200, {**PROJECT, "x": CANARY * 1000}), max_response_bytes=1000
    ),
    "connection refused": lambda: _unreachable("refused"),
    "connect timeout": lambda: _unreachable("connect timeout"),
    "waiting for the rate limit": _waiting_for_the_rate_limit,
    "validation errors": _validation_errors,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_the_canary_token_never_shows(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen = await SCENARIOS[name]()
    texts = list(seen.reprs)
    for result in seen.results:
        texts += [result.model_dump_json(), repr(result), str(result)]
        if result.error is not None:
            texts.append(result.error.message)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts += [formatter.format(record) for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    leaks = [text for text in texts if CANARY in text]
    assert leaks == []
    assert seen.results  # the scenario did run


async def test_an_echoed_token_is_masked_in_the_trace_id_which_is_still_given() -> None:
    """Masking must not drop the trace id: support needs it, with the token blanked out."""
    seen = await SCENARIOS["server echoes the token"]()
    (result,) = seen.results
    assert result.error is not None
    assert result.error.trace_id == MASK
    assert result.error.message.count(MASK) >= 2  # the reason and the echoed header


async def test_a_trace_id_holding_the_token_keeps_its_other_characters() -> None:
    echo = {"reason": "bad token", "traceId": f"trace-{CANARY}-7"}
    seen = await _echoing_server(Reply(401, echo))
    (result,) = seen.results
    assert result.error is not None and result.error.trace_id == f"trace-{MASK}-7"
