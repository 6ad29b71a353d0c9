"""Wait economy: 1,000 waits on one token, the run watcher against per-run polling.

The emulator runs with Hex's per-token limits (hex-api 30 requests a minute and 1,800
an hour), and the client paces under the same limits; both clocks are compressed by
``--scale`` (default 1/60: a Hex minute lasts one second). ``--runs`` runs (default
1,000) are spread evenly over ``--projects`` projects (default 10) whose runs take
different times (5 to 90 Hex minutes, each run within 5 % of its project's usual
time; about 5 % end ERRORED, KILLED or UNABLE_TO_ALLOCATE_KERNEL). Each project has
20 finished runs of the same kind before them, as a project that runs regularly does.
The runs are put into the emulator's workspace directly: triggering 1,000 runs would
take Hex's run budget (60 an hour) 17 hours.

Then every run is waited on at once through one executor, twice, each time on a
fresh emulator with the same runs:

- watcher: hex_wait_for_run, which registers with the token's run watcher;
- per-run polling: each wait polls its own run with hex_get_run_status as waits did
  before the watcher (pollInterval 5 s growing by 1.5x to 30 s, Hex time, with
  jitter), through the same executor's pacer.

Printed side by side: status requests (list and status reads), 429s received, and
the delay between each run's end in the emulator and its wait returning (p50, p95,
max), in Hex seconds and in budget cycles. One cycle is the number of projects
divided by the requests a second of the watcher's share of the budget (default half:
10 projects / 0.25 per s = 40 Hex seconds); the whole budget's cycle is half that.

    python bench/wait_economy.py [--runs 1000] [--projects 10] [--scale 0.0167]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from _bench import Row, emit_rows

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.emulator.state.models import Run
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.engine.watcher import DEFAULT_SHARE
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits

USUAL_MINUTES = (5, 10, 15, 20, 30, 40, 50, 60, 75, 90)  # per project, Hex time
SPREAD = 0.05  # each run within 5 % of its project's usual time
PENDING_SECONDS = 10.0  # Hex time before a run starts
HISTORY = 20  # finished runs per project before the watched ones
POLL_INTERVAL, MAX_POLL_INTERVAL, GROWTH, JITTER = 5.0, 30.0, 1.5, 0.1  # per-run, Hex s
HEX_API_PER_SECOND = 30 / 60
MODES = ("watcher", "per-run")
FAILURES = (("ERRORED", 0.03), ("KILLED", 0.01), ("UNABLE_TO_ALLOCATE_KERNEL", 0.01))


@dataclass(frozen=True)
class PlannedRun:
    project: int
    seconds: float  # Hex seconds from creation to end
    outcome: str


@dataclass
class Figures:
    requests: int
    lists: int
    reads: int
    too_many: int
    delays: list[float]  # Hex seconds, one per run
    outcomes: Counter[str]
    wall: float


def plan(runs: int, projects: int, seed: int) -> tuple[list[PlannedRun], list[PlannedRun]]:
    """The watched runs and the finished history, the same for both modes."""
    rng = random.Random(seed)
    usual = [USUAL_MINUTES[i % len(USUAL_MINUTES)] * 60.0 for i in range(projects)]

    def one(project: int) -> PlannedRun:
        seconds = PENDING_SECONDS + usual[project] * rng.uniform(1 - SPREAD, 1 + SPREAD)
        roll, outcome = rng.random(), "COMPLETED"
        for status, share in FAILURES:
            if roll < share:
                outcome = status
                break
            roll -= share
        return PlannedRun(project, seconds, outcome)

    watched = [one(i % projects) for i in range(runs)]
    history = [
        PlannedRun(p, one(p).seconds, "COMPLETED") for p in range(projects) for _ in range(HISTORY)
    ]
    return watched, history


def seed_runs(
    emu: Emulator,
    project_ids: list[str],
    watched: list[PlannedRun],
    history: list[PlannedRun],
    scale: float,
) -> list[tuple[Run, float]]:
    """Put the runs into the emulator; each watched run with its end (emulator clock)."""
    for project_id in project_ids:  # only the runs planned here
        emu.workspace.runs_by_project[project_id] = []
    now = emu.now()

    def add(planned: PlannedRun, created: float) -> Run:
        seconds = planned.seconds * scale
        killed = planned.outcome == "KILLED"
        run = Run(
            id=str(uuid.uuid4()),
            project_id=project_ids[planned.project],
            project_version="1",
            trigger="API",
            created_at=created,
            duration=seconds,
            outcome="COMPLETED" if killed else planned.outcome,  # type: ignore[arg-type]
            pending_seconds=PENDING_SECONDS * scale,
            killed_at=created + seconds * 0.8 if killed else None,
            via_api=True,
        )
        emu.workspace.add_run(run)
        return run

    for i, planned in enumerate(history):
        add(planned, now - (len(history) - i) * 3600 * scale)
    seeded = [add(p, now) for p in watched]
    return [
        (r, r.killed_at if r.killed_at is not None else r.created_at + r.duration) for r in seeded
    ]


async def poll_one_run(ex: HexExecutor, run: Run, scale: float, rng: random.Random) -> ToolResult:
    """A wait as it was before the watcher: its own status reads, backing off."""
    ids = {"projectId": run.project_id, "runId": run.id}
    checks = 0
    while True:
        result = await ex.execute("hex_get_run_status", ids, timeout=3600)
        checks += 1
        if result.success and result.output.get("status") not in ("PENDING", "RUNNING"):
            return result
        pause = min(MAX_POLL_INTERVAL, POLL_INTERVAL * GROWTH ** (checks - 1)) * scale
        await asyncio.sleep(pause * rng.uniform(1 - JITTER, 1 + JITTER))


async def measure(
    mode: str, watched: list[PlannedRun], history: list[PlannedRun], args: argparse.Namespace
) -> Figures:
    scale = args.scale
    config = EmulatorConfig(rate_limit_scale=scale, projects=40, users=10, max_logged_requests=None)
    async with run_emulator(config) as emu:
        project_ids = emu.workspace.published_project_ids()[: args.projects]
        runs = seed_runs(emu, project_ids, watched, history, scale)
        emu.requests.clear()
        async with HexExecutor(
            base_url=emu.base_url,
            api_key=emu.token,
            rate_limits=scale_rate_limits(HEX_RATE_LIMITS, scale),
            rate_limiter=RateLimiter(),
            watch_share=args.share,
        ) as ex:
            rng = random.Random(args.seed)

            async def wait(run: Run) -> tuple[ToolResult, float]:
                if mode == "watcher":
                    params = {
                        "projectId": run.project_id,
                        "runId": run.id,
                        "pollInterval": max(0.05, POLL_INTERVAL * scale),
                        "timeout": 86400,
                    }
                    result = await ex.execute("hex_wait_for_run", params)
                else:
                    result = await poll_one_run(ex, run, scale, rng)
                return result, time.time()

            started = time.monotonic()
            done = await asyncio.gather(*(wait(run) for run, _ in runs))
            wall = time.monotonic() - started
        log = list(emu.requests)
    delays = [(returned - end) / scale for (_, end), (_, returned) in zip(runs, done, strict=True)]
    outcomes = Counter(
        str(r.output.get("status")) if r.success else f"failed: {r.error.kind if r.error else '?'}"
        for r, _ in done
    )
    return Figures(
        requests=len(log),
        lists=sum(1 for e in log if e.operation == "GetProjectRuns"),
        reads=sum(1 for e in log if e.operation == "GetRunStatus"),
        too_many=sum(1 for e in log if e.status == 429),
        delays=delays,
        outcomes=outcomes,
        wall=wall,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--scale", type=float, default=1 / 60, help="time compression")
    parser.add_argument("--share", type=float, default=DEFAULT_SHARE, help="the watcher's share")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    watched, history = plan(args.runs, args.projects, args.seed)

    cycle = args.projects / (HEX_API_PER_SECOND * args.share)  # Hex seconds
    whole_cycle = args.projects / HEX_API_PER_SECOND
    print(
        f"{args.runs} runs over {args.projects} projects (usual run times "
        f"{', '.join(f'{m:g}' for m in USUAL_MINUTES[: args.projects])} Hex minutes, +-5 %), "
        f"all waited on at once through one executor"
    )
    print(
        f"Hex's limits on both sides, time x{args.scale:g} (a Hex minute lasts "
        f"{60 * args.scale:g} s); runs put in directly (no run triggers)"
    )
    print(
        f"budget cycle: {cycle:g} Hex s at the watcher's share ({args.share:g}), "
        f"{whole_cycle:g} Hex s at the whole budget"
    )
    results = {
        mode: asyncio.run(measure(mode, watched, history, args)) for mode in ("watcher", "per-run")
    }

    header = f"{'':16} {'requests':>9} {'lists':>6} {'reads':>6} {'429s':>5} " + "".join(
        f"{name + ' delay':>22}" for name in ("p50", "p95", "max")
    )
    print(header)
    for mode, fig in results.items():
        cells = "".join(
            f"{percentile(fig.delays, q):>9.0f} s {percentile(fig.delays, q) / cycle:>6.2f} cyc "
            for q in (0.5, 0.95, 1.0)
        )
        print(
            f"{mode:16} {fig.requests:>9} {fig.lists:>6} {fig.reads:>6} {fig.too_many:>5} {cells}"
        )
    for mode, fig in results.items():
        print(
            f"{mode}: {fig.wall:.1f} s wall ({fig.wall / args.scale / 60:.0f} Hex minutes), "
            f"outcomes {dict(sorted(fig.outcomes.items()))}"
        )
    ours, theirs = results["watcher"], results["per-run"]
    p95 = percentile(ours.delays, 0.95)
    ratio = ours.requests / theirs.requests
    print(
        f"watcher / per-run requests: {ratio:.3f} (target <= 0.05); watcher 429s: "
        f"{ours.too_many} (target 0); watcher p95 delay {p95 / cycle:.2f} cycles at its share "
        f"(target <= 2), {p95 / whole_cycle:.2f} cycles of the whole budget (target <= 4)"
    )
    if args.json:
        name = f"{args.runs} waits, {args.projects} projects"
        emit_rows(
            [
                Row(
                    f"{name}: watcher / per-run status requests",
                    ours.requests,
                    theirs.requests,
                    "req",
                    0.05,
                    "ratio",
                    False,
                ),
                Row(
                    f"{name}: watcher 429s",
                    ours.too_many,
                    theirs.too_many,
                    "429s",
                    1,
                    "ours",
                    False,
                ),
                Row(
                    f"{name}: watcher p95 delay, cycles at its share",
                    p95 / cycle,
                    percentile(theirs.delays, 0.95) / cycle,
                    "cycles",
                    2,
                    "ours",
                    False,
                ),
                Row(
                    f"{name}: watcher p95 delay, cycles of the whole budget",
                    p95 / whole_cycle,
                    percentile(theirs.delays, 0.95) / whole_cycle,
                    "cycles",
                    4,
                    "ours",
                    False,
                ),
            ]
        )


if __name__ == "__main__":
    main()
