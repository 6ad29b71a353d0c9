"""The servers the benchmarks call, each run in its own process.

On 2 cores a server in the client's process shares its event loop and its core, so
every request the client makes also pays for the server's work, and the ratios mean
little. Run here, the server gets the other core.

    python bench/servers.py static         # one fixed run-status body, as fast as aiohttp goes
    python bench/servers.py static --latency 0.05  # the same, answered 50 ms later
    python bench/servers.py emulator [--run-duration S]  # the emulator, rate limits off

The first line on stdout is JSON: ``base_url``, ``token`` and (for the emulator) the
ids the benchmarks use. The server runs until stdin closes or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

TOKEN = "bench-token-0000"
PROJECT_ID = "5a8591dd-4039-49df-9202-96385ba3eff8"
RUN_ID = "0e5b2a9c-7f3a-4c8e-9d1b-2a6f4e8c1d3b"
# A run-status body as Hex sends it (tests/samples.py RUN).
RUN_STATUS: dict[str, Any] = {
    "projectId": PROJECT_ID,
    "projectVersion": "3",
    "runId": RUN_ID,
    "runUrl": f"https://app.hex.tech/acme/app/{PROJECT_ID}/latest?runId={RUN_ID}",
    "status": "COMPLETED",
    "runTrigger": "API",
    "startTime": "2026-11-28T08:00:00.000Z",
    "endTime": "2026-11-28T08:01:01.500Z",
    "elapsedTime": 61500,
    "traceId": "trace-run-1",
}


def static_app(latency: float = 0.0) -> web.Application:
    """Answers every run-status GET with the same bytes, ``latency`` seconds later."""
    body = json.dumps(RUN_STATUS).encode()

    async def run_status(request: web.Request) -> web.Response:
        if latency:
            await asyncio.sleep(latency)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/v1/projects/{projectId}/runs/{runId}", run_status)
    return app


async def serve_static(host: str, latency: float) -> AsyncContextRunner:
    runner = web.AppRunner(static_app(latency), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    info = {
        "server": "static",
        "latency_ms": latency * 1000,
        "base_url": f"http://{host}:{port}/api/v1",
        "token": TOKEN,
        "project_id": PROJECT_ID,
        "run_id": RUN_ID,
    }
    return AsyncContextRunner(info, runner.cleanup)


async def serve_emulator(host: str, run_duration: float) -> AsyncContextRunner:
    from aacflow_hex.emulator import EmulatorConfig, run_emulator

    config = EmulatorConfig(
        host=host, port=0, rate_limits=None, run_duration=run_duration, log_requests=False
    )
    context = run_emulator(config)
    emu = await context.__aenter__()
    fixtures = emu.fixtures
    info = {
        "server": "emulator",
        "base_url": emu.base_url,
        "token": emu.token,
        "project_id": fixtures.completing_project_id,
        "run_id": fixtures.finished_run_id,  # a COMPLETED run of that project
    }

    async def close() -> None:
        await context.__aexit__(None, None, None)

    return AsyncContextRunner(info, close)


class AsyncContextRunner:
    def __init__(self, info: dict[str, Any], close: Callable[[], Awaitable[None]]) -> None:
        self.info = info
        self.close = close


async def main_async(args: argparse.Namespace) -> None:
    if args.kind == "static":
        server = await serve_static(args.host, args.latency)
    else:
        server = await serve_emulator(args.host, args.run_duration)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # The parent closing our stdin (or dying) also ends the server.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    print(json.dumps(server.info), flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["static", "emulator"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="static: seconds before each answer"
    )
    parser.add_argument(
        "--run-duration", type=float, default=2.0, help="emulated run length in seconds"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
