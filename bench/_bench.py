"""What the benchmark scripts share: a server in its own process, timing, result rows."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
JSON_MARKER = "BENCH-ROWS "  # run_all.py reads the line starting with this


@dataclass(frozen=True)
class Row:
    """One line of the summary table.

    ``higher_is_better`` says which way ``target`` points: for throughput ratios the
    figure must reach it, for costs (ms, MB) it must stay under it.
    """

    metric: str
    ours: float
    reference: float | None
    unit: str
    target: float | None  # None: a figure to watch, with no target
    target_of: str  # "ratio" or "ours": which figure the target applies to
    higher_is_better: bool

    @property
    def ratio(self) -> float | None:
        if not self.reference:  # None, or nothing to divide by
            return None
        return self.ours / self.reference

    @property
    def figure(self) -> float | None:
        return self.ratio if self.target_of == "ratio" else self.ours

    @property
    def passed(self) -> bool | None:
        figure = self.figure
        if self.target is None:
            return None
        if figure is None:
            return False
        return figure >= self.target if self.higher_is_better else figure < self.target

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        sign = ">=" if self.higher_is_better else "<"
        suffix = "x" if self.target_of == "ratio" else f" {self.unit}"
        return f"{sign} {self.target:g}{suffix}"


def emit_rows(rows: list[Row]) -> None:
    """The machine-readable result line, for run_all.py."""
    print(JSON_MARKER + json.dumps([asdict(r) for r in rows]), flush=True)


def read_rows(output: str) -> list[Row]:
    for line in output.splitlines():
        if line.startswith(JSON_MARKER):
            return [Row(**r) for r in json.loads(line[len(JSON_MARKER) :])]
    return []


@contextmanager
def server_process(kind: str, *args: str) -> Iterator[dict[str, Any]]:
    """Start ``bench/servers.py KIND`` in its own process; yields its base_url, token, ids."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "servers.py"), kind, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {kind} server did not start (exit {process.wait()})")
        yield json.loads(line)
    finally:
        if process.stdin is not None:
            process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


Call = Callable[[], Awaitable[object]]


async def drive(call: Call, calls: int, concurrency: int) -> float:
    """Make ``calls`` calls from ``concurrency`` workers; the seconds it took."""
    per_worker, extra = divmod(calls, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))
    return time.perf_counter() - started


async def compare_async(
    ours: Call, reference: Call, *, calls: int, concurrency: int, rounds: int
) -> tuple[float, float]:
    """Median calls/s of ``ours`` and ``reference``, measured in alternating rounds.

    Alternating spreads the machine's noise (other processes, CPU frequency) over both.
    """
    warmup = max(concurrency, calls // 10)
    await drive(reference, warmup, concurrency)
    await drive(ours, warmup, concurrency)
    ours_rates: list[float] = []
    reference_rates: list[float] = []
    for _ in range(rounds):
        reference_rates.append(calls / await drive(reference, calls, concurrency))
        ours_rates.append(calls / await drive(ours, calls, concurrency))
    return statistics.median(ours_rates), statistics.median(reference_rates)


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"
