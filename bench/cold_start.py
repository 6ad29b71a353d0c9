"""Cold start: ``aacflow-hex tools`` against ``hex --help``, import costs, MCP start-up.

Every figure is a whole fresh process (a subprocess), the commands alternating,
``--runs`` times; figures are medians, and differences are differences of medians:

- ``aacflow-hex tools`` against hex-toolkit 0.6.0's ``hex --help`` (its ``cli`` extra,
  typer and rich): the fastest Hex CLI start-up to compare with. Both are the console
  scripts next to this interpreter; the row is left out when ``hex`` is not installed
  (``pip install -e '.[bench]'``).
- ``import aacflow_hex; load_registry()`` beyond ``import aiohttp`` (what the executor
  needs anyway); and, as information, the same plus ``HexExecutor`` (what a first call
  imports: aiohttp and pydantic).
- ``aacflow-hex mcp``: from spawning it to reading its answer to ``initialize`` on
  stdout; and to reading its answer to ``tools/list``, sent as a client does, after the
  ``initialize`` answer and ``notifications/initialized``: what an agent client waits
  for before its session can call a tool. The server speaks the protocol itself; as
  information, what the SDK alone would cost: from spawning a process that imports the
  MCP SDK's server to its "done" line (no figure counts the process's exit).

Both commands read compiled bytecode, as an installed wheel does: the runs get their own
PYTHONPYCACHEPREFIX (a temporary directory, filled by one warm-up run of each), even where
PYTHONDONTWRITEBYTECODE is set, which would otherwise recompile every module of an
editable install on each start.

The packaged specs' validated data is cached (aacflow_hex/spec/yamlcache.py, keyed by the
files' bytes) in a temporary AACFLOW_HEX_CACHE_DIR, filled by the warm-up run: every start
after the first reads it. The first start after installing or editing the specs parses
the YAML and validates it; that figure is printed too (cache off), as information.

    python bench/cold_start.py [--runs 15]
    python bench/cold_start.py --why     # also: the slowest imports (python -X importtime)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _bench import Row, emit_rows, fmt

from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV

OURS = "import aacflow_hex; aacflow_hex.load_registry()"
REFERENCE = "import aiohttp"
# What a first call imports besides: the executor, with aiohttp and pydantic (ToolResult).
WITH_EXECUTOR = "import aacflow_hex; aacflow_hex.load_registry(); aacflow_hex.HexExecutor"
MCP_SDK = "import mcp.server.lowlevel, mcp.server.stdio"
TARGET_EXTRA_MS = 50.0
TARGET_CLI_RATIO = 1.0  # aacflow-hex tools / hex --help
TARGET_MCP_MS = 400.0

INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "aacflow-hex-bench", "version": "0"},
    },
}


def bytecode_env(cache_dir: str, spec_cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    env[CACHE_DIR_ENV] = spec_cache  # "": no spec cache
    return env


def script(name: str) -> str | None:
    """A console script installed with this interpreter (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def command_ms(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def wall_ms(code: str, env: dict[str, str]) -> float:
    return command_ms([sys.executable, "-c", code], env)


def mcp_session_ms(executable: str, env: dict[str, str], *, until: str) -> float:
    """From spawning ``aacflow-hex mcp`` to reading its answer to ``until``.

    ``initialize`` is written at once; ``notifications/initialized`` and ``tools/list``
    follow its answer, as a client sends them.
    """
    started = time.perf_counter()
    server = subprocess.Popen(
        [executable, "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert server.stdin is not None and server.stdout is not None

    def send(*messages: dict[str, object]) -> None:
        assert server.stdin is not None
        server.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        server.stdin.flush()

    try:
        # Sent at once, as a client does: it waits in the pipe until the server reads.
        send(INITIALIZE)
        for line in server.stdout:
            answered = json.loads(line).get("id")
            if answered == 1 and until == "initialize":
                return (time.perf_counter() - started) * 1000
            if answered == 1:
                send(INITIALIZED, TOOLS_LIST)
            elif answered == 2:
                return (time.perf_counter() - started) * 1000
        raise RuntimeError(f"aacflow-hex mcp exited without answering (exit {server.wait()})")
    finally:
        server.stdin.close()  # the server stops when its stdin closes
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def ready_ms(code: str, env: dict[str, str]) -> float:
    """From spawning ``python -c code`` to the line it prints when done (its exit not counted)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", f"{code}\nprint('ready', flush=True)\nimport sys; sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"python -c {code!r} failed (exit {process.wait()})")
        return (time.perf_counter() - started) * 1000
    finally:
        process.stdin.close()
        process.wait()


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


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def measure(plan: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Each measurement once to warm up, then ``runs`` rounds, alternating; the medians."""
    for run in plan.values():
        run()  # compile and cache the bytecode, fill the spec cache, warm the file cache
    times: dict[str, list[float]] = {name: [] for name in plan}
    for _ in range(runs):
        for name, run in plan.items():
            times[name].append(run())
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--why", action="store_true", help="show the slowest imports")
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    ours_cli, hex_cli = script("aacflow-hex"), script("hex")
    if hex_cli is None:
        print("hex-toolkit's 'hex' is not installed (pip install -e '.[bench]'): no CLI row")
    with_sdk = has_module("mcp")
    if ours_cli is None:
        print("the aacflow-hex script is missing: no MCP rows")
    if not with_sdk:
        print("the mcp extra is missing: no MCP SDK figure")
    with tempfile.TemporaryDirectory(prefix="aacflow-bench-cache-") as temporary:
        env = bytecode_env(temporary, os.path.join(temporary, "specs"))
        uncached = bytecode_env(temporary, "")
        plan: dict[str, Callable[[], float]] = {
            "aiohttp": lambda: wall_ms(REFERENCE, env),
            "ours": lambda: wall_ms(OURS, env),
            "first": lambda: wall_ms(OURS, uncached),
            "executor": lambda: wall_ms(WITH_EXECUTOR, env),
        }
        if ours_cli is not None and hex_cli is not None:
            plan["hex --help"] = lambda: command_ms([hex_cli, "--help"], env)
            plan["aacflow-hex tools"] = lambda: command_ms([ours_cli, "tools"], env)
        if ours_cli is not None:
            plan["mcp initialize"] = lambda: mcp_session_ms(ours_cli, env, until="initialize")
            plan["mcp tools/list"] = lambda: mcp_session_ms(ours_cli, env, until="tools/list")
        if with_sdk:
            plan["mcp sdk"] = lambda: ready_ms(MCP_SDK, env)
        medians = measure(plan, args.runs)
        slowest = slowest_imports(OURS, 25, env) if args.why else []
    reference_ms = medians["aiohttp"]
    extra = medians["ours"] - reference_ms
    first_extra = medians["first"] - reference_ms
    executor_extra = medians["executor"] - reference_ms
    print(f"medians of {args.runs} runs, each a fresh process, alternating:")
    print(f"python -c {OURS!r}: {fmt(medians['ours'])} ms")
    print(f"python -c {REFERENCE!r}: {fmt(reference_ms)} ms")
    print(f"extra: {fmt(extra)} ms (target: under {TARGET_EXTRA_MS:g} ms)")
    print(f"extra without the spec cache (a first start): {fmt(first_extra)} ms")
    print(f"extra with HexExecutor imported (what a first call adds): {fmt(executor_extra)} ms")
    rows = [
        Row(
            metric="cold start: import + load_registry() vs import aiohttp, whole processes, ms",
            ours=medians["ours"],
            reference=reference_ms,
            unit="ms",
            target=None,
            target_of="ours",
            higher_is_better=False,
        ),
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
            metric="cold start, first one (no spec cache yet), beyond import aiohttp, ms",
            ours=first_extra,
            reference=None,
            unit="ms",
            target=None,
            target_of="ours",
            higher_is_better=False,
        ),
        Row(
            metric="cold start with HexExecutor imported, beyond import aiohttp, ms",
            ours=executor_extra,
            reference=None,
            unit="ms",
            target=None,
            target_of="ours",
            higher_is_better=False,
        ),
    ]
    if "aacflow-hex tools" in medians:
        ours_ms, theirs_ms = medians["aacflow-hex tools"], medians["hex --help"]
        print(
            f"aacflow-hex tools: {fmt(ours_ms)} ms; hex --help (hex-toolkit 0.6.0): "
            f"{fmt(theirs_ms)} ms; ratio {ours_ms / theirs_ms:.2f} "
            f"(target: under {TARGET_CLI_RATIO:g}x)"
        )
        rows.append(
            Row(
                metric="CLI start: aacflow-hex tools vs hex-toolkit 0.6.0 hex --help, ms",
                ours=ours_ms,
                reference=theirs_ms,
                unit="ms",
                target=TARGET_CLI_RATIO,
                target_of="ratio",
                higher_is_better=False,
            )
        )
    sdk_ms = medians.get("mcp sdk")
    if "mcp initialize" in medians:
        print(
            f"aacflow-hex mcp, spawn to initialize answered: {fmt(medians['mcp initialize'])} ms; "
            f"to tools/list answered: {fmt(medians['mcp tools/list'])} ms "
            f"(target: under {TARGET_MCP_MS:g} ms each)"
        )
        for until in ("initialize", "tools/list"):
            rows.append(
                Row(
                    metric=f"MCP start: spawn aacflow-hex mcp to its {until} answer, ms "
                    "(reference: spawn a process until it has imported the MCP SDK)",
                    ours=medians[f"mcp {until}"],
                    reference=sdk_ms,
                    unit="ms",
                    target=TARGET_MCP_MS,
                    target_of="ours",
                    higher_is_better=False,
                )
            )
    if sdk_ms is not None:
        print(f"python -c {MCP_SDK!r} (the MCP SDK alone), spawn to done: {fmt(sdk_ms)} ms")
    if args.why:
        print("slowest imports (self us, cumulative us, module):")
        for own, cumulative, module in slowest:
            print(f"  {own:>8} {cumulative:>8} {module}")
    if args.json:
        emit_rows(rows)


if __name__ == "__main__":
    main()
