"""The MCP server over Streamable HTTP (``aacflow-hex serve``), for AACFlow and remote agents.

The same server as ``aacflow-hex mcp`` (tools, annotations, progress notifications,
``isError`` results; see ``mcp_server``), served at ``/mcp`` by the official SDK's
Streamable HTTP transport, plus ``GET /healthz``. Imported only by ``serve``: it needs
the ``mcp`` extra (which brings starlette and uvicorn).

- Stateless Streamable HTTP: no MCP session lives in a process, so with ``--workers N``
  any worker answers any request, and a restart loses no client. There is no session
  to time out, and no standing SSE stream (GET answers 405): a response stream lasts as
  long as its call, and an idle HTTP connection is closed after ``KEEP_ALIVE_SECONDS``.
- Credentials per request or server-held: see ``http_credentials``. A refused request
  is answered 401 (or 400) before anything is called.
- Host and Origin are checked against an allow-list (DNS rebinding); loopback names
  are always allowed, others are named with ``--allow-host`` / ``--allow-origin``.
  A request without Origin (a server-side client such as AACFlow's) passes.
- Request bodies are capped at ``MAX_BODY_BYTES`` (413).
- SIGTERM: new calls are refused, waits stop at once with a result naming their run,
  other calls get ``grace`` seconds to finish (see ``call_drain``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..engine.executor import DEFAULT_BASE_URL, HexExecutor
from ..engine.progress import ProgressCallback
from ..engine.redis_setting import check_redis_url
from ..engine.results import ToolResult
from ..engine.safety import check_base_url
from .agents import served_specs
from .call_drain import CallDrain
from .http_credentials import Credentials, Grant, is_loopback
from .mcp_server import ToolCaller, build_server

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.types import Receive, Scope, Send

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_BODY_BYTES = 1024 * 1024  # a tool call's arguments are a few KB
DEFAULT_GRACE_SECONDS = 20.0
KEEP_ALIVE_SECONDS = 15
SETTINGS_ENV = "AACFLOW_HEX_SERVE_SETTINGS"  # how `serve` hands its flags to each worker
HEX_TOKEN_SCOPE_KEY = "aacflow_hex.hex_token"  # where an authenticated request keeps its token
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class ServeSettings:
    """What ``aacflow-hex serve`` was asked for (secrets stay in the environment)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    read_only: bool = False
    workers: int = 1
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    grace: float = DEFAULT_GRACE_SECONDS
    handle_signals: bool = True  # off for a server run inside a test's event loop

    def check(self, credentials: Credentials) -> None:
        """ValueError naming the flag or variable when the server must not start."""
        if self.workers < 1:
            raise ValueError(f"--workers {self.workers}: must be at least 1")
        if self.grace < 0:
            raise ValueError(f"--grace {self.grace:g}: must be 0 or more seconds")
        credentials.check_bind(self.host)
        if not is_loopback(self.host) and not self.allowed_hosts:
            raise ValueError(
                f"--host {self.host}: name the Host header values clients will send with "
                "--allow-host (e.g. --allow-host hex-mcp.internal:8000); requests with "
                "any other Host are refused (DNS rebinding protection)"
            )

    def security(self) -> TransportSecuritySettings:
        from mcp.server.transport_security import TransportSecuritySettings

        hosts = [f"{name}{port}" for name in LOOPBACK_NAMES for port in ("", ":*")]
        origins = [f"{scheme}://{name}{port}" for scheme in ("http", "https")
                   for name in LOOPBACK_NAMES for port in ("", ":*")]  # fmt: skip
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[*hosts, *self.allowed_hosts],
            allowed_origins=[*origins, *self.allowed_origins],
        )

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, text: str) -> ServeSettings:
        raw = json.loads(text)
        for name in ("allowed_hosts", "allowed_origins"):
            raw[name] = tuple(raw[name])
        return cls(**raw)


@dataclass(frozen=True)
class DrainingToolCaller(ToolCaller):
    """The stdio server's caller, with every call run under the shutdown drain."""

    drain: CallDrain

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        progress: ProgressCallback | None = None,
        *,
        api_key: str | None = None,
    ) -> ToolResult:
        spec = self.specs.get(name)
        if spec is None:
            return await ToolCaller.call(self, name, arguments, progress, api_key=api_key)

        def run(tap: ProgressCallback) -> Awaitable[ToolResult]:
            return ToolCaller.call(self, name, arguments, tap, api_key=api_key)

        return await self.drain.run(spec, run, progress)


def hex_token_of(ctx: Any) -> str | None:
    """The Hex token the request behind an MCP handler's context was authenticated with."""
    scope = getattr(getattr(ctx, "request", None), "scope", None)
    token = scope.get(HEX_TOKEN_SCOPE_KEY) if isinstance(scope, dict) else None
    return token if isinstance(token, str) else None


class McpHttpApp:
    """The ASGI application: ``/mcp`` and ``GET /healthz``.

    Built on first use (the lifespan startup), so that each worker process builds its
    own from the same settings; the executor and the MCP session manager live as long as
    the lifespan.
    """

    def __init__(
        self,
        settings: ServeSettings,
        credentials: Credentials,
        executor_factory: Callable[[], HexExecutor] | None = None,
    ) -> None:
        self.settings = settings
        self.credentials = credentials
        self._executor_factory = executor_factory or HexExecutor
        self.drain = CallDrain(settings.grace)
        self._app: Starlette | None = None
        self._manager: StreamableHTTPSessionManager | None = None
        self._tool_count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._build()
        await self._app(scope, receive, send)

    def _build(self) -> Starlette:
        from mcp.server.transport_security import TransportSecurityMiddleware
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        security = TransportSecurityMiddleware(self.settings.security())

        async def healthz(_request: Request) -> JSONResponse:
            draining = self.drain.draining
            body = {
                "status": "draining" if draining else "ok",
                "version": __version__,
                "tools": self._tool_count,
                "credentials": self.credentials.mode,
            }
            return JSONResponse(body, status_code=503 if draining else 200)

        async def mcp_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            request = Request(scope, receive)
            if self.drain.draining or self._manager is None:
                await _error(503, "the server is shutting down; try again")(scope, receive, send)
                return
            refused_host = await security.validate_request(request, is_post=False)
            if refused_host is not None:
                await refused_host(scope, receive, send)
                return
            outcome = self.credentials.authenticate(request.headers)
            if not isinstance(outcome, Grant):
                await _error(outcome.status, outcome.message)(scope, receive, send)
                return
            scope[HEX_TOKEN_SCOPE_KEY] = outcome.hex_token
            await self._manager.handle_request(scope, receive, send)

        return Starlette(
            routes=[
                Route("/healthz", healthz, methods=["GET"]),
                # POST only: the server sends nothing unasked, so GET (a standing SSE
                # stream, which would sit idle) and DELETE (no session) answer 405.
                Route("/mcp", _AsgiEndpoint(mcp_endpoint), methods=["POST"]),
            ],
            lifespan=lambda _app: self._lifespan(),
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        async with self._executor_factory() as executor:
            specs = served_specs(executor.registry, read_only=self.settings.read_only)
            self._tool_count = len(specs)
            caller = DrainingToolCaller(
                executor,
                {s.id: s for s in specs},
                has_api_key=self.credentials.mode == "server-held",
                drain=self.drain,
            )
            manager = StreamableHTTPSessionManager(
                build_server(caller, api_key_of=hex_token_of),
                stateless=True,
                security_settings=self.settings.security(),
                max_request_body_size=self.settings.max_body_bytes,
            )
            with self._drain_on_signals(asyncio.get_running_loop()):
                async with manager.run():
                    self._manager = manager
                    try:
                        yield
                    finally:
                        self._manager = None

    @contextlib.contextmanager
    def _drain_on_signals(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        """Start the drain on SIGTERM/SIGINT, then let the server's own handler run.

        uvicorn installs its handlers before the lifespan starts; chaining to them keeps
        its graceful shutdown (stop accepting, wait for open responses) as it is.
        """
        if not self.settings.handle_signals or threading.current_thread() is not (
            threading.main_thread()
        ):
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(self.drain.begin)
            handler = previous[signal.Signals(signum)]
            if callable(handler):
                handler(signum, frame)
            else:  # nobody else listens: behave as the default would
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        for sig in previous:
            signal.signal(sig, on_signal)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _AsgiEndpoint:
    """An ASGI callable as a starlette Route endpoint (a class instance, not a function)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Any]) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


def _error(status: int, message: str) -> JSONResponse:
    """A JSON-RPC error body (no request id) with an HTTP status; 401 says how to authenticate."""
    from starlette.responses import JSONResponse

    body = {"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": message}}
    headers = {"WWW-Authenticate": 'Bearer realm="aacflow-hex"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def create_app() -> McpHttpApp:
    """The app of one worker, from the settings ``serve`` left in the environment."""
    settings = ServeSettings.from_env(os.environ.get(SETTINGS_ENV) or ServeSettings().to_env())
    return McpHttpApp(settings, Credentials.from_env(os.environ))


def serve(settings: ServeSettings) -> int:
    """Serve until SIGTERM/SIGINT; 2 (with the reason on stderr) when it may not start."""
    try:
        import uvicorn
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager  # noqa: F401
    except ImportError:
        print(
            "error: the HTTP server needs the 'mcp' extra: pip install 'aacflow-hex[mcp]'",
            file=sys.stderr,
        )
        return 2
    try:
        credentials = Credentials.from_env(os.environ)
        settings.check(credentials)
        # Here, not in each worker's startup, so that a bad URL is one clear line.
        check_base_url(os.environ.get("HEX_API_BASE_URL") or DEFAULT_BASE_URL)
        if os.environ.get("HEX_REDIS_URL"):
            check_redis_url(os.environ["HEX_REDIS_URL"])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    os.environ[SETTINGS_ENV] = settings.to_env()  # each worker process reads it
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    who = (
        "each caller sends its own Hex token"
        if credentials.mode == "per-request"
        else "calls use the server's HEX_API_KEY"
    )
    print(
        f"aacflow-hex serve: MCP at http://{host}:{settings.port}/mcp "
        f"({who}; {settings.workers} worker(s)); health at /healthz",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "aacflow_hex.surfaces.mcp_http:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # uvicorn's own limit comes after the drain's, so a call the drain ends still
        # gets its error result sent before uvicorn gives up on the connection.
        timeout_graceful_shutdown=int(settings.grace) + 3,
        server_header=False,
    )
    return 0
