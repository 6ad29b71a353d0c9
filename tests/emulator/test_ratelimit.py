"""Per-token, per-group sliding-window limits: 429 + Retry-After, exact window edges."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from aacflow_hex.emulator import Emulator, RateLimit, run_emulator
from aacflow_hex.emulator.ratelimit import RateLimiter

from .conftest import Api, fast_config


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def limited(clock: FakeClock) -> AsyncIterator[Api]:
    config = fast_config(rate_limits={"hex-api": RateLimit(per_minute=5, per_hour=8)}, clock=clock)
    async with run_emulator(config) as emu, aiohttp.ClientSession() as s:
        yield Api(emu, s)


async def statuses(
    api: Api, n: int, path: str = "/projects", token: str | None = None
) -> list[int]:
    out = []
    for _ in range(n):
        out.append((await api.get(path, token=token or api.emu.token)).status)
    return out


async def test_limits_are_on_by_default_with_hex_values() -> None:
    async with run_emulator() as emu, aiohttp.ClientSession() as s:
        api = Api(emu, s)
        codes = await statuses(api, 31)
        assert codes == [200] * 30 + [429]


async def test_over_the_limit_is_429_with_retry_after_and_family_body(
    limited: Api, clock: FakeClock
) -> None:
    assert await statuses(limited, 5) == [200] * 5
    clock.t += 10
    reply = await limited.get("/projects")  # ListProjects: tsoa family
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "50"
    assert "reason" in reply.body and "traceId" in reply.body
    pid = limited.emu.fixtures.completing_project_id
    runs = await limited.get(f"/projects/{pid}/runs")  # GetProjectRuns: new family
    assert runs.status == 429
    assert runs.body["code"] == "TOO_MANY_REQUESTS"


async def test_window_edge_is_exact_and_rejections_do_not_count(
    limited: Api, clock: FakeClock
) -> None:
    assert await statuses(limited, 5) == [200] * 5
    clock.t += 59.999
    assert await statuses(limited, 3) == [429] * 3
    clock.t += 0.001  # the first five leave the 60 s window now
    assert await statuses(limited, 3) == [200] * 3


async def test_hourly_limit_applies_after_the_minute_one(limited: Api, clock: FakeClock) -> None:
    assert await statuses(limited, 5) == [200] * 5
    clock.t += 60
    assert await statuses(limited, 4) == [200, 200, 200, 429]
    reply = await limited.get("/projects")
    assert reply.headers["Retry-After"] == str(3600 - 60)


async def test_limits_are_per_token_and_per_group(limited: Api) -> None:
    assert await statuses(limited, 6) == [200] * 5 + [429]
    assert await statuses(limited, 5, token=limited.emu.tokens["EDITOR"]) == [200] * 5
    # /users/me is in hex-api-30rpm, a separate budget with Hex's 30/min.
    assert await statuses(limited, 30, path="/users/me") == [200] * 30


async def test_run_project_group_is_20_per_minute_and_429_starts_nothing(
    clock: FakeClock,
) -> None:
    config = fast_config(rate_limits={}, clock=clock)
    async with run_emulator(config) as emu, aiohttp.ClientSession() as s:
        api = Api(emu, s)
        pid = emu.fixtures.completing_project_id
        codes = [(await api.post(f"/projects/{pid}/runs")).status for _ in range(21)]
        assert codes == [201] * 20 + [429]
        assert emu.runs_started(pid) == 20


async def test_scale_turns_minutes_into_seconds(clock: FakeClock) -> None:
    config = fast_config(
        rate_limits={"hex-api": RateLimit(per_minute=2)},
        rate_limit_scale=1 / 60,
        fractional_retry_after=True,
        clock=clock,
    )
    async with run_emulator(config) as emu, aiohttp.ClientSession() as s:
        api = Api(emu, s)
        assert await statuses(api, 3) == [200, 200, 429]
        clock.t += 0.25
        assert (await api.get("/projects")).headers["Retry-After"] == "0.75"
        clock.t += 0.75
        assert await statuses(api, 1) == [200]


async def test_limits_can_be_off_and_changed_at_runtime(emu: Emulator, api: Api) -> None:
    assert set(await statuses(api, 40)) == {200}
    emu.set_rate_limits({"hex-api": RateLimit(per_minute=1)})
    assert await statuses(api, 2) == [200, 429]
    emu.set_rate_limits(None)
    assert await statuses(api, 2) == [200, 200]


def test_limiter_retry_after_is_time_until_oldest_counted_request_expires() -> None:
    limiter = RateLimiter({"g": RateLimit(per_minute=3)})
    for t in (0.0, 10.0, 20.0):
        assert limiter.check("tok", "g", t).allowed
    decision = limiter.check("tok", "g", 30.0)
    assert not decision.allowed
    assert decision.retry_after == pytest.approx(30.0)
    assert limiter.check("tok", "g", 60.0).allowed  # t=0 left the window
    assert not limiter.check("tok", "g", 61.0).allowed
    assert limiter.check("tok", "other-group", 61.0).allowed
