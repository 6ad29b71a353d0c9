"""Timeouts (total per call, per tool, per call override, connect) and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.executor import DEFAULT_TIMEOUT
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.registry import Registry, load_registry

TOKEN = "hxtp_timeout_token_0123456789abcdef"
GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")


def _executor(base_url: str, **kw: object) -> HexExecutor:
    return HexExecutor(base_url, TOKEN, retry=NO_RETRY, rate_limiter=RateLimiter(), **kw)  # type: ignore[arg-type]


def _registry_with_call_timeout(seconds: float) -> Registry:
    spec = load_registry().get("hex_get_project")
    return Registry({spec.id: spec.model_copy(update={"call_timeout": seconds})})


def test_the_default_total_timeout_is_30_seconds() -> None:
    assert DEFAULT_TIMEOUT == 30.0
    assert HexExecutor("https://hex.example/api/v1").timeout == 30.0


@pytest.mark.parametrize(
    ("executor_timeout", "spec_timeout", "call_timeout", "expected"),
    [
        (0.3, None, None, "0.3 s"),  # the executor's default
        (5.0, 0.2, None, "0.2 s"),  # the tool spec's callTimeout beats it
        (5.0, 5.0, 0.25, "0.25 s"),  # execute(timeout=) beats both
    ],
)
async def test_which_timeout_applies(
    hex_api: FakeHex,
    executor_timeout: float,
    spec_timeout: float | None,
    call_timeout: float | None,
    expected: str,
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT, delay=1.5))
    registry = _registry_with_call_timeout(spec_timeout) if spec_timeout else None
    async with _executor(hex_api.base_url, timeout=executor_timeout, registry=registry) as ex:
        result = await ex.execute(
            "hex_get_project", {"projectId": PROJECT_ID}, timeout=call_timeout
        )
    assert result.error is not None and result.error.kind == "timeout"
    assert f"within {expected}" in result.error.message


async def test_a_timeout_covers_retries_too(hex_api: FakeHex) -> None:
    """The budget is for the whole call: retries stop when it is spent."""
    from aacflow_hex.engine.retry import RetryPolicy

    hex_api.reply(*GET_PROJECT, Reply(503, {"message": "busy"}, delay=0.1))
    policy = RetryPolicy(max_attempts=50, base_delay=0.05, max_delay=0.05)
    async with HexExecutor(hex_api.base_url, TOKEN, retry=policy, rate_limiter=RateLimiter()) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=0.5)
    assert result.error is not None and result.error.kind in ("timeout", "server")
    assert len(hex_api.received) < 8


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listen backlog is full, so a new TCP handshake never completes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port: int = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, server]:
        sock.close()


async def test_a_connect_timeout_is_a_timeout_that_may_be_retried(unanswered_port: int) -> None:
    base_url = f"http://127.0.0.1:{unanswered_port}/api/v1"
    async with _executor(base_url, connect_timeout=0.2) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID}, timeout=5)
    assert result.error is not None and result.error.kind == "timeout"
    assert "connecting to Hex timed out" in result.error.message
    # Nothing reached Hex, so no "may have started" warning even for a run trigger.
    assert "reached Hex" not in result.error.message


@dataclass
class SlowServer:
    """Answers after ``delay`` s, and notes when a client hangs up on a pending request."""

    delay: float = 30.0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived.set()
        try:
            for _ in range(int(self.delay / 0.01)):
                if request.transport is None or request.transport.is_closing():
                    self.hung_up.set()
                    break
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:  # aiohttp cancels a handler whose client left
            self.hung_up.set()
            raise
        return web.json_response(PROJECT)


@pytest.fixture
async def slow_server() -> AsyncIterator[SlowServer]:
    slow = SlowServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    slow.base_url = str(server.make_url("/api/v1"))
    try:
        yield slow
    finally:
        await server.close()


async def test_cancelling_a_call_leaves_no_request_in_flight(slow_server: SlowServer) -> None:
    limiter = RateLimiter()
    async with HexExecutor(slow_server.base_url, TOKEN, retry=NO_RETRY, rate_limiter=limiter) as ex:
        task = asyncio.create_task(ex.execute("hex_get_project", {"projectId": PROJECT_ID}))
        await asyncio.wait_for(slow_server.arrived.wait(), 2)
        assert limiter.stats(slow_server.base_url, TOKEN, "hex-api").in_flight == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The connection is closed, the server sees the hang-up, the slot is free.
        await asyncio.wait_for(slow_server.hung_up.wait(), 2)
        stats = limiter.stats(slow_server.base_url, TOKEN, "hex-api")
        assert (stats.in_flight, stats.waiting) == (0, 0)
        session = ex._session
        assert session is not None and not session.closed
    assert session.closed  # the executor's own session is closed on exit


async def test_cancelling_a_call_that_waits_for_its_turn_frees_its_place(
    slow_server: SlowServer,
) -> None:
    from aacflow_hex.spec.ratelimits import RateLimit

    limiter = RateLimiter()
    one = {"hex-api": RateLimit(per_minute=1)}  # the second call would wait a minute
    async with HexExecutor(
        slow_server.base_url, TOKEN, retry=NO_RETRY, rate_limiter=limiter, rate_limits=one
    ) as ex:
        first = asyncio.create_task(ex.execute("hex_get_project", {"projectId": PROJECT_ID}))
        await asyncio.wait_for(slow_server.arrived.wait(), 2)
        second = asyncio.create_task(ex.execute("hex_get_project", {"projectId": PROJECT_ID}))
        await asyncio.sleep(0.05)
        assert limiter.stats(slow_server.base_url, TOKEN, "hex-api").waiting == 1
        for task in (second, first):
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        stats = limiter.stats(slow_server.base_url, TOKEN, "hex-api")
        assert (stats.in_flight, stats.waiting) == (0, 0)


async def test_a_call_that_times_out_while_waiting_for_its_turn_says_so(
    slow_server: SlowServer,
) -> None:
    """Queued behind another caller, its turn time is unknown: it waits, then says why."""
    from aacflow_hex.spec.ratelimits import RateLimit

    slow_server.delay = 0.05
    one_a_second = {"hex-api": RateLimit(per_minute=1, time_scale=1 / 60)}
    async with HexExecutor(
        slow_server.base_url,
        TOKEN,
        retry=NO_RETRY,
        rate_limiter=RateLimiter(),
        rate_limits=one_a_second,
    ) as ex:
        first = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
        ahead = asyncio.create_task(ex.execute("hex_get_project", {"projectId": PROJECT_ID}))
        await asyncio.sleep(0.05)
        behind = await ex.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=0.2)
        assert (await ahead).success
    assert first.success
    assert behind.error is not None and behind.error.kind == "timeout"
    assert "'hex-api' rate limit" in behind.error.message
    assert behind.timing.requests == 0  # nothing was sent


async def test_an_executor_used_after_cancellation_still_works(slow_server: SlowServer) -> None:
    async with _executor(slow_server.base_url) as ex:
        task = asyncio.create_task(ex.execute("hex_get_project", {"projectId": PROJECT_ID}))
        await asyncio.wait_for(slow_server.arrived.wait(), 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        slow_server.delay = 0.0
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.success
