"""What a caller reads when the exchange with Hex fails below HTTP, and which redirects
of a read are followed: the whole message, for a read and for a run trigger."""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import socket
import ssl
import struct
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY, RetryPolicy

TOKEN = "hxtp_transport_token_0123456789abcdef"
PARAMS = {"projectId": PROJECT_ID}
RUN_MAY_HAVE_STARTED = (
    " The request may have reached Hex and taken effect. List the project's runs with "
    "hex_get_project_runs before triggering it again."
)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(answer: Handler) -> AsyncIterator[str]:
    """A TCP server on 127.0.0.1 that reads one request head and then runs ``answer``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await answer(reader, writer)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        server.close()
        await server.wait_closed()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    pass  # closed without a byte of answer


async def _cut_off(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    writer.write(head + b'{"id": ')
    await writer.drain()


async def _not_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HELLO WORLD\r\n\r\n")
    await writer.drain()


async def _reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Closing with a zero linger time sends a TCP reset instead of an orderly close.
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def _both_calls(base_url: str) -> tuple[ToolResult, ToolResult]:
    async with HexExecutor(base_url, TOKEN, retry=NO_RETRY, rate_limiter=RateLimiter()) as ex:
        read = await ex.execute("hex_get_project", PARAMS)
        trigger = await ex.execute("hex_run_project", PARAMS)
    return read, trigger


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_hang_up, "Hex closed the connection without answering."),
        (_cut_off, "Hex's answer was cut off."),
        (_reset, "the connection to Hex was reset."),
        (_not_http, "the exchange with Hex failed (ClientResponseError)."),
    ],
    ids=["hang-up", "cut-off", "reset", "not-http"],
)
async def test_a_broken_exchange_says_what_broke_and_that_a_run_may_have_started(
    answer: Handler, said: str
) -> None:
    async with raw_server(answer) as base_url:
        read, trigger = await _both_calls(base_url)
    for result in (read, trigger):
        assert result.error is not None and result.error.kind == "transport"
        assert result.error.status_code is None
    assert read.error is not None and read.error.message == said
    assert trigger.error is not None
    assert trigger.error.message == said.rstrip(".") + "." + RUN_MAY_HAVE_STARTED


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_a_refused_connection_names_the_host_and_the_reason_and_nothing_was_sent() -> None:
    port = _unused_port()
    read, trigger = await _both_calls(f"http://127.0.0.1:{port}/api/v1")
    for result in (read, trigger):
        assert result.error is not None and result.error.kind == "transport"
        # The reason is the system's text ("Connect call failed ..."), not a class name.
        assert result.error.message.startswith(f"could not connect to 127.0.0.1:{port} (")
        assert "Error)" not in result.error.message
        assert result.error.message.endswith(").")  # nothing sent: no "may have started"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_every_redirect_status_of_a_read_to_the_same_origin_is_followed(
    hex_api: FakeHex, executor: HexExecutor, status: int
) -> None:
    moved = "/projects/moved"
    hex_api.reply(
        "GET",
        f"/projects/{PROJECT_ID}",
        Reply(status, b"", headers={"Location": f"/api/v1{moved}"}),
    )
    hex_api.reply("GET", moved, Reply(200, PROJECT))
    result = await executor.execute("hex_get_project", PARAMS)
    assert result.success, result.error
    assert result.output["title"] == PROJECT["title"]
    assert [r.path for r in hex_api.received] == [f"/projects/{PROJECT_ID}", moved]


def _answer_of(size: int) -> bytes:
    """The project as JSON, padded with spaces to exactly ``size`` bytes."""
    body = json.dumps(PROJECT).encode()
    return body + b" " * (size - len(body))


@pytest.mark.parametrize("encoding", [None, "gzip"])
@pytest.mark.parametrize(("cap", "read"), [(4000, True), (3999, False)])
async def test_the_answer_cap_counts_every_decoded_byte_and_no_more(
    hex_api: FakeHex, encoding: str | None, cap: int, read: bool
) -> None:
    body = _answer_of(4000)
    headers = {} if encoding is None else {"Content-Encoding": encoding}
    sent = body if encoding is None else gzip.compress(body)
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, sent, headers=headers))
    async with HexExecutor(
        hex_api.base_url, TOKEN, retry=NO_RETRY, rate_limiter=RateLimiter(), max_response_bytes=cap
    ) as ex:
        result = await ex.execute("hex_get_project", PARAMS)
    if read:
        assert result.success, result.error
        assert result.output["title"] == PROJECT["title"]
    else:
        assert result.error is not None and result.error.kind == "invalid_response"
        assert result.error.message == (
            f"Hex's answer to GET {hex_api.base_url}/projects/{PROJECT_ID} was not read: the "
            "response was larger than the 3,999 byte limit (HexExecutor(max_response_bytes=...))"
        )


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context whose certificate no client trusts (made with openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command (Debian: apt-get install openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_an_untrusted_certificate_is_refused_at_once_and_nothing_was_sent(
    self_signed: ssl.SSLContext,
) -> None:
    """Trying again cannot make a certificate trusted: one attempt, even with retries."""
    app = web.Application()
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(ssl=self_signed)
    base_url = f"https://127.0.0.1:{server.port}/api/v1"
    try:
        async with HexExecutor(base_url, TOKEN, retry=RetryPolicy(base_delay=0.01)) as ex:
            read = await ex.execute("hex_get_project", PARAMS)
            trigger = await ex.execute("hex_run_project", PARAMS)
    finally:
        await server.close()
    for result in (read, trigger):
        assert result.error is not None and result.error.kind == "transport"
        assert result.error.message == "Hex's TLS certificate for 127.0.0.1 was not accepted."
        assert result.timing.attempts == 1
