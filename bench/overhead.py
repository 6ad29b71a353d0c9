"""Executor overhead: hex_get_run_status through HexExecutor vs the same raw aiohttp GET.

Both sides use one aiohttp session (the executor is handed it) against one server in
another process, at concurrency 1 and 64. The raw side does what a hand-written call
does: GET with the same headers, then ``await response.json()``. The executor adds
validation, request building, decoding, output mapping and redaction; pacing is off
(``rate_limits=None``) and no call fails, so retries never start.

    python bench/overhead.py                    # the static server (a fixed body)
    python bench/overhead.py --server emulator  # the emulator, rate limits off
    python bench/overhead.py --calls 4000 --rounds 5 --concurrency 1 64
    python bench/overhead.py --latency-ms 50 --concurrency 64  # as over a near network

Prints calls/s for each side and the ratio ours/raw (target: at least 0.85). Against a
local server that answers at once, the client's CPU is the limit at concurrency 64, so
the ratio there is the ratio of CPU per call. With ``--latency-ms`` the server answers
later, as Hex does over a network; that row has no target.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import aiohttp
from _bench import Row, compare_async, emit_rows, fmt, server_process

from aacflow_hex import HexExecutor
from aacflow_hex.engine.transport import USER_AGENT

TARGET_RATIO = 0.85


async def measure(
    server: dict[str, Any], concurrency: int, calls: int, rounds: int
) -> tuple[float, float]:
    base_url = server["base_url"]
    params = {"projectId": server["project_id"], "runId": server["run_id"]}
    url = f"{base_url}/projects/{params['projectId']}/runs/{params['runId']}"
    headers = {
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Authorization": f"Bearer {server['token']}",
    }
    connector = aiohttp.TCPConnector(limit=100, ttl_dns_cache=300)  # as the executor's own
    async with aiohttp.ClientSession(connector=connector) as session:
        executor = HexExecutor(base_url, server["token"], rate_limits=None, session=session)
        async with executor:

            async def ours() -> None:
                result = await executor.execute("hex_get_run_status", params)
                if not result.success:
                    raise RuntimeError(f"executor call failed: {result.error}")

            async def raw() -> None:
                async with session.get(url, headers=headers) as response:
                    if response.status != 200:
                        raise RuntimeError(f"raw call failed: {response.status}")
                    await response.json()

            return await compare_async(
                ours, raw, calls=calls, concurrency=concurrency, rounds=rounds
            )


def rows_for(server: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    rows = []
    for concurrency in args.concurrency:
        ours, raw = asyncio.run(measure(server, concurrency, args.calls, args.rounds))
        latency = server.get("latency_ms", 0)
        where = f"{server['server']} server"
        if latency:
            where += f" answering after {latency:g} ms"
        row = Row(
            metric=f"executor vs raw aiohttp, run status, concurrency {concurrency} "
            f"({where}), calls/s",
            ours=ours,
            reference=raw,
            unit="calls/s",
            # With latency the row shows what a network hides; the target is for the local one.
            target=None if latency else TARGET_RATIO,
            target_of="ratio",
            higher_is_better=True,
        )
        print(
            f"concurrency {concurrency:>3}: executor {fmt(ours, 0)} calls/s, "
            f"raw aiohttp {fmt(raw, 0)} calls/s, ratio {fmt(row.ratio, 3)}",
            flush=True,
        )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["static", "emulator", "both"], default="static")
    parser.add_argument("--calls", type=int, default=3000, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 64])
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="the static server answers this much later"
    )
    parser.add_argument("--json", action="store_true", help="also print the rows for run_all")
    args = parser.parse_args()
    kinds = ["static", "emulator"] if args.server == "both" else [args.server]
    rows: list[Row] = []
    for kind in kinds:
        latency = ["--latency", str(args.latency_ms / 1000)] if kind == "static" else []
        with server_process(kind, *latency) as server:
            print(f"server: {kind} at {server['base_url']} (own process)", flush=True)
            rows.extend(rows_for(server, args))
    if args.json:
        emit_rows(rows)


if __name__ == "__main__":
    main()
