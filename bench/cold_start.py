"""Cold start: what ``import aacflow_hex; load_registry()`` costs on top of ``import aiohttp``.

Each command runs in a fresh interpreter (a subprocess), alternating, ``--runs`` times;
the figure is the difference of the medians. aiohttp is the floor: the executor needs it.

Both commands read compiled bytecode, as an installed wheel does: the runs get their own
PYTHONPYCACHEPREFIX (a temporary directory, filled by one warm-up run of each), even where
PYTHONDONTWRITEBYTECODE is set, which would otherwise recompile every module of an
editable install on each start.

The packaged specs' parsed YAML is cached (aacflow_hex/yamlcache.py, keyed by the files'
bytes) in a temporary AACFLOW_HEX_CACHE_DIR, filled by the warm-up run: every start after
the first reads it. The first start after installing or editing the specs parses the YAML;
that figure is printed too (cache off), as information. So is the floor: what
``import aiohttp, pydantic`` and defining one model cost beyond ``import aiohttp``; the
results (ToolResult) and specs are pydantic models, so no start can be cheaper.

    python bench/cold_start.py [--runs 15]
    python bench/cold_start.py --why     # also: the slowest imports (python -X importtime)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _bench import Row, emit_rows, fmt

from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV

OURS = "import aacflow_hex; aacflow_hex.load_registry()"
REFERENCE = "import aiohttp"
# The least a package whose results are pydantic models can cost: pydantic builds its
# model machinery (and imports most of itself) when the first model class is defined.
PYDANTIC_FLOOR = "import aiohttp, pydantic\nclass Result(pydantic.BaseModel):\n    ok: bool"
TARGET_EXTRA_MS = 80.0


def bytecode_env(cache_dir: str, spec_cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    env[CACHE_DIR_ENV] = spec_cache  # "": no spec cache
    return env


def wall_ms(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return (time.perf_counter() - started) * 1000


def slowest_imports(code: str, top: int, env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(self us, cumulative us, module) of the imports ``code`` makes, slowest cumulative first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    return sorted(rows, key=lambda r: -r[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--why", action="store_true", help="show the slowest imports")
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aacflow-bench-cache-") as temporary:
        env = bytecode_env(temporary, os.path.join(temporary, "specs"))
        uncached = bytecode_env(temporary, "")
        wall_ms(REFERENCE, env)  # compile and cache the bytecode, warm the file cache
        wall_ms(OURS, env)  # ... and parse the specs once, into the spec cache
        ours: list[float] = []
        reference: list[float] = []
        first: list[float] = []
        floor: list[float] = []
        wall_ms(PYDANTIC_FLOOR, env)
        for _ in range(args.runs):
            reference.append(wall_ms(REFERENCE, env))
            ours.append(wall_ms(OURS, env))
            first.append(wall_ms(OURS, uncached))
            floor.append(wall_ms(PYDANTIC_FLOOR, env))
        slowest = slowest_imports(OURS, 25, env) if args.why else []
    ours_ms, reference_ms = statistics.median(ours), statistics.median(reference)
    extra = ours_ms - reference_ms
    first_extra = statistics.median(first) - reference_ms
    floor_extra = statistics.median(floor) - reference_ms
    print(f"python -c {OURS!r}: median {fmt(ours_ms)} ms of {args.runs} runs")
    print(f"python -c {REFERENCE!r}: median {fmt(reference_ms)} ms")
    print(f"extra: {fmt(extra)} ms (target: under {TARGET_EXTRA_MS:g} ms)")
    print(f"extra without the spec cache (a first start): {fmt(first_extra)} ms")
    print(f"extra for pydantic and one model alone (the floor): {fmt(floor_extra)} ms")
    if args.why:
        print("slowest imports (self us, cumulative us, module):")
        for own, cumulative, module in slowest:
            print(f"  {own:>8} {cumulative:>8} {module}")
    if args.json:
        emit_rows(
            [
                Row(
                    metric="cold start: import + load_registry() beyond import aiohttp, ms",
                    ours=extra,
                    reference=None,
                    unit="ms",
                    target=TARGET_EXTRA_MS,
                    target_of="ours",
                    higher_is_better=False,
                ),
                Row(
                    metric="cold start floor: pydantic and one model beyond import aiohttp, ms",
                    ours=floor_extra,
                    reference=None,
                    unit="ms",
                    target=None,
                    target_of="ours",
                    higher_is_better=False,
                ),
                Row(
                    metric="cold start, first one (no spec cache yet), ms",
                    ours=first_extra,
                    reference=None,
                    unit="ms",
                    target=None,
                    target_of="ours",
                    higher_is_better=False,
                ),
            ]
        )


if __name__ == "__main__":
    main()
