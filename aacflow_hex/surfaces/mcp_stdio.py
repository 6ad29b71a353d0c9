"""An MCP server over stdio that serves every Hex tool (``aacflow-hex mcp``), without the SDK.

MCP over stdio is JSON-RPC 2.0, one message a line, and this server answers the few
methods it serves itself: importing the official ``mcp`` SDK takes longer than all the
rest of a start, and every agent session waits for the start before its first call. So
the stdio server needs no extra; the HTTP server (``aacflow-hex serve``, ``mcp_http``)
stays on the SDK. What is served is the same: ``ToolCaller`` runs the calls,
``result_content`` shapes their results, ``mcp_tool`` lists the tools.

- The client's first request decides the protocol era, as the SDK's servers do:
  ``initialize`` opens a handshake session (the client's protocol version when it is
  one of ``HANDSHAKE_VERSIONS``, else ``LATEST_HANDSHAKE_VERSION``), served with
  ``ping``, ``tools/list`` and ``tools/call``. A request whose ``_meta`` carries the
  protocol version (the 2026-07-28 per-request envelope; the SDK client opens with
  ``server/discover``) opens a stateless one: each request is checked for its
  envelope, ``initialize`` is refused (-32022, naming the versions served), and each
  result says ``resultType`` and the server's info.
- Calls run concurrently. ``notifications/cancelled`` cancels the call it names, which
  is then never answered; a call whose ``_meta`` has a ``progressToken`` reports a
  wait's steps as ``notifications/progress``. When stdin ends, the calls still
  running are cancelled and answered -32000 (connection closed), as the SDK's
  servers do: a wait must not go on polling Hex for a client that has left.
- Errors: a line that is not JSON is -32700, a message that is not a request -32600,
  a method not served -32601, bad params or a tool not served -32602 (the MCP spec's
  "unknown tool"). A tool that fails is a result with ``isError: true`` whose text is
  ``{"error": {"kind", "message", ...}}`` with the ToolError kind; a tool that
  succeeds returns its output as JSON text and as ``structuredContent``, which
  matches the tool's ``outputSchema``.
- Only protocol messages reach stdout: while serving, file descriptor 1 points at
  stderr and 0 at the null device, so nothing else (a library's print, a child
  process) can write to the client or read its messages.
- The key comes from ``HEX_API_KEY``, the API URL from ``HEX_API_BASE_URL``; a caller
  can never pass ``apiKey`` (it is in no tool's input schema, and a call that sends
  it anyway is refused). Every call runs through one ``HexExecutor``, imported and
  opened on demand (``OnDemandExecutor``), so the session starts without it.
- ``--read-only`` serves only the tools whose spec says ``readOnly: true``.

Run it as ``aacflow-hex mcp [--read-only]`` or
``python -m aacflow_hex.surfaces.mcp_stdio [--read-only]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, TypeGuard

from .. import __version__
from ..engine.progress import ProgressCallback, ProgressEvent
from ..spec.registry import load_registry
from .agents import mcp_tool, served_specs
from .executor_on_demand import OnDemandExecutor
from .mcp_server import INSTRUCTIONS, SERVER_NAME, SERVER_TITLE, ToolCaller, result_content

log = logging.getLogger("aacflow_hex")

HANDSHAKE_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
LATEST_HANDSHAKE_VERSION = HANDSHAKE_VERSIONS[-1]
MODERN_VERSIONS = ("2026-07-28",)  # stateless: each request carries its own envelope
PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
CONNECTION_CLOSED = -32000
UNSUPPORTED_PROTOCOL_VERSION = -32022

CAPABILITIES = {"tools": {"listChanged": False}}
SERVER_INFO = {"name": SERVER_NAME, "title": SERVER_TITLE, "version": __version__}
# What a 2026-07-28 result of a listing says about caching it: nothing to reuse.
_NO_CACHING = {"ttlMs": 0, "cacheScope": "private"}

Message = dict[str, Any]
RequestId = str | int
Send = Callable[[Message], None]


class RpcError(Exception):
    """A JSON-RPC error answer: its code, message and optional data."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)  # pragma: no mutate: only .message is ever shown
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def _is_request_id(value: object) -> TypeGuard[RequestId]:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _meta(params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    meta = (params or {}).get("_meta")
    return meta if isinstance(meta, Mapping) else {}


def _has_envelope(params: Mapping[str, Any] | None) -> bool:
    """Whether a request carries the 2026-07-28 envelope (its protocol version in ``_meta``)."""
    return PROTOCOL_VERSION_KEY in _meta(params)


def _unsupported_version(requested: Any) -> RpcError:
    data: dict[str, Any] = {"supported": list(MODERN_VERSIONS)}
    if isinstance(requested, str):
        data["requested"] = requested
    return RpcError(UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version", data)


def _check_envelope(method: str, params: Mapping[str, Any] | None) -> None:
    """RpcError unless a request of a 2026-07-28 session carries a served envelope."""
    if method == "initialize":
        raise _unsupported_version((params or {}).get("protocolVersion"))
    meta = _meta(params)
    missing = [k for k in (PROTOCOL_VERSION_KEY, CLIENT_CAPABILITIES_KEY) if k not in meta]
    if missing:
        raise RpcError(
            INVALID_PARAMS,
            f"params._meta is missing the required envelope key(s): {', '.join(missing)}",
        )
    version = meta[PROTOCOL_VERSION_KEY]
    if not isinstance(version, str):
        raise RpcError(INVALID_PARAMS, f"params._meta.{PROTOCOL_VERSION_KEY} must be a string")
    if version not in MODERN_VERSIONS:
        raise _unsupported_version(version)


def _progress_token(params: Mapping[str, Any] | None) -> RequestId | None:
    token = _meta(params).get("progressToken")
    return token if _is_request_id(token) else None


def _call_params(params: Mapping[str, Any] | None) -> tuple[str, Mapping[str, Any] | None]:
    name = (params or {}).get("name")
    if not isinstance(name, str):
        raise RpcError(INVALID_PARAMS, "tools/call: params.name must be the tool's name (a string)")
    arguments = (params or {}).get("arguments")
    if arguments is not None and not isinstance(arguments, Mapping):
        raise RpcError(INVALID_PARAMS, "tools/call: params.arguments must be an object")
    return name, arguments


class StdioSession:
    """One client's session: takes the messages it sends, answers them through ``send``.

    ``receive`` handles one line at once; a tool call runs as a task of its own, so a
    long wait holds up nothing else. ``close`` ends the calls still running.
    """

    def __init__(self, caller: ToolCaller, send: Send) -> None:
        self._caller = caller
        self._send = send
        self._modern: bool | None = None  # the era, decided by the first request
        self._calls: dict[RequestId, asyncio.Task[None]] = {}
        self._tools: list[dict[str, Any]] | None = None

    def receive(self, line: bytes) -> None:
        """Handle one line from the client."""
        if not line.strip():
            return
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as exc:
            self._error(None, RpcError(PARSE_ERROR, f"Parse error: {exc}"))
            return
        if not isinstance(message, dict):
            self._error(None, RpcError(INVALID_REQUEST, "a message must be a JSON object"))
            return
        request_id = message.get("id")
        if "id" in message and not _is_request_id(request_id):
            self._error(None, RpcError(INVALID_REQUEST, "id must be a string or an integer"))
            return
        method = message.get("method")
        if method is None and ("result" in message or "error" in message):
            return  # an answer: this server sends no requests, so nothing waits for it
        if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
            problem = "jsonrpc must be '2.0'" if isinstance(method, str) else "no method"
            self._error(request_id, RpcError(INVALID_REQUEST, f"Invalid request: {problem}"))
            return
        params = message.get("params")
        if not _is_request_id(request_id):  # no id: a notification, never answered
            if isinstance(params, dict) or params is None:
                self._notification(method, params)
            return
        try:
            if params is not None and not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, f"{method}: params must be an object")
            self._request(request_id, method, params)
        except RpcError as error:
            self._error(request_id, error)

    def _request(self, request_id: RequestId, method: str, params: dict[str, Any] | None) -> None:
        if self._modern is None:
            self._modern = method != "initialize" and _has_envelope(params)
        if self._modern:
            _check_envelope(method, params)
        elif method != "initialize" and _has_envelope(params):
            raise RpcError(
                INVALID_REQUEST,
                "this session was opened with initialize; requests carrying the "
                "2026-07-28 envelope are not accepted in it",
            )
        if method == "tools/call":
            self._start_call(request_id, params)
        elif method == "tools/list":
            self._result(request_id, {"tools": self._listed_tools(), **self._cache_fields()})
        elif method == "initialize" and not self._modern:
            self._result(request_id, self._initialize(params))
        elif method == "ping" and not self._modern:  # 2026-07-28 has no ping
            self._result(request_id, {})
        elif method == "server/discover" and self._modern:
            discovered = {
                "supportedVersions": list(MODERN_VERSIONS),
                "capabilities": CAPABILITIES,
                "instructions": INSTRUCTIONS,
            }
            self._result(request_id, {**discovered, **self._cache_fields()})
        else:
            raise RpcError(METHOD_NOT_FOUND, "Method not found", method)

    def _initialize(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        requested = (params or {}).get("protocolVersion")
        if not isinstance(requested, str):
            raise RpcError(INVALID_PARAMS, "initialize: params.protocolVersion must be a string")
        version = requested if requested in HANDSHAKE_VERSIONS else LATEST_HANDSHAKE_VERSION
        return {
            "protocolVersion": version,
            "capabilities": CAPABILITIES,
            "serverInfo": SERVER_INFO,
            "instructions": INSTRUCTIONS,
        }

    def _listed_tools(self) -> list[dict[str, Any]]:
        if self._tools is None:
            self._tools = [mcp_tool(spec) for spec in self._caller.specs.values()]
        return self._tools

    def _cache_fields(self) -> dict[str, Any]:
        return dict(_NO_CACHING) if self._modern else {}

    def _notification(self, method: str, params: dict[str, Any] | None) -> None:
        if method == "notifications/cancelled":
            request_id = (params or {}).get("requestId")
            # Forgotten at once: nothing more is sent for it, not even its progress.
            call = self._calls.pop(request_id, None) if _is_request_id(request_id) else None
            if call is not None:
                call.cancel()
        # Every other notification (initialized, roots changed, ...) asks nothing of us.

    # -- tool calls ------------------------------------------------------------

    def _start_call(self, request_id: RequestId, params: Mapping[str, Any] | None) -> None:
        name, arguments = _call_params(params)
        if name not in self._caller.specs:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        if request_id in self._calls:
            raise RpcError(INVALID_REQUEST, f"request id {request_id!r} is already in use")
        token = _progress_token(params)
        progress = self._progress_to(request_id, token) if token is not None else None
        call = asyncio.create_task(self._call(request_id, name, arguments, progress))
        self._calls[request_id] = call
        call.add_done_callback(lambda done: self._forget(request_id, done))

    def _forget(self, request_id: RequestId, call: asyncio.Task[None]) -> None:
        if self._calls.get(request_id) is call:
            del self._calls[request_id]

    async def _call(
        self,
        request_id: RequestId,
        name: str,
        arguments: Mapping[str, Any] | None,
        progress: ProgressCallback | None,
    ) -> None:
        try:
            result = await self._caller.call(name, arguments, progress)
        except asyncio.CancelledError:
            raise  # cancelled by the client: never answered (or answered by close)
        except Exception as exc:  # a bug: the caller turns every failure into a result
            # The type only: a message could quote what the call was sent.
            log.error("tools/call %s failed: %s", name, type(exc).__name__)
            self._error(request_id, RpcError(INTERNAL_ERROR, "Internal error"))
            return
        text, structured = result_content(result)
        body: dict[str, Any] = {
            "content": [{"type": "text", "text": text}],
            "isError": not result.success,
        }
        if structured is not None:
            body["structuredContent"] = structured
        self._result(request_id, body)

    def _progress_to(self, request_id: RequestId, token: RequestId) -> ProgressCallback:
        """A wait's steps as progress notifications; their progress always increases."""
        last = -1.0

        def notify(event: ProgressEvent) -> None:
            nonlocal last
            if request_id not in self._calls:
                return  # cancelled: the client hears nothing more of it
            last = max(round(event.elapsed, 3), round(last + 0.001, 3))
            message = f"{event.status}: {event.message}"
            params = {"progressToken": token, "progress": last, "message": message}
            self._send({"jsonrpc": "2.0", "method": "notifications/progress", "params": params})

        return notify

    async def close(self) -> None:
        """End the calls still running; each is answered that the connection closed."""
        calls = [(i, call) for i, call in self._calls.items() if not call.done()]
        for request_id, call in calls:
            call.cancel()
            self._error(request_id, RpcError(CONNECTION_CLOSED, "Connection closed"))
        await asyncio.gather(*(call for _, call in calls), return_exceptions=True)

    # -- answers ---------------------------------------------------------------

    def _result(self, request_id: RequestId, result: dict[str, Any]) -> None:
        if self._modern:
            result = {**result, "resultType": "complete", "_meta": {SERVER_INFO_KEY: SERVER_INFO}}
        self._send({"jsonrpc": "2.0", "id": request_id, "result": result})

    def _error(self, request_id: RequestId | None, error: RpcError) -> None:
        self._send({"jsonrpc": "2.0", "id": request_id, "error": error.body()})


# -- the transport -------------------------------------------------------------


def encode(message: Message) -> bytes:
    """One message as a line of the wire."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


async def serve_lines(
    caller: ToolCaller,
    wire_in: BinaryIO,
    wire_out: BinaryIO,
    *,
    warm_up: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> None:
    """Serve one session over ``wire_in`` and ``wire_out`` until ``wire_in`` ends.

    Lines are read and written in threads, so the event loop never blocks on the pipe;
    one writer keeps whole messages in order. ``warm_up`` runs beside the session.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[bytes | None] = asyncio.Queue()
    outbox: asyncio.Queue[bytes | None] = asyncio.Queue()

    def read_lines() -> None:
        try:
            for line in wire_in:
                loop.call_soon_threadsafe(lines.put_nowait, line)
        except (OSError, ValueError):
            pass  # a closed pipe ends the session, as the end of input does
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
                loop.call_soon_threadsafe(lines.put_nowait, None)

    def write(data: bytes) -> None:
        wire_out.write(data)
        wire_out.flush()

    async def write_lines() -> None:
        while (data := await outbox.get()) is not None:
            try:
                await asyncio.to_thread(write, data)
            except (OSError, ValueError):
                return  # the client is gone; what is left has nobody to read it

    threading.Thread(target=read_lines, name="mcp-stdin", daemon=True).start()
    writing = asyncio.create_task(write_lines())
    warming: asyncio.Task[None] | None = None
    if warm_up is not None:
        warming = asyncio.create_task(warm_up())
    session = StdioSession(caller, lambda message: outbox.put_nowait(encode(message)))
    try:
        while (line := await lines.get()) is not None:
            session.receive(line)
    finally:
        await session.close()
        outbox.put_nowait(None)
        await writing
        if warming is not None:
            await warming


@contextlib.contextmanager
def claimed_stdio() -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """The wire: stdin and stdout on descriptors of their own.

    Meanwhile descriptor 0 reads the null device and 1 writes to stderr, so no stray
    print or child process touches the client's messages; both are put back after.
    """
    sys.stdout.flush()
    wire_in_fd, wire_out_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    try:
        with (
            os.fdopen(wire_in_fd, "rb", closefd=False) as wire_in,
            os.fdopen(wire_out_fd, "wb", closefd=False) as wire_out,
        ):
            yield wire_in, wire_out
    finally:
        sys.stdout.flush()
        os.dup2(wire_in_fd, 0)
        os.dup2(wire_out_fd, 1)
        os.close(wire_in_fd)
        os.close(wire_out_fd)


async def serve_stdio(
    *, read_only: bool = False, base_url: str | None = None, api_key: str | None = None
) -> None:
    """Serve the tools over stdin/stdout until the client closes the connection."""
    async with OnDemandExecutor(base_url=base_url, api_key=api_key) as executor:
        specs = served_specs(load_registry(), read_only=read_only)
        caller = ToolCaller(
            executor,
            {s.id: s for s in specs},
            has_api_key=bool(api_key or os.environ.get("HEX_API_KEY")),
        )
        with claimed_stdio() as (wire_in, wire_out):
            await serve_lines(caller, wire_in, wire_out, warm_up=executor.warm_up)


def run(*, read_only: bool = False) -> int:
    """Serve until stdin closes."""
    if not os.environ.get("HEX_API_KEY"):
        print("warning: HEX_API_KEY is not set; every call will fail", file=sys.stderr)
    try:
        asyncio.run(serve_stdio(read_only=read_only))
    except KeyboardInterrupt:
        return 130
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aacflow_hex.surfaces.mcp_stdio",
        description="Serve the Hex tools to MCP clients over stdio. "
        "Key from HEX_API_KEY, API URL from HEX_API_BASE_URL.",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="serve only the tools that change nothing"
    )
    args = parser.parse_args(argv)
    return run(read_only=args.read_only)


if __name__ == "__main__":
    sys.exit(main())
