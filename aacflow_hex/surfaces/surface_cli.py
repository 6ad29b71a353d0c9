"""CLI subcommands for the generated surfaces: ``export``, ``docs``, ``mcp`` and ``serve``.

``cli.build_parser`` adds them with ``add_surface_commands``; each command is
``func(args, registry) -> exit code`` like the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ..spec.registry import Registry

_EXPORTS = ("openai", "anthropic", "mcp", "block")


def _export(kind: str, registry: Registry, read_only: bool, api: str = "chat") -> Any:
    if kind == "block":
        from .block import build_block  # PyYAML for the block definition: only here

        return build_block(registry, read_only=read_only)
    from . import agents

    openai = agents.openai_responses_tools if api == "responses" else agents.openai_tools
    builders: dict[str, Callable[[], Any]] = {
        "openai": lambda: openai(registry, read_only=read_only),
        "anthropic": lambda: agents.anthropic_tools(registry, read_only=read_only),
        "mcp": lambda: {"tools": agents.mcp_tools(registry, read_only=read_only)},
    }
    return builders[kind]()


def cmd_export(args: argparse.Namespace, registry: Registry) -> int:
    if args.api != "chat" and args.format != "openai":
        print("error: --api applies to `export openai` only", file=sys.stderr)
        return 2
    tools = _export(args.format, registry, args.read_only, args.api)
    print(json.dumps(tools, indent=2, ensure_ascii=False))
    return 0


def cmd_docs(args: argparse.Namespace, registry: Registry) -> int:
    from .docs_gen import LANGUAGES, render_docs, write_docs

    if args.out is None:
        sys.stdout.write(render_docs(args.lang or "en", registry))
        return 0
    for path in write_docs(args.out, [args.lang] if args.lang else list(LANGUAGES)):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_mcp(args: argparse.Namespace, registry: Registry) -> int:
    from .mcp_stdio import run

    return run(read_only=args.read_only)


def cmd_serve(args: argparse.Namespace, registry: Registry) -> int:
    from .mcp_http import ServeSettings, serve

    settings = ServeSettings(
        host=args.host,
        port=args.port,
        read_only=args.read_only,
        workers=args.workers,
        allowed_hosts=tuple(args.allow_host or ()),
        allowed_origins=tuple(args.allow_origin or ()),
        grace=args.grace,
    )
    return serve(settings)


def add_surface_commands(sub: Any) -> None:
    """Add ``export``, ``docs``, ``mcp`` and ``serve`` to the ``aacflow-hex`` subparsers."""
    export = sub.add_parser(
        "export", help="print the tools as OpenAI/Anthropic/MCP schemas or the canvas block (JSON)"
    )
    export.add_argument("format", choices=_EXPORTS)
    export.add_argument(
        "--read-only", action="store_true", help="only the tools that change nothing"
    )
    export.add_argument(
        "--api",
        choices=("chat", "responses"),
        default="chat",
        help="OpenAI's tool shape: Chat Completions (default) or the Responses API",
    )
    export.set_defaults(func=cmd_export)

    docs = sub.add_parser(
        "docs",
        help="generate the tool reference (Markdown)",
        description="Print the tool reference, or with --out write DIR/tools.<lang>.md "
        "(both languages unless --lang is given).",
    )
    docs.add_argument("--lang", choices=("en", "de"), help="language (default: en on stdout)")
    docs.add_argument("--out", metavar="DIR", help="write the files into DIR instead")
    docs.set_defaults(func=cmd_docs)

    mcp = sub.add_parser(
        "mcp",
        help="serve the tools to MCP clients over stdio",
        description="Key from HEX_API_KEY, API URL from HEX_API_BASE_URL.",
    )
    mcp.add_argument(
        "--read-only", action="store_true", help="serve only the tools that change nothing"
    )
    mcp.set_defaults(func=cmd_mcp)

    serve = sub.add_parser(
        "serve",
        help="serve the tools to MCP clients over Streamable HTTP at /mcp (needs the 'mcp' extra)",
        description="MCP over Streamable HTTP at /mcp, GET /healthz. Without HEX_API_KEY each "
        "caller sends its own Hex token ('Authorization: Bearer <token>' or 'X-Hex-Api-Key'); "
        "with HEX_API_KEY calls use it and callers send AACFLOW_HEX_SERVER_TOKEN as "
        "'Authorization: Bearer <token>' (required off loopback). API URL from HEX_API_BASE_URL; "
        "with HEX_REDIS_URL the workers share each token's budget.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--read-only", action="store_true", help="serve only the tools that change nothing"
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="processes behind the one port (default: 1)"
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST[:PORT]",
        help="a Host header value to accept besides loopback names ('name:*' for any port); "
        "repeat for more; required off loopback",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="a browser Origin to accept besides loopback ones (e.g. https://aacflow.example); "
        "requests without Origin are accepted",
    )
    serve.add_argument(
        "--grace",
        type=float,
        default=20.0,
        help="seconds in-flight calls get to finish after SIGTERM (default: %(default)s)",
    )
    serve.set_defaults(func=cmd_serve)
