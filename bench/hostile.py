"""What hostile answers cost the client: memory and time, with the limits that bound them.

Each case runs in its own process (peak RSS is per process) against an aiohttp server
on 127.0.0.1 in that process:

- a gzip bomb of ~500 kB inflating to 512 MB, with a truthful Content-Length
- a 5 MB list page of ``{}`` items (1.7 million of them)
- the shape check on an ordinary page of 100 projects, beside json.loads of the page

    python bench/hostile.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from aacflow_hex import HexExecutor
from aacflow_hex.engine.jsonread import check_shape, read_json
from aacflow_hex.engine.retry import NO_RETRY

PROJECT_ID = "5a8591dd-4039-49df-9202-96385ba3eff8"
TOKEN = "hxtp_bench_token_0123456789abcdef"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def gzip_bomb(size_mb: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * (1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(size_mb)), packer.flush()])


async def one_call(body: bytes, headers: dict[str, str], tool: str, params: dict) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers, content_type="application/json")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("/api/v1"))
        async with HexExecutor(base, TOKEN, retry=NO_RETRY, rate_limits=None) as executor:
            before, started = rss_mb(), time.perf_counter()
            result = await executor.execute(tool, params)
            elapsed = time.perf_counter() - started
        kind = result.error.kind if result.error else "success"
        print(
            json.dumps(
                {
                    "wire_kb": round(len(body) / 1024),
                    "result": kind,
                    "seconds": round(elapsed, 3),
                    "rss_growth_mb": round(peak_rss_mb() - before, 1),
                }
            )
        )
    finally:
        await server.close()


def case(name: str) -> None:
    if name == "bomb":
        body = gzip_bomb(512)
        asyncio.run(
            one_call(
                body, {"Content-Encoding": "gzip"}, "hex_get_project", {"projectId": PROJECT_ID}
            )
        )
    elif name == "page":
        body = b'{"values": [' + b"{}," * 1_700_000 + b'{}], "pagination": {}}'
        asyncio.run(one_call(body, {}, "hex_list_projects", {}))


def shape_check_cost() -> None:
    project = {
        "id": PROJECT_ID,
        "title": "Quarterly revenue, by region",
        "description": "Revenue [by region], {quarterly}",
        "creator": {"email": "ana@acme.com"},
        "owner": {"email": "ana@acme.com"},
        "categories": [{"name": "Finance", "description": "Money"}],
        "status": {"name": "Production"},
        "analytics": {"appViews": {"allTime": 3, "lastThirtyDays": 1}},
        "schedules": [{"cadence": "DAILY", "enabled": True, "daily": {"hour": 3}}],
    }
    page = json.dumps({"values": [project] * 100, "pagination": {"after": "c"}}).encode()
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        check_shape(page)
    shape = (time.perf_counter() - started) / rounds * 1e6
    started = time.perf_counter()
    for _ in range(rounds):
        json.loads(page)
    loads = (time.perf_counter() - started) / rounds * 1e6
    started = time.perf_counter()
    for _ in range(rounds):
        read_json(page)
    read = (time.perf_counter() - started) / rounds * 1e6
    print(
        f"page of 100 projects ({len(page) / 1024:.0f} kB): shape check {shape:.0f} us, "
        f"plain json.loads {loads:.0f} us (ratio {shape / loads:.2f}); read_json (both, "
        f"with the number hooks) {read:.0f} us (ratio {read / loads:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["bomb", "page"])
    args = parser.parse_args()
    if args.case:
        case(args.case)
        return
    for name, what in [("bomb", "gzip bomb, 512 MB inflated"), ("page", "5 MB page of {}")]:
        out = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"{what}: {out}")
    shape_check_cost()


if __name__ == "__main__":
    main()
