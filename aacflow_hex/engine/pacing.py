"""Client-side pacing under Hex's per-token rate limits.

A :class:`RateLimiter` keeps one lane per (base URL, token, rate-limit group). A request
takes a slot in its lane before it is sent and gives it back when its answer has
arrived; callers wait their turn first come, first served.

Why a window log and not a refilling token bucket: Hex counts "requests per minute"
and does not say how. A bucket of 30 that refills one token every 2 s lets a 31st
request through 2 s after a burst of 30, which a sliding-window server (the emulator
is one) refuses. Allowing at most N requests in any window of the limit's length is
safe against sliding windows, fixed windows and buckets alike, and still lets the
whole budget go out at once.

Why a slot is held until the answer arrives: the server counts a request when it
receives it, at some moment between our send and its answer. Counting our request at
its answer's arrival is therefore never earlier than the server's count, so a new
request sent a full window later is outside the server's window too, whatever the
network latency.

The process-wide default limiter (``default_rate_limiter()``) is this package's one
deliberate piece of global mutable state: Hex limits a token, not an executor, so
every executor of a process that uses the same token must draw from the same lanes,
including executors created independently by different workflow steps. It is an
object like any other: pass ``rate_limiter=RateLimiter()`` to an executor to isolate
it (tests do). Lanes are keyed by a salted hash of the token, never the token.

Lanes work across event loops and threads (a threading lock guards them; waiters are
woken through their own loop), so steps run by ``asyncio.run`` in worker threads
still share one budget.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from ..spec.ratelimits import RateLimit

# Hashing with a per-process salt keeps lane keys useless outside this process.
_TOKEN_SALT = os.urandom(16)
_MAX_IDLE_LANES = 256


def token_fingerprint(token: str | None) -> str:
    if not token:
        return "no-token"
    return hashlib.blake2b(token.encode(), key=_TOKEN_SALT, digest_size=8).hexdigest()


@dataclass(frozen=True)
class LaneKey:
    base_url: str
    token_hash: str
    group: str


@dataclass
class _Waiter:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Future[None]


@dataclass
class _Lane:
    finished: deque[float] = field(default_factory=deque)  # answer times, oldest first
    in_flight: int = 0
    paused_until: float = 0.0
    queue: deque[_Waiter] = field(default_factory=deque)
    longest_window: float = 0.0

    def idle(self, now: float) -> bool:
        return (
            not self.queue
            and not self.in_flight
            and now >= self.paused_until
            and (not self.finished or self.finished[-1] <= now - self.longest_window)
        )

    def wait_time(self, limit: RateLimit | None, now: float) -> float | None:
        """Seconds until one more request fits; None if only a finishing request can free one."""
        wait = max(0.0, self.paused_until - now)
        if limit is None:
            return wait
        windows = limit.windows()
        self.longest_window = max([self.longest_window, *(span for _, span in windows)])
        while self.finished and self.finished[0] <= now - self.longest_window:
            self.finished.popleft()
        for count, span in windows:
            recent = [t for t in self.finished if t > now - span]
            excess = self.in_flight + len(recent) - count + 1
            if excess <= 0:
                continue
            if excess > len(recent):
                return None
            wait = max(wait, recent[excess - 1] + span - now)
        return wait


class TurnTooLate(Exception):
    """The lane's next turn comes after the caller's deadline; nothing was sent."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"next turn in {wait:.1f} s")
        self.wait = wait


@dataclass(frozen=True)
class LaneStats:
    """A lane's state, for tests and monitoring."""

    in_flight: int
    waiting: int
    paused_for: float


class Pacer(Protocol):
    """What the executor needs of a limiter: this module's, or one shared through Redis."""

    def slot(
        self,
        base_url: str,
        token: str | None,
        group: str,
        limit: RateLimit | None,
        deadline: float | None = None,
    ) -> AbstractAsyncContextManager[None]: ...

    def penalize(self, base_url: str, token: str | None, group: str, seconds: float) -> None: ...

    def stats(self, base_url: str, token: str | None, group: str) -> LaneStats: ...


class RateLimiter:
    """Paces requests per (base URL, token, group); share one instance to share budgets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lanes: dict[LaneKey, _Lane] = {}

    def __repr__(self) -> str:
        with self._lock:
            return f"RateLimiter(lanes={len(self._lanes)})"

    @staticmethod
    def key(base_url: str, token: str | None, group: str) -> LaneKey:
        return LaneKey(base_url, token_fingerprint(token), group)

    @asynccontextmanager
    async def slot(
        self,
        base_url: str,
        token: str | None,
        group: str,
        limit: RateLimit | None,
        deadline: float | None = None,
    ) -> AsyncIterator[None]:
        """Wait for a turn in the lane, then hold a slot until the block ends.

        Raises TurnTooLate, at once, when the caller is next in line and its turn is
        known to come after ``deadline`` (a ``time.monotonic()`` value): failing fast
        beats waiting out the whole timeout.
        """
        key = self.key(base_url, token, group)
        await self._acquire(key, limit, deadline)
        try:
            yield
        finally:
            self._release(key)

    def penalize(self, base_url: str, token: str | None, group: str, seconds: float) -> None:
        """Hex refused a request (429): send nothing more in this lane for ``seconds``."""
        with self._lock:
            lane = self._lane(self.key(base_url, token, group))
            lane.paused_until = max(lane.paused_until, time.monotonic() + max(0.0, seconds))

    def stats(self, base_url: str, token: str | None, group: str) -> LaneStats:
        with self._lock:
            lane = self._lanes.get(self.key(base_url, token, group))
            if lane is None:
                return LaneStats(0, 0, 0.0)
            paused = max(0.0, lane.paused_until - time.monotonic())
            return LaneStats(lane.in_flight, len(lane.queue), paused)

    # -- lanes ------------------------------------------------------------------

    def _lane(self, key: LaneKey) -> _Lane:
        lane = self._lanes.get(key)
        if lane is None:
            if len(self._lanes) >= _MAX_IDLE_LANES:
                now = time.monotonic()
                for stale in [k for k, v in self._lanes.items() if v.idle(now)]:
                    del self._lanes[stale]
            lane = self._lanes[key] = _Lane()
        return lane

    async def _acquire(self, key: LaneKey, limit: RateLimit | None, deadline: float | None) -> None:
        loop = asyncio.get_running_loop()
        me = _Waiter(loop, loop.create_future())
        with self._lock:
            lane = self._lane(key)
            lane.queue.append(me)
        try:
            while True:
                with self._lock:
                    wait: float | None = None
                    if lane.queue[0] is me:
                        now = time.monotonic()
                        wait = lane.wait_time(limit, now)
                        if wait is not None and deadline is not None and now + wait > deadline:
                            raise TurnTooLate(wait)
                        if wait is not None and wait <= 0:
                            lane.queue.popleft()
                            lane.in_flight += 1
                            self._wake_head(lane)
                            return
                    me.wake = loop.create_future()
                await asyncio.wait([me.wake], timeout=wait)
        except BaseException:
            with self._lock:
                if me in lane.queue:
                    was_head = lane.queue[0] is me
                    lane.queue.remove(me)
                    if was_head:
                        self._wake_head(lane)
            raise

    def _release(self, key: LaneKey) -> None:
        with self._lock:
            lane = self._lane(key)
            lane.in_flight -= 1
            lane.finished.append(time.monotonic())
            self._wake_head(lane)

    def _wake_head(self, lane: _Lane) -> None:
        """Tell the first waiter to look again (called with the lock held)."""
        while lane.queue:
            head = lane.queue[0]
            try:
                head.loop.call_soon_threadsafe(_resolve, head.wake)
                return
            except RuntimeError:  # its event loop is closed: that caller is gone
                lane.queue.popleft()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_DEFAULT_RATE_LIMITER = RateLimiter()


def default_rate_limiter() -> RateLimiter:
    """The limiter shared by every executor of this process that is not given its own."""
    return _DEFAULT_RATE_LIMITER
