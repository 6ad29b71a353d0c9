"""Run statuses shared by every worker on one Redis: the run watcher's store, kept there.

A watcher ``put``s what one poll of a project's runs learned and ``get``s it before the
next poll (see ``watcher``); kept in Redis, a status read by one worker is used by every
worker waiting on that project while it is fresh, so a fleet polls a project about as
often as one worker does.

A snapshot is replaced only by a newer one (a short Lua script compares the fetch
times), and it expires on its own. Keys hold a keyed hash of the token (the one the
pacing lanes use, the same on every worker), never the token.

Redis down: ``get`` finds nothing and ``put`` keeps nothing, after one warning (see
``redis_link``); each worker then polls for itself, as without Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from .redis_link import KEY_PREFIX, REDIS_ERRORS, RedisLink, token_hash
from .watcher import RunListSnapshot, StoreKey

SNAPSHOT_TTL = 3600.0  # seconds: far beyond any freshness a watcher accepts

# KEYS: the project's key. ARGV: the snapshot (JSON), its fetch time, ttl ms.
_PUT_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local ok, held = pcall(cjson.decode, current)
  if ok and tonumber(held['fetched_at']) and tonumber(held['fetched_at']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
"""


class RedisRunStatusStore:
    """``RunStatusStore`` on Redis: snapshots of projects' runs, shared by the fleet."""

    def __init__(self, link: RedisLink, ttl: float = SNAPSHOT_TTL) -> None:
        self.link = link
        self.ttl = ttl

    def __repr__(self) -> str:
        return f"RedisRunStatusStore({self.link!r})"

    def token_hash(self, token: str | None) -> str:
        return token_hash(token)

    async def get(self, key: StoreKey) -> RunListSnapshot | None:
        client = self.link.client()
        if client is None:
            return None
        try:
            raw = await asyncio.wait_for(client.get(_redis_key(key)), self.link.timeout)
        except REDIS_ERRORS as exc:
            self.link.failed(exc)
            return None
        self.link.succeeded()
        return None if raw is None else _snapshot(raw)

    async def put(self, key: StoreKey, snapshot: RunListSnapshot) -> None:
        script = self.link.script(_PUT_IF_NEWER)
        if script is None:
            return
        text = json.dumps({"fetched_at": snapshot.fetched_at, "runs": snapshot.runs})
        args: list[str | int] = [text, repr(snapshot.fetched_at), round(self.ttl * 1000)]
        try:
            await asyncio.wait_for(script(keys=[_redis_key(key)], args=args), self.link.timeout)
        except REDIS_ERRORS as exc:
            self.link.failed(exc)
            return
        self.link.succeeded()


def _redis_key(key: StoreKey) -> str:
    base = hashlib.sha256(key.base_url.encode()).hexdigest()[:16]
    return ":".join([KEY_PREFIX, "runs", base, key.token_hash, key.project_id])


def _snapshot(raw: bytes | str) -> RunListSnapshot | None:
    """A stored snapshot, or None when it cannot be read (then the worker polls)."""
    try:
        held: Any = json.loads(raw)
        fetched_at = float(held["fetched_at"])
        runs = held["runs"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(runs, dict) or not all(isinstance(r, dict) for r in runs.values()):
        return None
    return RunListSnapshot(fetched_at, runs)
