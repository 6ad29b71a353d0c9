"""CLI subcommands for the generated surfaces: ``export``, ``docs`` and ``mcp``.

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


def _export(kind: str, registry: Registry, read_only: bool) -> Any:
    from . import agents
    from .block import build_block

    builders: dict[str, Callable[[], Any]] = {
        "openai": lambda: agents.openai_tools(registry, read_only=read_only),
        "anthropic": lambda: agents.anthropic_tools(registry, read_only=read_only),
        "mcp": lambda: {"tools": agents.mcp_tools(registry, read_only=read_only)},
        "block": lambda: build_block(registry, read_only=read_only),
    }
    return builders[kind]()


def cmd_export(args: argparse.Namespace, registry: Registry) -> int:
    print(json.dumps(_export(args.format, registry, args.read_only), indent=2, ensure_ascii=False))
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
    from .mcp_server import run

    return run(read_only=args.read_only)


def add_surface_commands(sub: Any) -> None:
    """Add ``export``, ``docs`` and ``mcp`` to the ``aacflow-hex`` subparsers."""
    export = sub.add_parser(
        "export", help="print the tools as OpenAI/Anthropic/MCP schemas or the canvas block (JSON)"
    )
    export.add_argument("format", choices=_EXPORTS)
    export.add_argument(
        "--read-only", action="store_true", help="only the tools that change nothing"
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
        help="serve the tools to MCP clients over stdio (needs the 'mcp' extra)",
        description="Key from HEX_API_KEY, API URL from HEX_API_BASE_URL.",
    )
    mcp.add_argument(
        "--read-only", action="store_true", help="serve only the tools that change nothing"
    )
    mcp.set_defaults(func=cmd_mcp)
