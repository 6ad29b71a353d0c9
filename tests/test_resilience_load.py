"""100 concurrent callers on one token, under Hex's limits: no 429, all answered, no time lost.

Hex's limits are per minute and per hour, so the emulator and the client pacer both run
them time-compressed (a "minute" lasts one second, same ratios). The full-scale run is
``bench/load_pacing.py``.
"""

from __future__ import annotations

import asyncio
import time

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, RateLimit, scale_rate_limits

CALLERS = 100
SCALE = 1 / 60  # one "minute" per second


def earliest_last_start(calls: int, limit: RateLimit) -> float:
    """When the last of ``calls`` instant requests may start: full windows back to back."""
    per_minute = limit.per_minute or calls
    minute = limit.windows()[0][1]
    return ((calls - 1) // per_minute) * minute


async def test_100_concurrent_callers_on_one_token_get_no_429_and_lose_no_time() -> None:
    config = EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=SCALE)
    async with run_emulator(config) as emu:
        params = {
            "projectId": emu.fixtures.completing_project_id,
            "runId": emu.fixtures.finished_run_id,
        }
        async with HexExecutor(
            emu.base_url,
            emu.token,
            rate_limits=scale_rate_limits(HEX_RATE_LIMITS, SCALE),
            rate_limiter=RateLimiter(),
            timeout=0,  # each caller waits its turn as long as that takes
        ) as ex:
            started = time.monotonic()
            results = await asyncio.gather(
                *(ex.execute("hex_get_run_status", params) for _ in range(CALLERS))
            )
            elapsed = time.monotonic() - started
        refused = emu.requests.count(status=429)
        received = emu.requests.count(operation="GetRunStatus")

    assert refused == 0
    assert all(r.success for r in results), [r.error for r in results if r.error][:3]
    assert [r.timing.attempts for r in results] == [1] * CALLERS
    assert received == CALLERS
    limit = HEX_RATE_LIMITS["hex-api"].scaled(SCALE)
    minimum = earliest_last_start(CALLERS, limit)  # 30 per "minute": 3 windows = 3 s
    assert minimum == 3.0
    assert elapsed >= minimum  # the pacer never sent faster than Hex allows
    assert elapsed <= minimum * 1.15, f"{elapsed:.2f} s vs the {minimum:.2f} s the limit allows"


async def test_different_tokens_do_not_wait_for_each_other() -> None:
    # One "minute" is 10 s here: a shared budget would make the 90 calls wait for two
    # more windows (20 s), far beyond what a loaded machine adds to 90 calls.
    scale = 1 / 6
    config = EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=scale)
    async with run_emulator(config) as emu:
        params = {"projectId": emu.fixtures.completing_project_id}
        limits = scale_rate_limits(HEX_RATE_LIMITS, scale)
        limiter = RateLimiter()
        tokens = [emu.tokens["ADMIN"], emu.tokens["EDITOR"], emu.tokens["MANAGER"]]
        executors = [
            HexExecutor(emu.base_url, t, rate_limits=limits, rate_limiter=limiter, timeout=0)
            for t in tokens
        ]
        for ex in executors:
            await ex.__aenter__()
        try:
            # 30 calls per token fit into each token's first "minute": no waiting at all.
            started = time.monotonic()
            results = await asyncio.gather(
                *(ex.execute("hex_get_project", params) for ex in executors for _ in range(30))
            )
            elapsed = time.monotonic() - started
        finally:
            for ex in executors:
                await ex.aclose()
        assert emu.requests.count(status=429) == 0
    assert all(r.success for r in results)
    assert elapsed < 10.0  # within the first window: three tokens, three budgets
