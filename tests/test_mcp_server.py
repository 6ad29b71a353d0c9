"""The MCP servers as the SDK's client sees them: ours over stdio, the SDK's in-process."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.engine.progress import ProgressEvent, report
from aacflow_hex.engine.results import ToolError, ToolResult
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV
from aacflow_hex.surfaces.agents import served_specs
from aacflow_hex.surfaces.mcp_server import (
    ToolCaller,
    _progress_to_client,
    build_server,
    result_content,
)

REGISTRY = load_registry()
MISSING_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(EmulatorConfig(port=0)) as emulator:
        yield emulator


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    body: dict[str, Any] = json.loads(result.content[0].text)["error"]
    return body


async def test_a_client_lists_calls_and_reads_success_and_failure_over_stdio(
    emu: Emulator, tmp_path: Path
) -> None:
    # The client starts the server with a small default environment: the cache setting
    # (and a home of its own) keep the server from writing into the real home folder.
    env = {
        "HEX_API_BASE_URL": emu.base_url,
        "HEX_API_KEY": emu.token,
        CACHE_DIR_ENV: os.environ[CACHE_DIR_ENV],
        "HOME": str(tmp_path),
    }
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "aacflow_hex", "mcp"], env=env
    )
    async with Client(server) as client:
        listed = await client.list_tools()
        tools = {t.name: t for t in listed.tools}
        assert sorted(tools) == REGISTRY.ids()
        cancel = tools["hex_cancel_run"]
        assert cancel.annotations is not None and cancel.annotations.destructive_hint is True
        assert tools["hex_list_projects"].annotations.read_only_hint is True  # type: ignore[union-attr]
        run_hints = {
            tools[name].annotations.destructive_hint  # type: ignore[union-attr]
            for name in ("hex_run_project", "hex_run_project_and_wait")
        }
        assert run_hints == {True}
        assert "apiKey" not in json.dumps(cancel.input_schema)
        assert cancel.output_schema is not None

        # The client checks structuredContent against the tool's outputSchema.
        ok = await client.call_tool("hex_list_projects", {"limit": 2})
        assert not ok.is_error
        assert len(ok.structured_content["projects"]) == 2
        assert json.loads(ok.content[0].text) == ok.structured_content

        heard: list[str] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            heard.append(message or "")

        waited = await client.call_tool(
            "hex_run_project_and_wait",
            {"projectId": emu.fixtures.completing_project_id, "pollInterval": 0.2},
            progress_callback=on_progress,
        )
        assert not waited.is_error and waited.structured_content["succeeded"] is True
        assert heard and heard[-1].startswith("COMPLETED")  # notifications over stdio

        missing = await client.call_tool("hex_get_project", {"projectId": MISSING_ID})
        error = _error(missing)
        assert error["kind"] == "not_found" and error["status_code"] == 404
        assert MISSING_ID in error["message"]
    assert emu.token not in json.dumps([ok.structured_content, error])
    assert list(tmp_path.iterdir()) == []  # nothing written in the home folder


async def test_bad_arguments_come_back_as_validation_errors_before_any_request(
    emu: Emulator,
) -> None:
    async with HexExecutor(emu.base_url, emu.token, retry=NO_RETRY) as executor:
        specs = {s.id: s for s in served_specs(REGISTRY)}
        server = build_server(ToolCaller(executor, specs, has_api_key=True))
        async with Client(server) as client:
            emu.requests.clear()
            bad_id = await client.call_tool("hex_get_project", {"projectId": "../users"})
            assert _error(bad_id)["kind"] == "validation"
            assert "projectId" in _error(bad_id)["message"]
            key = await client.call_tool(
                "hex_get_project", {"projectId": MISSING_ID, "apiKey": "stolen"}
            )
            assert "apiKey: is set by the server's configuration" in _error(key)["message"]
            with pytest.raises(MCPError) as unknown:
                await client.call_tool("hex_nope", {})
            assert unknown.value.code == INVALID_PARAMS  # -32602: a protocol error
            assert "hex_nope" in unknown.value.message
            assert emu.requests.count() == 0


async def test_read_only_serves_only_tools_that_change_nothing(emu: Emulator) -> None:
    async with HexExecutor(emu.base_url, emu.token, retry=NO_RETRY) as executor:
        specs = {s.id: s for s in served_specs(REGISTRY, read_only=True)}
        server = build_server(ToolCaller(executor, specs, has_api_key=True))
        async with Client(server) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == {s.id for s in REGISTRY.specs() if s.annotations.read_only}
            with pytest.raises(MCPError) as refused:
                await client.call_tool("hex_run_project", {"projectId": MISSING_ID})
            assert refused.value.code == INVALID_PARAMS
            assert emu.runs_started(MISSING_ID) == 0


async def test_without_a_key_every_call_says_how_to_configure_it() -> None:
    async with HexExecutor("https://hex.example/api/v1", None) as executor:
        caller = ToolCaller(executor, {s.id: s for s in REGISTRY.specs()}, has_api_key=False)
        result = await caller.call("hex_list_projects", {})
        assert result.error is not None and result.error.kind == "auth"
        assert "HEX_API_KEY" in result.error.message


async def test_a_wait_reports_progress_to_a_client_that_asks_for_it() -> None:
    async with (
        run_emulator(EmulatorConfig(rate_limits=None, run_duration=0.6)) as emu,
        HexExecutor(emu.base_url, emu.token, retry=NO_RETRY) as executor,
    ):
        specs = {s.id: s for s in served_specs(REGISTRY)}
        server = build_server(ToolCaller(executor, specs, has_api_key=True))
        heard: list[tuple[float, str | None]] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            heard.append((progress, message))

        async with Client(server) as client:
            result = await client.call_tool(
                "hex_run_project_and_wait",
                {"projectId": emu.fixtures.completing_project_id, "pollInterval": 0.1},
                progress_callback=on_progress,
            )
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["status"] == "COMPLETED"
    messages = [message or "" for _, message in heard]
    assert any(m.startswith("RUNNING") for m in messages)
    assert messages[-1].startswith("COMPLETED")
    progress = [p for p, _ in heard]
    assert progress == sorted(progress)


# -- the caller both servers share, in process ---------------------------------------------


class Recorder:
    """An executor that records each call and succeeds with what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], Any]] = []

    async def execute(
        self,
        tool_id: str,
        params: Any = None,
        *,
        timeout: float | None = None,
        progress: Any = None,
    ) -> ToolResult:
        self.calls.append((tool_id, dict(params or {}), progress))
        return ToolResult(tool_id=tool_id, success=True, output={"ok": True})


def caller_of(executor: Recorder, *, has_api_key: bool, ids: tuple[str, ...] = ()) -> ToolCaller:
    specs = [REGISTRY.get(i) for i in ids] if ids else REGISTRY.specs()
    return ToolCaller(executor, {s.id: s for s in specs}, has_api_key=has_api_key)


async def test_a_call_runs_with_the_callers_own_token_else_the_servers_key() -> None:
    executor = Recorder()

    def progress(event: ProgressEvent) -> None: ...

    server_keyed = caller_of(executor, has_api_key=True)
    args = {"projectId": MISSING_ID, "limit": None}  # None: not given
    assert (await server_keyed.call("hex_get_project", args, progress)).success
    own = await server_keyed.call("hex_get_project", args, api_key="hxtp_caller_own")
    assert own.success
    assert executor.calls == [
        ("hex_get_project", {"projectId": MISSING_ID}, progress),
        ("hex_get_project", {"projectId": MISSING_ID, "apiKey": "hxtp_caller_own"}, None),
    ]
    keyless = caller_of(executor, has_api_key=False)
    assert (await keyless.call("hex_get_project", args, api_key="hxtp_caller_own")).success
    assert executor.calls[-1][1]["apiKey"] == "hxtp_caller_own"
    for no_token in (None, ""):
        refused = await keyless.call("hex_get_project", args, api_key=no_token)
        assert refused == ToolResult(
            tool_id="hex_get_project",
            success=False,
            error=ToolError(
                kind="auth",
                message="no Hex API key: set HEX_API_KEY in the MCP server's environment",
            ),
        )
    assert len(executor.calls) == 3


async def test_a_call_the_caller_may_not_make_is_refused_without_a_request() -> None:
    executor = Recorder()
    caller = caller_of(executor, has_api_key=True, ids=("hex_get_project", "hex_list_projects"))
    unknown = await caller.call("hex_nope", {})
    assert (unknown.tool_id, unknown.success) == ("hex_nope", False)
    assert unknown.error == ToolError(
        kind="validation",
        message="no tool 'hex_nope' here (tools: hex_get_project, hex_list_projects)",
    )
    keyed = await caller.call("hex_list_projects", {"apiKey": "stolen"})
    assert keyed.error == ToolError(
        kind="validation", message="apiKey: is set by the server's configuration, not by the caller"
    )
    assert executor.calls == []


def test_a_result_is_json_text_and_structured_content_or_the_error_alone() -> None:
    output = {"title": "Umsätze", "n": 1}
    assert result_content(ToolResult(tool_id="t", success=True, output=output)) == (
        '{"title": "Umsätze", "n": 1}',
        output,
    )
    failed = ToolResult(
        tool_id="t",
        success=False,
        error=ToolError(kind="not_found", message="no project «x»", status_code=404),
    )
    assert result_content(failed) == (
        '{"error": {"kind": "not_found", "message": "no project «x»", "status_code": 404}}',
        None,
    )
    bare = ToolResult(tool_id="t", success=False)
    assert result_content(bare) == ('{"error": {"kind": "server"}}', None)


async def test_progress_goes_to_the_client_as_rounded_seconds_and_the_status() -> None:
    reported: list[tuple[float, float | None, str | None]] = []

    class Session:
        async def report_progress(
            self, progress: float, total: float | None, message: str | None
        ) -> None:
            reported.append((progress, total, message))

    class Context:
        session = Session()

    notify = _progress_to_client(Context())
    await report(notify, ProgressEvent("hex_wait_for_run", "RUNNING", 1.23456, "run is RUNNING"))
    assert reported == [(1.235, None, "RUNNING: run is RUNNING")]
