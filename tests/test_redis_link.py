"""The link to the Redis workers share: key names without tokens, log lines without
passwords, one warning per outage, keeping away while it is down; and the run-status
snapshots kept there (newer wins, expiry, unreadable ones ignored)."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

pytest.importorskip("redis", reason="the Redis client: pip install -e '.[dev]'")

from redis.asyncio import Redis
from redis_server import RedisServer, redis_server

from aacflow_hex.engine import redis_link
from aacflow_hex.engine.redis_link import (
    RedisLink,
    describe_url,
    lane_id,
    lane_key,
    token_hash,
)
from aacflow_hex.engine.redis_setting import RedisSettingError, check_redis_url
from aacflow_hex.engine.shared_statuses import RedisRunStatusStore, _snapshot
from aacflow_hex.engine.watcher import RunListSnapshot, StoreKey

__all__ = ["redis_server"]  # the fixture, used by name

TOKEN = "hxtp_token_q7z"
BASE = "https://hex.example/api/v1"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://user:pa55word@cache.internal:6380/0", "redis://cache.internal:6380"),
        ("rediss://:pa55word@cache.internal/2", "rediss://cache.internal"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
        ("redis://", "redis://?"),
    ],
)
def test_a_redis_url_is_shown_without_user_or_password(url: str, shown: str) -> None:
    assert describe_url(url) == shown
    assert "pa55word" not in repr(RedisLink(url))


def test_lane_names_are_keyed_hashes_the_same_on_every_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HEX_REDIS_TOKEN_KEY", raising=False)
    lane = lane_id(BASE, TOKEN)
    assert len(lane) == 32 and TOKEN not in lane
    assert lane == lane_id(BASE, TOKEN)
    assert len({lane, lane_id(BASE, "other"), lane_id("https://other/api/v1", TOKEN)}) == 3
    assert lane_id(BASE, None) == lane_id(BASE, "")
    assert token_hash(TOKEN) not in (lane, token_hash("other"))
    assert lane_key("slots", BASE, TOKEN, "hex-api", "minute") == (
        f"aacflow-hex:slots:{{{lane}}}:hex-api:minute"
    )
    # Pinned: workers of two releases must name a lane alike (a rolling upgrade keeps
    # one budget), so the names may never change by accident.
    assert (lane, token_hash(TOKEN)) == (
        "1189543b3f439d5d4ea1eba35bb83fed",
        "e9baf04f72b0469b03b0b41211eab7e7",
    )
    # A fleet's own HMAC key: the names change, and mean nothing without it.
    monkeypatch.setenv("HEX_REDIS_TOKEN_KEY", "fleet-secret")
    assert (lane_id(BASE, TOKEN), token_hash(TOKEN)) == (
        "edea9f4100cb413b392cd10d64f4f669",
        "debb1284709c295a546f8bb664cc03e8",
    )
    monkeypatch.setenv("HEX_REDIS_TOKEN_KEY", "")
    assert lane_id(BASE, TOKEN) == lane


async def test_a_client_gives_up_fast_and_never_retries_a_command_itself() -> None:
    link = RedisLink("redis://127.0.0.1:1/0")
    client = link.client()
    assert client is not None
    settings = client.connection_pool.connection_kwargs
    assert (settings["socket_timeout"], settings["socket_connect_timeout"]) == (1.0, 1.0)
    retry = client.get_retry()
    assert retry is None or retry._retries == 0
    await link.aclose()


async def test_a_second_after_an_outage_the_next_use_tries_redis_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "redis://127.0.0.1:2/0"
    redis_link._HEALTH.pop(url, None)
    now = [1000.0]
    monkeypatch.setattr(redis_link.time, "monotonic", lambda: now[0])
    link = RedisLink(url)
    link.failed(ConnectionError("refused"))
    now[0] = 1000.99
    assert link.client() is None
    now[0] = 1001.0
    assert link.client() is not None
    await link.aclose()
    redis_link._HEALTH.pop(url, None)


async def test_while_redis_is_down_the_link_keeps_away_then_tries_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="aacflow_hex")
    url = "redis://:pa55word@127.0.0.1:1/0"
    redis_link._HEALTH.pop(url, None)
    link = RedisLink(url, retry_interval=0.2)
    first = link.client()
    assert first is not None and link.client() is first  # one client per loop
    assert not link.down and "down=False" in repr(link)
    link.failed(ConnectionError("refused"))
    assert len(caplog.records) == 1  # at once, on the first failure
    link.failed(ConnectionError("refused"))
    assert link.down and "down=True" in repr(link)
    assert link.client() is None and link.script("return 1") is None
    # Every link of the process to that URL knows it is down.
    assert RedisLink(url).client() is None
    warned = [r.getMessage() for r in caplog.records]
    assert warned == [
        "Redis at redis://127.0.0.1:1 is unreachable (ConnectionError): each worker paces on "
        "its own until it returns; Hex may answer some requests with 429"
    ]
    await asyncio.sleep(0.25)
    again = link.client()
    assert again is not None and again is not first  # the old client was dropped
    link.succeeded()
    link.succeeded()
    assert not link.down
    assert [r.getMessage() for r in caplog.records][1:] == [
        "Redis at redis://127.0.0.1:1 is back: sharing the budget again"
    ]
    await link.aclose()
    redis_link._HEALTH.pop(url, None)


async def test_closing_the_link_closes_its_connections(redis_server: RedisServer) -> None:
    link = RedisLink(redis_server.url)
    client = link.client()
    assert client is not None
    await client.ping()
    watcher = Redis.from_url(redis_server.url)

    async def connections() -> int:
        listed = await watcher.client_list()
        return len(listed) - 1  # not counting the watcher's own

    try:
        assert await connections() == 1
        await link.aclose()
        for _ in range(100):
            if await connections() == 0:
                break
            await asyncio.sleep(0.02)
        assert await connections() == 0
    finally:
        await watcher.aclose()


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"runs": {}}',
        b'{"fetched_at": "soon", "runs": {}}',
        b'{"fetched_at": 1.5}',
        b'{"fetched_at": 1.5, "runs": []}',
        b'{"fetched_at": 1.5, "runs": {"r1": "COMPLETED"}}',
    ],
)
def test_a_snapshot_that_cannot_be_read_is_no_snapshot(raw: bytes) -> None:
    assert _snapshot(raw) is None


def test_a_readable_snapshot_is_read() -> None:
    held = _snapshot(json.dumps({"fetched_at": 2, "runs": {"r1": {"status": "RUNNING"}}}))
    assert held == RunListSnapshot(2.0, {"r1": {"status": "RUNNING"}})


async def test_snapshots_are_kept_per_base_url_token_and_project_newest_first_and_expire(
    redis_server: RedisServer,
) -> None:
    store = RedisRunStatusStore(RedisLink(redis_server.url), ttl=30)
    assert "127.0.0.1" in repr(store)
    key = StoreKey(BASE, store.token_hash(TOKEN), "p1")
    now = time.time()
    await store.put(key, RunListSnapshot(now, {"r1": {"status": "RUNNING"}}))
    await store.put(key, RunListSnapshot(now + 1, {"r1": {"status": "COMPLETED"}}))
    held = await store.get(key)
    assert held == RunListSnapshot(now + 1, {"r1": {"status": "COMPLETED"}})
    await store.put(key, RunListSnapshot(now + 1, {"r1": {"status": "ERRORED"}}))  # not newer
    assert await store.get(key) == held
    for other in (
        StoreKey("https://other.example/api/v1", key.token_hash, "p1"),
        StoreKey(BASE, store.token_hash("other"), "p1"),
        StoreKey(BASE, key.token_hash, "p2"),
    ):
        assert await store.get(other) is None

    client = Redis.from_url(redis_server.url)
    try:
        # The snapshot's key (a final status has a key of its own beside it), its parts
        # in one hash slot: aacflow-hex:runs:{<base url hash>:<token hash>:<project>}:runs
        names = [k.decode() async for k in client.scan_iter("*")]
        assert not [n for n in names if TOKEN in n]
        [name] = [n for n in names if n.endswith("}:runs")]
        prefix, kind, rest = name.split(":", 2)
        base, hashed, project = rest.removesuffix(":runs").strip("{}").split(":")
        assert (prefix, kind, hashed, project) == ("aacflow-hex", "runs", key.token_hash, "p1")
        assert len(base) == 16
        assert 29_000 < await client.pttl(name) <= 30_000
        await client.set(name, b"garbage")  # a stored value no worker can read: poll
        assert await store.get(key) is None
        await store.put(key, RunListSnapshot(now, {"r1": {"status": "RUNNING"}}))
        assert await store.get(key) == RunListSnapshot(now, {"r1": {"status": "RUNNING"}})
    finally:
        await client.aclose()
        await store.link.aclose()


async def test_a_snapshot_is_kept_an_hour(redis_server: RedisServer) -> None:
    store = RedisRunStatusStore(RedisLink(redis_server.url))
    await store.put(StoreKey(BASE, "h", "p1"), RunListSnapshot(time.time(), {}))
    client = Redis.from_url(redis_server.url)
    try:
        [name] = [k async for k in client.scan_iter("*")]
        assert 3_590_000 < await client.pttl(name) <= 3_600_000
    finally:
        await client.aclose()
        await store.link.aclose()


async def test_a_store_that_reaches_redis_again_says_it_is_back(
    redis_server: RedisServer,
) -> None:
    link = RedisLink(redis_server.url, retry_interval=0)
    store = RedisRunStatusStore(link)
    key = StoreKey(BASE, "h", "p1")
    try:
        link.failed(ConnectionError("refused"))
        await store.put(key, RunListSnapshot(time.time(), {}))
        assert not link.down
        link.failed(ConnectionError("refused"))
        assert await store.get(key) is not None
        assert not link.down
    finally:
        await link.aclose()
        redis_link._HEALTH.pop(redis_server.url, None)


async def test_with_redis_gone_the_store_finds_and_keeps_nothing(
    redis_server: RedisServer,
) -> None:
    link = RedisLink(redis_server.url, timeout=0.5, retry_interval=0)
    store = RedisRunStatusStore(link)
    key = StoreKey(BASE, store.token_hash(TOKEN), "p1")
    await store.put(key, RunListSnapshot(time.time(), {"r1": {}}))
    assert await store.get(key) is not None and not link.down
    redis_server.stop()
    try:
        await store.put(key, RunListSnapshot(time.time(), {"r1": {}}))  # kept nowhere, no error
        assert link.down
        assert await store.get(key) is None
        assert link.down
    finally:
        await link.aclose()
        redis_link._HEALTH.pop(redis_server.url, None)


async def test_the_fleets_final_records_are_read_back_and_nothing_else(
    redis_server: RedisServer,
) -> None:
    link = RedisLink(redis_server.url)
    store = RedisRunStatusStore(link)
    key = StoreKey(BASE, store.token_hash(TOKEN), "p1")
    done = {"runId": "r1", "status": "COMPLETED", "elapsedTime": 12.5}
    running = {"runId": "r2", "status": "RUNNING"}
    await store.put(key, RunListSnapshot(time.time(), {"r1": done, "r2": running}))
    client = Redis.from_url(redis_server.url)
    try:
        [final_key] = [k.decode() async for k in client.scan_iter("*:final:*")]
        assert final_key.endswith(":final:r1")  # only a final status is kept as final
        assert 86_390_000 < await client.pttl(final_key) <= 86_400_000  # a day
        await client.set(final_key.removesuffix("r1") + "r3", b"{not json")
        await client.set(final_key.removesuffix("r1") + "r4", b'["COMPLETED"]')
        await client.config_resetstat()
        assert await store.finals(key, ["r1", "r2", "r3", "r4", "r5"]) == {"r1": done}
        assert await store.finals(key, []) is None  # nothing to ask: Redis is not asked
        stats = await client.info("commandstats")
        assert stats["cmdstat_mget"]["calls"] == 1
        assert not link.down
    finally:
        await client.aclose()
        await link.aclose()


@pytest.mark.parametrize(
    "url",
    ["redis://cache:6379/0", "rediss://:pw@cache:6380/1", "unix:///run/redis.sock", "REDIS://c"],
)
def test_a_usable_redis_setting_is_taken_as_it_is(url: str) -> None:
    assert check_redis_url(url) == url


@pytest.mark.parametrize(
    ("url", "got"),
    [
        ("cache.internal:6379", "no scheme"),
        ("", "no scheme"),
        ("redis:/cache", "no scheme"),
        ("https://user:pw@cache:6379", "https://"),
        ("redis+sentinel://cache", "redis+sentinel://"),
    ],
)
def test_a_redis_setting_without_a_redis_scheme_is_refused(url: str, got: str) -> None:
    with pytest.raises(RedisSettingError) as refused:
        check_redis_url(url)
    assert str(refused.value) == (
        f"redis_url (or HEX_REDIS_URL) must start with redis://, rediss:// or unix://, got {got}"
    )


def test_a_redis_setting_without_the_client_installed_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aacflow_hex.engine import redis_setting

    found = redis_setting.importlib.util.find_spec
    asked: list[str] = []

    def find_spec(name: str, *args: object) -> object:
        asked.append(name)
        return None if name == "redis" else found(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(redis_setting.importlib.util, "find_spec", find_spec)
    with pytest.raises(RedisSettingError) as refused:
        check_redis_url("redis://:pw@cache:6379/0")
    assert str(refused.value) == (
        "redis_url (or HEX_REDIS_URL) needs the Redis client: pip install 'aacflow-hex[redis]'"
    )
    assert asked == ["redis"]


async def test_a_snapshot_keeps_its_run_times_and_whether_the_history_was_read(
    redis_server: RedisServer,
) -> None:
    store = RedisRunStatusStore(RedisLink(redis_server.url))
    key = StoreKey(BASE, store.token_hash(TOKEN), "p1")
    now = time.time()
    snapshot = RunListSnapshot(now, {"r1": {"status": "RUNNING"}}, {"r0": 61.5}, True)
    try:
        await store.put(key, snapshot)
        assert await store.get(key) == snapshot
        await store.put(key, RunListSnapshot(now + 1, {}))
        assert await store.get(key) == RunListSnapshot(now + 1, {}, {}, False)
    finally:
        await store.link.aclose()


async def test_a_projects_claim_is_held_renewed_and_let_go_by_its_holder_alone(
    redis_server: RedisServer,
) -> None:
    link = RedisLink(redis_server.url)
    store = RedisRunStatusStore(link)
    key = StoreKey(BASE, store.token_hash(TOKEN), "p1")
    client = Redis.from_url(redis_server.url)
    try:
        assert await store.claim(key, "worker-a") is True
        [claim] = [k async for k in client.scan_iter("*:claim")]
        assert 2_000 < await client.pttl(claim) <= 3_000  # a 3-second lease
        assert await store.claim(key, "worker-b") is False  # held: b waits
        await client.pexpire(claim, 500)
        await store.renew(key, "worker-b")  # not b's to renew
        assert await client.pttl(claim) <= 500
        await store.release(key, "worker-b")  # nor to let go
        assert await client.get(claim) == b"worker-a"
        await store.renew(key, "worker-a")
        assert 2_000 < await client.pttl(claim) <= 3_000
        await store.release(key, "worker-a")
        assert await client.get(claim) is None
        assert await store.claim(key, "worker-b") is True
        assert not link.down
    finally:
        await client.aclose()
        await link.aclose()


def test_a_claim_lease_must_be_a_positive_number_of_seconds() -> None:
    link = RedisLink("redis://127.0.0.1:1/0")
    for bad in (0, -1.5):
        with pytest.raises(ValueError) as refused:
            RedisRunStatusStore(link, claim_lease=bad)
        assert str(refused.value) == f"claim_lease must be a positive number of seconds, got {bad}"
    assert RedisRunStatusStore(link, claim_lease=0.5).claim_lease == 0.5
