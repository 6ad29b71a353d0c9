"""Property: whatever bytes, status and headers a server sends, decoding ends in a value or
a ToolFailure, and execute() ends in a ToolResult that is strict JSON without the token.

The server is a raw TCP server on 127.0.0.1 (in a thread of its own), so that it can send
what no well-behaved HTTP library would: any status, duplicate or odd headers, lengths
that lie, bodies that stop early.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.engine.decode import HttpResponse, classify_error, decode_response
from aacflow_hex.engine.results import ToolFailure
from aacflow_hex.engine.retry import RetryPolicy

TOKEN = "hxtp_property_token_0123456789abcdef"
ECHOES = [
    TOKEN,
    base64.b64encode(TOKEN.encode()).decode(),
    base64.b64encode(f"Bearer {TOKEN}".encode()).decode(),
    quote(TOKEN, safe=""),
    f"Bearer {TOKEN}",
]
QUICK = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.01, max_retry_after=0.05)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(ECHOES),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def hex_like(value: Any, echo: str) -> Any:
    """Bodies near what Hex sends, with odd values in its fields."""
    return st.sampled_from(
        [
            value,
            {**PROJECT, "title": value, "description": echo},
            {"values": [PROJECT, value], "pagination": value},
            {"values": value, "pagination": {"after": value}},
            {"reason": value, "traceId": echo, "details": value},
            {"code": "X", "message": echo, "issues": value},
            {"runs": [value], "nextPage": value},
        ]
    )


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),  # NaN and Infinity too
    st.tuples(json_values, st.sampled_from(ECHOES)).flatmap(
        lambda pair: hex_like(*pair).map(lambda v: json.dumps(v).encode())
    ),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
)
header_names = st.sampled_from(
    [
        "Content-Type",
        "Content-Encoding",
        "Retry-After",
        "Location",
        "X-Trace-Id",
        "Transfer-Encoding",
        "Content-Length",
        "Connection",
    ]
) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_0123456789", min_size=1, max_size=12)
header_values = st.sampled_from(
    [
        "application/json",
        "gzip",
        "deflate",
        "br",
        "chunked",
        "1e400",
        "inf",
        "-5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "/api/v1/projects",
        "https://evil.example.com/steal",
        "0",
        "99999999",
        *ECHOES,
    ]
) | st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=30,
)
headers = st.lists(st.tuples(header_names, header_values), max_size=5)
statuses = st.sampled_from([200, 201, 204, 301, 302, 400, 401, 404, 422, 429, 500, 503]) | (
    st.integers(min_value=100, max_value=999)
)


def strict_json(result: ToolResult) -> str:
    text = json.dumps(result.model_dump(mode="json"), allow_nan=False)
    result.model_dump_json()
    return text


# -- decoding alone ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(status=statuses, headers=headers, body=bodies)
def test_decoding_ends_in_a_usable_value_or_a_tool_failure(
    status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    response = HttpResponse(status, dict(headers), body)
    error = classify_error(response)
    json.dumps(error.model_dump(), allow_nan=False)
    for page in (None, ("values", 25)):
        try:
            value = decode_response(response, page=page)
        except ToolFailure as exc:
            json.dumps(exc.error.model_dump(), allow_nan=False)
        else:
            json.dumps(value, allow_nan=False)


# -- the whole execute() path ----------------------------------------------------


@dataclass
class Script:
    """What the raw server answers to every request, until changed."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    framing: str = "length"  # "length", "close" (no length), "short" (a length that lies)

    def response(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} Whatever"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.framing == "length":
            lines.append(f"Content-Length: {len(self.body)}")
        elif self.framing == "short":
            lines.append(f"Content-Length: {len(self.body) + 10}")
        lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + self.body


class RawServer:
    def __init__(self) -> None:
        self.script = Script()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            writer.write(self.script.response())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._answer, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())

    def __enter__(self) -> RawServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    with RawServer() as server:
        yield server


CALLS = [
    ("hex_get_project", {"projectId": PROJECT_ID}),
    ("hex_list_projects", {"fetchAll": True, "maxItems": 300}),
    ("hex_run_project", {"projectId": PROJECT_ID}),
    ("hex_get_project_runs", {"projectId": PROJECT_ID, "limit": 5}),
]


async def call_once(port: int, tool_id: str, params: dict[str, Any]) -> ToolResult:
    async with HexExecutor(
        f"http://127.0.0.1:{port}/api/v1", TOKEN, retry=QUICK, rate_limits=None
    ) as executor:
        return await executor.execute(tool_id, params, timeout=3)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=statuses,
    headers=headers,
    body=bodies,
    framing=st.sampled_from(["length", "close", "short"]),
    call=st.sampled_from(CALLS),
)
def test_execute_always_returns_a_result_without_the_token(
    raw_server: RawServer,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    framing: str,
    call: tuple[str, dict[str, Any]],
) -> None:
    raw_server.script = Script(status, tuple(headers), body, framing)
    result = asyncio.run(call_once(raw_server.port, *call))
    assert isinstance(result, ToolResult)
    text = strict_json(result)
    for echo in ECHOES:
        assert echo not in text
    assert TOKEN not in repr(result)
