"""What serving the tools over HTTP costs a call, and how fast a SIGTERM ends a wait.

Starts the emulator (no rate limits) in this process and the HTTP server in its own
(the ``serve`` app with the executor's pacing off, as the emulator's limits are off, so
that the figures are the server's cost, not Hex's budget), then prints, side by side in
one run:

- ms per hex_get_project call, one at a time: the executor called directly, and the
  official MCP client over HTTP (the initialize-handshake era AACFlow speaks, and the
  2026-07-28 era), both reusing one client;
- calls per second with 16 clients at once over HTTP;
- from SIGTERM during a hex_wait_for_run (``aacflow-hex serve`` itself): ms until the
  client holds the error result naming the run, and until the server process has exited.

    pip install -e '.[mcp]'
    python bench/mcp_http.py [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_unpaced(port: int) -> None:
    """The ``serve`` app in this process, with the executor's pacing off."""
    import uvicorn

    from aacflow_hex.surfaces.http_credentials import Credentials
    from aacflow_hex.surfaces.mcp_http import McpHttpApp, ServeSettings

    app = McpHttpApp(
        ServeSettings(port=port),
        Credentials.from_env(os.environ),
        lambda: HexExecutor(rate_limits=None),
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@asynccontextmanager
async def serve_process(
    emu: Emulator, paced: bool = True
) -> AsyncIterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    env = {**os.environ, "HEX_API_BASE_URL": emu.base_url}
    env.pop("HEX_API_KEY", None)
    command = ["-m", "aacflow_hex", "serve", "--port", str(port), "--grace", "5"]
    if not paced:
        command = [__file__, "--serve-unpaced", str(port)]
    process = subprocess.Popen(
        [sys.executable, *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx2.AsyncClient() as http:
        while True:
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    break
            except httpx2.TransportError:
                await asyncio.sleep(0.05)
    try:
        yield process, f"{base}/mcp"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()


@asynccontextmanager
async def mcp_client(url: str, token: str, mode: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"X-Hex-Api-Key": token}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,  # type: ignore[arg-type]
    ):
        yield client


async def ms_per_call_direct(emu: Emulator, calls: int) -> float:
    params = {"projectId": emu.fixtures.completing_project_id}
    async with HexExecutor(emu.base_url, emu.token, rate_limits=None) as executor:
        started = time.perf_counter()
        for _ in range(calls):
            assert (await executor.execute("hex_get_project", params)).success
        return (time.perf_counter() - started) / calls * 1000


async def ms_per_call_http(emu: Emulator, url: str, mode: str, calls: int) -> float:
    params = {"projectId": emu.fixtures.completing_project_id}
    async with mcp_client(url, emu.token, mode) as client:
        started = time.perf_counter()
        for _ in range(calls):
            assert not (await client.call_tool("hex_get_project", params)).is_error
        return (time.perf_counter() - started) / calls * 1000


async def calls_per_second(emu: Emulator, url: str, clients: int, calls: int) -> float:
    params = {"projectId": emu.fixtures.completing_project_id}

    async def one_client() -> None:
        async with mcp_client(url, emu.token, "legacy") as client:
            for _ in range(calls // clients):
                assert not (await client.call_tool("hex_get_project", params)).is_error

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return (calls // clients * clients) / (time.perf_counter() - started)


async def sigterm_during_a_wait(emu: Emulator) -> tuple[float, float]:
    run = {
        "projectId": emu.fixtures.running_run_project_id,
        "runId": emu.fixtures.running_run_id,
        "pollInterval": 0.1,
    }
    async with serve_process(emu) as (process, url):
        sent: list[float] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            if not sent:
                sent.append(time.perf_counter())
                process.send_signal(signal.SIGTERM)

        async with mcp_client(url, emu.token, "legacy") as client:
            result = await client.call_tool("hex_wait_for_run", run, progress_callback=on_progress)
            answered = time.perf_counter()
        assert result.is_error and run["runId"] in result.content[0].text  # type: ignore[union-attr]
        await asyncio.to_thread(process.wait, 30)
        exited = time.perf_counter()
    return (answered - sent[0]) * 1000, (exited - sent[0]) * 1000


async def main(calls: int) -> None:
    async with run_emulator(EmulatorConfig(port=0, rate_limits=None)) as emu:
        direct = statistics.median([await ms_per_call_direct(emu, calls) for _ in range(3)])
        async with serve_process(emu, paced=False) as (_process, url):
            await ms_per_call_http(emu, url, "legacy", 20)  # warm the server up
            legacy = statistics.median(
                [await ms_per_call_http(emu, url, "legacy", calls) for _ in range(3)]
            )
            modern = statistics.median(
                [await ms_per_call_http(emu, url, "auto", calls) for _ in range(3)]
            )
            throughput = await calls_per_second(emu, url, 16, calls * 2)
        to_result, to_exit = await sigterm_during_a_wait(emu)
    print(f"hex_get_project, one at a time ({calls} calls, median of 3 rounds):")
    print(f"  executor, direct                 {direct:7.2f} ms/call")
    print(f"  MCP over HTTP, handshake era     {legacy:7.2f} ms/call  ({legacy / direct:.1f}x)")
    print(f"  MCP over HTTP, 2026-07-28        {modern:7.2f} ms/call  ({modern / direct:.1f}x)")
    print(f"16 MCP clients at once over HTTP   {throughput:7.0f} calls/s")
    print("SIGTERM during hex_wait_for_run:")
    print(f"  until the client has the result  {to_result:7.0f} ms")
    print(f"  until the server has exited      {to_exit:7.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--serve-unpaced", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_unpaced:
        serve_unpaced(args.serve_unpaced)
    else:
        asyncio.run(main(args.calls))
