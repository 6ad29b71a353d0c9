"""Scale: 1,000 concurrent hex_wait_for_run calls in one client process.

The emulator runs in its own process with rate limits off, so the client's figures are
its own. The clock is compressed: a run lasts ``--run-seconds`` (default 8 s) instead of
minutes, and the waits poll every ``--poll-interval`` s backing off to
``--max-poll-interval`` s (Hex-time 5 s and 30 s, scaled down alike), so that every wait
makes several status checks while 1,000 are open at once.

Steps: start ``--runs`` runs with hex_run_project (100 at a time), then wait for all of
them at once through one HexExecutor (pacing off). Prints the client process's peak RSS
(``resource.getrusage``, the whole life of the process), the CPU seconds it spent on the
waits divided by the status checks they made, and how the waits ended.

    python bench/scale.py [--runs 1000] [--run-seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from collections import Counter
from typing import Any

from _bench import Row, emit_rows, server_process

from aacflow_hex import HexExecutor, ToolResult

TARGET_RSS_MB = 150.0
TRIGGER_CONCURRENCY = 100


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


async def start_runs(executor: HexExecutor, project_id: str, runs: int) -> list[str]:
    gate = asyncio.Semaphore(TRIGGER_CONCURRENCY)

    async def start() -> str:
        async with gate:
            result = await executor.execute("hex_run_project", {"projectId": project_id})
        if not result.success:
            raise RuntimeError(f"could not start a run: {result.error}")
        return str(result.output["runId"])

    return list(await asyncio.gather(*(start() for _ in range(runs))))


async def measure(server: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    project_id = server["project_id"]
    async with HexExecutor(server["base_url"], server["token"], rate_limits=None) as executor:
        started = time.perf_counter()
        run_ids = await start_runs(executor, project_id, args.runs)
        triggered = time.perf_counter() - started
        rss_before = current_rss_mb()
        wait = {
            "projectId": project_id,
            "pollInterval": args.poll_interval,
            "maxPollInterval": args.max_poll_interval,
            "timeout": args.run_seconds * 10,
        }
        cpu_before, started = cpu_seconds(), time.perf_counter()
        results: list[ToolResult] = await asyncio.gather(
            *(executor.execute("hex_wait_for_run", {**wait, "runId": r}) for r in run_ids)
        )
        waited = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
    checks = sum(int(r.output.get("statusChecks") or 0) for r in results if r.success)
    outcomes = Counter(
        str(r.output.get("status")) if r.success else f"failed: {r.error.kind if r.error else '?'}"
        for r in results
    )
    return {
        "runs": args.runs,
        "triggered_s": triggered,
        "waited_s": waited,
        "cpu_s": cpu,
        "checks": checks,
        "outcomes": dict(outcomes),
        "rss_before_waits_mb": rss_before,
        "rss_after_waits_mb": current_rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--run-seconds", type=float, default=8.0)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument("--max-poll-interval", type=float, default=2.0)
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    with server_process("emulator", "--run-duration", str(args.run_seconds)) as server:
        print(f"server: emulator at {server['base_url']} (own process, rate limits off)")
        figures = asyncio.run(measure(server, args))
    checks = figures["checks"]
    cpu_per_check_ms = figures["cpu_s"] / checks * 1000 if checks else float("nan")
    print(f"started {figures['runs']} runs in {figures['triggered_s']:.1f} s")
    print(
        f"{figures['runs']} concurrent waits ended in {figures['waited_s']:.1f} s: "
        + ", ".join(f"{n} {status}" for status, n in sorted(figures["outcomes"].items()))
    )
    print(
        f"status checks: {checks} ({checks / figures['runs']:.1f} a wait); client CPU "
        f"{figures['cpu_s']:.2f} s, {cpu_per_check_ms:.3f} ms a check"
    )
    print(
        f"client RSS: {figures['rss_before_waits_mb']:.0f} MB before the waits, "
        f"{figures['rss_after_waits_mb']:.0f} MB after, peak {figures['peak_rss_mb']:.0f} MB "
        f"(target: under {TARGET_RSS_MB:g} MB)"
    )
    if args.json:
        emit_rows(
            [
                Row(
                    metric=f"{figures['runs']} concurrent waits: client peak RSS, MB",
                    ours=figures["peak_rss_mb"],
                    reference=None,
                    unit="MB",
                    target=TARGET_RSS_MB,
                    target_of="ours",
                    higher_is_better=False,
                ),
                Row(
                    metric=f"{figures['runs']} concurrent waits: client CPU per status check, ms",
                    ours=cpu_per_check_ms,
                    reference=None,
                    unit="ms",
                    target=None,  # no target: a figure to watch
                    target_of="ours",
                    higher_is_better=False,
                ),
            ]
        )


if __name__ == "__main__":
    main()
