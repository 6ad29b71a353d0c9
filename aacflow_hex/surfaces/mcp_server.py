"""What both MCP servers serve, and the official SDK's server for the HTTP one.

``ToolCaller`` runs an agent's tool call and makes every failure a ``ToolResult``;
``result_content`` is the text and structured content of its MCP result;
``INSTRUCTIONS`` and the server's name and title are what a client is told at the
start. ``aacflow-hex mcp`` serves them over stdio without the SDK (``mcp_stdio``);
``build_server`` serves them through the SDK's low-level API, for ``aacflow-hex
serve`` (``mcp_http``, the ``mcp`` extra: ``pip install 'aacflow-hex[mcp]'``), and
imports the SDK only when called.

- A caller can never pass ``apiKey`` (it is not in any tool's input schema, and a
  call that sends it anyway is refused).
- A tool that fails returns an error result the model can read
  (``isError: true``; the text is ``{"error": {"kind", "message", ...}}``
  with the ToolError kind). A tool name the server does not serve is a
  JSON-RPC error (-32602, invalid params), as the MCP spec says.
- A tool that succeeds returns its output as JSON text and as
  ``structuredContent``, which matches the tool's ``outputSchema``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .. import __version__
from ..engine.progress import ProgressCallback, ProgressEvent
from ..engine.results import ErrorKind, ToolError, ToolResult
from ..spec.specs import ToolSpec
from .agents import NotForAgentsError, agent_arguments, mcp_tool

if TYPE_CHECKING:
    from mcp.server.lowlevel import Server

SERVER_NAME = "aacflow-hex"
SERVER_TITLE = "Hex"
INSTRUCTIONS = (
    "Tools for a Hex (hex.tech) workspace: projects, runs, collections, groups, users and "
    "data connections. The API key is configured on the server; never ask for it. "
    "A failed call returns isError with a JSON error whose kind says what went wrong "
    "(validation: fix the arguments; not_found: check the id; rate_limited: wait "
    "retry_after seconds)."
)


class Executes(Protocol):
    """What ToolCaller needs of an executor: a HexExecutor, or an OnDemandExecutor."""

    async def execute(
        self,
        tool_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ToolResult: ...


@dataclass(frozen=True)
class ToolCaller:
    """Runs an agent's tool call through the executor; every failure is a ToolResult."""

    executor: Executes
    specs: Mapping[str, ToolSpec]
    has_api_key: bool

    def _failure(self, tool_id: str, kind: ErrorKind, message: str) -> ToolResult:
        return ToolResult(
            tool_id=tool_id, success=False, error=ToolError(kind=kind, message=message)
        )

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        progress: ProgressCallback | None = None,
        *,
        api_key: str | None = None,
    ) -> ToolResult:
        """Run one call; ``api_key`` is the caller's own Hex token (the HTTP server's
        per-request mode), used instead of the server's."""
        spec = self.specs.get(name)
        if spec is None:
            served = ", ".join(self.specs)
            return self._failure(name, "validation", f"no tool {name!r} here (tools: {served})")
        try:
            params = agent_arguments(spec, arguments)
        except NotForAgentsError as exc:
            return self._failure(name, "validation", str(exc))
        if "apiKey" in spec.params:
            if api_key:
                params["apiKey"] = api_key
            elif not self.has_api_key:
                return self._failure(
                    name, "auth", "no Hex API key: set HEX_API_KEY in the MCP server's environment"
                )
        return await self.executor.execute(name, params, progress=progress)


def result_content(result: ToolResult) -> tuple[str, dict[str, Any] | None]:
    """The text and structured content of an MCP tool result."""
    if result.success:
        return json.dumps(result.output, ensure_ascii=False), result.output
    error = result.error.model_dump(exclude_none=True) if result.error else {"kind": "server"}
    return json.dumps({"error": error}, ensure_ascii=False), None


def build_server(
    caller: ToolCaller, *, api_key_of: Callable[[Any], str | None] | None = None
) -> Server[Any]:
    """The MCP server (low-level SDK API) serving ``caller``'s tools.

    ``api_key_of(ctx)`` picks the caller's own Hex token from a request's context (over
    HTTP, from its headers); without it every call uses the server's key.
    """
    import mcp.types as types
    from mcp.server.context import ServerRequestContext
    from mcp.server.lowlevel import Server
    from mcp.shared.exceptions import MCPError
    from mcp.types import INVALID_PARAMS

    tools = [types.Tool.model_validate(mcp_tool(spec)) for spec in caller.specs.values()]
    # Over HTTP (2026-07-28) the SDK checks a call's Mcp-Param headers against its tool's
    # input schema; without this lookup it would run the whole tools/list for every call.
    input_schemas = {tool.name: tool.input_schema for tool in tools}

    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name not in caller.specs:
            # The MCP spec: an unknown tool is a protocol error (invalid params).
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}")
        api_key = api_key_of(ctx) if api_key_of is not None else None
        result = await caller.call(
            params.name, params.arguments, _progress_to_client(ctx), api_key=api_key
        )
        text, structured = result_content(result)
        return types.CallToolResult(
            content=[types.TextContent(text=text)],
            structured_content=structured,
            is_error=not result.success,
        )

    return Server(
        SERVER_NAME,
        version=__version__,
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        get_tool_input_schema=input_schemas.get,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def _progress_to_client(ctx: Any) -> ProgressCallback:
    """Progress events of a long call (a wait) as MCP progress notifications.

    The session sends them only when the client asked, with a progress token on
    its request; otherwise reporting is a no-op.
    """

    async def notify(event: ProgressEvent) -> None:
        await ctx.session.report_progress(
            round(event.elapsed, 3), None, f"{event.status}: {event.message}"
        )

    return notify
