"""The shared pacer's lanes as Redis holds them: how long a slot is leased, how long
answers are kept, a 429's pause here and for every worker, and the local count kept
beside Redis's. A real redis-server, no Hex: the pacer alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

pytest.importorskip("redis", reason="the Redis client: pip install -e '.[dev]'")

from redis.asyncio import Redis
from redis_server import RedisServer, redis_server

from aacflow_hex.engine import redis_link
from aacflow_hex.engine.pacing import RateLimiter, TurnTooLate
from aacflow_hex.engine.redis_link import RedisLink
from aacflow_hex.engine.shared_pacing import SharedRateLimiter
from aacflow_hex.spec.ratelimits import RateLimit

__all__ = ["redis_server"]  # the fixture, used by name

BASE = "https://hex.example/api/v1"
TOKEN = "hxtp_lane_token_q7"
GROUP = "hex-api"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()
        redis_link._HEALTH.pop(redis_server.url, None)


def pacer(url: str) -> SharedRateLimiter:
    return SharedRateLimiter(RedisLink(url), RateLimiter())


async def key_of(redis: Redis, part: str) -> str:
    [key] = [k async for k in redis.scan_iter(f"aacflow-hex:pace:*:{GROUP}:{part}")]
    return str(key)


async def redis_now(redis: Redis) -> float:
    seconds, micros = await redis.time()
    return float(seconds) + micros / 1e6


@pytest.mark.parametrize(
    ("deadline_in", "lease"),
    [(None, 300.0), (10.0, 60.0), (100.0, 105.0)],  # no timeout; at least a minute; +5 s
)
async def test_a_held_slot_is_leased_for_the_calls_time_and_a_little_more(
    redis_server: RedisServer, redis: Redis, deadline_in: float | None, lease: float
) -> None:
    shared = pacer(redis_server.url)
    deadline = None if deadline_in is None else time.monotonic() + deadline_in
    async with shared.slot(BASE, TOKEN, GROUP, RateLimit(per_minute=30), deadline):
        inflight = await key_of(redis, "inflight")
        [(_, leased_until)] = await redis.zrange(inflight, 0, -1, withscores=True)
        # Leased from Redis's clock when the turn was given, a moment ago.
        assert lease - 1.0 < leased_until / 1000 - await redis_now(redis) <= lease + 0.001
        assert shared.stats(BASE, TOKEN, GROUP).in_flight == 1  # counted locally too
    assert await redis.zcard(inflight) == 0
    await shared.link.aclose()


@pytest.mark.parametrize(
    ("limit", "kept"),
    [(RateLimit(per_minute=30, per_hour=1800), 3600 + 60), (None, 60)],
)
async def test_an_answer_is_kept_as_long_as_the_longest_window_and_a_minute(
    redis_server: RedisServer, redis: Redis, limit: RateLimit | None, kept: float
) -> None:
    shared = pacer(redis_server.url)
    async with shared.slot(BASE, TOKEN, GROUP, limit):
        pass
    finished = await key_of(redis, "finished")
    assert await redis.zcard(finished) == 1
    assert kept * 1000 - 2000 < await redis.pttl(finished) <= kept * 1000
    await shared.link.aclose()


async def test_a_429_pauses_the_lane_here_at_once_and_for_every_worker(
    redis_server: RedisServer, redis: Redis
) -> None:
    one, other = pacer(redis_server.url), pacer(redis_server.url)
    one.penalize(BASE, TOKEN, GROUP, 30)
    assert one.stats(BASE, TOKEN, GROUP).paused_for == pytest.approx(30, abs=1)
    await one.aclose()  # the pause has reached Redis
    paused = await key_of(redis, "paused")
    assert 29 < float(await redis.get(paused)) / 1000 - await redis_now(redis) <= 30.001
    assert 30_000 < await redis.pttl(paused) <= 31_000
    # Another worker, with a budget to spare, waits out the pause.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3), other.slot(BASE, TOKEN, GROUP, RateLimit(per_minute=30)):
            pass
    # A shorter pause never shortens a longer one; other lanes are not paused.
    one.penalize(BASE, TOKEN, GROUP, 1)
    await one.aclose()
    assert float(await redis.get(paused)) / 1000 - await redis_now(redis) > 25
    async with asyncio.timeout(5), other.slot(BASE, "another token", GROUP, None):
        pass
    # A Retry-After already past pauses no worker.
    one.penalize(BASE, TOKEN, "hex-api-30rpm", -5)
    await one.aclose()
    soon = time.monotonic() + 0.5
    async with asyncio.timeout(5), other.slot(BASE, TOKEN, "hex-api-30rpm", None, soon):
        pass
    await one.link.aclose()
    await other.link.aclose()


async def test_a_full_budget_makes_the_next_caller_wait_for_the_window(
    redis_server: RedisServer, redis: Redis
) -> None:
    limit = RateLimit(per_minute=2, time_scale=1 / 20)  # two in 3 s
    one, other = pacer(redis_server.url), pacer(redis_server.url)
    for shared in (one, other):
        async with shared.slot(BASE, TOKEN, GROUP, limit):
            pass
    started = time.monotonic()
    async with one.slot(BASE, TOKEN, GROUP, limit):
        waited = time.monotonic() - started
    assert 1.5 < waited < 6  # the third request of the window, across workers
    # A caller whose deadline comes before its turn is told so at once.
    for shared in (one, other):
        async with shared.slot(BASE, "token two", GROUP, limit):
            pass
    started = time.monotonic()
    with pytest.raises(Exception, match="turn") as refused:
        async with other.slot(BASE, "token two", GROUP, limit, time.monotonic() + 0.2):
            pass
    assert type(refused.value).__name__ == "TurnTooLate"
    assert time.monotonic() - started < 1.5  # its turn is ~3 s away: not waited for
    await one.link.aclose()
    await other.link.aclose()


# -- what the head of a lane waits for, and what Redis is asked ------------------------


class Enough(Exception):
    """Raised by the recorded sleep once the test has seen enough of them."""


class RecordedSleeps:
    """``asyncio`` as the shared pacer sees it, its sleeps recorded (and kept short)."""

    def __init__(self, stop_after: int) -> None:
        self.seen: list[float] = []
        self.stop_after = stop_after

    async def sleep(self, seconds: float) -> None:
        self.seen.append(seconds)
        if len(self.seen) >= self.stop_after:
            raise Enough
        await asyncio.sleep(0.005)

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> RecordedSleeps:
    from aacflow_hex.engine import shared_pacing

    recorded = RecordedSleeps(stop_after=3)
    monkeypatch.setattr(shared_pacing, "asyncio", recorded)
    return recorded


@pytest.mark.parametrize(
    ("limit", "poll"),
    [
        (RateLimit(per_minute=1, per_hour=1800), 0.12),  # the shortest window / 500
        (RateLimit(per_hour=1), 0.25),  # at most a quarter second
        (RateLimit(per_minute=1, time_scale=0.1 / 60), 0.002),  # at least 2 ms
    ],
)
async def test_while_only_an_answer_can_free_a_turn_the_head_asks_redis_again_soon(
    redis_server: RedisServer, redis: Redis, sleeps: RecordedSleeps, limit: RateLimit, poll: float
) -> None:
    holder, waiter = pacer(redis_server.url), pacer(redis_server.url)
    async with holder.slot(BASE, TOKEN, GROUP, limit):  # another worker's request is out
        with pytest.raises(Enough):
            async with asyncio.timeout(5), waiter.slot(BASE, TOKEN, GROUP, limit):
                pass
    assert sleeps.seen == [poll, poll, poll]
    await holder.link.aclose()
    await waiter.link.aclose()


async def test_after_an_answer_the_next_turn_is_a_full_window_away_for_every_worker(
    redis_server: RedisServer, redis: Redis, sleeps: RecordedSleeps
) -> None:
    hourly = RateLimit(per_hour=1)
    one, other = pacer(redis_server.url), pacer(redis_server.url)
    async with one.slot(BASE, TOKEN, GROUP, hourly):
        pass
    sleeps.stop_after = 1
    with pytest.raises(Enough):
        async with asyncio.timeout(5), other.slot(BASE, TOKEN, GROUP, hourly):
            pass
    [waited] = sleeps.seen
    assert waited == pytest.approx(3600, abs=1)  # seconds, as Redis counted them in ms
    # With a deadline before that turn, the call is refused at once and told the wait.
    with pytest.raises(TurnTooLate) as refused:
        async with asyncio.timeout(5):
            async with other.slot(BASE, TOKEN, GROUP, hourly, time.monotonic() + 3000):
                pass
    assert refused.value.wait == pytest.approx(3600, abs=1)
    assert sleeps.seen == [waited]  # refused without sleeping
    await one.link.aclose()
    await other.link.aclose()


async def script_calls(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in ("evalsha", "eval"))


async def test_a_request_costs_redis_two_script_calls_its_turn_and_its_answer(
    redis_server: RedisServer, redis: Redis
) -> None:
    shared = pacer(redis_server.url)
    limit = RateLimit(per_minute=30)
    async with shared.slot(BASE, TOKEN, GROUP, limit):  # loads the scripts
        pass
    await redis.config_resetstat()
    for _ in range(3):
        async with shared.slot(BASE, TOKEN, GROUP, limit):
            pass
    assert await script_calls(redis) == 6
    assert await redis.zcard(await key_of(redis, "finished")) == 4
    await shared.link.aclose()


def test_the_shared_pacer_names_its_redis_without_the_password() -> None:
    shared = pacer("redis://:pa55word@cache.internal:6380/0")
    assert repr(shared) == "SharedRateLimiter(RedisLink('redis://cache.internal:6380', down=False))"
