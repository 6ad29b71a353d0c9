"""Many workers on one token share its budget through a real Redis (HEX_REDIS_URL)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis_server import RedisServer, free_port, redis_server

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, RateLimit, scale_rate_limits

__all__ = ["redis_server"]  # the fixture, used by name

TESTS = Path(__file__).parent
SCALE = 1 / 60  # a "minute" of Hex's limits lasts one second, for client and emulator alike


@pytest.fixture
async def limited_hex() -> AsyncIterator[Emulator]:
    """The emulator with Hex's own limits, time-scaled."""
    config = EmulatorConfig(
        rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=SCALE, run_duration=0.2
    )
    async with run_emulator(config) as emu:
        yield emu


def run_status_params(emu: Emulator) -> dict[str, str]:
    fx = emu.fixtures
    return {"projectId": fx.completing_project_id, "runId": fx.finished_run_id}


async def fleet(
    emu: Emulator, workers: int, calls: int, redis_url: str | None
) -> list[list[tuple[bool, int]]]:
    """``workers`` processes making ``calls`` run-status calls each, all on one token."""
    start_at = time.time() + 2.0  # after every worker has imported the package
    args = [
        emu.base_url,
        emu.token,
        "hex_get_run_status",
        json.dumps(run_status_params(emu)),
        str(calls),
        str(SCALE),
        str(start_at),
        *([redis_url] if redis_url else []),
    ]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(TESTS / "fleet_worker.py"),
            *args,
            stdout=subprocess.PIPE,
            env={k: v for k, v in os.environ.items() if k != "HEX_REDIS_URL"},
        )
        for _ in range(workers)
    ]
    outputs = [await p.communicate() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    return [[(ok, status) for ok, status in json.loads(out)] for out, _ in outputs]


async def test_a_fleet_on_one_token_gets_no_429(
    limited_hex: Emulator, redis_server: RedisServer
) -> None:
    results = await fleet(limited_hex, workers=3, calls=40, redis_url=redis_server.url)

    assert [len(r) for r in results] == [40, 40, 40]
    assert all(ok for worker in results for ok, _ in worker)
    assert limited_hex.requests.count(status=429) == 0
    assert limited_hex.requests.count(status=200) == 120


def executor(emu: Emulator, redis_url: str, token: str | None = None, **kw: Any) -> HexExecutor:
    """An executor as another process would have: its own local limiter."""
    settings: dict[str, Any] = {
        "rate_limits": scale_rate_limits(HEX_RATE_LIMITS, SCALE),
        "rate_limiter": RateLimiter(),
        "redis_url": redis_url,
        **kw,
    }
    return HexExecutor(emu.base_url, token or emu.token, **settings)


async def test_redis_killed_mid_run_and_restarted(
    limited_hex: Emulator, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    project = {"projectId": limited_hex.fixtures.completing_project_id}
    async with executor(limited_hex, redis_server.url, timeout=0) as ex:
        with caplog.at_level(logging.WARNING, logger="aacflow_hex"):
            # 30 run triggers at 20 a "minute": 20 go at once, 10 wait their turn in Redis
            # when it is killed; some of the 20 are still out and give their slots back
            # to a dead Redis.
            during = asyncio.gather(*(ex.execute("hex_run_project", project) for _ in range(30)))
            await asyncio.sleep(0.2)
            redis_server.stop()
            first = await during
            down = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
            redis_server.start()
            await asyncio.sleep(1.1)  # the link tries Redis again after a second
            after = await asyncio.gather(
                *(ex.execute("hex_run_project", project) for _ in range(5))
            )
    assert [r.error for r in [*first, *after] if not r.success] == []
    assert len(down) == 1  # one warning for the outage, not one per call
    assert f":{redis_server.port}" in down[0]
    assert any("is back" in r.getMessage() for r in caplog.records)
    # Each call started its run exactly once, Redis or not.
    assert limited_hex.requests.count(operation="RunProject", status=201) == 35
    assert limited_hex.requests.count(operation="RunProject") == 35
    # Back on Redis: the restarted (empty) server holds this lane's answers again.
    keys = await redis_keys(redis_server.url)
    finished = [k for k in keys if "hex-run-kernel" in k and k.endswith(":finished")]
    assert len(finished) == 1
    assert await zcard(redis_server.url, finished[0]) == 5


async def test_the_fallback_knows_what_this_process_sent_through_redis(
    limited_hex: Emulator, redis_server: RedisServer
) -> None:
    params = run_status_params(limited_hex)
    async with executor(limited_hex, redis_server.url, timeout=0) as ex:
        through_redis = await asyncio.gather(
            *(ex.execute("hex_get_run_status", params) for _ in range(30))
        )
        redis_server.stop()
        # The budget of this "minute" is spent: pacing alone must wait for the next.
        alone = await asyncio.gather(*(ex.execute("hex_get_run_status", params) for _ in range(10)))
    assert all(r.success for r in [*through_redis, *alone])
    assert limited_hex.requests.count(status=429) == 0


async def test_redis_down_at_start_costs_no_call(
    limited_hex: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    nobody = f"redis://:pw-s3cret@127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="aacflow_hex"):
        async with executor(limited_hex, nobody, timeout=0) as ex:
            results = await asyncio.gather(
                *(
                    ex.execute("hex_get_run_status", run_status_params(limited_hex))
                    for _ in range(40)
                )
            )
    assert all(r.success for r in results)
    assert limited_hex.requests.count(status=429) == 0  # paced alone, as without Redis
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1
    assert "pw-s3cret" not in caplog.text  # the URL's password is never logged


async def test_two_tokens_never_share_a_budget(
    limited_hex: Emulator, redis_server: RedisServer
) -> None:
    # Real-length windows: a shared budget would leave the second token no turn
    # for a minute, far past the calls' 10 s timeout.
    limits = {"hex-api": RateLimit(per_minute=30, per_hour=1800)}
    params = run_status_params(limited_hex)
    tokens = [limited_hex.tokens["ADMIN"], limited_hex.tokens["EDITOR"]]
    executors = [
        executor(limited_hex, redis_server.url, token, rate_limits=limits, timeout=10)
        for token in tokens
    ]
    async with executors[0] as a, executors[1] as b:
        results = await asyncio.gather(
            *(ex.execute("hex_get_run_status", params) for ex in (a, b) for _ in range(30))
        )
    assert [r.error for r in results if not r.success] == []
    assert limited_hex.requests.count(status=200) == 60


async def test_one_workers_429_pauses_every_worker(redis_server: RedisServer) -> None:
    # The server allows 2 requests a second; the workers were told of a larger budget.
    config = EmulatorConfig(
        rate_limits={"hex-api": RateLimit(per_minute=2)}, rate_limit_scale=SCALE
    )
    generous = {"hex-api": RateLimit(per_minute=1000)}
    async with run_emulator(config) as emu:
        params = run_status_params(emu)
        async with executor(emu, redis_server.url, rate_limits=generous, retry=NO_RETRY) as a:
            refused = [await a.execute("hex_get_run_status", params) for _ in range(3)]
            assert [r.status_code for r in refused] == [200, 200, 429]
            await asyncio.sleep(0.05)  # the pause reaches Redis in the background
        async with executor(emu, redis_server.url, rate_limits=generous, retry=NO_RETRY) as b:
            later = await b.execute("hex_get_run_status", params)
    assert later.success
    assert emu.requests.count(status=429) == 1  # the other worker waited out the pause


async def test_no_raw_token_in_any_redis_key_or_value(
    limited_hex: Emulator, redis_server: RedisServer
) -> None:
    limits = {"hex-api": RateLimit(per_minute=1)}  # the client thinks: one a minute
    async with executor(limited_hex, redis_server.url, rate_limits=limits, timeout=5) as ex:
        params = run_status_params(limited_hex)
        await ex.execute("hex_get_run_status", params)
        ex._limiter.penalize(ex.base_url, limited_hex.token, "hex-api", 30)
        await asyncio.sleep(0.05)
        paused = await ex.execute("hex_get_run_status", params)
    assert paused.error is not None and paused.error.kind == "rate_limited"
    dump = await redis_dump(redis_server.url)
    assert {kind for kind, _ in dump} >= {"zset", "string"}  # slots, answers and a pause
    token = limited_hex.token
    for _, text in dump:
        assert token not in text
        assert token[-12:] not in text


# -- Redis, read directly ---------------------------------------------------------


async def redis_keys(url: str) -> list[str]:
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    try:
        return [key async for key in client.scan_iter("*")]
    finally:
        await client.aclose()


async def zcard(url: str, key: str) -> int:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        return int(await client.zcard(key))
    finally:
        await client.aclose()


async def redis_dump(url: str) -> list[tuple[str, str]]:
    """(type, text) for every key and every value held in Redis."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, decode_responses=True)
    dump: list[tuple[str, str]] = []
    try:
        async for key in client.scan_iter("*"):
            kind = await client.type(key)
            dump.append(("key", key))
            if kind == "string":
                dump.append((kind, str(await client.get(key))))
            elif kind == "zset":
                for member, score in await client.zrange(key, 0, -1, withscores=True):
                    dump.append((kind, f"{member} {score}"))
            elif kind == "hash":
                for field, value in (await client.hgetall(key)).items():
                    dump.append((kind, f"{field} {value}"))
            else:
                dump.append((kind, f"unexpected type for {key}"))
    finally:
        await client.aclose()
    return dump


NO_REDIS_SCRIPT = """
import asyncio, importlib, pkgutil, sys
import aacflow_hex
from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator

SHARED = {
    "aacflow_hex.engine.redis_link",
    "aacflow_hex.engine.shared_pacing",
    "aacflow_hex.engine.shared_statuses",
}
for module in pkgutil.walk_packages(aacflow_hex.__path__, "aacflow_hex."):
    if module.name not in SHARED and not module.name.endswith("__main__"):
        importlib.import_module(module.name)

async def main():
    async with run_emulator(EmulatorConfig()) as emu:
        async with HexExecutor(emu.base_url, emu.token) as ex:
            result = await ex.execute("hex_list_projects", {"limit": 1})
            assert result.success, result.error

asyncio.run(main())
print(sorted(m for m in sys.modules if m == "redis" or m.startswith("redis.")))
"""


def test_without_the_setting_nothing_imports_the_redis_client() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HEX_REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-c", NO_REDIS_SCRIPT], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_redis_url_that_is_not_one_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match=r"redis_url \(or HEX_REDIS_URL\) must start with") as exc:
        HexExecutor("http://127.0.0.1:1", "t", redis_url="http://user:s3cret@cache:6379")
    assert "s3cret" not in str(exc.value)
    assert "http://" in str(exc.value)


async def test_a_slot_given_back_while_redis_stalled_is_returned_when_it_answers(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    from redis.asyncio import Redis

    caplog.set_level(logging.WARNING, logger="aacflow_hex")
    limit = RateLimit(per_minute=30)
    async with HexExecutor("http://127.0.0.1:1", "tok", redis_url=redis_server.url) as ex:
        limiter = ex._limiter
        admin = Redis.from_url(redis_server.url)
        try:
            async with limiter.slot(ex.base_url, "tok", "hex-api", limit):
                await admin.client_pause(1500)  # every client stalls: the give-back times out
            await asyncio.sleep(2.0)  # the pause is over, and the link (1 s between tries) is due
            async with limiter.slot(ex.base_url, "tok", "hex-api", limit):
                pass
            # Returned once: the requests after cost their turn and their answer alone.
            await admin.config_resetstat()
            for _ in range(2):
                async with limiter.slot(ex.base_url, "tok", "hex-api", limit):
                    pass
            stats = await admin.info("commandstats")
            assert stats["cmdstat_evalsha"]["calls"] == 4
        finally:
            await admin.aclose()
    keys = await redis_keys(redis_server.url)
    inflight = [k for k in keys if k.endswith(":inflight")]
    finished = next(k for k in keys if k.endswith(":finished"))
    assert [await zcard(redis_server.url, k) for k in inflight] in ([], [0])
    assert await zcard(redis_server.url, finished) == 4
    # The stalled give-back was an outage: said once, and its end too.
    at = f"Redis at redis://127.0.0.1:{redis_server.port}"
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2
    assert said[0].startswith(f"{at} is unreachable (TimeoutError)")
    assert said[1] == f"{at} is back: sharing the budget again"


def test_the_cli_names_a_wrong_redis_setting_in_one_line() -> None:
    env = {**os.environ, "HEX_REDIS_URL": "http://user:s3cret@cache:6379", "HEX_API_KEY": "k"}
    done = subprocess.run(
        [sys.executable, "-m", "aacflow_hex", "run", "hex_get_current_user"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: redis_url (or HEX_REDIS_URL) must start with redis://, rediss:// or unix://, "
        "got http://"
    )
