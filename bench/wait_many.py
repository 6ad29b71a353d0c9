"""Benchmark: many concurrent hex_run_project_and_wait calls on one token.

Starts the emulator with Hex's published per-token limits (hex-run-kernel: 20 runs a
minute and 60 an hour; hex-api: 30 requests a minute and 1800 an hour) and fires N
concurrent run-and-wait calls with one token. Prints how many finished, how many 429s
the emulator sent, and the status requests the waits cost (the run watcher's run lists
and run status reads).

Hex's hourly run limit makes 200 runs take 3 h 20 min of real time, so the clock is
compressed: every rate-limit window (on the emulator and in the client's pacer alike),
the run duration and the poll intervals are multiplied by ``--scale`` (default 1/300:
a minute lasts 0.2 s, an hour 12 s). The ratios between limits, runs and polls stay
Hex's; the output says so.

    python bench/wait_many.py [--runs 200] [--scale 0.00333] [--run-seconds 120]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter, defaultdict
from typing import Any

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits

MIN_POLL_INTERVAL = 0.05  # the tools' lower bound for pollInterval


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="concurrent calls (default 200)")
    parser.add_argument(
        "--scale", type=float, default=1 / 300, help="time compression (default 1/300)"
    )
    parser.add_argument(
        "--run-seconds", type=float, default=120.0, help="run duration in Hex time (default 120)"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=15.0, help="first poll interval, Hex time"
    )
    parser.add_argument(
        "--max-poll-interval", type=float, default=30.0, help="poll interval cap, Hex time"
    )
    return parser.parse_args()


def hex_time(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def spread(values: list[int]) -> str:
    if not values:
        return "n/a"
    return (
        f"min {min(values)}, median {statistics.median(values):g}, "
        f"mean {statistics.mean(values):.1f}, max {max(values)}"
    )


async def bench(args: argparse.Namespace) -> None:
    scale = args.scale
    poll = max(MIN_POLL_INTERVAL, args.poll_interval * scale)
    poll_cap = max(poll, args.max_poll_interval * scale)
    config = EmulatorConfig(run_duration=args.run_seconds * scale, rate_limit_scale=scale)
    client_limits = scale_rate_limits(HEX_RATE_LIMITS, scale)
    async with run_emulator(config) as emu:
        projects = emu.workspace.published_project_ids()
        async with HexExecutor(
            base_url=emu.base_url,
            api_key=emu.token,
            rate_limits=client_limits,
            rate_limiter=RateLimiter(),
        ) as ex:

            async def one(i: int) -> ToolResult:
                params: dict[str, Any] = {
                    "projectId": projects[i % len(projects)],
                    "pollInterval": poll,
                    "maxPollInterval": poll_cap,
                    "timeout": 3600,
                }
                return await ex.execute("hex_run_project_and_wait", params)

            started = time.monotonic()
            results = await asyncio.gather(*(one(i) for i in range(args.runs)))
            wall = time.monotonic() - started

        log = list(emu.requests)
    status_requests: dict[str, int] = defaultdict(int)
    for entry in log:
        if entry.operation == "GetRunStatus":
            status_requests[entry.path.rsplit("/", 1)[-1]] += 1
    finished = [r for r in results if r.success and not r.output["timedOut"]]
    outcomes = Counter(r.output["status"] for r in finished)
    failures = Counter(f"{r.error.kind}: {r.error.message[:80]}" for r in results if r.error)
    per_run = [status_requests[r.output["runId"]] for r in finished]
    reported = [int(r.output["statusChecks"]) for r in finished]
    too_many = sum(1 for e in log if e.status == 429)

    print(f"concurrent run-and-wait calls, one token: {args.runs}")
    print(
        f"time compression: x{scale:g} on the emulator's and the pacer's rate-limit windows, "
        f"the run duration and the poll intervals (a Hex minute lasts {60 * scale:g} s)"
    )
    print(
        "limits: Hex's published defaults (hex-run-kernel 20/min and 60/h, "
        "hex-api 30/min and 1800/h), compressed as above"
    )
    print(
        f"run duration {args.run_seconds:g} s, polls every {args.poll_interval:g} s "
        f"backing off to {args.max_poll_interval:g} s (Hex time)"
    )
    if poll > args.poll_interval * scale:
        print(
            f"note: pollInterval is at least {MIN_POLL_INTERVAL} s, so the first poll "
            f"interval is {poll / scale:g} s in Hex time"
        )
    print(f"wall time: {wall:.1f} s (Hex time {hex_time(wall / scale)})")
    print(f"finished: {len(finished)}/{args.runs}  outcomes: {dict(outcomes)}")
    if failures:
        print(f"failed calls: {dict(failures)}")
    print(f"429 responses from the emulator: {too_many}")
    triggers = sum(1 for e in log if e.operation == "RunProject")
    print(f"requests in all: {len(log)}  (run triggers: {triggers})")
    lists = sum(1 for e in log if e.operation == "GetProjectRuns")
    reads = sum(1 for e in log if e.operation == "GetRunStatus")
    print(f"status requests: {lists + reads} ({lists} run lists, {reads} run status reads)")
    print(f"run status reads per run: {spread(per_run)}")
    print(f"status checks per run as the tool reports them: {spread(reported)}")


if __name__ == "__main__":
    asyncio.run(bench(parse_args()))
