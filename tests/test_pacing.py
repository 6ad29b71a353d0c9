"""The rate limiter: FIFO turns, at most N per window, pauses, sharing and cancellation."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import (
    LaneStats,
    RateLimiter,
    TurnTooLate,
    default_rate_limiter,
    token_fingerprint,
)
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import (
    HEX_RATE_LIMITS,
    RateLimit,
    resolve_rate_limits,
    scale_rate_limits,
)

URL = "https://hex.example/api/v1"
TOKEN = "hxtp_pacing_token_abcdef0123456789"
# Three requests per 0.3 s: windows short enough for a unit test.
THREE_PER_WINDOW = RateLimit(per_minute=3, time_scale=0.3 / 60)


async def _take(limiter: RateLimiter, limit: RateLimit | None, hold: float = 0.0) -> float:
    """Take a slot, hold it ``hold`` s; returns when the slot was granted."""
    async with limiter.slot(URL, TOKEN, "hex-api", limit):
        granted = time.monotonic()
        await asyncio.sleep(hold)
    return granted


async def test_no_more_than_the_limit_go_out_in_any_window() -> None:
    limiter = RateLimiter()
    granted = sorted(await asyncio.gather(*(_take(limiter, THREE_PER_WINDOW) for _ in range(7))))
    start = granted[0]
    # 3 at once, 3 a window later, 1 two windows later.
    assert [round((t - start) / 0.3) for t in granted] == [0, 0, 0, 1, 1, 1, 2]
    for i in range(len(granted) - 3):
        assert granted[i + 3] - granted[i] >= 0.3


async def test_a_slot_counts_until_its_answer_arrives() -> None:
    """A slow answer keeps its slot busy: the server may count the request that late."""
    limiter = RateLimiter()
    one = RateLimit(per_minute=1, time_scale=0.1 / 60)
    first = asyncio.create_task(_take(limiter, one, hold=0.2))
    await asyncio.sleep(0.01)
    second = await _take(limiter, one)
    assert second - await first >= 0.2 + 0.1


async def test_turns_are_first_come_first_served() -> None:
    limiter = RateLimiter()
    one = RateLimit(per_minute=1, time_scale=0.02 / 60)
    order: list[int] = []

    async def caller(i: int) -> None:
        async with limiter.slot(URL, TOKEN, "hex-api", one):
            order.append(i)

    tasks = []
    for i in range(8):
        tasks.append(asyncio.create_task(caller(i)))
        await asyncio.sleep(0)  # queue them in this order
    await asyncio.gather(*tasks)
    assert order == list(range(8))


async def test_a_429_pauses_the_lane_for_its_retry_after() -> None:
    limiter = RateLimiter()
    limiter.penalize(URL, TOKEN, "hex-api", 0.2)
    assert limiter.stats(URL, TOKEN, "hex-api").paused_for > 0.1
    started = time.monotonic()
    await _take(limiter, None)
    assert time.monotonic() - started >= 0.19
    other_group = time.monotonic()
    async with limiter.slot(URL, TOKEN, "hex-api-30rpm", None):
        assert time.monotonic() - other_group < 0.1


async def test_tokens_groups_and_hosts_have_their_own_lanes() -> None:
    limiter = RateLimiter()
    one = RateLimit(per_minute=1)  # a real minute: a second turn would hang the test

    async def one_each() -> None:
        for url, token, group in [
            (URL, TOKEN, "hex-api"),
            (URL, "another-token-0000", "hex-api"),
            (URL, TOKEN, "hex-run-kernel"),
            ("https://other.example/api/v1", TOKEN, "hex-api"),
        ]:
            async with limiter.slot(url, token, group, one):
                pass

    await asyncio.wait_for(one_each(), 2)


async def test_cancelling_a_waiting_call_leaves_the_queue_clean() -> None:
    limiter = RateLimiter()
    one = RateLimit(per_minute=1, time_scale=0.3 / 60)
    await _take(limiter, one)
    waiting = asyncio.create_task(_take(limiter, one))
    behind = asyncio.create_task(_take(limiter, one))
    await asyncio.sleep(0.05)
    assert limiter.stats(URL, TOKEN, "hex-api").waiting == 2
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert limiter.stats(URL, TOKEN, "hex-api").waiting == 1
    await behind  # the next in line still gets its turn
    stats = limiter.stats(URL, TOKEN, "hex-api")
    assert (stats.in_flight, stats.waiting) == (0, 0)


async def test_cancelling_a_call_in_flight_gives_its_slot_back() -> None:
    limiter = RateLimiter()
    holding = asyncio.create_task(_take(limiter, None, hold=10))
    await asyncio.sleep(0.02)
    assert limiter.stats(URL, TOKEN, "hex-api").in_flight == 1
    holding.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holding
    assert limiter.stats(URL, TOKEN, "hex-api").in_flight == 0


def test_threads_with_their_own_event_loops_share_one_budget() -> None:
    """Workflow steps run by asyncio.run in worker threads still share the token's lane."""
    limiter = RateLimiter()
    two = RateLimit(per_minute=2, time_scale=0.3 / 60)
    granted: list[float] = []
    lock = threading.Lock()

    def step() -> None:
        async def run() -> None:
            async with limiter.slot(URL, TOKEN, "hex-api", two):
                with lock:
                    granted.append(time.monotonic())

        asyncio.run(run())

    threads = [threading.Thread(target=step) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    granted.sort()
    assert len(granted) == 4
    assert granted[2] - granted[0] >= 0.3 and granted[3] - granted[1] >= 0.3


async def test_executors_for_the_same_token_share_the_default_limiter() -> None:
    one = {"hex-api": RateLimit(per_minute=1, time_scale=0.3 / 60)}
    async with (
        HexExecutor(URL, TOKEN, rate_limits=one) as a,
        HexExecutor(URL, TOKEN, rate_limits=one) as b,
    ):
        assert a._limiter is b._limiter
    assert default_rate_limiter() is default_rate_limiter()


def test_the_limiter_never_holds_or_shows_the_token() -> None:
    limiter = RateLimiter()
    limiter.penalize(URL, TOKEN, "hex-api", 1)
    key = limiter.key(URL, TOKEN, "hex-api")
    assert TOKEN not in repr(limiter) and TOKEN not in repr(key)
    assert TOKEN not in str(vars(limiter))
    assert token_fingerprint(TOKEN) == key.token_hash != token_fingerprint("other")


def test_hex_published_limits_are_the_defaults() -> None:
    assert HEX_RATE_LIMITS["hex-api"] == RateLimit(per_minute=30, per_hour=1800)
    assert HEX_RATE_LIMITS["hex-api-30rpm"] == RateLimit(per_minute=30)
    assert HEX_RATE_LIMITS["hex-run-kernel"] == RateLimit(per_minute=20, per_hour=60)
    assert HEX_RATE_LIMITS["hex-api"].windows() == ((30, 60.0), (1800, 3600.0))


def test_overrides_replace_named_groups_and_keep_the_others() -> None:
    resolved = resolve_rate_limits({"hex-api": RateLimit(per_minute=100), "hex-run-kernel": None})
    assert resolved is not None
    assert resolved["hex-api"] == RateLimit(per_minute=100)
    assert "hex-run-kernel" not in resolved  # not paced
    assert resolved["hex-api-30rpm"] == HEX_RATE_LIMITS["hex-api-30rpm"]
    assert resolve_rate_limits(None) is None
    fast = scale_rate_limits(HEX_RATE_LIMITS, 1 / 60)
    assert fast["hex-api"] is not None and fast["hex-api"].windows() == ((30, 1.0), (1800, 60.0))


@pytest.mark.parametrize("bad", [{"per_minute": 0}, {"per_hour": -1}, {"time_scale": 0}])
def test_nonsense_limits_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimit(**bad)  # type: ignore[arg-type]


async def test_an_executor_paces_its_calls() -> None:
    two = {"hex-api": RateLimit(per_minute=2, time_scale=0.3 / 60)}
    async with run_emulator(EmulatorConfig(rate_limits=None)) as emu:
        project_id = emu.fixtures.completing_project_id
        async with HexExecutor(
            emu.base_url, emu.token, rate_limits=two, rate_limiter=RateLimiter(), retry=NO_RETRY
        ) as ex:
            results = await asyncio.gather(
                *(ex.execute("hex_get_project", {"projectId": project_id}) for _ in range(5))
            )
        arrivals = sorted(r.at for r in emu.requests.filter(operation="GetProject"))
    assert all(r.success for r in results)
    assert len(arrivals) == 5
    for i in range(len(arrivals) - 2):
        assert arrivals[i + 2] - arrivals[i] >= 0.3


async def test_a_turn_past_the_deadline_is_refused_at_once() -> None:
    limiter = RateLimiter()
    one = RateLimit(per_minute=1, time_scale=5 / 60)  # one request per 5 s
    await _take(limiter, one)
    started = time.monotonic()
    with pytest.raises(TurnTooLate) as refused:
        async with limiter.slot(URL, TOKEN, "hex-api", one, deadline=started + 1):
            pass
    assert time.monotonic() - started < 0.5
    assert 4 < refused.value.wait <= 5


async def test_a_call_whose_turn_comes_too_late_fails_fast_as_rate_limited() -> None:
    """Sequential calls past the budget fail at once instead of waiting out the timeout."""
    one = {"hex-api": RateLimit(per_minute=1, time_scale=5 / 60)}
    async with run_emulator(EmulatorConfig(rate_limits=None)) as emu:
        project_id = emu.fixtures.completing_project_id
        async with HexExecutor(
            emu.base_url, emu.token, rate_limits=one, rate_limiter=RateLimiter(), timeout=2
        ) as ex:
            first = await ex.execute("hex_get_project", {"projectId": project_id})
            started = time.monotonic()
            second = await ex.execute("hex_get_project", {"projectId": project_id})
        sent = emu.requests.count(operation="GetProject")
    assert first.success
    assert second.error is not None and second.error.kind == "rate_limited"
    assert second.error.retry_after is not None and second.error.retry_after > 2
    assert "not sent" in second.error.message
    assert time.monotonic() - started < 1
    assert sent == 1


# -- decisions on a clock the test sets ----------------------------------------------
# The limiter reads ``time.monotonic()``; here it reads a clock the test moves, so each
# decision (go now, wait so long, wait for an answer) is checked to the second. A
# deadline equal to the clock's time turns any wait into a TurnTooLate that says it.

TWO_A_MINUTE_THREE_AN_HOUR = RateLimit(per_minute=2, per_hour=3)


class SetClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    from aacflow_hex.engine import pacing

    set_clock = SetClock(1000.0)
    monkeypatch.setattr(pacing, "time", set_clock)
    return set_clock


NOW = "now"


async def _turn_in(
    limiter: RateLimiter, limit: RateLimit | None, now: float, group: str = "g"
) -> float | str:
    """NOW when a slot is granted now (and given back at once), else the wait it would take."""
    try:
        async with asyncio.timeout(1):
            async with limiter.slot(URL, TOKEN, group, limit, deadline=now):
                return NOW
    except TurnTooLate as late:
        return late.wait


async def test_each_window_decides_the_wait_from_its_oldest_answers(clock: SetClock) -> None:
    limiter = RateLimiter()
    limit = TWO_A_MINUTE_THREE_AN_HOUR
    assert await _turn_in(limiter, limit, clock.now) is NOW  # answered at 1000
    clock.now = 1010.0
    assert await _turn_in(limiter, limit, clock.now) is NOW  # answered at 1010
    clock.now = 1020.0
    assert await _turn_in(limiter, limit, clock.now) == 40.0  # the minute of the first
    clock.now = 1059.5
    assert await _turn_in(limiter, limit, clock.now) == 0.5
    clock.now = 1060.0  # the first answer is a full minute old: out of the window
    assert await _turn_in(limiter, limit, clock.now) is NOW
    clock.now = 1200.0  # the minute is free; the hour holds three
    assert await _turn_in(limiter, limit, clock.now) == 3400.0
    clock.now = 4600.0
    assert await _turn_in(limiter, limit, clock.now) is NOW  # one answer (1000) left the hour
    clock.now = 4610.0
    assert await _turn_in(limiter, limit, clock.now) is NOW
    stats = limiter.stats(URL, TOKEN, "g")
    assert (stats.in_flight, stats.waiting, stats.paused_for) == (0, 0, 0.0)


async def test_a_request_still_out_counts_and_its_window_starts_at_its_answer(
    clock: SetClock,
) -> None:
    limiter = RateLimiter()
    one = RateLimit(per_minute=1)
    async with limiter.slot(URL, TOKEN, "g", one):
        assert limiter.stats(URL, TOKEN, "g").in_flight == 1
        # Only the answer can free a turn: no wait is known, so none is refused.
        later = asyncio.create_task(_turn_in(limiter, one, 1050.0))
        await asyncio.sleep(0.02)
        assert not later.done() and limiter.stats(URL, TOKEN, "g").waiting == 1
        clock.now = 1030.0  # the answer arrives half a minute later
    # The waiter's turn is a minute after the answer, past its deadline (1050).
    assert await later == 60.0
    assert limiter.stats(URL, TOKEN, "g").waiting == 0
    assert await _turn_in(limiter, one, clock.now) == 60.0
    clock.now = 1090.0
    assert await _turn_in(limiter, one, clock.now) is NOW


async def test_a_pause_is_waited_out_to_the_second_and_never_shortened(clock: SetClock) -> None:
    limiter = RateLimiter()
    assert limiter.stats(URL, TOKEN, "g") == LaneStats(0, 0, 0.0)  # a lane never used
    limiter.penalize(URL, TOKEN, "g", 30)
    limiter.penalize(URL, TOKEN, "g", 10)
    assert limiter.stats(URL, TOKEN, "g") == LaneStats(0, 0, 30.0)
    clock.now = 1012.0
    assert limiter.stats(URL, TOKEN, "g").paused_for == 18.0
    assert await _turn_in(limiter, None, clock.now) == 18.0  # unlimited, but paused
    assert await _turn_in(limiter, None, clock.now, group="other") is NOW
    clock.now = 1030.0
    assert await _turn_in(limiter, None, clock.now) is NOW
    limiter.penalize(URL, TOKEN, "g", -5)  # a Retry-After in the past pauses nothing
    assert limiter.stats(URL, TOKEN, "g").paused_for == 0.0
    assert await _turn_in(limiter, None, clock.now) is NOW


async def test_idle_lanes_are_forgotten_but_never_a_lane_that_still_paces(
    clock: SetClock,
) -> None:
    """Past 256 lanes, a new lane clears the idle ones: a lane with answers inside its
    window, a pause, a request out or a waiter keeps what it knows."""
    limiter = RateLimiter()
    one = RateLimit(per_minute=1)
    clock.now = 0.0
    assert await _turn_in(limiter, one, 0.0, group="answered") is NOW
    limiter.penalize(URL, TOKEN, "paused", 100)
    busy = limiter.slot(URL, TOKEN, "busy", one)
    await busy.__aenter__()
    waiter = asyncio.create_task(_turn_in(limiter, one, 10_000.0, group="busy"))
    await asyncio.sleep(0.02)

    async def fill(up_to: int, tag: str) -> None:
        n = 0
        while repr(limiter) != f"RateLimiter(lanes={up_to})":
            await _turn_in(limiter, None, clock.now, group=f"{tag}-{n}")
            n += 1

    await fill(256, "a")
    clock.now = 30.0
    await _turn_in(limiter, None, clock.now, group="new")  # the 257th lane
    assert repr(limiter) == "RateLimiter(lanes=4)"  # answered, paused, busy, new
    assert await _turn_in(limiter, one, clock.now, group="answered") == 30.0
    assert limiter.stats(URL, TOKEN, "paused").paused_for == 70.0
    assert limiter.stats(URL, TOKEN, "busy") == LaneStats(1, 1, 0.0)

    clock.now = 59.9
    await fill(256, "b")  # unlimited lanes are idle once their answer is in
    clock.now = 60.0  # the answer is a full minute old: that lane is idle now
    await _turn_in(limiter, None, clock.now, group="newer")
    assert repr(limiter) == "RateLimiter(lanes=3)"  # paused, busy, newer

    await fill(256, "c")
    clock.now = 100.0  # the pause is over
    await _turn_in(limiter, None, clock.now, group="newest")
    assert repr(limiter) == "RateLimiter(lanes=2)"  # busy, newest
    assert limiter.stats(URL, TOKEN, "busy") == LaneStats(1, 1, 0.0)
    waiter.cancel()
    await busy.__aexit__(None, None, None)
    with pytest.raises(asyncio.CancelledError):
        await waiter
