"""Faults injected by the emulator: each call recovers or ends in a classified error,
and no run is ever started twice.

Every case names a fault, the tool it hits, and the outcome a caller sees: success,
or the ToolError kind, whether the message warns that a run may have started, and
how many runs the emulator started (never more than one).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, FaultRule, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import RetryPolicy

QUICK = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)
GET = ("hex_get_project", "GET", "/projects/*")
RUN = ("hex_run_project", "POST", "/projects/*/runs")
MAY_HAVE_STARTED = "may have reached Hex"
MOST_LIKELY_STARTED = "most likely reached Hex"


@dataclass(frozen=True)
class Case:
    name: str
    target: tuple[str, str, str]  # tool, method, path glob
    fault: dict[str, Any]
    kind: str | None  # None: the call recovers
    runs: int = 0  # runs the emulator started
    warning: str | None = None  # what the message must say about a possible run
    timeout: float | None = None


def status(code: int, times: int | None = None, **more: Any) -> dict[str, Any]:
    return {"kind": "status", "status": code, "times": times, **more}


def drop(when: str, times: int | None = None) -> dict[str, Any]:
    return {"kind": f"drop_{when}", "times": times}


def slow(seconds: float) -> dict[str, Any]:
    return {"kind": "latency", "latency": seconds, "times": 1}


def malformed(body: str, times: int | None = None) -> dict[str, Any]:
    return {"kind": "malformed", "body": body, "times": times}


MAY = MAY_HAVE_STARTED
LIKELY = MOST_LIKELY_STARTED
CASES = [
    # Reads recover from everything retryable...
    Case("429 burst with Retry-After", GET, status(429, 3, retry_after=0.05), None),
    Case("502 run", GET, status(502, 3), None),
    Case("503 run", GET, status(503, 3), None),
    Case("HTML 502 page from a proxy", GET, status(502, 2, body="html"), None),
    Case("connection dropped before the handler", GET, drop("before", 2), None),
    Case("connection dropped after the handler", GET, drop("after", 2), None),
    # ... and report, classified, what they cannot recover from.
    Case("500 is not retried", GET, status(500), "server"),
    Case("503 that never ends", GET, status(503), "server"),
    Case("HTML error page that never ends", GET, status(502, body="html"), "server"),
    Case("slow answer past the timeout", GET, slow(0.6), "timeout", timeout=0.2),
    Case("malformed JSON", GET, malformed("truncated_json"), "invalid_response"),
    Case("HTML page with 200", GET, malformed("html"), "invalid_response"),
    Case("empty body with 200", GET, malformed("empty"), "invalid_response"),
    # A run trigger is repeated only after a 429, and never starts a second run.
    Case("run: 429 burst", RUN, status(429, 3, retry_after=0.05), None, runs=1),
    Case("run: 500", RUN, status(500, 1), "server", warning=MAY),
    Case("run: 502", RUN, status(502, 1), "server", warning=MAY),
    Case("run: 503", RUN, status(503, 1), "server", warning=MAY),
    Case("run: HTML 502 page", RUN, status(502, 1, body="html"), "server", warning=MAY),
    Case("run: dropped before the handler", RUN, drop("before", 1), "transport", warning=MAY),
    Case("run: dropped after the handler", RUN, drop("after", 1), "transport", 1, MAY),
    Case("run: slow past the timeout", RUN, slow(0.6), "timeout", 1, MAY, timeout=0.2),
    Case("run: malformed JSON", RUN, malformed("truncated_json", 1), "invalid_response", 1, LIKELY),
    Case("run: HTML page with 201", RUN, malformed("html", 1), "invalid_response", 1, LIKELY),
]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(rate_limits=None, run_duration=0.2, projects=12, users=6)
    async with run_emulator(config) as running:
        yield running


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_fault(case: Case, emu: Emulator) -> None:
    tool, method, path = case.target
    project_id = emu.fixtures.completing_project_id
    rule = emu.faults.add(FaultRule(path=path, method=method, **case.fault))
    async with HexExecutor(
        emu.base_url, emu.token, retry=QUICK, rate_limiter=RateLimiter(), rate_limits=None
    ) as ex:
        result = await ex.execute(tool, {"projectId": project_id}, timeout=case.timeout)
    if case.fault["kind"] == "latency":
        await asyncio.sleep(case.fault["latency"])  # let the slow handler finish first

    assert emu.faults.fired(rule) >= 1
    if case.kind is None:
        assert result.success, result.error
        assert result.output
    else:
        assert not result.success and result.error is not None
        assert result.error.kind == case.kind, result.error.message
        assert result.error.message
        if case.warning is not None:
            assert case.warning in result.error.message
            assert "hex_get_project_runs" in result.error.message  # what to check
        else:
            assert "reached Hex" not in result.error.message
    assert emu.total_runs_started() == case.runs
    if method == "POST" and case.kind is not None:
        # Never repeated after anything that may have started a run.
        assert emu.requests.count(method="POST") == 1


async def test_a_429_retry_after_is_honoured_before_trying_again(emu: Emulator) -> None:
    emu.faults.add(FaultRule("status", path="/projects/*", status=429, retry_after=0.3, times=1))
    async with HexExecutor(
        emu.base_url, emu.token, retry=QUICK, rate_limiter=RateLimiter(), rate_limits=None
    ) as ex:
        result = await ex.execute(
            "hex_get_project", {"projectId": emu.fixtures.completing_project_id}
        )
    assert result.success and result.timing.attempts == 2
    first, second = (r.at for r in emu.requests.filter(operation="GetProject"))
    assert second - first >= 0.3


async def test_a_429_pauses_every_caller_of_that_token(emu: Emulator) -> None:
    """One caller's 429 holds back the others too, so a burst does not repeat."""
    emu.faults.add(FaultRule("status", path="/projects/*", status=429, retry_after=0.3, times=1))
    limiter = RateLimiter()
    async with HexExecutor(emu.base_url, emu.token, retry=QUICK, rate_limiter=limiter) as ex:
        project_id = emu.fixtures.completing_project_id
        first = await ex.execute("hex_get_project", {"projectId": project_id}, timeout=0.05)
        assert first.error is not None and first.error.kind == "rate_limited"
        assert limiter.stats(emu.base_url, emu.token, "hex-api").paused_for > 0.1
        second = await ex.execute("hex_get_project", {"projectId": project_id})
    assert second.success
    times = [r.at for r in emu.requests.filter(operation="GetProject")]
    assert len(times) == 2 and times[1] - times[0] >= 0.25


async def test_a_long_429_pause_ends_later_calls_at_once_instead_of_hanging(
    emu: Emulator,
) -> None:
    emu.faults.add(FaultRule("status", path="/projects/*", status=429, retry_after=120, times=1))
    limiter = RateLimiter()
    policy = RetryPolicy(max_retry_after=5, base_delay=0.01)
    async with HexExecutor(emu.base_url, emu.token, retry=policy, rate_limiter=limiter) as ex:
        project_id = emu.fixtures.completing_project_id
        first = await ex.execute("hex_get_project", {"projectId": project_id})
        # The default 30 s timeout cannot outlast the two-minute pause: no point queueing.
        second = await ex.execute("hex_get_project", {"projectId": project_id})
    for result in (first, second):
        assert result.error is not None and result.error.kind == "rate_limited"
        assert result.error.retry_after is not None and 115 < result.error.retry_after <= 120
    assert second.error is not None and "not sent" in second.error.message
    assert emu.requests.count(operation="GetProject") == 1  # the second never went out


async def test_many_concurrent_run_triggers_under_faults_start_each_run_at_most_once(
    emu: Emulator,
) -> None:
    emu.faults.add(FaultRule("drop_after", path="/projects/*/runs", method="POST", times=3))
    emu.faults.add(
        FaultRule(
            "status", path="/projects/*/runs", method="POST", status=429, retry_after=0.02, times=5
        )
    )
    emu.faults.add(FaultRule("status", path="/projects/*/runs", method="POST", status=503, times=2))
    project_id = emu.fixtures.completing_project_id
    async with HexExecutor(
        emu.base_url, emu.token, retry=QUICK, rate_limiter=RateLimiter(), rate_limits=None
    ) as ex:
        results = await asyncio.gather(
            *(ex.execute("hex_run_project", {"projectId": project_id}) for _ in range(20))
        )
    succeeded = [r for r in results if r.success]
    failed = [r for r in results if not r.success]
    run_ids = {r.output["runId"] for r in succeeded}
    assert len(run_ids) == len(succeeded)
    # Every failure warns that its run may exist; the runs started are the successes
    # plus at most the failures that may have reached Hex.
    assert all(r.error is not None and "reached Hex" in r.error.message for r in failed)
    assert len(succeeded) <= emu.total_runs_started() <= len(results)
    assert emu.total_runs_started() == len(succeeded) + 3  # the three dropped after starting
