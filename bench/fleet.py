"""A fleet on one token: worker processes sharing Hex's budget, with and without Redis.

Starts the emulator with Hex's published limits, time-scaled (``--scale``, default 1/60:
a "minute" lasts one second, for the emulator and the workers' pacers alike), and a
redis-server of its own on a free port. Then WORKERS processes each make CALLS
concurrent hex_get_run_status calls with the same token, once each pacing alone and
once sharing the budget through Redis (HEX_REDIS_URL). Prints the 429s the emulator
sent and the total time against the ideal: calls / budget (hex-api: 30 a minute).

Then the waits: runs of PROJECTS projects are started, and every worker waits for all
of them (hex_wait_for_run), once each alone and once sharing run statuses through
Redis. Prints the status requests (run lists and run reads) the emulator answered.

    python bench/fleet.py                         # 4 workers x 100 calls, x 250 waits
    python bench/fleet.py --workers 2 --calls 50 --waits 50

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
from pathlib import Path

from _bench import Row, emit_rows

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits

TOOL = "hex_get_run_status"
GROUP = "hex-api"
STATUS_OPERATIONS = ("GetProjectRuns", "GetRunStatus")
# The waits, in Hex time (multiplied by --scale): runs last long enough for several
# looks, and the waits poll as the tools do by default.
RUN_SECONDS = 300.0
POLL_INTERVAL = 5.0
MAX_POLL_INTERVAL = 30.0


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
        # Ready (the package imported, the executor open); start when every worker is.
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if args.runs_file:
            results = await wait_for_all(ex, args)
        else:
            params = json.loads(args.params)
            results = await asyncio.gather(*(ex.execute(TOOL, params) for _ in range(args.calls)))
        finished = time.time()
    print(json.dumps({"succeeded": sum(r.success for r in results), "finished": finished}))


async def wait_for_all(ex: HexExecutor, args: argparse.Namespace) -> list[ToolResult]:
    runs = json.loads(Path(args.runs_file).read_text())  # written before the go
    wait = {
        "pollInterval": POLL_INTERVAL * args.scale,
        "maxPollInterval": MAX_POLL_INTERVAL * args.scale,
        "timeout": RUN_SECONDS * args.scale * 20,
    }
    return await asyncio.gather(
        *(ex.execute("hex_wait_for_run", {**wait, "projectId": p, "runId": r}) for p, r in runs)
    )


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


async def start_workers(
    emu: Emulator, workers: int, scale: float, redis_url: str | None, *job: str
) -> list[asyncio.subprocess.Process]:
    """The worker processes, each ready to start (see ``go``)."""
    command = [
        sys.executable, __file__, "--worker", "--base-url", emu.base_url, "--token", emu.token,
        "--scale", str(scale), "--redis-url", redis_url or "", *job,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "HEX_REDIS_URL"}
    processes = [
        await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        for _ in range(workers)
    ]
    for process in processes:
        assert process.stdout is not None
        if (await process.stdout.readline()).strip() != b"ready":
            raise RuntimeError("a worker did not start")
    return processes


def go(processes: list[asyncio.subprocess.Process]) -> float:
    """Start every worker at once; the time they were told to."""
    started = time.time()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
    return started


async def reports_of(processes: list[asyncio.subprocess.Process]) -> list[dict[str, float]]:
    reports = [json.loads((await p.communicate())[0].splitlines()[-1]) for p in processes]
    if any(p.returncode for p in processes):
        raise RuntimeError("a worker failed")
    return reports


async def run_fleet(
    emu: Emulator, workers: int, calls: int, scale: float, redis_url: str | None
) -> FleetFigures:
    emu.requests.clear()
    fx = emu.fixtures
    params = {"projectId": fx.completing_project_id, "runId": fx.finished_run_id}
    job = ["--params", json.dumps(params), "--calls", str(calls)]
    processes = await start_workers(emu, workers, scale, redis_url, *job)
    start_at = go(processes)
    reports = await reports_of(processes)
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


@dataclass(frozen=True)
class WaitFigures:
    waits: int
    succeeded: int
    status_requests: int
    kinds: dict[str, int]  # the status requests by kind
    responses_429: int
    elapsed: float


def request_kinds(emu: Emulator) -> dict[str, int]:
    """Status requests answered (not refused), by kind."""
    kinds = {"run reads": 0, "newest runs": 0, "finished runs": 0, "active runs": 0}
    for entry in emu.requests:
        if entry.status != 200:
            continue
        if entry.operation == "GetRunStatus":
            kinds["run reads"] += 1
        elif entry.operation == "GetProjectRuns":
            kind = {"COMPLETED": "finished runs", None: "newest runs"}.get(
                entry.query_value("statusFilter"), "active runs"
            )
            kinds[kind] += 1
    return kinds


async def start_runs(emu: Emulator, projects: list[str], runs: int) -> list[tuple[str, str]]:
    """``runs`` runs spread over ``projects``, through the API."""
    runnable = projects
    for project_id in runnable:
        emu.set_run_outcome(project_id, "COMPLETED")
    async with HexExecutor(emu.base_url, emu.token, rate_limits=None) as ex:
        results = await asyncio.gather(
            *(
                ex.execute("hex_run_project", {"projectId": runnable[i % len(runnable)]})
                for i in range(runs)
            )
        )
    if not all(r.success for r in results):
        raise RuntimeError(f"could not start the runs: {results[0].error}")
    return [(str(r.output["projectId"]), str(r.output["runId"])) for r in results]


async def run_waits(
    emu: Emulator,
    workers: int,
    waits: int,
    projects: list[str],
    scale: float,
    redis_url: str | None,
) -> WaitFigures:
    # Run triggers are not what is measured: the emulator lets them all through.
    emu.set_rate_limits({**HEX_RATE_LIMITS, "hex-run-kernel": None}, scale)
    emu.set_run_duration(RUN_SECONDS * scale)
    emu.requests.clear()
    with tempfile.TemporaryDirectory(prefix="fleet-runs-") as folder:
        runs_file = Path(folder) / "runs.json"
        processes = await start_workers(
            emu, workers, scale, redis_url, "--runs-file", str(runs_file)
        )
        runs_file.write_text(json.dumps(await start_runs(emu, projects, waits)))
        start_at = go(processes)
        reports = await reports_of(processes)
    return WaitFigures(
        waits=workers * waits,
        succeeded=sum(int(r["succeeded"]) for r in reports),
        status_requests=sum(len(emu.requests.filter(operation=op)) for op in STATUS_OPERATIONS),
        kinds=request_kinds(emu),
        responses_429=emu.requests.count(status=429),
        elapsed=max(r["finished"] for r in reports) - start_at,
    )


async def measure(
    workers: int, calls: int, waits: int, projects: int, scale: float
) -> tuple[dict[str, FleetFigures], dict[str, WaitFigures]]:
    config = EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=scale)
    calls_figures: dict[str, FleetFigures] = {}
    wait_figures: dict[str, WaitFigures] = {}
    async with run_emulator(config) as emu:
        with redis_server() as url:
            for name, redis_url in (("each alone", None), ("Redis", url)):
                emu.set_rate_limits(dict(HEX_RATE_LIMITS), scale)  # empty windows
                calls_figures[name] = await run_fleet(emu, workers, calls, scale, redis_url)
            # Each pass on projects of its own, so none finds another's finished runs. One
            # worker alone is the floor: a fleet sharing statuses should cost about as much.
            runnable = emu.workspace.published_project_ids()
            passes = (
                ("each alone", workers, None),
                ("Redis", workers, url),
                ("one worker", 1, None),
            )
            for index, (name, count, redis_url) in enumerate(passes):
                if waits:
                    mine = runnable[index * projects : (index + 1) * projects]
                    wait_figures[name] = await run_waits(emu, count, waits, mine, scale, redis_url)
    return calls_figures, wait_figures


def rows(
    workers: int,
    calls: int,
    figures: dict[str, FleetFigures],
    waits: int,
    wait_figures: dict[str, WaitFigures],
) -> list[Row]:
    alone, shared = figures["each alone"], figures["Redis"]
    fleet = f"fleet {workers}x{calls} on one token"
    wait_rows = []
    if wait_figures:
        wait_alone, wait_shared = wait_figures["each alone"], wait_figures["Redis"]
        one = wait_figures["one worker"]
        wait_rows = [
            Row(f"fleet {workers}x{waits} waits: status requests with shared statuses "
                "(ref: each alone)", wait_shared.status_requests, wait_alone.status_requests,
                "requests", None, "ratio", False),
            Row(f"fleet {workers}x{waits} waits: status requests with shared statuses "
                f"(ref: one worker x{waits})", wait_shared.status_requests, one.status_requests,
                "requests", None, "ratio", False),
        ]  # fmt: skip
    return [
        Row(f"{fleet}: 429s with Redis (ref: each alone)", shared.responses_429,
            alone.responses_429, "429s", 1, "ours", False),
        Row(f"{fleet}: time with Redis vs ideal (calls / budget)", shared.elapsed,
            shared.ideal, "s", 1.05, "ratio", False),
        Row(f"{fleet}: time each alone vs ideal", alone.elapsed, alone.ideal, "s",
            None, "ratio", False),
        *wait_rows,
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--calls", type=int, default=100, help="calls per worker")
    parser.add_argument("--waits", type=int, default=250, help="waits per worker (0: none)")
    parser.add_argument("--projects", type=int, default=5, help="projects the runs are of")
    parser.add_argument("--scale", type=float, default=1 / 60, help="window length multiplier")
    parser.add_argument("--json", action="store_true", help="also print rows for run_all.py")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for name in ("--base-url", "--token", "--params", "--redis-url", "--runs-file"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args))
        return
    figures, wait_figures = asyncio.run(
        measure(args.workers, args.calls, args.waits, args.projects, args.scale)
    )
    print(f"{args.workers} workers x {args.calls} {TOOL} calls on one token, time scale "
          f"{args.scale:g} (a minute lasts {60 * args.scale:g} s)")  # fmt: skip
    print(f"{'pacing':12} {'calls':>6} {'ok':>6} {'429s':>6} {'time s':>8} {'ideal s':>8} "
          f"{'ratio':>6}")  # fmt: skip
    for name, f in figures.items():
        print(f"{name:12} {f.calls:6d} {f.succeeded:6d} {f.responses_429:6d} {f.elapsed:8.2f} "
              f"{f.ideal:8.2f} {f.ratio:6.3f}")  # fmt: skip
    if wait_figures:
        print()
        print(f"{args.workers} workers (or one) x {args.waits} hex_wait_for_run on runs of "
              f"{args.projects} projects (runs last {RUN_SECONDS * args.scale:g} s)")  # fmt: skip
        print(f"{'statuses':12} {'waits':>6} {'ok':>6} {'status requests':>16} {'429s':>6} "
              f"{'time s':>8}")  # fmt: skip
        for name, w in wait_figures.items():
            print(f"{name:12} {w.waits:6d} {w.succeeded:6d} {w.status_requests:16d} "
                  f"{w.responses_429:6d} {w.elapsed:8.2f}  answered: "
                  + ", ".join(f"{n} {kind}" for kind, n in w.kinds.items()))  # fmt: skip
    if args.json:
        emit_rows(rows(args.workers, args.calls, figures, args.waits, wait_figures))


if __name__ == "__main__":
    main()
