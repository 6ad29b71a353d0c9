"""Where run watchers keep what they learned of projects' runs, and how a fleet takes turns.

``RunStatusStore`` is the seam: after each poll of a project a watcher ``put``s what it
learned (a ``RunListSnapshot``: the records read, when they were fetched, the run
times of the project's finished runs), keyed by ``StoreKey(base_url, token_hash,
project_id)``, where ``token_hash`` is the store's own keyed hash of the token (never
the token). Before a poll it ``get``s the snapshot. The default store is in memory
(per process, per-process hash key).

A store shared by a fleet (Redis) may also implement ``PollClaims``, and then workers
take turns instead of polling a project side by side:

- ``finals``: the records of runs already seen in a final status. Statuses only move
  forward, so such a record is true for good: it is published once and never read from
  Hex again by any worker.
- ``claim``: a short "polling now" lease on a project. The worker that takes it polls and
  ``put``s; the others wait for that snapshot instead of polling too. The holder renews
  the lease while it polls (``holding``), so a worker that dies holding it delays the
  others by at most one lease.
- Every one of these answers "cannot tell" (None) when the store cannot be reached;
  the watcher then polls on its own, as without a shared store.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class StoreKey:
    base_url: str
    token_hash: str
    project_id: str


@dataclass(frozen=True)
class RunListSnapshot:
    """What one poll learned of a project's runs: records by run id, and when (time.time()).

    ``durations``: seconds of run time of the project's recently COMPLETED runs, by run
    id (how the watcher paces its looks), and ``history_read``: whether they include
    the project's history (its finished runs, asked once), so a worker that reads a
    snapshot need not ask Hex for that history itself.
    """

    fetched_at: float
    runs: Mapping[str, Mapping[str, Any]]
    durations: Mapping[str, float] = field(default_factory=dict)
    history_read: bool = False


class RunStatusStore(Protocol):
    """Where watchers keep what they learned about projects' runs (see the module docstring)."""

    def token_hash(self, token: str | None) -> str: ...

    async def get(self, key: StoreKey) -> RunListSnapshot | None: ...

    async def put(self, key: StoreKey, snapshot: RunListSnapshot) -> None: ...


@runtime_checkable
class PollClaims(Protocol):
    """A fleet's shared store that lets its workers take turns (see the module docstring)."""

    claim_lease: float  # seconds a claim lasts unless its holder renews it

    async def finals(
        self, key: StoreKey, run_ids: list[str]
    ) -> dict[str, Mapping[str, Any]] | None: ...

    async def claim(self, key: StoreKey, holder: str) -> bool | None:
        """True: ``holder`` holds the project's claim now; False: another does; None: unknown."""
        ...

    async def renew(self, key: StoreKey, holder: str) -> None: ...

    async def release(self, key: StoreKey, holder: str) -> None: ...


@contextlib.asynccontextmanager
async def holding(claims: PollClaims, key: StoreKey, holder: str) -> AsyncIterator[None]:
    """While the block runs, renew ``holder``'s claim every third of a lease; then release it."""

    async def renew_forever() -> None:
        while True:
            await asyncio.sleep(claims.claim_lease / 3)
            await claims.renew(key, holder)

    renewer = asyncio.ensure_future(renew_forever())
    try:
        yield
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        # Even when the poll was cancelled: the others need not wait out the lease. Shielded,
        # so a cancellation does not cut the command short and leave the connection dirty.
        with contextlib.suppress(Exception):
            await asyncio.shield(claims.release(key, holder))


class MemoryRunStatusStore:
    """The default store: this process only, the newest ``max_projects`` projects."""

    def __init__(self, max_projects: int = 1024) -> None:
        self._salt = os.urandom(16)
        self._max = max_projects
        self._snapshots: OrderedDict[StoreKey, RunListSnapshot] = OrderedDict()

    def __repr__(self) -> str:
        return f"MemoryRunStatusStore(projects={len(self._snapshots)})"

    def token_hash(self, token: str | None) -> str:
        if not token:
            return "no-token"
        return hashlib.blake2b(token.encode(), key=self._salt, digest_size=16).hexdigest()

    async def get(self, key: StoreKey) -> RunListSnapshot | None:
        return self._snapshots.get(key)

    async def put(self, key: StoreKey, snapshot: RunListSnapshot) -> None:
        self._snapshots[key] = snapshot
        self._snapshots.move_to_end(key)
        while len(self._snapshots) > self._max:
            self._snapshots.popitem(last=False)
