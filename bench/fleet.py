"""A fleet on one token: worker processes sharing Hex's budget, with and without Redis.

Starts the emulator with Hex's published limits, time-scaled (``--scale``, default 1/60:
a "minute" lasts one second, for the emulator and the workers' pacers alike), and a
redis-server of its own on a free port. Then WORKERS processes each make CALLS
concurrent hex_get_run_status calls with the same token, once each pacing alone and
once sharing the budget through Redis (HEX_REDIS_URL). Prints the 429s the emulator
sent and the total time against the ideal: calls / budget (hex-api: 30 a minute).

    python bench/fleet.py                         # 4 workers x 100 calls
    python bench/fleet.py --workers 2 --calls 50

Needs redis-server (Debian's package: apt-get install -y redis-server) and the Redis
client (pip install -e '.[redis]').
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from _bench import Row, emit_rows

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits

TOOL = "hex_get_run_status"
GROUP = "hex-api"
START_DELAY = 3.0  # seconds for every worker process to import the package first


@dataclass(frozen=True)
class FleetFigures:
    calls: int
    succeeded: int
    responses_429: int
    elapsed: float  # from the common start to the last answer
    ideal: float  # calls / budget

    @property
    def ratio(self) -> float:
        return self.elapsed / self.ideal


# -- a worker (its own process) -----------------------------------------------------


async def worker(args: argparse.Namespace) -> None:
    async with HexExecutor(
        args.base_url,
        args.token,
        rate_limits=scale_rate_limits(HEX_RATE_LIMITS, args.scale),
        redis_url=args.redis_url or None,
        timeout=0,
    ) as ex:
        params = json.loads(args.params)
        await asyncio.sleep(max(0.0, args.start_at - time.time()))
        results = await asyncio.gather(*(ex.execute(TOOL, params) for _ in range(args.calls)))
        finished = time.time()
    print(json.dumps({"succeeded": sum(r.success for r in results), "finished": finished}))


# -- the fleet ---------------------------------------------------------------------


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found: apt-get install -y redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="fleet-redis-") as folder:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(500):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.01)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait()


async def run_fleet(
    emu: Emulator, workers: int, calls: int, scale: float, redis_url: str | None
) -> FleetFigures:
    emu.requests.clear()
    fx = emu.fixtures
    params = {"projectId": fx.completing_project_id, "runId": fx.finished_run_id}
    start_at = time.time() + START_DELAY
    command = [
        sys.executable, __file__, "--worker",
        "--base-url", emu.base_url, "--token", emu.token, "--params", json.dumps(params),
        "--calls", str(calls), "--scale", str(scale), "--start-at", str(start_at),
        "--redis-url", redis_url or "",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "HEX_REDIS_URL"}
    processes = [
        await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE, env=env)
        for _ in range(workers)
    ]
    reports = [json.loads((await p.communicate())[0]) for p in processes]
    if any(p.returncode for p in processes):
        raise RuntimeError("a worker failed")
    budget = HEX_RATE_LIMITS[GROUP].per_minute
    assert budget is not None
    window = 60.0 * scale
    return FleetFigures(
        calls=workers * calls,
        succeeded=sum(r["succeeded"] for r in reports),
        responses_429=emu.requests.count(status=429),
        elapsed=max(r["finished"] for r in reports) - start_at,
        ideal=workers * calls / budget * window,
    )


async def measure(workers: int, calls: int, scale: float) -> dict[str, FleetFigures]:
    config = EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=scale)
    async with run_emulator(config) as emu:
        alone = await run_fleet(emu, workers, calls, scale, None)
        await asyncio.sleep(2 * 60 * scale)  # let the emulator's windows empty
        with redis_server() as url:
            shared = await run_fleet(emu, workers, calls, scale, url)
    return {"each alone": alone, "Redis": shared}


def rows(workers: int, calls: int, figures: dict[str, FleetFigures]) -> list[Row]:
    alone, shared = figures["each alone"], figures["Redis"]
    fleet = f"fleet {workers}x{calls} on one token"
    return [
        Row(f"{fleet}: 429s with Redis (ref: each alone)", shared.responses_429,
            alone.responses_429, "429s", 1, "ours", False),
        Row(f"{fleet}: time with Redis vs ideal (calls / budget)", shared.elapsed,
            shared.ideal, "s", 1.05, "ratio", False),
        Row(f"{fleet}: time each alone vs ideal", alone.elapsed, alone.ideal, "s",
            None, "ratio", False),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--calls", type=int, default=100, help="calls per worker")
    parser.add_argument("--scale", type=float, default=1 / 60, help="window length multiplier")
    parser.add_argument("--json", action="store_true", help="also print rows for run_all.py")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for name in ("--base-url", "--token", "--params", "--redis-url"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args))
        return
    figures = asyncio.run(measure(args.workers, args.calls, args.scale))
    print(f"{args.workers} workers x {args.calls} {TOOL} calls on one token, time scale "
          f"{args.scale:g} (a minute lasts {60 * args.scale:g} s)")  # fmt: skip
    print(f"{'pacing':12} {'calls':>6} {'ok':>6} {'429s':>6} {'time s':>8} {'ideal s':>8} "
          f"{'ratio':>6}")  # fmt: skip
    for name, f in figures.items():
        print(f"{name:12} {f.calls:6d} {f.succeeded:6d} {f.responses_429:6d} {f.elapsed:8.2f} "
              f"{f.ideal:8.2f} {f.ratio:6.3f}")  # fmt: skip
    if args.json:
        emit_rows(rows(args.workers, args.calls, figures))


if __name__ == "__main__":
    main()
