"""What ``aacflow-hex serve`` starts with: the flags it refuses, the hosts and origins
it lets in, what each worker is handed, the line it prints, how it answers while it
shuts down, and how SIGTERM reaches the drain."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("mcp")

import httpx2
import uvicorn
from test_mcp_http import MCP_HEADERS, _rpc, http_app, serving_app

from aacflow_hex import __version__
from aacflow_hex.emulator import Emulator
from aacflow_hex.surfaces import mcp_http
from aacflow_hex.surfaces.http_credentials import Credentials
from aacflow_hex.surfaces.mcp_http import (
    HEX_TOKEN_SCOPE_KEY,
    SETTINGS_ENV,
    McpHttpApp,
    ServeSettings,
    hex_token_of,
)

PER_REQUEST = Credentials("per-request")


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        (ServeSettings(workers=0), "--workers 0: must be at least 1"),
        (ServeSettings(grace=-0.5), "--grace -0.5: must be 0 or more seconds"),
        (ServeSettings(host="10.1.2.3"), "--host 10.1.2.3: name the Host header values"),
    ],
)
def test_settings_the_server_must_not_start_with_are_named(
    settings: ServeSettings, said: str
) -> None:
    with pytest.raises(ValueError) as refused:
        settings.check(PER_REQUEST)
    assert str(refused.value).startswith(said)


def test_an_open_server_off_loopback_is_refused_before_the_host_list_is_asked_for() -> None:
    settings = ServeSettings(host="10.1.2.3", allowed_hosts=("hex-mcp:8000",))
    with pytest.raises(ValueError, match="needs AACFLOW_HEX_SERVER_TOKEN"):
        settings.check(Credentials("server-held", None))


def test_settings_it_may_start_with() -> None:
    ServeSettings(workers=1, grace=0).check(PER_REQUEST)
    ServeSettings(host="::1").check(PER_REQUEST)
    ServeSettings(host="10.1.2.3", allowed_hosts=("hex-mcp:8000",)).check(PER_REQUEST)


def test_loopback_names_on_any_port_and_the_named_hosts_and_origins_are_let_in() -> None:
    security = ServeSettings(
        allowed_hosts=("hex-mcp.internal:8000",), allowed_origins=("https://flow.example",)
    ).security()
    assert security.enable_dns_rebinding_protection is True
    hosts, origins = security.allowed_hosts, security.allowed_origins
    for name in ("127.0.0.1", "localhost", "[::1]"):
        assert {name, f"{name}:*"} <= set(hosts)
        for scheme in ("http", "https"):
            assert {f"{scheme}://{name}", f"{scheme}://{name}:*"} <= set(origins)
    assert hosts[-1] == "hex-mcp.internal:8000" and origins[-1] == "https://flow.example"
    assert len(hosts) == 7 and len(origins) == 13


def test_each_worker_gets_the_settings_serve_was_given() -> None:
    settings = ServeSettings(
        host="::1",
        port=9,
        read_only=True,
        workers=3,
        allowed_hosts=("a:1", "b:2"),
        allowed_origins=("https://c",),
        max_body_bytes=7,
        grace=2.5,
        handle_signals=False,
    )
    assert ServeSettings.from_env(settings.to_env()) == settings


def test_a_worker_without_settings_in_its_environment_serves_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    monkeypatch.delenv("AACFLOW_HEX_SERVER_TOKEN", raising=False)
    monkeypatch.setenv("HEX_API_KEY", "hxtp_q7")
    app = mcp_http.create_app()
    assert app.settings == ServeSettings()
    defaults = app.settings  # as the README says
    assert (defaults.host, defaults.port, defaults.workers) == ("127.0.0.1", 8000, 1)
    assert (defaults.read_only, defaults.grace, defaults.max_body_bytes) == (False, 20, 2**20)
    assert app.credentials == Credentials("server-held", None)
    monkeypatch.setenv(SETTINGS_ENV, ServeSettings(read_only=True, grace=4).to_env())
    assert mcp_http.create_app().settings.read_only is True
    assert mcp_http.create_app().drain.grace == 4


def test_a_handler_reads_the_token_its_request_was_granted() -> None:
    def ctx(scope: Any) -> Any:
        return SimpleNamespace(request=SimpleNamespace(scope=scope))

    assert hex_token_of(ctx({HEX_TOKEN_SCOPE_KEY: "hxtp_q7"})) == "hxtp_q7"
    assert hex_token_of(ctx({HEX_TOKEN_SCOPE_KEY: None})) is None  # the server's own key
    assert hex_token_of(ctx({})) is None
    assert hex_token_of(ctx("not a scope")) is None
    assert hex_token_of(SimpleNamespace()) is None


def _serve(
    monkeypatch: pytest.MonkeyPatch, settings: ServeSettings, env: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    started: dict[str, Any] = {}

    def run(app: str, **kwargs: Any) -> None:
        started.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    for name in ("HEX_API_KEY", "AACFLOW_HEX_SERVER_TOKEN", "HEX_API_BASE_URL", "HEX_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return mcp_http.serve(settings), started


def test_serve_starts_uvicorn_as_the_settings_say_and_says_where(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ServeSettings(host="::1", port=8123, workers=2, grace=7.9)
    code, started = _serve(monkeypatch, settings, {})
    assert code == 0
    assert started == {
        "app": "aacflow_hex.surfaces.mcp_http:create_app",
        "factory": True,
        "host": "::1",
        "port": 8123,
        "workers": 2,
        "lifespan": "on",
        "timeout_keep_alive": 15,
        "timeout_graceful_shutdown": 10,  # after the drain's 7.9 s
        "server_header": False,
    }
    assert capsys.readouterr().err == (
        "aacflow-hex serve: MCP at http://[::1]:8123/mcp (each caller sends its own Hex "
        "token; 2 worker(s)); health at /healthz\n"
    )
    assert ServeSettings.from_env(mcp_http.os.environ[SETTINGS_ENV]) == settings


def test_serve_with_the_servers_own_key_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, started = _serve(monkeypatch, ServeSettings(), {"HEX_API_KEY": "hxtp_q7"})
    assert code == 0 and started["host"] == "127.0.0.1"
    assert started["timeout_graceful_shutdown"] == 23  # the default 20 s grace, then 3 s
    said = capsys.readouterr().err
    assert "MCP at http://127.0.0.1:8000/mcp (calls use the server's HEX_API_KEY;" in said
    assert "hxtp_q7" not in said


def test_serve_refuses_a_redis_url_it_cannot_use(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, started = _serve(monkeypatch, ServeSettings(), {"HEX_REDIS_URL": "http://cache:6379"})
    assert code == 2 and not started
    said = capsys.readouterr().err
    assert said.startswith("error: ") and "HEX_REDIS_URL" in said


def test_serve_refuses_bad_settings_before_it_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, started = _serve(monkeypatch, ServeSettings(workers=0), {})
    assert code == 2 and not started
    assert capsys.readouterr().err == "error: --workers 0: must be at least 1\n"


def test_serve_without_the_http_stack_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn: ImportError
    assert mcp_http.serve(ServeSettings()) == 2
    assert capsys.readouterr().err == (
        "error: the HTTP server needs the 'mcp' extra: pip install 'aacflow-hex[mcp]'\n"
    )


async def test_while_it_shuts_down_health_says_draining_and_calls_are_refused(
    emu: Emulator,
) -> None:
    app = http_app(emu)
    call = _rpc("tools/call", {"name": "hex_list_projects", "arguments": {}})
    headers = {**MCP_HEADERS, "X-Hex-Api-Key": emu.token}
    async with serving_app(app) as url, httpx2.AsyncClient(headers=headers) as http:
        app.drain.begin()
        health = await http.get(url.replace("/mcp", "/healthz"))
        refused = await http.post(url, json=call)
    assert health.status_code == 503 and health.json()["status"] == "draining"
    assert health.json()["version"] == __version__
    assert refused.status_code == 503
    assert refused.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32001, "message": "the server is shutting down; try again"},
    }
    assert "www-authenticate" not in refused.headers
    assert emu.requests.count() == 0


async def test_a_body_over_one_mib_is_refused(emu: Emulator) -> None:
    headers = {**MCP_HEADERS, "X-Hex-Api-Key": emu.token}
    body = json.dumps(_rpc("tools/list")).encode()
    async with serving_app(http_app(emu)) as url, httpx2.AsyncClient(headers=headers) as http:
        listed = await http.post(url, content=body)
        over = await http.post(url, content=body + b" " * (2**20 + 1 - len(body)))
    assert listed.status_code == 200
    assert over.status_code == 413


async def test_a_refused_caller_gets_a_json_rpc_error_and_how_to_authenticate(
    emu: Emulator,
) -> None:
    call = _rpc("tools/call", {"name": "hex_list_projects", "arguments": {}})
    async with serving_app(http_app(emu)) as url, httpx2.AsyncClient(headers=MCP_HEADERS) as http:
        refused = await http.post(url, json=call)
        mixed = await http.post(
            url, json=call, headers={"Authorization": "Bearer a", "X-Hex-Api-Key": "b"}
        )
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="aacflow-hex"'
    body = refused.json()
    assert (body["jsonrpc"], body["id"], body["error"]["code"]) == ("2.0", None, -32001)
    assert mixed.status_code == 400 and "www-authenticate" not in mixed.headers


async def test_sigterm_starts_the_drain_and_hands_on_to_the_servers_own_handler() -> None:
    app = McpHttpApp(ServeSettings(handle_signals=True), PER_REQUEST)
    handed_on: list[int] = []

    def servers_own(signum: int, _frame: Any) -> None:
        handed_on.append(signum)

    previous = signal.signal(signal.SIGTERM, servers_own)
    try:
        with app._drain_on_signals(asyncio.get_running_loop()):
            signal.raise_signal(signal.SIGTERM)
            await asyncio.sleep(0)  # the drain starts on the loop
            await asyncio.sleep(0)
            assert app.drain.draining
            assert handed_on == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is servers_own  # as it was before
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_with_no_handler_to_hand_on_to_ends_the_process_as_the_default_would() -> None:
    code = (
        "import asyncio, signal\n"
        "from aacflow_hex.surfaces.http_credentials import Credentials\n"
        "from aacflow_hex.surfaces.mcp_http import McpHttpApp, ServeSettings\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "async def main():\n"
        "    app = McpHttpApp(ServeSettings(), Credentials('per-request'))\n"
        "    with app._drain_on_signals(asyncio.get_running_loop()):\n"
        "        signal.raise_signal(signal.SIGTERM)\n"
        "        print('still running')\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGTERM, done.stdout + done.stderr
    assert "still running" not in done.stdout


async def test_without_signal_handling_the_handlers_are_left_alone() -> None:
    app = McpHttpApp(ServeSettings(handle_signals=False), PER_REQUEST)
    before = signal.getsignal(signal.SIGTERM)
    with app._drain_on_signals(asyncio.get_running_loop()):
        assert signal.getsignal(signal.SIGTERM) is before
    assert json.loads(ServeSettings().to_env())["handle_signals"] is True
