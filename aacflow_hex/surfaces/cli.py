"""The ``aacflow-hex`` command line.

Exit codes: 0 success, 1 the tool call failed, 2 usage or validation error.
Each subcommand is a small function; ``build_parser`` wires them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..engine.redis_setting import RedisSettingError
from ..engine.safety import UnsafeBaseURL
from ..spec.registry import Registry, UnknownToolError, load_registry
from .surface_cli import add_surface_commands

if TYPE_CHECKING:  # a command imports what it uses when it runs (start-up time)
    from ..spec.specs import OutputSpec, ToolSpec

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_tools(args: argparse.Namespace, registry: Registry) -> int:
    specs = registry.summaries()
    if args.json:
        _print_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "description": s.description,
                    "readOnly": s.read_only,
                }
                for s in specs
            ]
        )
        return EXIT_OK
    width = max(len(s.id) for s in specs)
    for spec in specs:
        print(f"{spec.id:<{width}}  {spec.description}")
    print(f"\n{len(specs)} tools. 'aacflow-hex describe TOOL' shows one.")
    return EXIT_OK


def _output_rows(fields: dict[str, OutputSpec], depth: int = 0) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for name, field in fields.items():
        rows.append(("  " * depth + name, field.type, field.description))
        if field.properties:
            rows.extend(_output_rows(field.properties, depth + 1))
        if field.items is not None and field.items.properties:
            rows.extend(_output_rows(field.items.properties, depth + 1))
    return rows


def _describe_json(spec: ToolSpec) -> dict[str, Any]:
    return spec.model_dump(by_alias=True, exclude_none=True, mode="json")


def cmd_describe(args: argparse.Namespace, registry: Registry) -> int:
    spec = registry.get(args.tool)
    if args.json:
        _print_json(_describe_json(spec))
        return EXIT_OK
    print(f"{spec.id}: {spec.name}\n{spec.description}\n")
    print("Params:")
    for name, param in spec.params.items():
        kind = param.type + (" (integer)" if param.integer else "")
        flags = ["required" if param.required else "optional"]
        if param.secret:
            flags.append("secret")
        if param.enum:
            flags.append("one of " + "|".join(str(v) for v in param.enum))
        if param.minimum is not None or param.maximum is not None:
            flags.append(
                f"range {param.minimum:g}..{param.maximum:g}"
                if param.maximum is not None
                else f">= {param.minimum:g}"
            )
        print(f"  {name:<24} {kind:<18} {', '.join(flags)}")
        if param.description:
            print(f"  {'':<24} {param.description}")
    for rule in spec.rules:
        print(f"  ({rule.summary})")
    print("\nOutputs:")
    for name, kind, description in _output_rows(spec.outputs):
        print(f"  {name:<24} {kind:<8} {description}")
    return EXIT_OK


def _parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"-p {pair!r}: expected name=value")
        params[name.strip()] = value
    return params


_JSON_TYPE_NAMES = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def _params_from_json(text: str) -> dict[str, Any]:
    """The params of ``--params-json``: one JSON object, or ValueError saying what is wrong."""
    try:
        given = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"is not valid JSON: {exc}") from exc
    if not isinstance(given, dict):
        kind = _JSON_TYPE_NAMES.get(type(given), "a number")
        raise ValueError(f'must be a JSON object such as {{"limit": 10}}, not {kind}')
    return given


async def _run_tool(
    tool_id: str, params: dict[str, Any], timeout: float | None, show_progress: bool
) -> Any:
    from ..engine.executor import HexExecutor
    from ..engine.progress import ProgressPrinter

    # Progress goes to stderr, so stdout stays the JSON result.
    printer = ProgressPrinter(sys.stderr)
    async with printer, HexExecutor(progress=printer if show_progress else None) as executor:
        return await executor.execute(tool_id, params, timeout=timeout)


def cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    registry.get(args.tool)  # an unknown tool is a usage error, before anything else
    try:
        params: dict[str, Any] = _parse_assignments(args.param or [])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.params_json:
        try:
            # A -p beside --params-json wins for a param named in both: the more specific.
            params = {**_params_from_json(args.params_json), **params}
        except ValueError as exc:
            print(f"error: --params-json {exc}", file=sys.stderr)
            return EXIT_USAGE
    import asyncio

    result = asyncio.run(_run_tool(args.tool, params, args.timeout, not args.no_progress))
    if args.json:
        _print_json(result.model_dump(mode="json"))
    elif result.success:
        _print_json(result.output)
    if not result.success and result.error is not None:
        if not args.json:
            print(f"error ({result.error.kind}): {result.error.message}", file=sys.stderr)
        return EXIT_USAGE if result.error.kind == "validation" else EXIT_FAILED
    return EXIT_OK


def cmd_emulator(args: argparse.Namespace, registry: Registry) -> int:
    from ..emulator import EmulatorConfig
    from ..emulator.serve import serve

    settings: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "seed": args.seed,
        "run_duration": args.run_duration,
        "projects": args.projects,
    }
    if args.token:
        settings["token"] = args.token
    if args.no_rate_limits:
        settings["rate_limits"] = None
    serve(EmulatorConfig(**settings))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, registry: Registry) -> int:
    from .demo import main as demo_main

    return demo_main()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aacflow-hex",
        description="Hex (hex.tech) tools for workflows and agents. "
        "The key comes from HEX_API_KEY, the API URL from HEX_API_BASE_URL.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tools = sub.add_parser("tools", help="list the tools")
    tools.add_argument("--json", action="store_true", help="print JSON")
    tools.set_defaults(func=cmd_tools)

    describe = sub.add_parser("describe", help="show one tool's params and outputs")
    describe.add_argument("tool")
    describe.add_argument("--json", action="store_true", help="print the spec as JSON")
    describe.set_defaults(func=cmd_describe)

    run = sub.add_parser("run", help="call one tool")
    run.add_argument("tool")
    run.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="a param; repeat for more (values are read like form inputs)",
    )
    run.add_argument("--params-json", metavar="JSON", help="params as one JSON object")
    run.add_argument("--timeout", type=float, help="seconds the call may take in all")
    run.add_argument("--json", action="store_true", help="print the whole result as JSON")
    run.add_argument(
        "--no-progress",
        action="store_true",
        help="do not show the progress of a wait on stderr",
    )
    run.set_defaults(func=cmd_run)

    emulator = sub.add_parser("emulator", help="serve the local Hex API emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8765)
    emulator.add_argument("--token", help="the token clients must send (default: built in)")
    emulator.add_argument("--seed", type=int, default=0, help="seed of the generated workspace")
    emulator.add_argument("--projects", type=int, default=320, help="number of seeded projects")
    emulator.add_argument(
        "--run-duration", type=float, default=2.0, help="seconds a run takes to finish"
    )
    emulator.add_argument(
        "--no-rate-limits", action="store_true", help="serve without Hex's per-token limits"
    )
    emulator.set_defaults(func=cmd_emulator)

    demo = sub.add_parser("demo", help="run a real workflow on the built-in emulator")
    demo.set_defaults(func=cmd_demo)
    add_surface_commands(sub)  # export, docs, mcp
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args, load_registry())
    except UnknownToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnsafeBaseURL as exc:
        print(f"error: HEX_API_BASE_URL: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RedisSettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`aacflow-hex export openai | head`): not our failure.
        # Point stdout at devnull so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
