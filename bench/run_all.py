"""Run every benchmark and print one table: metric, ours, reference, ratio, target, pass/fail.

Each benchmark runs in its own process (so one's memory or warm caches do not count
toward another's) and starts its own server process:

- overhead.py    HexExecutor vs raw aiohttp, run status, concurrency 1 and 64, against
                 a fixed-body server and the emulator; then at 64 against the fixed-body
                 server answering after 50 ms, as over a near network (no target)
- clients.py     vs the hex-toolkit SDK on the emulator (needs the ``bench`` extra)
- cold_start.py  import + load_registry() beyond ``import aiohttp``; ``aacflow-hex tools``
                 vs hex-toolkit's ``hex --help``; spawning ``aacflow-hex mcp`` to its
                 answers to ``initialize`` and to the ``tools/list`` after it
- scale.py       1,000 concurrent hex_wait_for_run: peak RSS, CPU per status check
- fleet.py       4 worker processes x 100 calls on one token, with and without Redis:
                 429s, and total time against calls / budget; then 4 x 250 waits on
                 runs of 5 projects: status requests (needs redis-server)
- wait_economy.py 1,000 waits on runs of 10 projects under Hex's limits (time-scaled):
                 the run watcher vs per-run polling, requests, 429s, delay in cycles

    pip install -e '.[bench]'
    python bench/run_all.py            # every benchmark in full (minutes: see each one)
    python bench/run_all.py --quick    # fewer calls and rounds: a smoke run, noisier

The table is Markdown, ready for the README. Figures depend on the machine and on what
else runs on it; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

from _bench import BENCH_DIR, Row, fmt, read_rows

NEAR_NETWORK = ["--latency-ms", "50", "--concurrency", "64"]
FULL: list[tuple[str, list[str]]] = [
    ("overhead.py", ["--calls", "3000", "--rounds", "5", "--server", "both"]),
    ("overhead.py", ["--calls", "1500", "--rounds", "3", *NEAR_NETWORK]),
    ("clients.py", ["--calls", "1500", "--lists", "60", "--rounds", "5"]),
    ("cold_start.py", ["--runs", "15"]),
    ("scale.py", ["--runs", "1000"]),
    ("fleet.py", ["--workers", "4", "--calls", "100"]),
    ("wait_economy.py", ["--runs", "1000"]),
]
QUICK: list[tuple[str, list[str]]] = [
    ("overhead.py", ["--calls", "1000", "--rounds", "3"]),
    ("overhead.py", ["--calls", "640", "--rounds", "1", *NEAR_NETWORK]),
    ("clients.py", ["--calls", "400", "--lists", "40", "--rounds", "1"]),
    ("cold_start.py", ["--runs", "5"]),
    ("scale.py", ["--runs", "300"]),
    ("fleet.py", ["--workers", "4", "--calls", "40", "--waits", "50"]),
    ("wait_economy.py", ["--runs", "1000", "--scale", "0.008333"]),
]


def run_script(script: str, args: list[str]) -> list[Row]:
    print(f"== {script} {' '.join(args)}", flush=True)
    done = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *args, "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    rows = read_rows(done.stdout)
    for line in done.stdout.splitlines():
        if not line.startswith("BENCH-ROWS "):
            print(f"   {line}", flush=True)
    if done.returncode != 0 or not rows:
        print(f"   {script} failed (exit {done.returncode})", flush=True)
    return rows


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "calls/s":
        return fmt(value, 0 if value >= 100 else 1)
    return fmt(value, 3 if abs(value) < 1 else 1)


def table(rows: list[Row]) -> str:
    lines = [
        "| metric | ours | reference | ratio | target | pass |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        verdict = {True: "pass", False: "FAIL", None: "-"}[row.passed]
        lines.append(
            f"| {row.metric} | {figure(row.ours, row.unit)} | {figure(row.reference, row.unit)} "
            f"| {fmt(row.ratio, 2) if row.ratio is not None else '-'} | {row.target_text()} "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls: a smoke run")
    scripts = sorted({script for script, _ in FULL})
    parser.add_argument("--only", nargs="+", choices=scripts, help="run only these")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    rows: list[Row] = []
    for script, script_args in plan:
        if args.only and script not in args.only:
            continue
        rows.extend(run_script(script, script_args))
    elapsed = time.perf_counter() - started
    print()
    print(
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {elapsed:.0f} s in all"
    )
    print()
    print(table(rows))
    if any(row.passed is False for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
