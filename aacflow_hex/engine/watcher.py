"""One run watcher per (base URL, token): every wait on a Hex run registers with it.

Hex gives a token about 30 requests a minute. Waits that each poll their own run
spend that budget run by run; the watcher answers many runs of a project with one
list request (``GET /projects/{projectId}/runs``, up to 100 runs a page) and falls
back to per-run status reads only where a list cannot prove a run's state.

How a run's state is proven (the API promises no order of the list, so an order is
only a hint):

1. A project with one or two watched runs: one status read per run (as cheap as a
   list, and it is the run's own record).
2. Otherwise the newest page(s) of the project's runs, unfiltered (``limit=100``, as
   many pages as there are hundreds of watched runs). A watched run found there is
   proven to be in the status its record shows; a final status is final, and the
   list item is the run's own record (status, times, elapsedTime).
3. Watched runs not on those pages (older than the newest hundred, or the order was
   not newest-first): the project's PENDING runs, then its RUNNING runs
   (``statusFilter``, every page). A run found is still on its way. A run in
   neither list was not PENDING when the first was read and not RUNNING when the
   second was, so it has ended (statuses only move forward); one status read then
   fetches its final record. That read, not the lists, decides: a run is never
   reported finished before its own record says so. With only one or two such
   runs, their status reads are cheaper than the two lists.

Requests are spent inside the token's budget: every request the watcher makes
takes a turn in its own lane of the rate limiter, limited to ``share`` of the
token's ``hex-api`` limits (default half), and then goes through the executor like
any call (paced under the whole budget, retried on 429 and 5xx). Projects are
polled earliest-due first, so the share is spread fairly over projects; how soon
a run is due again follows how long the project's runs usually take
(``watch_schedule``).

Waits of different tokens or base URLs never share a watcher: the executor keeps
one per token (a call's own ``apiKey`` wins over the executor's key, for every
request made on its behalf).

What the watcher learns is kept in a ``RunStatusStore`` (``run_store``): after each
poll it ``put``s a snapshot of the project's runs, and before a poll it ``get``s one:
a snapshot fresher than the project's polling interval that covers every watched run
saves the request. A store shared by a fleet may also implement ``PollClaims``: then
runs another worker saw end are taken from it and never read again, and workers take
turns at polling a project (one polls under a short claim, the others wait for what it
publishes). The default store is in memory, per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import math
import random
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..spec.ratelimits import RateLimit
from .pacing import Pacer, token_fingerprint
from .results import ToolError, ToolResult
from .run_states import is_final_record
from .run_store import MemoryRunStatusStore as MemoryRunStatusStore
from .run_store import PollClaims, RunListSnapshot, RunStatusStore, StoreKey, holding
from .watch_schedule import (
    PROFILE_RUNS,
    DurationProfile,
    next_pause,
    share_of,
    sustained_rate,
)

DEFAULT_SHARE = 0.5
PAGE_SIZE = 100  # Hex's largest page of runs
# Up to this many runs needing proof, per-run status reads are no dearer than lists.
READ_EACH_UP_TO = 2
ACTIVE_LISTS = ("PENDING", "RUNNING")  # in this order: see the module docstring, step 3
JITTER = 0.1
SHARE_GROUP = "watcher-share"
# While another worker holds a project's claim: look again after this long, doubling.
CLAIM_FIRST_PAUSE = 0.01
CLAIM_LONGEST_PAUSE = 0.25
T = TypeVar("T")


# -- what a wait holds ------------------------------------------------------------


class Caller(Protocol):
    """What the watcher needs of the executor: its request timeout and tool calls."""

    @property
    def timeout(self) -> float: ...

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult: ...


@dataclass(frozen=True)
class Look:
    """One look at a run on a wait's behalf: the run's record, or why it could not be had."""

    record: dict[str, Any] | None = None
    error: ToolError | None = None


@dataclass(eq=False)
class Watch:
    """One wait's registration: the watcher delivers looks, the wait reads them."""

    watcher: RunWatcher = field(repr=False)
    project_id: str
    run_id: str
    first: float  # the wait's pollInterval
    cap: float | None  # its maxPollInterval, if the caller set one
    deadline: float  # time.monotonic() when the wait gives up
    # time.monotonic() of the next look; 0: as soon as possible. (Pragmas: any time before
    # the process started reads the same here and for seen_at.)
    due: float = 0.0  # pragma: no mutate
    looks: int = 0
    record: dict[str, Any] | None = field(default=None, repr=False)
    seen_at: float = 0.0  # pragma: no mutate
    _looks: asyncio.Queue[Look] = field(default_factory=asyncio.Queue, repr=False)

    async def next_look(self, within: float) -> Look | None:
        """The next look, or None if none comes within ``within`` seconds."""
        return await _at_most(self._looks.get(), within)

    def close(self) -> None:
        self.watcher.forget(self)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def deliver(self, look: Look, now: float) -> None:
        self.looks += 1
        if look.record is not None:
            self.record, self.seen_at = look.record, now
        self._looks.put_nowait(look)

    def run_time(self, now: float) -> float | None:
        """Seconds the run has been RUNNING by now, from its last record (0 if PENDING).

        None when that is not known (no record yet, or a status that is neither).
        """
        status = None if self.record is None else self.record.get("status")
        if status == "PENDING":
            return 0.0
        if self.record is None or status != "RUNNING":
            return None
        elapsed = self.record.get("elapsedTime")
        if not isinstance(elapsed, (int, float)):
            return None
        return float(elapsed) + (now - self.seen_at)


# -- the watcher ------------------------------------------------------------------


class RunWatcher:
    """Watches the runs of one token on one base URL; one poll loop, started on demand."""

    def __init__(
        self,
        caller: Caller,
        token: str | None,
        *,
        base_url: str,
        limiter: Pacer,
        budget: RateLimit | None,
        share: float = DEFAULT_SHARE,
        store: RunStatusStore | None = None,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"the watcher's share of the budget must be in (0, 1], got {share}")
        self._caller = caller
        self._token = token
        self.base_url = base_url
        self._limiter = limiter
        self._share_limit = None if budget is None else share_of(budget, share)
        self._rate = sustained_rate(self._share_limit)
        self.store: RunStatusStore = store or MemoryRunStatusStore()
        self._token_hash = self.store.token_hash(token)
        self._projects: dict[str, dict[str, list[Watch]]] = {}
        self._profiles: dict[str, DurationProfile | None] = {}
        self._durations: dict[str, OrderedDict[str, float]] = {}
        self._asked_history: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._driver: asyncio.Task[None] | None = None
        self._polling: dict[str, asyncio.Task[None]] = {}  # project id -> its poll
        self._wake = asyncio.Event()
        self._rng = random.Random()
        self._holder = uuid.uuid4().hex  # names this watcher's claims in a shared store
        self._claims_taken = itertools.count()
        self.requests = 0  # requests made, for tests and benchmarks

    def __repr__(self) -> str:
        return (
            f"RunWatcher(base_url={self.base_url!r}, token={token_fingerprint(self._token)}, "
            f"projects={len(self._projects)})"
        )

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def cycle(self) -> float:
        """Seconds to poll every watched project once at the watcher's share (0: unpaced)."""
        if self._rate is None:
            return 0.0
        return len(self._projects) / self._rate

    def watch(
        self,
        project_id: str,
        run_id: str,
        *,
        first: float,
        cap: float | None,
        deadline: float,
    ) -> Watch:
        """Register a wait; its first look comes as soon as the budget allows."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._wake = loop, asyncio.Event()
        watch = Watch(self, project_id, run_id, first=first, cap=cap, deadline=deadline)
        self._projects.setdefault(project_id, {}).setdefault(run_id, []).append(watch)
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        self._wake.set()
        return watch

    def forget(self, watch: Watch) -> None:
        """Unregister a wait (it ended, timed out or was cancelled)."""
        runs = self._projects.get(watch.project_id)
        if runs is None or watch not in runs.get(watch.run_id, []):
            return
        runs[watch.run_id].remove(watch)
        if not runs[watch.run_id]:
            del runs[watch.run_id]
        if not runs:
            del self._projects[watch.project_id]
            poll = self._polling.pop(watch.project_id, None)
            if poll is not None:
                poll.cancel()  # nobody waits for that answer any more
        self._wake.set()

    async def aclose(self) -> None:
        if self._driver is not None and not self._driver.done():
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver

    # -- the poll loop ------------------------------------------------------------

    async def _drive(self) -> None:
        """Start each project's poll when it is due; one poll at a time per project.

        Polls of different projects run side by side (the share's lane paces them), so
        a request that hangs holds up its own project's looks, not every project's.
        """
        try:
            while self._projects:
                self._wake.clear()
                now = time.monotonic()
                later: list[float] = []
                for project_id in [p for p in self._projects if p not in self._polling]:
                    due = min(w.due for w in self._watches(project_id))
                    if due > now:
                        later.append(due)
                        continue
                    task = asyncio.ensure_future(self._poll_safely(project_id))
                    self._polling[project_id] = task
                    task.add_done_callback(functools.partial(self._polled, project_id))
                await _at_most(self._wake.wait(), min(later) - now if later else None)
        finally:
            for task in self._polling.values():
                task.cancel()

    def _polled(self, project_id: str, task: asyncio.Task[None]) -> None:
        if self._polling.get(project_id) is task:
            del self._polling[project_id]
        self._wake.set()

    async def _poll_safely(self, project_id: str) -> None:
        try:
            await self._poll(project_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must end the waits, not hang them
            error = ToolError(kind="invalid_response", message=f"the run watcher failed: {exc}")
            self._deliver(project_id, {}, {r: error for r in self._watched(project_id)})

    def _watches(self, project_id: str) -> list[Watch]:
        return [w for ws in self._projects.get(project_id, {}).values() for w in ws]

    def _watched(self, project_id: str) -> list[str]:
        return list(self._projects.get(project_id, {}))

    async def _poll(self, project_id: str) -> None:
        """Look at the watched runs of a project: from the store if it can tell, else Hex.

        With a store shared by a fleet (``PollClaims``): runs that some worker already saw
        end are delivered from it and never read again; the rest wait for a fresh
        snapshot, and only the worker holding the project's claim polls Hex for them.
        """
        key = StoreKey(self.base_url, self._token_hash, project_id)
        claims = self.store if isinstance(self.store, PollClaims) else None
        run_ids = await self._without_finals(project_id, key, claims)
        if not run_ids:
            return
        snapshot = await self.store.get(key)
        fresh = snapshot is not None and self._fresh(project_id, snapshot)
        if fresh and self._deliver_snapshot(project_id, snapshot, run_ids):
            return  # another worker looked a moment ago
        if claims is None:
            self._deliver(project_id, *await self._poll_hex(project_id, key, run_ids))
            return
        await self._take_turn(project_id, key, claims, run_ids, snapshot)

    async def _take_turn(
        self,
        project_id: str,
        key: StoreKey,
        claims: PollClaims,
        run_ids: list[str],
        before: RunListSnapshot | None,
    ) -> None:
        """Poll under the project's claim, or use what its holder publishes meanwhile."""
        holder = f"{self._holder}:{next(self._claims_taken)}"
        pause = CLAIM_FIRST_PAUSE
        waited = False
        while True:
            taken = await claims.claim(key, holder)
            if taken is False:  # another worker is polling this project: wait for its answer
                waited = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, CLAIM_LONGEST_PAUSE, claims.claim_lease / 4)
                continue
            if taken is None:  # the store cannot tell: poll on our own
                self._deliver(project_id, *await self._poll_hex(project_id, key, run_ids))
                return
            async with holding(claims, key, holder):
                if waited:  # the previous holder may have answered for us meanwhile
                    run_ids = await self._without_finals(project_id, key, claims)
                    if not run_ids:
                        return
                    snapshot = await self.store.get(key)
                    seen = -math.inf if before is None else before.fetched_at
                    newer = snapshot is not None and snapshot.fetched_at > seen
                    if newer and self._deliver_snapshot(project_id, snapshot, run_ids):
                        return
                answer = await self._poll_hex(project_id, key, run_ids)
            # Delivered once the claim is released: the waits it ends may close the watcher.
            self._deliver(project_id, *answer)
            return

    async def _without_finals(
        self, project_id: str, key: StoreKey, claims: PollClaims | None
    ) -> list[str]:
        """The watched runs of the project that the fleet has not yet seen end.

        The others' final records are delivered here: a run seen ending is never read again.
        """
        run_ids = self._watched(project_id)
        if claims is None or not run_ids:
            return run_ids
        known = await claims.finals(key, run_ids)
        if not known:
            return run_ids
        records = {r: dict(record) for r, record in known.items() if is_final_record(record)}
        self._learn(project_id, records.values())
        self._deliver(project_id, records, {})
        return [r for r in run_ids if r not in records]

    def _deliver_snapshot(
        self, project_id: str, snapshot: RunListSnapshot | None, run_ids: list[str]
    ) -> bool:
        """Deliver the snapshot's records if it has one for every run in ``run_ids``."""
        if snapshot is None or not set(run_ids) <= set(snapshot.runs):
            return False
        self._learn(project_id, snapshot.runs.values(), snapshot.durations)
        if snapshot.history_read:
            self._asked_history.add(project_id)
        self._deliver(project_id, {r: dict(snapshot.runs[r]) for r in run_ids}, {})
        return True

    async def _poll_hex(
        self, project_id: str, key: StoreKey, run_ids: list[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, ToolError]]:
        """Ask Hex about the runs (see the module docstring), tell the store: records, errors."""
        records: dict[str, dict[str, Any]] = {}
        errors: dict[str, ToolError] = {}
        fetched_at = time.time()
        if len(run_ids) <= READ_EACH_UP_TO:
            await self._read_each(project_id, run_ids, records, errors)
            await self._publish(project_id, key, fetched_at, records)
            return records, errors
        seen = await self._read_newest(project_id, len(run_ids), errors)
        if errors:  # the list failed: every watched run of the project shares its error
            return {}, {r: errors["*"] for r in run_ids}
        records.update({r: seen[r] for r in run_ids if r in seen})
        self._learn(project_id, seen.values())
        await self._ensure_profile(project_id)
        unseen = [r for r in run_ids if r not in records]
        if len(unseen) > READ_EACH_UP_TO:
            unseen = await self._drop_active(project_id, unseen, records, errors)
        await self._read_each(project_id, unseen, records, errors)
        await self._publish(project_id, key, fetched_at, {**seen, **records})
        return records, errors

    async def _publish(
        self, project_id: str, key: StoreKey, fetched_at: float, runs: dict[str, dict[str, Any]]
    ) -> None:
        if runs:
            durations = dict(self._durations.get(project_id, {}))
            history_read = project_id in self._asked_history
            await self.store.put(key, RunListSnapshot(fetched_at, runs, durations, history_read))

    def _fresh(self, project_id: str, snapshot: RunListSnapshot) -> bool:
        watches = self._watches(project_id)
        # The pragma: a poll runs for watched runs only, so the default is never used.
        newest_own = max((w.seen_at for w in watches), default=0.0)  # pragma: no mutate
        age = time.time() - snapshot.fetched_at
        # Newer than our own last look, and no older than the budget's floor.
        return age <= max(self.cycle(), min((w.first for w in watches), default=0.0)) and (
            time.monotonic() - age > newest_own
        )

    async def _read_newest(
        self, project_id: str, watched: int, errors: dict[str, ToolError]
    ) -> dict[str, dict[str, Any]]:
        """The newest pages of the project's runs, by run id ({}, errors['*'] on failure)."""
        seen: dict[str, dict[str, Any]] = {}
        for page in range(max(1, math.ceil(watched / PAGE_SIZE))):
            params = {"projectId": project_id, "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
            result = await self._call("hex_get_project_runs", params)
            if not result.success:
                errors["*"] = _error_of(result)
                return {}  # pragma: no mutate: after a failed list its caller reads errors alone
            runs = _runs_of(result)
            seen.update(runs)
            if len(runs) < PAGE_SIZE or result.output.get("nextOffset") is None:
                break
        return seen

    async def _drop_active(
        self,
        project_id: str,
        unseen: list[str],
        records: dict[str, dict[str, Any]],
        errors: dict[str, ToolError],
    ) -> list[str]:
        """Prove which ``unseen`` runs are still PENDING or RUNNING; the rest have ended."""
        left = list(unseen)
        for status in ACTIVE_LISTS:
            params = {
                "projectId": project_id,
                "statusFilter": status,
                "fetchAll": True,
                "maxItems": 100_000,
            }
            result = await self._call("hex_get_project_runs", params)
            if not result.success:
                error = _error_of(result)
                errors.update({r: error for r in left})
                return []
            active = _runs_of(result)
            for run_id in [r for r in left if r in active]:
                records[run_id] = active[run_id]
                left.remove(run_id)
        return left  # ended: their own records come from a status read each

    async def _read_each(
        self,
        project_id: str,
        run_ids: list[str],
        records: dict[str, dict[str, Any]],
        errors: dict[str, ToolError],
    ) -> None:
        for run_id in run_ids:
            if run_id not in self._projects.get(project_id, {}):
                continue  # its wait ended meanwhile
            result = await self._call(
                "hex_get_run_status", {"projectId": project_id, "runId": run_id}
            )
            if result.success:
                records[run_id] = result.output
                self._learn(project_id, [result.output])
            else:
                errors[run_id] = _error_of(result)

    async def _ensure_profile(self, project_id: str) -> None:
        """Learn how long the project's runs take, from its finished runs (once)."""
        if self._profiles.get(project_id) is not None or project_id in self._asked_history:
            return
        self._asked_history.add(project_id)
        params = {"projectId": project_id, "statusFilter": "COMPLETED", "limit": PAGE_SIZE}
        result = await self._call("hex_get_project_runs", params)
        if result.success:
            self._learn(project_id, _runs_of(result).values())

    def _learn(
        self, project_id: str, records: Any, durations: Mapping[str, float] | None = None
    ) -> None:
        """Keep the run times of the project's latest COMPLETED runs (each run once)."""
        known = self._durations.setdefault(project_id, OrderedDict())
        for run_id, seconds in (durations or {}).items():
            known[str(run_id)] = float(seconds)
        for record in records:
            elapsed = record.get("elapsedTime")
            if record.get("status") == "COMPLETED" and isinstance(elapsed, (int, float)):
                known[str(record.get("runId"))] = float(elapsed)
        while len(known) > PROFILE_RUNS:
            known.popitem(last=False)
        self._profiles[project_id] = DurationProfile.from_durations(known.values())

    async def _call(self, tool_id: str, params: dict[str, Any]) -> ToolResult:
        """One request on the watchers' behalf: a turn in the share's lane, then the executor."""
        with_token = {**params, "apiKey": self._token} if self._token else params
        # As long as the project's longest wait has left: a turn under the token's whole
        # budget may take minutes. A request that hangs holds up only this project.
        timeout = max(self._caller.timeout, self._longest_wait(str(params["projectId"])))
        self.requests += 1
        if self._share_limit is None:
            return await self._caller.execute(tool_id, with_token, timeout=timeout)
        async with self._limiter.slot(self.base_url, self._token, SHARE_GROUP, self._share_limit):
            return await self._caller.execute(tool_id, with_token, timeout=timeout)

    def _longest_wait(self, project_id: str) -> float:
        now = time.monotonic()
        return max([0.0, *(w.deadline - now for w in self._watches(project_id))])

    def _deliver(
        self,
        project_id: str,
        records: Mapping[str, dict[str, Any]],
        errors: Mapping[str, ToolError],
    ) -> None:
        now = time.monotonic()
        floor = self.cycle()
        profile = self._profiles.get(project_id)
        for run_id, watches in list(self._projects.get(project_id, {}).items()):
            record, error = records.get(run_id), errors.get(run_id)
            if record is None and error is None:
                continue
            for watch in list(watches):
                watch.deliver(Look(record=record, error=error), now)
                pause = next_pause(
                    run_time=watch.run_time(now),
                    looks=watch.looks,
                    first=watch.first,
                    cap=watch.cap,
                    floor=floor,
                    profile=profile,
                )
                watch.due = now + pause * self._rng.uniform(1 - JITTER, 1 + JITTER)


async def _at_most(work: Coroutine[Any, Any, T], seconds: float | None) -> T | None:
    """``await work``, or None after ``seconds`` (None: no limit).

    asyncio.timeout, where there is one: 3.11's wait_for can swallow a cancellation
    that arrives as the work completes, and a cancelled wait must end.
    """
    if sys.version_info >= (3, 11):  # pragma: no mutate: both branches time out alike
        try:
            async with asyncio.timeout(seconds):
                return await work
        except TimeoutError:
            return None
    try:
        return await asyncio.wait_for(work, seconds)
    except asyncio.TimeoutError:
        return None


def _runs_of(result: ToolResult) -> dict[str, dict[str, Any]]:
    runs = result.output.get("runs") or []
    return {str(r["runId"]): dict(r) for r in runs if isinstance(r, dict) and r.get("runId")}


def _error_of(result: ToolResult) -> ToolError:
    return result.error or ToolError(kind="invalid_response", message="no answer")
