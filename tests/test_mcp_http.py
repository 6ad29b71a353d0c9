"""The HTTP MCP server as clients see it: a real server on 127.0.0.1, the official MCP client."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

pytest.importorskip("mcp")

import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.emulator import Emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import RateLimit
from aacflow_hex.surfaces.http_credentials import Credentials
from aacflow_hex.surfaces.mcp_http import McpHttpApp, ServeSettings

REGISTRY = load_registry()
PER_REQUEST = Credentials("per-request")
SERVER_TOKEN = "srv-access-token-5f1c9e"
MODES = ["legacy", "auto"]  # the initialize handshake (what AACFlow speaks), and 2026-07-28


def _free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def http_app(
    emu: Emulator,
    credentials: Credentials = PER_REQUEST,
    *,
    read_only: bool = False,
    executor: Callable[[], HexExecutor] | None = None,
) -> McpHttpApp:
    settings = ServeSettings(read_only=read_only, handle_signals=False)
    api_key = emu.token if credentials.mode == "server-held" else None
    return McpHttpApp(
        settings,
        credentials,
        executor or (lambda: HexExecutor(emu.base_url, api_key, retry=NO_RETRY)),
    )


@asynccontextmanager
async def serving_app(app: McpHttpApp) -> AsyncIterator[str]:
    """A real HTTP server in this event loop; yields its /mcp URL."""
    sock = _free_socket()
    # log_config=None: leave this process's logging as pytest set it up.
    config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        server.should_exit = True
        await task
        sock.close()


def serving(emu: Emulator, *args: Any, **kwargs: Any) -> Any:
    return serving_app(http_app(emu, *args, **kwargs))


@asynccontextmanager
async def connect(url: str, headers: dict[str, str], mode: str = "legacy") -> AsyncIterator[Client]:
    timeout = httpx2.Timeout(10, read=60)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,  # type: ignore[arg-type]
    ):
        yield client


def _rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}


MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    body: dict[str, Any] = json.loads(result.content[0].text)["error"]
    return body


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_lists_tools_and_calls_a_read_a_run_and_a_wait_tool_over_http(
    emu: Emulator, mode: str
) -> None:
    project = emu.fixtures.completing_project_id
    async with serving(emu) as url, connect(url, {"X-Hex-Api-Key": emu.token}, mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert sorted(tools) == REGISTRY.ids()
        assert tools["hex_cancel_run"].annotations.destructive_hint is True  # type: ignore[union-attr]
        assert tools["hex_get_project"].annotations.read_only_hint is True  # type: ignore[union-attr]
        assert "apiKey" not in json.dumps(tools["hex_run_project"].input_schema)

        read = await client.call_tool("hex_get_project", {"projectId": project})
        assert not read.is_error and read.structured_content["id"] == project

        started = await client.call_tool("hex_run_project", {"projectId": project})
        assert not started.is_error and emu.runs_started(project) == 1
        run_id = started.structured_content["runId"]

        heard: list[str] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            heard.append(message or "")

        waited = await client.call_tool(
            "hex_wait_for_run",
            {"projectId": project, "runId": run_id, "pollInterval": 0.1},
            progress_callback=on_progress,
        )
        assert not waited.is_error, waited.content
        assert waited.structured_content["status"] == "COMPLETED"
        assert heard and heard[-1].startswith("COMPLETED")  # notifications over HTTP

        missing = await client.call_tool(
            "hex_get_project", {"projectId": "00000000-0000-4000-8000-000000000000"}
        )
        assert _error(missing)["kind"] == "not_found"


async def test_without_a_credential_or_with_a_wrong_one_nothing_is_called(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = _rpc("tools/call", {"name": "hex_list_projects", "arguments": {}})
    async with serving(emu) as url, httpx2.AsyncClient(headers=MCP_HEADERS) as http:
        refused = await http.post(url, json=call)
        assert refused.status_code == 401
        assert "Authorization: Bearer" in refused.json()["error"]["message"]
        assert refused.headers["www-authenticate"].startswith("Bearer")
        basic = await http.post(url, json=call, headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert basic.status_code == 401
    async with (
        serving(emu, Credentials("server-held", SERVER_TOKEN)) as url,
        httpx2.AsyncClient(headers=MCP_HEADERS) as http,
    ):
        for headers in ({}, {"Authorization": "Bearer not-the-server-token"}):
            refused = await http.post(url, json=call, headers=headers)
            assert refused.status_code == 401
            assert "not-the-server-token" not in refused.text
        own_key = await http.post(
            url,
            json=call,
            headers={"Authorization": f"Bearer {SERVER_TOKEN}", "X-Hex-Api-Key": "x"},
        )
        assert own_key.status_code == 400
    assert emu.requests.count() == 0

    # A Hex token Hex does not know: Hex's 401 comes back as the tool's error, without it.
    wrong = "hxtp_wrong_token_for_this_workspace"
    async with serving(emu) as url, connect(url, {"Authorization": f"Bearer {wrong}"}) as client:
        result = await client.call_tool("hex_list_projects", {"limit": 1})
    assert _error(result)["kind"] == "auth"
    assert wrong not in result.content[0].text
    assert wrong not in caplog.text and emu.token not in caplog.text


async def test_server_held_key_serves_callers_that_present_the_server_token(emu: Emulator) -> None:
    async with (
        serving(emu, Credentials("server-held", SERVER_TOKEN)) as url,
        connect(url, {"Authorization": f"Bearer {SERVER_TOKEN}"}) as client,
    ):
        me = await client.call_tool("hex_get_current_user", {})
    assert not me.is_error and me.structured_content["role"] == "ADMIN"
    assert emu.token not in json.dumps(me.structured_content)


async def test_a_foreign_origin_or_host_an_oversized_body_and_a_standing_stream_are_refused(
    emu: Emulator,
) -> None:
    headers = {**MCP_HEADERS, "X-Hex-Api-Key": emu.token}
    call = _rpc("tools/call", {"name": "hex_list_projects", "arguments": {}})
    async with serving(emu) as url, httpx2.AsyncClient(headers=headers) as http:
        evil = await http.post(url, json=call, headers={"Origin": "http://evil.example"})
        assert evil.status_code == 403
        rebound = await http.post(url, json=call, headers={"Host": "evil.example"})
        assert rebound.status_code == 421
        local = await http.post(url, json=call, headers={"Origin": "http://localhost:3000"})
        assert local.status_code == 200
        huge = await http.post(url, content=b"[" + b" " * (2 * 1024 * 1024) + b"]")
        assert huge.status_code == 413
        # No standing SSE stream to sit idle: the server sends nothing unasked.
        stream = await http.get(url, headers={"Accept": "text/event-stream"}, timeout=5)
        assert stream.status_code == 405
    assert emu.requests.count() == 1  # only the allowed localhost call


async def test_two_tenants_get_their_own_results_and_their_own_budgets(emu: Emulator) -> None:
    # Two requests per token per minute. A third call's turn comes ~30 s later, after its
    # 10 s timeout, so it fails fast without waiting; 10 s leaves room for a loaded machine.
    def executor() -> HexExecutor:
        return HexExecutor(
            emu.base_url,
            None,
            retry=NO_RETRY,
            timeout=10.0,
            rate_limits={"hex-api": RateLimit(per_minute=2)},
            rate_limiter=RateLimiter(),
        )

    admin, editor = emu.tokens["ADMIN"], emu.tokens["EDITOR"]
    async with (
        serving(emu, executor=executor) as url,
        connect(url, {"Authorization": f"Bearer {admin}"}) as a,
        connect(url, {"X-Hex-Api-Key": editor}) as b,
    ):
        me_a = await a.call_tool("hex_get_current_user", {})
        me_b = await b.call_tool("hex_get_current_user", {})
        assert me_a.structured_content["role"] == "ADMIN"
        assert me_b.structured_content["role"] == "EDITOR"
        assert me_a.structured_content["id"] != me_b.structured_content["id"]

        for _ in range(2):
            assert not (await a.call_tool("hex_list_projects", {"limit": 1})).is_error
        spent = await a.call_tool("hex_list_projects", {"limit": 1})  # A's third this minute
        assert _error(spent)["kind"] == "rate_limited"
        assert not (await b.call_tool("hex_list_projects", {"limit": 1})).is_error  # B's first
    assert emu.requests.count(operation="ListProjects") == 3


async def test_read_only_serves_only_the_tools_that_change_nothing(emu: Emulator) -> None:
    async with (
        serving(emu, read_only=True) as url,
        connect(url, {"X-Hex-Api-Key": emu.token}) as client,
    ):
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {s.id for s in REGISTRY.specs() if s.annotations.read_only}
        project = emu.fixtures.completing_project_id
        # A tool not served is refused, as a tool error or as a JSON-RPC error (-32602).
        try:
            refused = await client.call_tool("hex_run_project", {"projectId": project})
        except MCPError as exc:
            assert exc.error.code == -32602
        else:
            assert refused.is_error
    assert emu.runs_started(project) == 0


async def test_healthz_answers_without_credentials(emu: Emulator) -> None:
    async with serving(emu, read_only=True) as url, httpx2.AsyncClient() as http:
        health = await http.get(url.replace("/mcp", "/healthz"))
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["credentials"] == "per-request"
    assert body["tools"] == sum(1 for s in REGISTRY.specs() if s.annotations.read_only)


async def test_a_shutdown_stops_a_run_and_wait_once_its_run_has_started(emu: Emulator) -> None:
    emu.set_run_duration(600)
    app = http_app(emu)
    project = emu.fixtures.completing_project_id

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if (message or "").startswith("STARTED"):
            app.drain.begin()  # what SIGTERM does

    async with serving_app(app) as url, connect(url, {"X-Hex-Api-Key": emu.token}) as client:
        result = await asyncio.wait_for(
            client.call_tool(
                "hex_run_project_and_wait",
                {"projectId": project, "pollInterval": 0.1},
                progress_callback=on_progress,
            ),
            5,
        )
    newest = emu.workspace.project_runs(project)[0]  # the run this call started
    message = _error(result)["message"]
    assert f"stopped waiting for run {newest.id}" in message, message
    assert "do not start it again" in message
    assert emu.runs_started(project) == 1


# -- the command, in a process of its own -------------------------------------------------


def _serve_process(emu: Emulator, *args: str) -> tuple[subprocess.Popen[str], str]:
    with _free_socket() as sock:
        port = sock.getsockname()[1]
    env = {**os.environ, "HEX_API_BASE_URL": emu.base_url}
    env.pop("HEX_API_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "aacflow_hex", "serve", "--port", str(port), "--grace", "5", *args],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


async def _until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    async with httpx2.AsyncClient() as http:
        for _ in range(300):
            assert process.poll() is None, process.communicate()[1]
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the server did not become healthy")


async def test_sigterm_during_a_wait_ends_it_with_a_result_naming_the_run(emu: Emulator) -> None:
    process, base = _serve_process(emu)
    try:
        await _until_healthy(base, process)
        run = {
            "projectId": emu.fixtures.running_run_project_id,
            "runId": emu.fixtures.running_run_id,  # RUNNING for an hour
            "pollInterval": 0.1,
        }

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            if not signalled:
                signalled.append(True)
                process.send_signal(signal.SIGTERM)  # the wait is under way

        signalled: list[bool] = []

        async with connect(f"{base}/mcp", {"X-Hex-Api-Key": emu.token}) as client:
            result = await asyncio.wait_for(
                client.call_tool("hex_wait_for_run", run, progress_callback=on_progress), 10
            )
        error = _error(result)
        assert error["kind"] == "server"
        assert "shutting down" in error["message"] and run["runId"] in error["message"]
        # uvicorn shuts down gracefully, then ends by the signal it got (as the default would).
        assert await asyncio.to_thread(process.wait, 10) in (0, -signal.SIGTERM)
        log = process.communicate()[1]
        assert "Application shutdown complete" in log
        assert "Traceback" not in log and emu.token not in log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_several_workers_answer_on_one_port_without_sessions(emu: Emulator) -> None:
    process, base = _serve_process(emu, "--workers", "2")
    try:
        await _until_healthy(base, process)
        for mode in MODES * 2:  # each client its own connections; any worker may answer
            async with connect(f"{base}/mcp", {"X-Hex-Api-Key": emu.token}, mode) as client:
                assert len((await client.list_tools()).tools) == len(REGISTRY.ids())
                me = await client.call_tool("hex_get_current_user", {})
                assert not me.is_error and me.structured_content["role"] == "ADMIN"
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 15)
        assert process.communicate()[1].count("Application shutdown complete") == 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        ({"HEX_API_KEY": "hxtp_server_key"}, ["--host", "0.0.0.0", "--allow-host", "h:8000"],
         "AACFLOW_HEX_SERVER_TOKEN"),
        ({}, ["--host", "0.0.0.0"], "--allow-host"),
        ({"AACFLOW_HEX_SERVER_TOKEN": SERVER_TOKEN}, [], "HEX_API_KEY is not"),
        ({"HEX_API_BASE_URL": "http://hex.example/api/v1"}, [], "plain http to hex.example"),
        ({}, ["--workers", "0"], "--workers 0"),
    ],
)  # fmt: skip
def test_serve_refuses_to_start_where_it_would_be_open_or_wrong(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    args: list[str],
    named: str,
) -> None:
    from aacflow_hex.surfaces.cli import main

    def started(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the server started")

    monkeypatch.setattr(uvicorn, "run", started)
    for name in ("HEX_API_KEY", "AACFLOW_HEX_SERVER_TOKEN", "HEX_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", *args]) == 2
    error = capsys.readouterr().err
    assert named in error
    assert SERVER_TOKEN not in error and "hxtp_server_key" not in error


def test_commands_other_than_serve_do_not_load_the_http_stack() -> None:
    code = (
        "import sys; from aacflow_hex.surfaces.cli import main; main(['tools']); "
        "loaded = {'starlette', 'uvicorn', 'mcp'} & set(sys.modules); "
        "sys.exit(f'loaded: {sorted(loaded)}' if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
