"""Profile the executor's hot path: N hex_get_run_status calls under cProfile.

The server runs in its own process, so the profile shows the client only.

    python bench/profile_hot_path.py [--calls 3000] [--concurrency 16] [--top 30]
    python bench/profile_hot_path.py --tool hex_list_projects --params '{"fetchAll": true}'
    python bench/profile_hot_path.py --server emulator --tool hex_get_project \
        --params '{"projectId": "@project_id"}'

``@project_id`` and ``@run_id`` in --params stand for the server's ids. Prints the
functions with the most time of their own, then by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
from typing import Any

from _bench import drive, server_process

from aacflow_hex import HexExecutor


def resolve(params: dict[str, Any], server: dict[str, Any]) -> dict[str, Any]:
    return {
        k: server[v[1:]] if isinstance(v, str) and v.startswith("@") else v
        for k, v in params.items()
    }


async def run(server: dict[str, Any], args: argparse.Namespace, profiler: cProfile.Profile) -> None:
    params = resolve(json.loads(args.params), server)
    async with HexExecutor(server["base_url"], server["token"], rate_limits=None) as executor:

        async def call() -> None:
            result = await executor.execute(args.tool, params)
            if not result.success:
                raise RuntimeError(f"{args.tool} failed: {result.error}")

        await drive(call, max(args.concurrency, args.calls // 10), args.concurrency)  # warm up
        profiler.enable()
        seconds = await drive(call, args.calls, args.concurrency)
        profiler.disable()
    print(f"{args.calls} calls of {args.tool} in {seconds:.2f} s under the profiler")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["static", "emulator"], default="static")
    parser.add_argument("--tool", default="hex_get_run_status")
    parser.add_argument(
        "--params", default='{"projectId": "@project_id", "runId": "@run_id"}', help="JSON"
    )
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", help="write the raw profile here (for snakeviz & co)")
    args = parser.parse_args()
    profiler = cProfile.Profile()
    with server_process(args.server) as server:
        asyncio.run(run(server, args, profiler))
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
