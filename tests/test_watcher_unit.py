"""The run watcher against a scripted executor: which requests it makes on a wait's
behalf (and with whose token), what a failed list or a bug in the watcher hands every
wait, and its store, share and running-time bookkeeping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from aacflow_hex.engine.pacing import RateLimiter, TurnTooLate
from aacflow_hex.engine.results import ToolError, ToolResult
from aacflow_hex.engine.watcher import (
    MemoryRunStatusStore,
    RunListSnapshot,
    RunWatcher,
    StoreKey,
    Watch,
)
from aacflow_hex.spec.ratelimits import RateLimit

BASE = "https://hex.example/api/v1"
TOKEN = "hxtp_watch_token_q7"
PROJECT = "p-1"
RUNS = ["r1", "r2", "r3"]


class ScriptedHex:
    """The executor, as far as the watcher sees it: answers from ``answer``."""

    timeout = 7.0

    def __init__(self, answer: Callable[[str, Mapping[str, Any]], ToolResult]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any], float | None]] = []

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        self.calls.append((tool_id, dict(params), timeout))
        await asyncio.sleep(0)
        return self.answer(tool_id, params)


def ok(tool_id: str, output: dict[str, Any]) -> ToolResult:
    return ToolResult(tool_id=tool_id, success=True, output=output)


def run(run_id: str, status: str, elapsed: float | None = None) -> dict[str, Any]:
    return {"runId": run_id, "status": status, "elapsedTime": elapsed}


def watcher(hex_: ScriptedHex, **kw: Any) -> RunWatcher:
    kw.setdefault("budget", None)
    return RunWatcher(hex_, TOKEN, base_url=BASE, limiter=RateLimiter(), **kw)


async def first_looks(w: RunWatcher, run_ids: list[str], within: float = 5) -> list[Any]:
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=0.05, cap=None, deadline=deadline) for r in run_ids]
    try:
        return [await watch.next_look(within) for watch in watches]
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()


async def test_one_or_two_runs_are_read_each_with_the_calls_own_token() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING", 1000)))
    looks = await first_looks(watcher(hex_), ["r1", "r2"])
    assert [look.record["runId"] for look in looks] == ["r1", "r2"]
    assert [(tool, params) for tool, params, _ in hex_.calls] == [
        ("hex_get_run_status", {"projectId": PROJECT, "runId": "r1", "apiKey": TOKEN}),
        ("hex_get_run_status", {"projectId": PROJECT, "runId": "r2", "apiKey": TOKEN}),
    ]
    # As long as the longest wait has left (a turn under the budget may take minutes).
    assert all(50 < timeout <= 60 for _, _, timeout in hex_.calls)  # type: ignore[operator]


async def test_without_a_token_of_its_own_the_executors_key_is_used() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING")))
    w = RunWatcher(hex_, None, base_url=BASE, limiter=RateLimiter(), budget=None)
    await first_looks(w, ["r1"])
    assert "apiKey" not in hex_.calls[0][1]


async def test_three_runs_are_proven_from_one_list_of_the_newest_runs() -> None:
    listed = [run(f"r{i}", "RUNNING", 5) for i in range(3)]
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {"runs": listed, "nextOffset": None}))
    looks = await first_looks(watcher(hex_), ["r0", "r1", "r2"])
    assert [look.record["status"] for look in looks] == ["RUNNING"] * 3
    first_tool, first_params, _ = hex_.calls[0]
    assert first_tool == "hex_get_project_runs"
    assert first_params == {"projectId": PROJECT, "limit": 100, "offset": 0, "apiKey": TOKEN}
    # Then, once, the project's finished runs: how long its runs usually take.
    history = [p for t, p, _ in hex_.calls if p.get("statusFilter") == "COMPLETED"]
    assert history == [{"projectId": PROJECT, "statusFilter": "COMPLETED", "limit": 100,
                        "apiKey": TOKEN}]  # fmt: skip
    assert not [t for t, _, _ in hex_.calls if t == "hex_get_run_status"]


async def test_a_failed_list_hands_its_error_to_every_wait_of_the_project() -> None:
    refused = ToolError(kind="permission", message="Hex API answered 403 Forbidden")
    hex_ = ScriptedHex(lambda tool, p: ToolResult(tool_id=tool, success=False, error=refused))
    w = watcher(hex_)
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=0.05, cap=None, deadline=deadline) for r in RUNS]
    try:
        looks = [await watch.next_look(5) for watch in watches]
    finally:
        await w.aclose()
    assert [(look.record, look.error) for look in looks] == [(None, refused)] * 3
    assert [(watch.looks, watch.record) for watch in watches] == [(1, None)] * 3
    assert len(hex_.calls) == 1


async def test_a_failure_without_an_error_still_ends_the_waits_with_one() -> None:
    hex_ = ScriptedHex(lambda tool, p: ToolResult(tool_id=tool, success=False))
    looks = await first_looks(watcher(hex_), ["r1"])
    assert looks[0].error == ToolError(kind="invalid_response", message="no answer")


async def test_a_bug_in_the_watcher_ends_every_wait_with_an_error_not_a_hang() -> None:
    def broken(tool: str, params: Mapping[str, Any]) -> ToolResult:
        raise RuntimeError("boom")

    looks = await first_looks(watcher(ScriptedHex(broken)), ["r0", "r1", "r2"])
    for look in looks:
        assert look is not None and look.record is None
        assert look.error == ToolError(
            kind="invalid_response", message="the run watcher failed: boom"
        )


def test_the_share_must_be_a_part_of_the_budget() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    for share in (0, -0.5, 1.01):
        with pytest.raises(ValueError) as refused:
            watcher(hex_, share=share)
        assert str(refused.value) == (
            f"the watcher's share of the budget must be in (0, 1], got {share}"
        )
    watcher(hex_, share=1)


def test_a_budget_cycle_is_every_watched_project_once_at_the_share() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    assert watcher(hex_).cycle() == 0.0  # unpaced
    w = watcher(hex_, budget=RateLimit(per_minute=30, per_hour=1800), share=0.5)
    assert w.cycle() == 0.0  # nothing watched
    w._projects = {"a": {}, "b": {}, "c": {}}  # three projects watched
    assert w.cycle() == pytest.approx(3 / (900 / 3600))  # 900 an hour: the longest window
    shown = repr(w)
    assert TOKEN not in shown and f"base_url={BASE!r}" in shown and "projects=3" in shown


async def test_the_memory_store_keeps_the_newest_projects_and_hashes_tokens_per_process() -> None:
    store, other = MemoryRunStatusStore(max_projects=2), MemoryRunStatusStore()
    assert store.token_hash(None) == store.token_hash("") == "no-token"
    assert store.token_hash(TOKEN) == store.token_hash(TOKEN) != other.token_hash(TOKEN)
    assert TOKEN not in store.token_hash(TOKEN) and len(store.token_hash(TOKEN)) == 32
    keys = [StoreKey(BASE, "h", p) for p in ("a", "b", "c")]
    for n, key in enumerate(keys):
        await store.put(key, RunListSnapshot(float(n), {}))
        if n == 1:
            await store.put(keys[0], RunListSnapshot(9.0, {}))  # "a" is the newest now
    assert await store.get(keys[1]) is None  # the oldest went
    assert await store.get(keys[0]) == RunListSnapshot(9.0, {})
    assert await store.get(keys[2]) == RunListSnapshot(2.0, {})
    assert repr(store) == "MemoryRunStatusStore(projects=2)"


def test_a_runs_time_running_comes_from_its_last_record() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {}))
    watch = Watch(watcher(hex_), PROJECT, "r1", first=1, cap=None, deadline=0)
    assert watch.run_time(100.0) is None  # no record yet
    watch.record, watch.seen_at = run("r1", "PENDING"), 50.0
    assert watch.run_time(100.0) == 0.0
    watch.record = run("r1", "RUNNING", 30)
    assert watch.run_time(100.0) == 80.0  # 30 s when seen, 50 s ago
    watch.record = run("r1", "RUNNING", None)
    assert watch.run_time(100.0) is None
    watch.record = run("r1", "COMPLETED", 30)
    assert watch.run_time(100.0) is None


async def test_list_items_without_a_run_id_are_passed_over() -> None:
    listed: list[Any] = [
        *(run(f"r{i}", "RUNNING", 5) for i in range(3)),
        {"status": "COMPLETED", "elapsedTime": 9},  # no runId
        {"runId": "", "status": "COMPLETED"},
        "not a run",
    ]
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {"runs": listed, "nextOffset": None}))
    looks = await first_looks(watcher(hex_), ["r0", "r1", "r2"])
    assert [(look.record["runId"], look.record["status"]) for look in looks] == [
        ("r0", "RUNNING"),
        ("r1", "RUNNING"),
        ("r2", "RUNNING"),
    ]
    assert not [t for t, _, _ in hex_.calls if t == "hex_get_run_status"]


async def test_a_fresh_snapshot_saves_the_request_only_if_it_has_every_watched_run() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING", 1)))
    store = MemoryRunStatusStore()
    key = StoreKey(BASE, store.token_hash(TOKEN), PROJECT)
    held = {r: run(r, "COMPLETED", 30) for r in ("r1", "r2")}
    await store.put(key, RunListSnapshot(time.time(), held))
    looks = await first_looks(watcher(hex_, store=store), ["r1", "r2"])
    assert [look.record for look in looks] == [held["r1"], held["r2"]]
    assert hex_.calls == []
    # A snapshot without one of the watched runs cannot answer: Hex is asked at once.
    await store.put(key, RunListSnapshot(time.time(), {"r1": held["r1"]}))
    w = watcher(hex_, store=store)
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=10, cap=None, deadline=deadline) for r in ("r1", "r2")]
    try:
        looks = [await watch.next_look(2) for watch in watches]
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()
    assert [look.record["status"] for look in looks] == ["RUNNING", "RUNNING"]
    assert [p["runId"] for _, p, _ in hex_.calls] == ["r1", "r2"]


async def test_a_snapshot_older_than_the_poll_interval_is_not_used() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "RUNNING", 1)))
    store = MemoryRunStatusStore()
    key = StoreKey(BASE, store.token_hash(TOKEN), PROJECT)
    await store.put(key, RunListSnapshot(time.time() - 1, {"r1": run("r1", "COMPLETED", 30)}))
    looks = await first_looks(watcher(hex_, store=store), ["r1"])  # pollInterval 0.05 s
    assert looks[0].record == run("r1", "RUNNING", 1)
    assert len(hex_.calls) == 1


def project_runs(
    newest: Callable[[int], tuple[list[dict[str, Any]], int | None]],
    active: Mapping[str, list[dict[str, Any]]],
    final: Callable[[str], dict[str, Any]],
) -> Callable[[str, Mapping[str, Any]], ToolResult]:
    """Hex as the watcher asks it: newest pages by offset, active lists, status reads."""

    def answer(tool: str, p: Mapping[str, Any]) -> ToolResult:
        if tool == "hex_get_run_status":
            return ok(tool, final(p["runId"]))
        status = p.get("statusFilter")
        if status is None:
            runs, next_offset = newest(p["offset"])
            return ok(tool, {"runs": runs, "nextOffset": next_offset})
        return ok(tool, {"runs": active.get(status, []), "nextOffset": None})

    return answer


def lists_asked(hex_: ScriptedHex) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in p.items() if k not in ("projectId", "apiKey")}
        for t, p, _ in hex_.calls
        if t == "hex_get_project_runs"
    ]


async def test_as_many_newest_pages_as_hundreds_of_watched_runs_then_the_active_lists() -> None:
    ids = [f"r{i}" for i in range(150)]
    pages = {0: ([run(r, "RUNNING", 5) for r in ids[:100]], 100),
             100: ([run(r, "RUNNING", 5) for r in ids[100:140]], None)}  # fmt: skip
    active = {"PENDING": [run(r, "PENDING") for r in ids[140:145]],
              "RUNNING": [run(r, "RUNNING", 1) for r in ids[145:147]]}  # fmt: skip
    hex_ = ScriptedHex(project_runs(pages.__getitem__, active, lambda r: run(r, "ERRORED", 3)))
    looks = await first_looks(watcher(hex_), ids)
    assert [look.record["status"] for look in looks] == (
        ["RUNNING"] * 140 + ["PENDING"] * 5 + ["RUNNING"] * 2 + ["ERRORED"] * 3
    )
    assert lists_asked(hex_) == [
        {"limit": 100, "offset": 0},
        {"limit": 100, "offset": 100},
        {"statusFilter": "COMPLETED", "limit": 100},  # the project's history, once
        {"statusFilter": "PENDING", "fetchAll": True, "maxItems": 100_000},
        {"statusFilter": "RUNNING", "fetchAll": True, "maxItems": 100_000},
    ]
    # Only the runs in neither active list are read, each by itself.
    assert [p["runId"] for t, p, _ in hex_.calls if t == "hex_get_run_status"] == ids[147:]


@pytest.mark.parametrize(
    "first_page",
    [
        ([run(f"r{i}", "RUNNING", 5) for i in range(100)], None),  # full, but the last
        ([run(f"r{i}", "RUNNING", 5) for i in range(99)], 99),  # short: the last
    ],
)
async def test_the_newest_pages_stop_at_the_last_one(
    first_page: tuple[list[dict[str, Any]], int | None],
) -> None:
    ids = [f"r{i}" for i in range(250)]
    active = {"PENDING": [run(r, "PENDING") for r in ids[len(first_page[0]) :]]}
    hex_ = ScriptedHex(project_runs(lambda offset: first_page, active, lambda r: {}))
    looks = await first_looks(watcher(hex_), ids)
    assert [look.record["runId"] for look in looks] == ids
    assert [p.get("offset") for p in lists_asked(hex_)] == [0, None, None, None]


async def test_a_failed_active_list_hands_its_error_to_the_runs_it_had_to_prove() -> None:
    refused = ToolError(kind="server", message="Hex API answered 503")
    listed = [run(f"r{i}", "RUNNING", 5) for i in range(3)]

    def answer(tool: str, p: Mapping[str, Any]) -> ToolResult:
        if p.get("statusFilter") == "RUNNING":
            return ToolResult(tool_id=tool, success=False, error=refused)
        if p.get("statusFilter") == "PENDING":
            return ok(tool, {"runs": [run("r3", "PENDING")], "nextOffset": None})
        return ok(tool, {"runs": listed, "nextOffset": None})

    hex_ = ScriptedHex(answer)
    looks = await first_looks(watcher(hex_), [f"r{i}" for i in range(7)])
    assert [(look.record or {}).get("status") for look in looks] == (
        ["RUNNING"] * 3 + ["PENDING"] + [None] * 3
    )
    assert [look.error for look in looks] == [None] * 4 + [refused] * 3
    assert not [t for t, _, _ in hex_.calls if t == "hex_get_run_status"]


async def test_the_run_times_of_the_latest_fifty_completed_runs_are_kept_and_published() -> None:
    listed = [
        *(run(f"r{i}", "RUNNING", 5) for i in range(3)),
        *(run(f"c{i}", "COMPLETED", i + 1) for i in range(60)),
        run("e0", "ERRORED", 7),  # not a completed run: its time says nothing
        run("n0", "COMPLETED", None),  # no time
    ]

    def answer(tool: str, p: Mapping[str, Any]) -> ToolResult:
        history = p.get("statusFilter") == "COMPLETED"
        return ok(tool, {"runs": [] if history else listed, "nextOffset": None})

    store, hex_ = MemoryRunStatusStore(), ScriptedHex(answer)
    await first_looks(watcher(hex_, store=store), ["r0", "r1", "r2"])
    held = await store.get(StoreKey(BASE, store.token_hash(TOKEN), PROJECT))
    assert held is not None
    assert held.durations == {f"c{i}": float(i + 1) for i in range(10, 60)}
    assert set(held.runs) == {r["runId"] for r in listed}
    # The newest runs told how long runs take: the history was not worth a request.
    assert held.history_read is False
    assert len(hex_.calls) == 1


# -- taking turns with other workers (a store that implements PollClaims) ----------------


class TakingTurns(MemoryRunStatusStore):
    """A fleet's store, scripted: the claim's answers in turn, and the fleet's finals."""

    def __init__(
        self,
        answers: list[bool | None],
        *,
        lease: float = 3.0,
        finals: Mapping[str, dict[str, Any]] | None = None,
        meanwhile: Callable[[StoreKey], RunListSnapshot | None] | None = None,
    ) -> None:
        super().__init__()
        self.claim_lease = lease
        self.answers = answers
        self.known = dict(finals or {})
        self.meanwhile = meanwhile  # what the holder publishes while we wait
        self.log: list[tuple[Any, ...]] = []

    async def finals(self, key: StoreKey, run_ids: list[str]) -> dict[str, Any] | None:
        self.log.append(("finals", *run_ids))
        return {r: self.known[r] for r in run_ids if r in self.known}

    async def claim(self, key: StoreKey, holder: str) -> bool | None:
        taken = self.answers.pop(0) if self.answers else True
        self.log.append(("claim", taken))
        if taken is False and self.meanwhile is not None:
            published = self.meanwhile(key)
            if published is not None:
                await self.put(key, published)
        return taken

    async def renew(self, key: StoreKey, holder: str) -> None:
        self.log.append(("renew",))

    async def release(self, key: StoreKey, holder: str) -> None:
        self.log.append(("release",))


class RecordedSleeps:
    """``asyncio`` as the watcher sees it, its sleeps recorded and not slept."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.seen.append(seconds)
        await asyncio.sleep(0)

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> RecordedSleeps:
    from aacflow_hex.engine import watcher as watcher_module

    recorded = RecordedSleeps()
    monkeypatch.setattr(watcher_module, "asyncio", recorded)
    return recorded


def reads_each(status: str = "RUNNING") -> ScriptedHex:
    return ScriptedHex(lambda tool, p: ok(tool, run(p.get("runId", "?"), status, 2)))


@pytest.mark.parametrize(
    ("lease", "pauses"),
    [(3.0, [0.01, 0.02, 0.04, 0.08, 0.16, 0.25, 0.25]), (0.12, [0.01, 0.02, 0.03, 0.03])],
)
async def test_while_another_worker_polls_the_project_its_answer_is_awaited(
    sleeps: RecordedSleeps, lease: float, pauses: list[float]
) -> None:
    """The claim is asked again after a pause that doubles, up to a quarter second or a
    quarter lease; then the holder's fresh snapshot answers and Hex is asked nothing."""
    refusals = len(pauses)
    published = {r: run(r, "COMPLETED", 9) for r in RUNS}

    def holder_answers(key: StoreKey) -> RunListSnapshot | None:
        return RunListSnapshot(time.time(), published) if len(sleeps.seen) == refusals - 1 else None

    store = TakingTurns([False] * refusals, lease=lease, meanwhile=holder_answers)
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), RUNS)
    assert [look.record for look in looks] == [published[r] for r in RUNS]
    assert hex_.calls == []
    assert sleeps.seen == pytest.approx(pauses)
    assert store.log == [
        ("finals", *RUNS),
        *[("claim", False)] * refusals,
        ("claim", True),
        ("finals", *RUNS),  # the holder may have seen some end meanwhile
        ("release",),
    ]


async def test_with_the_claim_taken_at_once_the_worker_polls_and_lets_go(
    sleeps: RecordedSleeps,
) -> None:
    store = TakingTurns([True])
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), ["r1", "r2"])
    assert [look.record["status"] for look in looks] == ["RUNNING", "RUNNING"]
    assert len(hex_.calls) == 2
    assert store.log == [("finals", "r1", "r2"), ("claim", True), ("release",)]
    assert sleeps.seen == []
    held = await store.get(StoreKey(BASE, store.token_hash(TOKEN), PROJECT))
    assert held is not None and set(held.runs) == {"r1", "r2"}  # published for the others


async def test_a_store_that_cannot_tell_who_polls_leaves_the_worker_to_poll_alone(
    sleeps: RecordedSleeps,
) -> None:
    store = TakingTurns([None])
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), ["r1"])
    assert looks[0].record["status"] == "RUNNING" and len(hex_.calls) == 1
    assert store.log == [("finals", "r1"), ("claim", None)]  # nothing to release


async def test_after_waiting_without_a_newer_snapshot_the_worker_polls_itself(
    sleeps: RecordedSleeps,
) -> None:
    store = TakingTurns([False])
    old = RunListSnapshot(time.time() - 60, {"r1": run("r1", "PENDING")})
    await store.put(StoreKey(BASE, store.token_hash(TOKEN), PROJECT), old)
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), ["r1"])
    assert looks[0].record == run("r1", "RUNNING", 2)
    assert len(hex_.calls) == 1 and sleeps.seen == [0.01]


async def test_runs_the_fleet_saw_end_are_taken_from_it_and_never_read(
    sleeps: RecordedSleeps,
) -> None:
    ended = run("r1", "COMPLETED", 40)
    store = TakingTurns([True], finals={"r1": ended, "r2": run("r2", "RUNNING", 3)})
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), RUNS)
    assert looks[0].record == ended
    assert [look.record["status"] for look in looks[1:]] == ["RUNNING", "RUNNING"]
    # A record that is not final proves nothing: r2 is read like r3.
    assert [p["runId"] for _, p, _ in hex_.calls] == ["r2", "r3"]
    # The ended run's time counts among the project's run times, published with the rest.
    held = await store.get(StoreKey(BASE, store.token_hash(TOKEN), PROJECT))
    assert held is not None and held.durations == {"r1": 40.0}


async def test_when_the_fleet_saw_every_run_end_nobody_is_asked(sleeps: RecordedSleeps) -> None:
    store = TakingTurns([True], finals={r: run(r, "ERRORED", 1) for r in RUNS})
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), RUNS)
    assert [look.record["status"] for look in looks] == ["ERRORED"] * 3
    assert hex_.calls == [] and store.log == [("finals", *RUNS)]


async def test_the_next_looks_of_many_waits_are_spread_ten_percent_either_side() -> None:
    """No history and no cap: the next look comes a pollInterval later (100 s here),
    jittered so that waits registered together do not all look again together."""
    ids = [f"r{i}" for i in range(400)]
    listed = [run(r, "RUNNING", 1) for r in ids]
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {"runs": listed, "nextOffset": None}))
    w = watcher(hex_)
    started = time.monotonic()
    watches = [w.watch(PROJECT, r, first=100, cap=None, deadline=started + 600) for r in ids]
    try:
        for watch in watches:
            assert await watch.next_look(5) is not None
        looked = time.monotonic()
        assert [watch.looks for watch in watches] == [1] * 400
        assert [watch.record for watch in watches] == listed  # what the next pause follows
        soonest = min(watch.due for watch in watches)
        latest = max(watch.due for watch in watches)
        assert soonest >= started + 90 and latest <= looked + 110
        assert soonest < started + 95 and latest > looked + 105  # spread, not all at once
        assert await watches[0].next_look(0.2) is None  # not looked at again meanwhile
        assert w.requests == len(hex_.calls) == 2  # the newest runs, the history
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()


async def test_the_watchers_requests_take_turns_in_its_share_of_the_budget() -> None:
    hex_ = reads_each()
    limiter = RateLimiter()
    budget = RateLimit(per_minute=4, per_hour=100)
    w = RunWatcher(hex_, TOKEN, base_url=BASE, limiter=limiter, budget=budget)
    await first_looks(w, ["r1", "r2"])
    assert w.requests == 2
    # Its share (by default half the budget: two a minute) is spent: its next turn is a
    # minute away, while the token's own lanes were not touched by the watcher.
    share = RateLimit(per_minute=2, per_hour=50)
    with pytest.raises(TurnTooLate) as refused:
        async with limiter.slot(BASE, TOKEN, "watcher-share", share, deadline=time.monotonic()):
            pass
    assert 59 < refused.value.wait <= 60
    async with limiter.slot(BASE, TOKEN, "hex-api", budget, deadline=time.monotonic() + 1):
        pass


# -- registrations: what ending a wait changes, and what it does not ---------------------


class HangingHex(ScriptedHex):
    """Hex that answers nothing until told, and says which calls were cancelled."""

    def __init__(self) -> None:
        super().__init__(lambda tool, p: ok(tool, run(p["runId"], "RUNNING", 1)))
        self.cancelled = 0

    async def execute(
        self, tool_id: str, params: Mapping[str, Any], *, timeout: float | None = None
    ) -> ToolResult:
        self.calls.append((tool_id, dict(params), timeout))
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        raise AssertionError("unreachable")


async def test_ending_one_wait_leaves_the_others_on_the_run_and_project_watched() -> None:
    hex_ = reads_each()
    w = watcher(hex_)
    deadline = time.monotonic() + 60
    same = [w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=deadline) for _ in range(2)]
    other = w.watch(PROJECT, "r2", first=0.05, cap=None, deadline=deadline)
    try:
        for watch in (*same, other):
            assert await watch.next_look(5) is not None
        same[0].close()
        same[0].close()  # twice is harmless
        assert await same[1].next_look(5) is not None  # the other wait on r1
        same[1].close()
        assert await other.next_look(5) is not None  # the project's other run
        asked = len(hex_.calls)
        assert await other.next_look(5) is not None
        assert [p["runId"] for _, p, _ in hex_.calls[asked:]] == ["r2"]  # r1 is not read
    finally:
        other.close()
        await w.aclose()
    assert repr(w).endswith("projects=0)")


async def test_when_the_last_wait_of_a_project_ends_its_request_in_flight_is_cancelled() -> None:
    hex_ = HangingHex()
    w = watcher(hex_)
    watch = w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=time.monotonic() + 60)
    while not hex_.calls:
        await asyncio.sleep(0.01)
    watch.close()
    for _ in range(100):
        if hex_.cancelled:
            break
        await asyncio.sleep(0.01)
    assert hex_.cancelled == 1
    await w.aclose()


async def test_closing_the_watcher_cancels_its_requests_in_flight() -> None:
    hex_ = HangingHex()
    w = watcher(hex_)
    watch = w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=time.monotonic() + 60)
    while not hex_.calls:
        await asyncio.sleep(0.01)
    await w.aclose()
    for _ in range(100):
        if hex_.cancelled:
            break
        await asyncio.sleep(0.01)
    assert hex_.cancelled == 1
    watch.close()


async def test_a_new_wait_is_looked_at_at_once_while_others_wait_for_their_turn() -> None:
    hex_ = reads_each()
    w = watcher(hex_)
    deadline = time.monotonic() + 600
    slow = w.watch("p-slow", "r1", first=100, cap=None, deadline=deadline)
    try:
        assert await slow.next_look(5) is not None  # its next look is ~100 s away
        await asyncio.sleep(0.05)  # the watcher sleeps until then
        new = w.watch(PROJECT, "r2", first=100, cap=None, deadline=deadline)
        assert await new.next_look(2) is not None
        new.close()
    finally:
        slow.close()
        await w.aclose()


def test_a_watcher_serves_waits_of_one_event_loop_after_another() -> None:
    """An executor used by one ``asyncio.run`` after another keeps its watcher working."""
    hex_ = reads_each()
    w = watcher(hex_)
    assert w.loop is None  # not started yet

    async def look(run_id: str) -> None:
        looks = await first_looks(w, [run_id])
        assert looks[0] is not None and looks[0].record == run(run_id, "RUNNING", 2)
        assert w.loop is asyncio.get_running_loop()  # the loop it serves now

    for run_id in ("r1", "r2"):
        asyncio.run(look(run_id))
    assert [p["runId"] for _, p, _ in hex_.calls] == ["r1", "r2"]


async def test_a_snapshot_older_than_the_watchers_own_look_never_takes_it_back() -> None:
    """Statuses only move forward: a RUNNING run must not be shown PENDING again because
    another worker published what it saw a moment before this watcher looked."""
    hex_ = reads_each()
    store = MemoryRunStatusStore()
    # Two requests a minute, half of them the watcher's: after its first look, the
    # next is a minute away unless a fresh snapshot answers.
    w = RunWatcher(
        hex_, TOKEN, base_url=BASE, limiter=RateLimiter(), budget=RateLimit(per_minute=2),
        store=store,
    )  # fmt: skip
    watch = w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=time.monotonic() + 60)
    try:
        look = await watch.next_look(5)
        assert look is not None and look.record == run("r1", "RUNNING", 2)
        key = StoreKey(BASE, store.token_hash(TOKEN), PROJECT)
        own = await store.get(key)
        assert own is not None
        await store.put(key, RunListSnapshot(own.fetched_at - 0.01, {"r1": run("r1", "PENDING")}))
        assert await watch.next_look(0.5) is None
        assert len(hex_.calls) == 1
    finally:
        watch.close()
        await w.aclose()


async def test_a_runs_own_completed_record_teaches_the_projects_run_time() -> None:
    hex_ = ScriptedHex(lambda tool, p: ok(tool, run(p["runId"], "COMPLETED", 42)))
    store = MemoryRunStatusStore()
    await first_looks(watcher(hex_, store=store), ["r1"])
    held = await store.get(StoreKey(BASE, store.token_hash(TOKEN), PROJECT))
    assert held is not None
    assert held.runs == {"r1": run("r1", "COMPLETED", 42)}
    assert held.durations == {"r1": 42.0}


async def test_runs_the_holder_saw_end_while_we_waited_are_not_polled_again(
    sleeps: RecordedSleeps,
) -> None:
    ended = {r: run(r, "COMPLETED", 5) for r in RUNS}

    def holder_saw_them_end(key: StoreKey) -> None:
        store.known.update(ended)

    store = TakingTurns([False], meanwhile=holder_saw_them_end)
    hex_ = reads_each()
    looks = await first_looks(watcher(hex_, store=store), RUNS)
    assert [look.record for look in looks] == [ended[r] for r in RUNS]
    assert hex_.calls == [] and sleeps.seen == [0.01]
    assert store.log == [
        ("finals", *RUNS),
        ("claim", False),
        ("claim", True),
        ("finals", *RUNS),
        ("release",),
    ]


def test_a_watch_shows_its_run_and_schedule_not_its_records_or_watcher() -> None:
    w = watcher(reads_each())
    watch = Watch(w, PROJECT, "r1", first=0.5, cap=None, deadline=9.0)
    watch.record = run("r1", "RUNNING", 3)
    assert repr(watch) == (
        "Watch(project_id='p-1', run_id='r1', first=0.5, cap=None, deadline=9.0, due=0.0, "
        "looks=0, seen_at=0.0)"
    )


async def test_a_watch_used_as_a_context_ends_with_its_block() -> None:
    w = watcher(reads_each())
    try:
        with w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=time.monotonic() + 9) as watch:
            look = await watch.next_look(5)
            assert look is not None and look.record == run("r1", "RUNNING", 2)
            assert repr(w).endswith("projects=1)")
        assert repr(w).endswith("projects=0)")
    finally:
        await w.aclose()


async def test_a_watcher_with_nothing_to_watch_leaves_no_task_behind() -> None:
    unused = watcher(reads_each())
    await unused.aclose()  # never started: nothing to close
    w = watcher(reads_each())
    watch = w.watch(PROJECT, "r1", first=100, cap=None, deadline=time.monotonic() + 600)
    assert await watch.next_look(5) is not None  # its next look is ~100 s away
    await asyncio.sleep(0.02)
    watch.close()
    for _ in range(50):
        if asyncio.all_tasks() == {asyncio.current_task()}:
            break
        await asyncio.sleep(0.01)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    await w.aclose()


async def test_a_lone_run_is_looked_at_again_after_each_pause() -> None:
    hex_ = reads_each()
    w = watcher(hex_)
    watch = w.watch(PROJECT, "r1", first=0.02, cap=0.02, deadline=time.monotonic() + 60)
    try:
        for n in range(1, 4):
            assert await watch.next_look(5) is not None
            assert watch.looks == n
    finally:
        watch.close()
        await w.aclose()
    assert [p["runId"] for _, p, _ in hex_.calls] == ["r1"] * 3


async def test_a_snapshots_run_times_and_history_count_as_the_watchers_own() -> None:
    listed = [run(r, "RUNNING", 5) for r in RUNS]
    hex_ = ScriptedHex(lambda tool, p: ok(tool, {"runs": listed, "nextOffset": None}))
    store = MemoryRunStatusStore()
    key = StoreKey(BASE, store.token_hash(TOKEN), PROJECT)
    # Another worker looked a moment ago, and had read the project's history.
    await store.put(key, RunListSnapshot(time.time(), {r["runId"]: r for r in listed},
                                         {"c1": 50.0}, history_read=True))  # fmt: skip
    w = watcher(hex_, store=store)
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=0.02, cap=0.02, deadline=deadline) for r in RUNS]
    try:
        for _ in range(2):  # from the snapshot, then from Hex
            assert [await watch.next_look(5) is not None for watch in watches] == [True] * 3
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()
    assert lists_asked(hex_) == [{"limit": 100, "offset": 0}]  # no history asked again
    held = await store.get(key)
    assert held is not None and held.durations == {"c1": 50.0} and held.history_read is True


async def test_two_runs_missing_from_the_newest_list_are_read_each_not_proven_by_lists() -> None:
    answers = project_runs(
        lambda offset: ([run("r1", "RUNNING", 5)], None), {}, lambda r: run(r, "COMPLETED", 8)
    )
    hex_ = ScriptedHex(answers)
    looks = await first_looks(watcher(hex_), RUNS)
    assert [look.record["status"] for look in looks] == ["RUNNING", "COMPLETED", "COMPLETED"]
    assert lists_asked(hex_) == [
        {"limit": 100, "offset": 0},
        {"statusFilter": "COMPLETED", "limit": 100},
    ]
    assert [p["runId"] for t, p, _ in hex_.calls if t == "hex_get_run_status"] == ["r2", "r3"]


async def test_a_hundred_watched_runs_or_fewer_cost_one_page_even_when_more_follow() -> None:
    page = [run(f"r{i}", "RUNNING", 5) for i in range(100)]
    hex_ = ScriptedHex(project_runs(lambda offset: (page, offset + 100), {}, lambda r: {}))
    looks = await first_looks(watcher(hex_), ["r0", "r50", "r99"])
    assert [look.record["runId"] for look in looks] == ["r0", "r50", "r99"]
    assert [p.get("offset") for p in lists_asked(hex_)] == [0, None]  # and the history


@pytest.mark.parametrize(
    ("history", "durations"),
    [
        ([], {}),  # no finished run yet: asked once all the same
        ([run("c1", "COMPLETED", 100), run("c2", "COMPLETED", 130), run("c3", "KILLED", 5)],
         {"c1": 100.0, "c2": 130.0}),
    ],
)  # fmt: skip
async def test_the_projects_history_is_asked_once_and_its_run_times_kept(
    history: list[dict[str, Any]], durations: dict[str, float]
) -> None:
    listed = [run(r, "RUNNING", 5) for r in RUNS]

    def answer(tool: str, p: Mapping[str, Any]) -> ToolResult:
        runs = history if p.get("statusFilter") == "COMPLETED" else listed
        return ok(tool, {"runs": runs, "nextOffset": None})

    hex_, store = ScriptedHex(answer), MemoryRunStatusStore()
    w = watcher(hex_, store=store)
    deadline = time.monotonic() + 60
    watches = [w.watch(PROJECT, r, first=0.02, cap=0.02, deadline=deadline) for r in RUNS]
    try:
        for _ in range(3):
            assert [await watch.next_look(5) is not None for watch in watches] == [True] * 3
    finally:
        for watch in watches:
            watch.close()
        await w.aclose()
    assert [p.get("statusFilter") for p in lists_asked(hex_)] == [None, "COMPLETED", None, None]
    held = await store.get(StoreKey(BASE, store.token_hash(TOKEN), PROJECT))
    assert held is not None and held.durations == durations and held.history_read is True


async def test_a_request_for_waits_past_their_deadline_gets_the_executors_timeout() -> None:
    hex_ = reads_each()
    hex_.timeout = 0.25
    w = watcher(hex_)
    watch = w.watch(PROJECT, "r1", first=0.05, cap=None, deadline=time.monotonic() - 1)
    try:
        assert await watch.next_look(5) is not None  # the first look, even past the deadline
    finally:
        watch.close()
        await w.aclose()
    assert [timeout for _, _, timeout in hex_.calls] == [0.25]
