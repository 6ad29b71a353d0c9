"""Pacing shared by every worker on one Redis: the window log of ``pacing``, kept there.

A lane (base URL, token, group) is two sorted sets and one key in Redis:

- ``finished``: one member per answered request, scored by its answer's time;
- ``inflight``: one member per held slot, scored by when its lease runs out;
- ``paused``: until when a 429 told the token to wait.

Taking a slot and giving it back are Lua scripts, so each is atomic across workers,
and they read the time from Redis (``TIME``), so workers on machines whose clocks
disagree still share one clock. The rules are those of the local ``RateLimiter``: at
most N requests in any window, a request counted from when its answer arrived, a slot
held while the request is out. A lease bounds a slot whose worker died: its request
counts as answered when the lease ends.

Why a script and not a rate-limit library such as ``limits``: its windows count a
request when it is taken and know nothing of requests still out, and counting at the
answer is what keeps pacing safe whatever the latency (see ``pacing``). The scripts
are short, and run on the official client (``redis.asyncio``).

Within a process, waiters for one lane queue first come, first served, and only the
first polls Redis, so a hundred waiting calls cost one Redis round trip per turn.

When Redis is down, a waiter falls back to the process's local ``RateLimiter`` (see
``redis_link``): no call fails because Redis does, and a request is sent at most once
whatever Redis does, since nothing here ever retries a send. Requests sent through
Redis are counted in the local lanes as well, so the fallback knows what this process
has already spent.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..spec.ratelimits import RateLimit
from .pacing import LaneStats, RateLimiter, TurnTooLate
from .redis_link import REDIS_ERRORS, RedisLink, lane_key

# KEYS: finished, inflight, paused. ARGV: slot id, lease ms, then (count, span ms) pairs.
# Returns "0" (slot taken), "-1" (only an answer can free one) or the wait in ms.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local finished, inflight, paused = KEYS[1], KEYS[2], KEYS[3]
local lease = tonumber(ARGV[2])
local longest = 0
for i = 3, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
local lapsed = redis.call('ZRANGEBYSCORE', inflight, '-inf', now, 'WITHSCORES')
for i = 1, #lapsed, 2 do redis.call('ZADD', finished, lapsed[i + 1], lapsed[i]) end
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
redis.call('ZREMRANGEBYSCORE', finished, '-inf', now - longest)
local wait = 0
local until_ms = tonumber(redis.call('GET', paused) or '0')
if until_ms > now then wait = until_ms - now end
local busy = redis.call('ZCARD', inflight)
for i = 3, #ARGV, 2 do
  local count, span = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local since = '(' .. tostring(now - span)
  local recent = redis.call('ZCOUNT', finished, since, '+inf')
  local excess = busy + recent - count + 1
  if excess > 0 then
    if excess > recent then return '-1' end
    local nth = redis.call('ZRANGEBYSCORE', finished, since, '+inf', 'WITHSCORES', 'LIMIT',
      excess - 1, 1)
    wait = math.max(wait, tonumber(nth[2]) + span - now)
  end
end
if wait > 0 then return tostring(wait) end
redis.call('ZADD', inflight, now + lease, ARGV[1])
redis.call('PEXPIRE', inflight, math.ceil(lease) + 1000)
if longest > 0 then redis.call('PEXPIRE', finished, math.ceil(longest + lease) + 1000) end
return '0'
"""

# KEYS: finished, inflight. ARGV: slot id, ms to keep the log. Counts the answer now.
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 0
"""

# KEYS: paused. ARGV: pause ms. Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then
  redis.call('SET', KEYS[1], tostring(until_ms), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
end
return 0
"""

NO_DEADLINE_LEASE = 300.0  # seconds a slot may be held when the call has no timeout
MIN_LEASE = 60.0
MAX_UNRETURNED = 1000


class SharedRateLimiter:
    """The ``RateLimiter`` interface, with lanes kept in Redis for every worker."""

    def __init__(self, link: RedisLink, local: RateLimiter) -> None:
        self.link = link
        self.local = local
        self._turns: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()
        self._pending: set[asyncio.Task[None]] = set()
        # Slots whose give-back found Redis down: returned once it answers again, so a
        # short outage does not leave their leases holding the budget for a minute.
        self._unreturned: list[tuple[list[str], str, int]] = []

    def __repr__(self) -> str:
        return f"SharedRateLimiter({self.link!r})"

    @asynccontextmanager
    async def slot(
        self,
        base_url: str,
        token: str | None,
        group: str,
        limit: RateLimit | None,
        deadline: float | None = None,
    ) -> AsyncIterator[None]:
        keys = _lane_keys(base_url, token, group)
        slot_id = await self._take_shared(keys, limit, deadline)
        if slot_id is None:  # Redis is down: this process paces on its own
            async with self.local.slot(base_url, token, group, limit, deadline):
                yield
            return
        try:
            # The local lane counts this process's requests too (it never waits longer
            # than Redis did: it holds a subset, each answered no later), so that when
            # Redis goes, pacing alone starts from what this process has already sent.
            async with self.local.slot(base_url, token, group, limit, deadline):
                yield
        finally:
            await self._give_back(keys, slot_id, limit)

    def penalize(self, base_url: str, token: str | None, group: str, seconds: float) -> None:
        """A 429: pause this lane here at once, and for every worker through Redis."""
        self.local.penalize(base_url, token, group, seconds)
        task = asyncio.get_running_loop().create_task(
            self._pause_shared(_lane_keys(base_url, token, group)[2], seconds)
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def stats(self, base_url: str, token: str | None, group: str) -> LaneStats:
        return self.local.stats(base_url, token, group)

    async def aclose(self) -> None:
        """Wait for the pauses still on their way to Redis (the link is closed by its owner)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    # -- Redis ------------------------------------------------------------------

    async def _take_shared(
        self, keys: list[str], limit: RateLimit | None, deadline: float | None
    ) -> str | None:
        """A slot id once Redis grants a turn; None when Redis cannot help."""
        slot_id = uuid.uuid4().hex
        windows = limit.windows() if limit is not None else ()
        lease = _lease(deadline)
        args: list[str | float] = [slot_id, lease * 1000]
        for count, span in windows:
            args += [count, span * 1000]
        poll = _poll_interval(windows)
        async with self._turn(keys[0]):
            while True:
                script = self.link.script(_TAKE)
                if script is None:
                    return None
                try:
                    answer = await asyncio.wait_for(script(keys=keys, args=args), self.link.timeout)
                except REDIS_ERRORS as exc:
                    self.link.failed(exc)
                    return None
                self.link.succeeded()
                if self._unreturned:
                    await self._return_unreturned()
                wait = float(answer)
                if wait == 0:
                    return slot_id
                if wait > 0:
                    wait /= 1000
                    if deadline is not None and time.monotonic() + wait > deadline:
                        raise TurnTooLate(wait)
                    await asyncio.sleep(wait)
                else:
                    await asyncio.sleep(poll)

    async def _give_back(self, keys: list[str], slot_id: str, limit: RateLimit | None) -> None:
        spans = [span for _, span in limit.windows()] if limit is not None else []
        keep_ms = round((max(spans, default=0.0) + MIN_LEASE) * 1000)
        returned = await self._give_back_now(keys, slot_id, keep_ms)
        if not returned and len(self._unreturned) < MAX_UNRETURNED:
            self._unreturned.append((keys, slot_id, keep_ms))

    async def _give_back_now(self, keys: list[str], slot_id: str, keep_ms: int) -> bool:
        """Count the slot's answer in Redis now; False if Redis cannot be reached."""
        script = self.link.script(_GIVE_BACK)
        if script is None:
            return False
        try:
            await asyncio.wait_for(
                script(keys=keys[:2], args=[slot_id, keep_ms]), self.link.timeout
            )
        except REDIS_ERRORS as exc:
            self.link.failed(exc)
            return False
        return True

    async def _return_unreturned(self) -> None:
        # Counted as answered now, later than they were: never earlier than Hex counted.
        pending, self._unreturned = self._unreturned, []
        for index, (keys, slot_id, keep_ms) in enumerate(pending):
            if not await self._give_back_now(keys, slot_id, keep_ms):
                self._unreturned.extend(pending[index:])
                return

    async def _pause_shared(self, key: str, seconds: float) -> None:
        script = self.link.script(_PAUSE)
        if script is None:
            return
        try:
            await asyncio.wait_for(
                script(keys=[key], args=[max(0.0, seconds) * 1000]), self.link.timeout
            )
        except REDIS_ERRORS as exc:
            self.link.failed(exc)

    def _turn(self, lane: str) -> asyncio.Lock:
        """This event loop's queue for one lane: only its head polls Redis."""
        loop = asyncio.get_running_loop()
        locks = self._turns.setdefault(loop, {})
        lock = locks.get(lane)
        if lock is None:
            lock = locks[lane] = asyncio.Lock()
        return lock


def _lane_keys(base_url: str, token: str | None, group: str) -> list[str]:
    return [
        lane_key("pace", base_url, token, group, part)
        for part in ("finished", "inflight", "paused")
    ]


def _lease(deadline: float | None) -> float:
    if deadline is None:
        return NO_DEADLINE_LEASE
    return max(MIN_LEASE, deadline - time.monotonic() + 5.0)


def _poll_interval(windows: tuple[tuple[int, float], ...]) -> float:
    """How often the head asks again while every turn waits on an answer."""
    shortest = min((span for _, span in windows), default=60.0)
    return min(0.25, max(0.002, shortest / 500))
