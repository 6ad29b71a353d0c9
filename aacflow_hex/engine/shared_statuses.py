"""Run statuses shared by every worker on one Redis: the run watcher's store, kept there.

A watcher ``put``s what one poll of a project's runs learned and ``get``s it before the
next poll (see ``watcher`` and ``run_store``); kept in Redis, a status read by one
worker is used by every worker waiting on that project while it is fresh, so a fleet
polls a project about as often as one worker does. The keys of a (base URL, token,
project) share one Redis Cluster slot (the braces):

- ``runs``: the newest snapshot. It is replaced only by a newer one (a short Lua script
  compares the fetch times), and expires on its own.
- ``final:<run id>``: the record of a run seen in a final status, written with the
  snapshot that saw it (once; it expires a day later). Final means final: no worker
  reads such a run from Hex again.
- ``claim``: who is polling the project now (``SET NX`` with a short lease, renewed by
  its holder while it polls, deleted by it after its ``put``). Workers that find it
  held wait for the holder's snapshot instead of polling too.

Keys hold a keyed hash of the token (the one the pacing lanes use, the same on every
worker), never the token. Redis down: ``get``, ``finals`` and ``claim`` cannot tell and
``put`` keeps nothing, after one warning (see ``redis_link``); each worker then polls
for itself, as without Redis.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

from .redis_link import KEY_PREFIX, REDIS_ERRORS, RedisLink, token_hash
from .run_states import is_final_record
from .run_store import RunListSnapshot, StoreKey

SNAPSHOT_TTL = 3600.0  # seconds: far beyond any freshness a watcher accepts
FINALS_TTL = 24 * 3600.0  # seconds a final record is kept after it was first seen
CLAIM_LEASE = 3.0  # seconds: what a worker that dies holding a claim costs the others
T = TypeVar("T")

# KEYS: the snapshot, then the key of each final record. ARGV: the snapshot (JSON), its
# fetch time, its ttl ms, the finals' ttl ms, then each final record (JSON).
_PUT = """
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i + 3], 'PX', ARGV[4], 'NX')
end
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

# KEYS: the claim. ARGV: the holder, the lease ms. Only the holder renews or releases.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisRunStatusStore:
    """``RunStatusStore`` and ``PollClaims`` on Redis: projects' runs, shared by the fleet."""

    def __init__(
        self, link: RedisLink, ttl: float = SNAPSHOT_TTL, claim_lease: float = CLAIM_LEASE
    ) -> None:
        if claim_lease <= 0:
            raise ValueError(f"claim_lease must be a positive number of seconds, got {claim_lease}")
        self.link = link
        self.ttl = ttl
        self.claim_lease = claim_lease

    def __repr__(self) -> str:
        return f"RedisRunStatusStore({self.link!r})"

    def token_hash(self, token: str | None) -> str:
        return token_hash(token)

    async def get(self, key: StoreKey) -> RunListSnapshot | None:
        client = self.link.client()
        if client is None:
            return None
        raw = await self._ask(client.get(_redis_key(key, "runs")))
        return None if raw is None else _snapshot(raw)

    async def put(self, key: StoreKey, snapshot: RunListSnapshot) -> None:
        script = self.link.script(_PUT)
        if script is None:
            return
        text = json.dumps(
            {
                "fetched_at": snapshot.fetched_at,
                "runs": snapshot.runs,
                "durations": snapshot.durations,
                "history_read": snapshot.history_read,
            }
        )
        finals = {r: record for r, record in snapshot.runs.items() if is_final_record(record)}
        keys = [_redis_key(key, "runs"), *(_redis_key(key, "final", r) for r in finals)]
        args: list[str | int] = [
            text,
            repr(snapshot.fetched_at),
            _ms(self.ttl),
            _ms(FINALS_TTL),
            *(json.dumps(record) for record in finals.values()),
        ]
        await self._ask(script(keys=keys, args=args))

    async def finals(
        self, key: StoreKey, run_ids: list[str]
    ) -> dict[str, Mapping[str, Any]] | None:
        client = self.link.client()
        if client is None or not run_ids:
            return None
        raw = await self._ask(client.mget([_redis_key(key, "final", r) for r in run_ids]))
        if raw is None:
            return None
        found: dict[str, Mapping[str, Any]] = {}
        for run_id, text in zip(run_ids, raw, strict=False):
            record = _record(text)
            if record is not None and is_final_record(record):
                found[run_id] = record
        return found

    async def claim(self, key: StoreKey, holder: str) -> bool | None:
        client = self.link.client()
        if client is None:
            return None
        taken = await self._ask(
            client.set(_redis_key(key, "claim"), holder, nx=True, px=_ms(self.claim_lease)),
            default=...,
        )
        return None if taken is ... else bool(taken)

    async def renew(self, key: StoreKey, holder: str) -> None:
        script = self.link.script(_RENEW)
        if script is not None:
            args: list[str | int] = [holder, _ms(self.claim_lease)]
            await self._ask(script(keys=[_redis_key(key, "claim")], args=args))

    async def release(self, key: StoreKey, holder: str) -> None:
        script = self.link.script(_RELEASE)
        if script is not None:
            await self._ask(script(keys=[_redis_key(key, "claim")], args=[holder]))

    async def _ask(self, command: Awaitable[T], default: Any = None) -> Any:
        """The command's answer, or ``default`` when Redis cannot give one (then fall back)."""
        try:
            answer = await asyncio.wait_for(command, self.link.timeout)
        except REDIS_ERRORS as exc:
            self.link.failed(exc)
            return default
        self.link.succeeded()
        return answer


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _redis_key(key: StoreKey, kind: str, *parts: str) -> str:
    base = hashlib.sha256(key.base_url.encode()).hexdigest()[:16]
    slot = "{" + ":".join([base, key.token_hash, key.project_id]) + "}"
    return ":".join([KEY_PREFIX, "runs", slot, kind, *parts])


def _record(raw: bytes | str | None) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    try:
        record: Any = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _snapshot(raw: bytes | str) -> RunListSnapshot | None:
    """A stored snapshot, or None when it cannot be read (then the worker polls)."""
    try:
        held: Any = json.loads(raw)
        fetched_at = float(held["fetched_at"])
        runs = held["runs"]
        durations = held.get("durations") or {}
        durations = {str(r): float(d) for r, d in durations.items()}
        history_read = held.get("history_read") is True
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(runs, dict) or not all(isinstance(r, dict) for r in runs.values()):
        return None
    return RunListSnapshot(fetched_at, runs, durations, history_read)
