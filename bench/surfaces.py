"""Cost of the generated surfaces: block, agent exports, docs, and the MCP server.

Prints how long it takes to build each artefact from the loaded registry, the
size of each, and for the MCP server over stdio (a subprocess against the
emulator on 127.0.0.1): start-up to the first tools/list, and the latency of
tools/call (median and p95 over CALLS calls).

    python bench/surfaces.py [--calls 20]

The executor paces a token to Hex's published limits (30 calls a minute for
lists), so more calls measure the pacing, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _timed(build: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = build()
        best = min(best, time.perf_counter() - started)
    return best * 1000, value


def bench_builders() -> None:
    from aacflow_hex import load_registry
    from aacflow_hex.surfaces.agents import anthropic_tools, mcp_tools, openai_tools
    from aacflow_hex.surfaces.block import build_block
    from aacflow_hex.surfaces.docs_gen import render_docs

    started = time.perf_counter()
    registry = load_registry()
    print(
        f"registry: {len(registry)} tools loaded in {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    builders: dict[str, Callable[[], Any]] = {
        "block": lambda: build_block(registry),
        "openai": lambda: openai_tools(registry),
        "anthropic": lambda: anthropic_tools(registry),
        "mcp": lambda: mcp_tools(registry),
        "docs en": lambda: render_docs("en", registry),
        "docs de": lambda: render_docs("de", registry),
    }
    print(f"{'artefact':<10} {'build (best of 5)':>18} {'size':>10}")
    for name, build in builders.items():
        ms, value = _timed(build)
        size = len(value if isinstance(value, str) else json.dumps(value))
        print(f"{name:<10} {ms:>15.1f} ms {size / 1024:>7.1f} KiB")


async def bench_mcp(calls: int) -> None:
    from mcp import Client, StdioServerParameters

    from aacflow_hex.emulator import EmulatorConfig, run_emulator

    async with run_emulator(EmulatorConfig(port=0, rate_limits=None)) as emu:
        env = {"HEX_API_BASE_URL": emu.base_url, "HEX_API_KEY": emu.token}
        server = StdioServerParameters(
            command=sys.executable, args=["-m", "aacflow_hex", "mcp"], env=env
        )
        started = time.perf_counter()
        async with Client(server) as client:
            tools = await client.list_tools()
            startup = time.perf_counter() - started
            latencies = []
            for _ in range(calls):
                began = time.perf_counter()
                result = await client.call_tool("hex_list_projects", {"limit": 10})
                latencies.append(time.perf_counter() - began)
                assert not result.is_error, result.content[0].text
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"mcp stdio: start to first tools/list ({len(tools.tools)} tools): {startup:.2f} s")
    print(
        f"mcp stdio: tools/call hex_list_projects x{calls}: "
        f"median {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls",
        type=int,
        default=20,
        help="stay under Hex's 30 calls a minute, which the executor paces to",
    )
    args = parser.parse_args()
    bench_builders()
    asyncio.run(bench_mcp(args.calls))


if __name__ == "__main__":
    main()
