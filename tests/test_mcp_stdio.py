"""The stdio MCP server as raw JSON-RPC lines: in-process, and as the ``aacflow-hex mcp`` process.

(``test_mcp_server`` drives the same process with the official SDK's client.)
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from aacflow_hex import __version__, load_registry
from aacflow_hex.engine.progress import ProgressCallback, ProgressEvent, report
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.surfaces import mcp_stdio
from aacflow_hex.surfaces.agents import mcp_tool, served_specs
from aacflow_hex.surfaces.mcp_server import INSTRUCTIONS, Executes, ToolCaller
from aacflow_hex.surfaces.mcp_stdio import StdioSession, claimed_stdio, encode, serve_lines

REGISTRY = load_registry()
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}
RUN_ID = "11111111-1111-4111-8111-111111111111"
PROJECT_ID = "22222222-2222-4222-8222-222222222222"


@dataclass
class FakeExecutor:
    """Stands in for the HexExecutor: each call reports ``steps`` and waits for ``release``."""

    steps: list[ProgressEvent] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    async def execute(
        self,
        tool_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ToolResult:
        self.started.append(tool_id)
        for step in self.steps:
            await report(progress, step)
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled.append(tool_id)
            await report(progress, ProgressEvent(tool_id, "CANCELLING", 9.0, "cancelled"))
            raise
        return ToolResult(tool_id=tool_id, success=True, output={"echo": dict(params or {})})


class Client:
    """Writes lines to a session and reads what it sends back."""

    def __init__(self, executor: Executes, *, read_only: bool = False) -> None:
        specs = {s.id: s for s in served_specs(REGISTRY, read_only=read_only)}
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session = StdioSession(
            ToolCaller(executor, specs, has_api_key=True), self.outbox.put_nowait
        )

    def send(self, message: dict[str, Any] | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        self.session.receive(line.encode() + b"\n")

    def request(
        self, request_id: int | str, method: str, params: dict[str, Any] | None = None
    ) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.outbox.get(), 5)

    async def ask(
        self, request_id: int | str, method: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.request(request_id, method, params)
        answer = await self.next()
        assert answer["id"] == request_id
        return answer

    def nothing_sent(self) -> bool:
        return self.outbox.empty()


def initialize_params(version: str) -> dict[str, Any]:
    return {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    }


@pytest.fixture
async def executor() -> AsyncIterator[FakeExecutor]:
    fake = FakeExecutor()
    yield fake
    fake.release.set()


@pytest.fixture
async def client(executor: FakeExecutor) -> AsyncIterator[Client]:
    opened = Client(executor)
    opened.send(
        {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": initialize_params("2025-06-18"),
        }
    )
    assert (await opened.next())["result"]["protocolVersion"] == "2025-06-18"
    opened.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    yield opened
    await opened.session.close()


@pytest.mark.parametrize(
    ("offered", "answered"),
    [
        ("2025-06-18", "2025-06-18"),
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-11-25", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),  # unknown: our latest handshake version
        ("2026-07-28", "2025-11-25"),  # not reachable through the handshake
    ],
)
async def test_initialize_answers_the_clients_version_or_our_latest(
    executor: FakeExecutor, offered: str, answered: str
) -> None:
    fresh = Client(executor)
    result = (await fresh.ask(1, "initialize", initialize_params(offered)))["result"]
    assert result["protocolVersion"] == answered
    assert result["serverInfo"] == {"name": "aacflow-hex", "title": "Hex", "version": __version__}
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["instructions"] == INSTRUCTIONS
    assert INSTRUCTIONS.startswith("Tools for a Hex (hex.tech) workspace: projects, runs, ")
    assert "The API key is configured on the server; never ask for it." in INSTRUCTIONS


async def test_initialize_without_a_version_is_invalid_params(executor: FakeExecutor) -> None:
    error = (await Client(executor).ask(1, "initialize", {"capabilities": {}}))["error"]
    assert error == {
        "code": -32602,
        "message": "initialize: params.protocolVersion must be a string",
    }


async def test_ping_tools_list_and_a_method_not_served(client: Client) -> None:
    assert (await client.ask(1, "ping"))["result"] == {}
    listed = (await client.ask(2, "tools/list"))["result"]
    assert listed == {"tools": [mcp_tool(s) for s in REGISTRY.specs()]}
    missing = await client.ask(3, "resources/list")
    assert missing["error"]["code"] == -32601 and missing["error"]["data"] == "resources/list"


async def test_lines_that_are_not_requests_get_the_json_rpc_error_they_call_for(
    client: Client,
) -> None:
    client.send('{"jsonrpc": "2.0", "id": 1, "method": "ping"')  # cut short
    parse = await client.next()
    assert parse["id"] is None and parse["error"]["code"] == -32700
    client.send("[1, 2]")  # a batch: not part of MCP
    assert (await client.next())["error"]["code"] == -32600
    client.send({"jsonrpc": "1.0", "id": 5, "method": "ping"})
    wrong_version = await client.next()
    assert wrong_version["id"] == 5 and wrong_version["error"]["code"] == -32600
    client.send({"jsonrpc": "2.0", "id": True, "method": "ping"})
    bad_id = await client.next()
    assert bad_id["id"] is None and bad_id["error"]["code"] == -32600
    client.send({"jsonrpc": "2.0", "id": 6})
    assert (await client.next())["error"]["code"] == -32600
    params = await client.ask(7, "tools/call", [1])  # type: ignore[arg-type]
    assert params["error"]["code"] == -32602
    client.send("")
    client.send({"jsonrpc": "2.0", "method": "notifications/whatever"})
    client.send({"jsonrpc": "2.0", "id": 99, "result": {}})  # an answer: nothing asked it
    assert (await client.ask(8, "ping"))["result"] == {}  # nothing came before it


async def test_a_tool_not_served_is_invalid_params_and_never_called(
    executor: FakeExecutor,
) -> None:
    read_only = Client(executor, read_only=True)
    await read_only.ask(0, "initialize", initialize_params("2025-11-25"))
    unknown = (await read_only.ask(1, "tools/call", {"name": "hex_nope", "arguments": {}}))["error"]
    assert unknown == {"code": -32602, "message": "Unknown tool: hex_nope"}
    refused = await read_only.ask(2, "tools/call", {"name": "hex_run_project", "arguments": {}})
    assert refused["error"]["code"] == -32602
    nameless = await read_only.ask(3, "tools/call", {"arguments": {}})
    assert nameless["error"]["code"] == -32602 and "name" in nameless["error"]["message"]
    bad_arguments = await read_only.ask(
        4, "tools/call", {"name": "hex_get_project", "arguments": 1}
    )
    assert bad_arguments["error"]["code"] == -32602
    assert executor.started == []


async def test_a_call_answers_with_text_and_structured_content(
    client: Client, executor: FakeExecutor
) -> None:
    executor.release.set()
    result = (
        await client.ask(1, "tools/call", {"name": "hex_get_run_status", "arguments": {"a": 1}})
    )["result"]
    assert result["isError"] is False
    assert result["structuredContent"] == {"echo": {"a": 1}}
    assert result["content"] == [{"type": "text", "text": '{"echo": {"a": 1}}'}]
    failed = await client.ask(
        2, "tools/call", {"name": "hex_get_run_status", "arguments": {"apiKey": "x"}}
    )
    assert failed["result"]["isError"] is True and "structuredContent" not in failed["result"]
    assert "apiKey" in json.loads(failed["result"]["content"][0]["text"])["error"]["message"]


async def test_a_call_with_a_progress_token_hears_each_step_in_order(
    client: Client, executor: FakeExecutor
) -> None:
    executor.steps = [
        ProgressEvent("hex_wait_for_run", "PENDING", 0.25, "run is PENDING"),
        ProgressEvent("hex_wait_for_run", "RUNNING", 0.25, "run is RUNNING"),  # same time
        ProgressEvent("hex_wait_for_run", "COMPLETED", 1.5, "run is COMPLETED"),
    ]
    executor.release.set()
    arguments = {"projectId": PROJECT_ID, "runId": RUN_ID}
    client.request(
        1,
        "tools/call",
        {"name": "hex_wait_for_run", "arguments": arguments, "_meta": {"progressToken": "t1"}},
    )
    heard = [await client.next() for _ in range(4)]
    notes = [m["params"] for m in heard[:3]]
    assert all(m["method"] == "notifications/progress" for m in heard[:3])
    assert {n["progressToken"] for n in notes} == {"t1"}
    assert [n["message"] for n in notes] == [
        "PENDING: run is PENDING",
        "RUNNING: run is RUNNING",
        "COMPLETED: run is COMPLETED",
    ]
    progress = [n["progress"] for n in notes]
    assert progress == sorted(set(progress))  # always increasing, as the spec asks
    assert heard[3]["id"] == 1 and heard[3]["result"]["isError"] is False
    # Without a token, the same call reports nothing.
    answer = await client.ask(2, "tools/call", {"name": "hex_wait_for_run", "arguments": arguments})
    assert "result" in answer


async def test_calls_run_side_by_side_and_a_cancelled_one_is_never_answered(
    client: Client, executor: FakeExecutor
) -> None:
    meta = {"progressToken": 1}
    client.request(1, "tools/call", {"name": "hex_wait_for_run", "arguments": {}, "_meta": meta})
    client.request(2, "tools/call", {"name": "hex_get_run_status", "arguments": {}})
    assert (await client.ask(3, "ping"))["result"] == {}  # answered while both wait
    await asyncio.sleep(0)
    assert executor.started == ["hex_wait_for_run", "hex_get_run_status"]
    client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
    await asyncio.sleep(0.05)
    assert executor.cancelled == ["hex_wait_for_run"]
    executor.release.set()
    answer = await client.next()
    assert answer["id"] == 2 and "result" in answer
    await asyncio.sleep(0.05)
    assert client.nothing_sent()  # call 1 got no answer, nor any progress after the cancel


async def test_closing_answers_the_calls_still_running(
    client: Client, executor: FakeExecutor
) -> None:
    client.request(1, "tools/call", {"name": "hex_wait_for_run", "arguments": {}})
    await asyncio.sleep(0)
    await client.session.close()
    closed = await client.next()
    assert closed == {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {"code": -32000, "message": "Connection closed"},
    }
    assert executor.cancelled == ["hex_wait_for_run"]


async def test_a_2026_session_opens_with_discover_and_checks_each_envelope(
    executor: FakeExecutor,
) -> None:
    modern = Client(executor)
    discovered = (await modern.ask(1, "server/discover", {"_meta": ENVELOPE}))["result"]
    assert discovered["supportedVersions"] == ["2026-07-28"]
    assert discovered["resultType"] == "complete"
    assert discovered["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "aacflow-hex"
    listed = (await modern.ask(2, "tools/list", {"_meta": ENVELOPE}))["result"]
    assert len(listed["tools"]) == len(REGISTRY) and listed["ttlMs"] == 0
    no_envelope = await modern.ask(3, "tools/list", {})
    assert no_envelope["error"]["code"] == -32602
    future = {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}
    unsupported = (await modern.ask(4, "tools/list", {"_meta": future}))["error"]
    assert unsupported["code"] == -32022
    assert unsupported["data"] == {"supported": ["2026-07-28"], "requested": "2099-01-01"}
    handshake = (await modern.ask(5, "initialize", initialize_params("2025-11-25")))["error"]
    assert handshake["code"] == -32022
    assert (await modern.ask(6, "ping", {"_meta": ENVELOPE}))["error"]["code"] == -32601
    executor.release.set()
    called = await modern.ask(7, "tools/call", {"name": "hex_get_run_status", "_meta": ENVELOPE})
    assert called["result"]["resultType"] == "complete" and called["result"]["isError"] is False


async def test_a_handshake_session_refuses_2026_envelopes(client: Client) -> None:
    refused = await client.ask(1, "tools/list", {"_meta": ENVELOPE})
    assert refused["error"]["code"] == -32600
    assert "discover" not in json.dumps((await client.ask(2, "tools/list"))["result"])
    assert (await client.ask(3, "server/discover"))["error"]["code"] == -32601


# -- the process ---------------------------------------------------------------

SESSION = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params("2025-06-18")},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "hex_get_project", "arguments": {"projectId": "../users"}},
    },
]


@dataclass
class Conversation:
    answers: list[dict[str, Any]]  # what came on stdout, in order
    stderr: str


def converse(argv: list[str], lines: list[str], answered: set[int]) -> Conversation:
    """Write ``lines`` to a server process, read until each id in ``answered`` has its
    answer, then close its stdin (which ends it) and collect its stderr."""
    env = {**os.environ, "HEX_API_KEY": "hxtp_not_used_0123456789"}
    env.pop("HEX_API_BASE_URL", None)
    with tempfile.TemporaryFile() as stderr:  # a file: a full pipe would stall the server
        server = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env
        )
        assert server.stdin is not None and server.stdout is not None
        try:
            server.stdin.write("".join(line + "\n" for line in lines).encode())
            server.stdin.flush()
            answers: list[dict[str, Any]] = []
            waiting = set(answered)
            while waiting:
                line = server.stdout.readline()
                assert line, f"the server ended early (exit {server.wait()})"
                answers.append(json.loads(line))
                waiting.discard(answers[-1].get("id"))
            server.stdin.close()
            answers += [json.loads(line) for line in server.stdout.read().splitlines()]
            assert server.wait(timeout=30) == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        stderr.seek(0)
        return Conversation(answers, stderr.read().decode())


def test_the_process_serves_a_session_without_importing_the_mcp_sdk() -> None:
    done = converse(
        [sys.executable, "-X", "importtime", "-m", "aacflow_hex", "mcp"],
        [json.dumps(m) for m in SESSION],
        {1, 2, 3},
    )
    answers = {m["id"]: m for m in done.answers}
    assert answers[1]["result"]["protocolVersion"] == "2025-06-18"
    assert len(answers[2]["result"]["tools"]) == len(REGISTRY)
    refused = json.loads(answers[3]["result"]["content"][0]["text"])["error"]
    assert answers[3]["result"]["isError"] and refused["kind"] == "validation"
    imported = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "aacflow_hex.surfaces.mcp_stdio" in imported  # the list is the real one
    sdk = {m for m in imported if m.split(".")[0] in ("mcp", "mcp_types")}
    assert sdk == set()


STRAY = """
import os, sys
from aacflow_hex.surfaces import mcp_stdio
from aacflow_hex.surfaces.executor_on_demand import OnDemandExecutor

async def execute(self, tool_id, params=None, *, timeout=None, progress=None):
    print("stray print")
    os.system("echo child process output")
    raise RuntimeError("boom")

OnDemandExecutor.execute = execute
sys.exit(mcp_stdio.main([]))
"""


def test_only_protocol_messages_reach_stdout() -> None:
    call = {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/call",
        "params": {"name": "hex_list_projects"},
    }
    done = converse(
        [sys.executable, "-c", STRAY], [json.dumps(SESSION[0]), "oops", json.dumps(call)], {4}
    )
    answers = done.answers
    assert [(a["id"], "error" in a) for a in answers] == [(1, False), (None, True), (4, True)]
    assert answers[2]["error"]["code"] == -32603
    assert "stray print" in done.stderr and "child process output" in done.stderr
    assert "tools/call hex_list_projects failed: RuntimeError" in done.stderr


# -- the transport, in process ---------------------------------------------------------


async def test_serve_lines_answers_in_order_and_closes_what_still_runs_at_the_end(
    executor: FakeExecutor,
) -> None:
    specs = {s.id: s for s in served_specs(REGISTRY)}
    caller = ToolCaller(executor, specs, has_api_key=True)
    sent = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": initialize_params("2025-06-18"),
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": "two", "method": "ping"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "hex_wait_for_run"}},
    ]
    wire_in = io.BytesIO(b"".join(json.dumps(m).encode() + b"\n" for m in sent))
    wire_out = io.BytesIO()
    warmed: list[bool] = []

    async def warm_up() -> None:
        await asyncio.sleep(0.01)
        warmed.append(True)

    await asyncio.wait_for(serve_lines(caller, wire_in, wire_out, warm_up=warm_up), 5)
    lines = wire_out.getvalue().decode().splitlines(keepends=True)
    assert all(line.endswith("\n") for line in lines)
    answers = [json.loads(line) for line in lines]
    assert [a["id"] for a in answers] == [1, "two", 3]
    assert answers[1] == {"jsonrpc": "2.0", "id": "two", "result": {}}
    assert answers[2]["error"] == {"code": -32000, "message": "Connection closed"}
    assert warmed == [True]


def test_a_message_is_one_compact_line_of_utf8_json() -> None:
    line = encode({"jsonrpc": "2.0", "id": 1, "result": {"title": "Umsätze"}})
    assert line == '{"jsonrpc":"2.0","id":1,"result":{"title":"Umsätze"}}\n'.encode()


def test_while_serving_descriptor_1_writes_to_stderr_and_0_reads_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with claimed_stdio() as (wire_in, wire_out):
        os.write(1, b"stray output\n")  # a child process or a C library writing to fd 1
        assert os.read(0, 10) == b""
        wire_out.write(b'{"jsonrpc":"2.0"}\n')
        wire_out.flush()
        assert wire_in.readable() and wire_out.writable()
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == '{"jsonrpc":"2.0"}\nafter\n'
    assert err == "stray output\n"


@pytest.mark.parametrize(("argv", "read_only"), [([], False), (["--read-only"], True)])
def test_main_serves_until_stdin_ends_and_warns_without_a_key(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    read_only: bool,
) -> None:
    served: list[bool] = []

    async def serve(*, read_only: bool = False) -> None:
        served.append(read_only)

    monkeypatch.setattr(mcp_stdio, "serve_stdio", serve)
    monkeypatch.delenv("HEX_API_KEY", raising=False)
    assert mcp_stdio.main(argv) == 0
    assert capsys.readouterr() == ("", "warning: HEX_API_KEY is not set; every call will fail\n")
    monkeypatch.setenv("HEX_API_KEY", "hxtp_stdio_0123456789")
    assert mcp_stdio.main(argv) == 0
    assert capsys.readouterr() == ("", "")
    assert served == [read_only, read_only]


def test_an_interrupted_server_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(*, read_only: bool = False) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mcp_stdio, "serve_stdio", interrupted)
    monkeypatch.setenv("HEX_API_KEY", "hxtp_stdio_0123456789")
    assert mcp_stdio.run() == 130


# -- every answer's exact words ----------------------------------------------------------


async def test_each_malformed_line_gets_its_code_and_the_words_saying_what_is_wrong(
    client: Client,
) -> None:
    client.send("{")
    parse = await client.next()
    assert parse["id"] is None
    assert parse["error"]["code"] == -32700
    assert parse["error"]["message"].startswith("Parse error: Expecting property name")
    expected = [
        ("[1, 2]", None, -32600, "a message must be a JSON object"),
        ('{"jsonrpc": "2.0", "id": 1.5, "method": "ping"}', None, -32600,
         "id must be a string or an integer"),
        ('{"jsonrpc": "2.0", "id": null, "method": "ping"}', None, -32600,
         "id must be a string or an integer"),
        ('{"jsonrpc": "1.0", "id": 4, "method": "ping"}', 4, -32600,
         "Invalid request: jsonrpc must be '2.0'"),
        ('{"id": 5, "method": "ping"}', 5, -32600, "Invalid request: jsonrpc must be '2.0'"),
        ('{"jsonrpc": "2.0", "id": 6}', 6, -32600, "Invalid request: no method"),
        ('{"jsonrpc": "2.0", "id": 7, "method": 7}', 7, -32600, "Invalid request: no method"),
        ('{"jsonrpc": "2.0", "id": 8, "method": "ping", "params": [1]}', 8, -32602,
         "ping: params must be an object"),
        ('{"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": 3}}', 9, -32602,
         "tools/call: params.name must be the tool's name (a string)"),
        ('{"jsonrpc": "2.0", "id": 10, "method": "tools/call", '
         '"params": {"name": "hex_get_project", "arguments": [1]}}', 10, -32602,
         "tools/call: params.arguments must be an object"),
        ('{"jsonrpc": "2.0", "id": 11, "method": "resources/list"}', 11, -32601,
         "Method not found"),
    ]  # fmt: skip
    for line, request_id, code, message in expected:
        client.send(line)
        answer = await client.next()
        assert answer["jsonrpc"] == "2.0", line
        assert (answer["id"], answer["error"]["code"], answer["error"]["message"]) == (
            request_id, code, message,
        ), line  # fmt: skip


async def test_notifications_are_never_answered_whatever_they_carry(client: Client) -> None:
    client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": [1]})
    client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {}})
    client.send(
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1.5}}
    )
    client.send({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"})
    client.send({"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "x"}})
    assert (await client.ask(2, "ping"))["result"] == {}


async def test_an_arguments_free_call_passes_no_arguments(
    client: Client, executor: FakeExecutor
) -> None:
    executor.release.set()
    called = await client.ask(1, "tools/call", {"name": "hex_get_run_status"})
    assert called["result"]["structuredContent"] == {"echo": {}}


async def test_a_request_id_still_running_cannot_be_used_again(
    client: Client, executor: FakeExecutor
) -> None:
    client.request(1, "tools/call", {"name": "hex_wait_for_run", "arguments": {}})
    again = await client.ask(1, "tools/call", {"name": "hex_get_run_status", "arguments": {}})
    assert again["error"] == {"code": -32600, "message": "request id 1 is already in use"}
    client.request("a", "tools/call", {"name": "hex_wait_for_run", "arguments": {}})
    client.request("a", "tools/call", {"name": "hex_wait_for_run", "arguments": {}})
    assert (await client.next())["error"]["message"] == "request id 'a' is already in use"
    executor.release.set()
    assert {(await client.next())["id"] for _ in range(2)} == {1, "a"}
    await asyncio.sleep(0)
    reused = await client.ask(1, "tools/call", {"name": "hex_get_run_status", "arguments": {}})
    assert reused["result"]["isError"] is False  # a finished call's id is free again


async def test_progress_is_the_elapsed_seconds_and_grows_by_a_millisecond_when_time_stands(
    client: Client, executor: FakeExecutor
) -> None:
    executor.steps = [
        ProgressEvent("hex_wait_for_run", "PENDING", 0.25, "run is PENDING"),
        ProgressEvent("hex_wait_for_run", "RUNNING", 0.25, "run is RUNNING"),
        ProgressEvent("hex_wait_for_run", "RUNNING", 0.1, "run is RUNNING"),
        ProgressEvent("hex_wait_for_run", "COMPLETED", 1.23456, "run is COMPLETED"),
    ]
    executor.release.set()
    for token in ("t", 7):
        client.request(
            1, "tools/call", {"name": "hex_wait_for_run", "_meta": {"progressToken": token}}
        )
        heard = [await client.next() for _ in range(5)]
        assert [n["params"]["progress"] for n in heard[:4]] == [0.25, 0.251, 0.252, 1.235]
        assert {n["params"]["progressToken"] for n in heard[:4]} == {token}
        assert heard[0] == {
            "jsonrpc": "2.0",
            "method": "notifications/progress",
            "params": {
                "progressToken": token,
                "progress": 0.25,
                "message": "PENDING: run is PENDING",
            },
        }
        assert heard[4]["id"] == 1
        await asyncio.sleep(0)


@pytest.mark.parametrize("token", [1.5, True, None, {"a": 1}])
async def test_a_progress_token_that_is_no_string_or_integer_gets_no_progress(
    client: Client, executor: FakeExecutor, token: object
) -> None:
    executor.steps = [ProgressEvent("hex_wait_for_run", "PENDING", 0.25, "run is PENDING")]
    executor.release.set()
    meta = {"progressToken": token}
    answer = await client.ask(1, "tools/call", {"name": "hex_wait_for_run", "_meta": meta})
    assert answer["result"]["isError"] is False


class Exploding:
    """An executor with a bug: every call raises."""

    async def execute(self, tool_id: str, params: Any = None, **_: Any) -> ToolResult:
        raise RuntimeError(f"bug while calling with {params}")


async def test_a_call_that_raises_is_an_internal_error_naming_nothing_it_was_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = Client(Exploding())
    call = {"name": "hex_get_run_status", "arguments": {"projectId": "p-secret-ish"}}
    answer = await broken.ask(1, "tools/call", call)
    assert answer["error"] == {"code": -32603, "message": "Internal error"}
    assert "tools/call hex_get_run_status failed: RuntimeError" in caplog.text
    assert "p-secret-ish" not in caplog.text + json.dumps(answer)


async def test_a_handshake_session_names_what_it_refuses(client: Client) -> None:
    refused = await client.ask(1, "tools/list", {"_meta": ENVELOPE})
    assert refused["error"] == {
        "code": -32600,
        "message": "this session was opened with initialize; requests carrying the "
        "2026-07-28 envelope are not accepted in it",
    }
    again = await client.ask(2, "initialize", {"protocolVersion": "2025-06-18", "_meta": ENVELOPE})
    assert again["result"]["protocolVersion"] == "2025-06-18"
    assert "resultType" not in again["result"] and "_meta" not in again["result"]
    listed = (await client.ask(3, "tools/list"))["result"]
    assert set(listed) == {"tools"}


async def test_a_2026_session_says_exactly_what_its_envelope_lacks(executor: FakeExecutor) -> None:
    modern = Client(executor)
    discovered = (await modern.ask(1, "server/discover", {"_meta": ENVELOPE}))["result"]
    assert discovered == {
        "supportedVersions": ["2026-07-28"],
        "capabilities": {"tools": {"listChanged": False}},
        "instructions": INSTRUCTIONS,
        "ttlMs": 0,
        "cacheScope": "private",
        "resultType": "complete",
        "_meta": {
            "io.modelcontextprotocol/serverInfo": {
                "name": "aacflow-hex",
                "title": "Hex",
                "version": __version__,
            }
        },
    }
    version_only = {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}
    lacking: list[tuple[dict[str, Any], str]] = [
        ({}, "io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities"),
        ({"_meta": "not a mapping"},
         "io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities"),
        (version_only, "io.modelcontextprotocol/clientCapabilities"),
    ]  # fmt: skip
    for number, (params, keys) in enumerate(lacking, start=2):
        error = (await modern.ask(number, "tools/list", params))["error"]
        assert error == {
            "code": -32602,
            "message": f"params._meta is missing the required envelope key(s): {keys}",
        }
    wrong_type = {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": 20260728}
    error = (await modern.ask(5, "tools/list", {"_meta": wrong_type}))["error"]
    assert error == {
        "code": -32602,
        "message": "params._meta.io.modelcontextprotocol/protocolVersion must be a string",
    }
    handshake = (await modern.ask(6, "initialize", {"protocolVersion": 2025}))["error"]
    assert handshake == {
        "code": -32022,
        "message": "Unsupported protocol version",
        "data": {"supported": ["2026-07-28"]},
    }
    handshake = (await modern.ask(6, "initialize", initialize_params("2025-11-25")))["error"]
    assert handshake["data"] == {"supported": ["2026-07-28"], "requested": "2025-11-25"}
    listed = (await modern.ask(7, "tools/list", {"_meta": ENVELOPE}))["result"]
    assert listed["tools"] == [mcp_tool(s) for s in REGISTRY.specs()]
    assert (listed["resultType"], listed["cacheScope"]) == ("complete", "private")


async def test_a_first_request_without_an_envelope_opens_no_2026_session(
    executor: FakeExecutor,
) -> None:
    fresh = Client(executor)
    assert (await fresh.ask(1, "ping"))["result"] == {}
    assert (await fresh.ask(2, "server/discover", {"_meta": ENVELOPE}))["error"]["code"] == -32600
    envelope_on_initialize = Client(executor)
    params = {**initialize_params("2025-06-18"), "_meta": ENVELOPE}
    answer = await envelope_on_initialize.ask(1, "initialize", params)
    assert answer["result"]["protocolVersion"] == "2025-06-18"
