"""One process's link to the Redis that workers share: client, health, key names.

Redis is a helper, never a single point of failure. Every use goes through
:meth:`RedisLink.client`, which says "not now" while Redis is known to be down, and
:meth:`RedisLink.failed`, which logs one warning per outage; callers then fall back to
what they do alone. After ``retry_interval`` the next use tries Redis again, and the
first success logs that it is back.

Keys never hold a token: a lane is named by an HMAC of (base URL, token). Every worker
must name a lane the same way, so the HMAC key cannot be a per-process secret: it is
``HEX_REDIS_TOKEN_KEY`` when set (the same value on every worker keeps the names
meaningless to anyone who reads Redis without it), else a fixed key. Hex tokens are
long random strings, so even the fixed-key hash cannot be turned back into a token.

The client (``redis.asyncio``) is imported here, and this module only by code that
was given a Redis URL: without the setting the package never imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

log = logging.getLogger("aacflow_hex")

KEY_PREFIX = "aacflow-hex"
_DEFAULT_HMAC_KEY = b"aacflow-hex/redis-lanes/v1"
# Errors that mean "Redis cannot help right now": fall back, never fail the call.
REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, asyncio.TimeoutError)


def describe_url(url: str) -> str:
    """The Redis URL without user or password, for log lines."""
    parts = urlsplit(url)
    host = parts.hostname or parts.path or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _keyed_hash(message: bytes) -> str:
    key = os.environ.get("HEX_REDIS_TOKEN_KEY", "").encode() or _DEFAULT_HMAC_KEY
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def lane_id(base_url: str, token: str | None) -> str:
    """A keyed hash of (base URL, token): the same on every worker, no token in it."""
    return _keyed_hash(base_url.encode() + b"\0" + (token or "").encode())


def token_hash(token: str | None) -> str:
    """A keyed hash of the token alone (the run watcher's store keys hold the base URL)."""
    return _keyed_hash(b"token\0" + (token or "").encode())


def lane_key(kind: str, base_url: str, token: str | None, *parts: str) -> str:
    """A Redis key of one (base URL, token). The braces keep a lane's keys in one
    Redis Cluster slot, so one script may touch them all."""
    return ":".join([KEY_PREFIX, kind, "{" + lane_id(base_url, token) + "}", *parts])


class _Health:
    """Whether Redis at one URL answers, shared by every link of the process to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0


_HEALTH: dict[str, _Health] = {}
_HEALTH_LOCK = threading.Lock()


def _health(url: str) -> _Health:
    with _HEALTH_LOCK:
        return _HEALTH.setdefault(url, _Health(url))


class RedisLink:
    """A lazily made ``redis.asyncio`` client per event loop, and Redis's health."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 1.0,
        retry_interval: float = 1.0,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.retry_interval = retry_interval
        self._health = _health(url)
        self._clients: dict[asyncio.AbstractEventLoop, Redis] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"RedisLink({describe_url(self.url)!r}, down={self._health.down})"

    @property
    def down(self) -> bool:
        return self._health.down

    def client(self) -> Redis | None:
        """The client for this event loop, or None while Redis is known to be down."""
        health = self._health
        with health.lock:
            if health.down and time.monotonic() < health.retry_at:
                return None
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for stale in [other for other in self._clients if other.is_closed()]:
                del self._clients[stale]
            client = self._clients[loop] = Redis.from_url(
                self.url,
                socket_connect_timeout=self.timeout,
                socket_timeout=self.timeout,
                # No retries inside the client: a failed command falls back at once.
                retry=Retry(NoBackoff(), 0),
            )
        return client

    def script(self, source: str) -> AsyncScript | None:
        """A server-side script on this loop's client (None while Redis is down)."""
        client = self.client()
        return None if client is None else client.register_script(source)

    def succeeded(self) -> None:
        health = self._health
        with health.lock:
            if not health.down:
                return
            health.down = False
        log.warning("Redis at %s is back: sharing the budget again", describe_url(self.url))

    def failed(self, exc: BaseException) -> None:
        """Redis did not answer: one warning per outage, then keep away for a while.

        The client goes too: its pooled connections may be dead, and the first command
        after Redis returns must not fail on one of them.
        """
        self._drop_client()
        health = self._health
        with health.lock:
            was_down = health.down
            health.down = True
            health.retry_at = time.monotonic() + self.retry_interval
        if not was_down:
            log.warning(
                "Redis at %s is unreachable (%s): each worker paces on its own until it "
                "returns; Hex may answer some requests with 429",
                describe_url(self.url),
                type(exc).__name__,
            )

    def _drop_client(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        client = self._clients.pop(loop, None)
        if client is not None:
            task = loop.create_task(_quietly_close(client))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close this loop's client (clients of other loops close with their loops)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        client = self._clients.pop(loop, None)
        if client is not None:
            await _quietly_close(client)


async def _quietly_close(client: Redis) -> None:
    with contextlib.suppress(*REDIS_ERRORS):
        await client.aclose()
