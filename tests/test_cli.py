"""The command line as a user runs it: output, and exit codes 0, 1 and 2."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID, RUN, RUN_ID, page

from aacflow_hex import load_registry
from aacflow_hex.spec.registry import Registry
from aacflow_hex.surfaces import agents, cli
from aacflow_hex.surfaces.block import build_block

TOKEN = "hxtp_cli_token_abcdef0123456789"
REGISTRY = load_registry()


async def run_cli(*args: str, base_url: str = "http://127.0.0.1:9/api/v1") -> tuple[int, str, str]:
    env = {**os.environ, "HEX_API_KEY": TOKEN, "HEX_API_BASE_URL": base_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aacflow_hex", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_tools_lists_every_tool() -> None:
    code, out, _ = await run_cli("tools", "--json")
    assert code == 0
    listed = [tool["id"] for tool in json.loads(out)]
    assert listed == load_registry().ids()
    assert "hex_run_project" in listed and len(listed) >= 16


async def test_describe_shows_params_and_outputs() -> None:
    code, out, _ = await run_cli("describe", "hex_run_project")
    assert code == 0
    for word in ("projectId", "inputParams", "dryRun", "runStatusUrl", "projectVersion", "secret"):
        assert word in out


async def test_run_prints_the_output_and_exits_0(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, PROJECT))
    code, out, err = await run_cli(
        "run", "hex_get_project", "-p", f"projectId={PROJECT_ID}", base_url=hex_api.base_url
    )
    assert code == 0, err
    assert json.loads(out)["title"] == PROJECT["title"]
    assert hex_api.received[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_failed_call_exits_1_with_the_error(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(404, {"reason": "Project not found"}))
    code, out, err = await run_cli(
        "run", "hex_get_project", "-p", f"projectId={PROJECT_ID}", "--json",
        base_url=hex_api.base_url,
    )  # fmt: skip
    assert code == 1
    result = json.loads(out)
    assert result["success"] is False and result["error"]["kind"] == "not_found"
    assert TOKEN not in out + err


async def test_bad_params_exit_2_before_any_request(hex_api: FakeHex) -> None:
    code, _, err = await run_cli(
        "run", "hex_list_projects", "-p", "limit=500", base_url=hex_api.base_url
    )
    assert code == 2
    assert "limit: must be at most 100" in err
    assert hex_api.received == []


async def test_usage_errors_exit_2() -> None:
    for args in (("run", "hex_no_such_tool"), ("run", "hex_get_project", "-p", "novalue"), ()):
        code, _, err = await run_cli(*args)
        assert code == 2, args
        assert "error" in err


async def test_the_emulator_command_serves_with_the_options_given() -> None:
    import aiohttp

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aacflow_hex", "emulator", "--port", "0", "--token", "t-cli",
        "--projects", "12", "--no-rate-limits",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [(await process.stdout.readline()).decode() for _ in range(3)]
        base_url = lines[1].strip().removeprefix("HEX_API_BASE_URL=")
        assert lines[2].strip() == "HEX_API_KEY=t-cli"
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer t-cli"}) as session:
            for _ in range(40):  # past Hex's 30 a minute: no limits were asked for
                async with session.get(f"{base_url}/v1/projects?limit=100") as response:
                    assert response.status == 200
                    listed = await response.json()
            assert len(listed["values"]) <= 12
    finally:
        process.terminate()
        await process.wait()


async def test_an_unsafe_base_url_is_a_usage_error_without_a_traceback() -> None:
    code, _, err = await run_cli(
        "run", "hex_list_projects", base_url="http://hex.example.com/api/v1"
    )
    assert code == 2
    assert err.startswith("error: HEX_API_BASE_URL: refusing to send the Hex token over plain http")
    assert "Traceback" not in err


async def test_a_closed_pipe_ends_quietly() -> None:
    """`aacflow-hex export block | head` must not print a traceback."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aacflow_hex", "export", "block",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    await process.stdout.read(10)
    process.stdout.feed_eof()
    transport = process._transport  # type: ignore[attr-defined]
    transport.get_pipe_transport(1).close()  # the reader goes away, like `head` does
    err = await process.stderr.read()
    assert await process.wait() == 0
    assert b"Traceback" not in err


# -- in process: the same commands through cli.main, as the `aacflow-hex` script calls it --


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The key set and no Redis, as a user's shell would have it."""
    monkeypatch.setenv("HEX_API_KEY", TOKEN)
    monkeypatch.delenv("HEX_REDIS_URL", raising=False)
    return monkeypatch


async def call_cli(cli_env: pytest.MonkeyPatch, hex_api: FakeHex, *argv: str) -> int:
    """``cli.main(argv)`` against ``hex_api``, in a thread: it runs its own event loop."""
    cli_env.setenv("HEX_API_BASE_URL", hex_api.base_url)
    return await asyncio.to_thread(cli.main, list(argv))


def test_tools_lists_one_tool_a_line_in_aligned_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["tools"]) == 0
    lines = capsys.readouterr().out.splitlines()
    specs = REGISTRY.specs()
    width = max(len(spec.id) for spec in specs)
    assert lines[: len(specs)] == [f"{s.id.ljust(width)}  {s.description}" for s in specs]
    assert lines[len(specs) :] == [
        "",
        f"{len(specs)} tools. 'aacflow-hex describe TOOL' shows one.",
    ]


def test_describe_shows_every_flag_of_a_param_and_the_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["describe", "hex_get_project_runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    params = lines[lines.index("Params:") + 1 : lines.index("Outputs:")]
    described = {
        line.split()[0]: line
        for line in params
        if line.startswith("  ") and not line.startswith("   ")
    }
    assert described["offset"] == "  offset                   number (integer)   optional, >= 0"
    assert described["runTriggerFilter"] == (
        "  runTriggerFilter         string             "
        "optional, one of API|SCHEDULED|APP_REFRESH|ALL"
    )
    spec = REGISTRY.get("hex_get_project_runs")
    # Each param's description on the line below it, under the type column.
    at = params.index(described["offset"])
    assert params[at + 1] == " " * 27 + spec.params["offset"].description
    assert params[-2] == f"  ({spec.rules[0].summary})"
    assert params[-1] == ""


def test_describe_lists_the_fields_of_list_items_under_the_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["describe", "hex_get_project_runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    outputs = lines[lines.index("Outputs:") + 1 :]
    assert outputs[0] == "  runs                     array    List of project runs"
    assert outputs[1] == "    projectId              string   Project UUID"


def test_describe_json_uses_the_spec_files_names_and_leaves_out_what_is_not_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["describe", "hex_list_projects", "--json"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["annotations"]["readOnly"] is True
    assert described["params"]["limit"]["in"] == "query"

    def nulls(value: object) -> int:
        if isinstance(value, dict):
            return sum(nulls(v) for v in value.values()) + list(value.values()).count(None)
        if isinstance(value, list):
            return sum(nulls(v) for v in value)
        return 0

    assert nulls(described) == 0


@pytest.mark.parametrize(
    ("pair", "said"),
    [
        ("novalue", "error: -p 'novalue': expected name=value\n"),
        ("=5", "error: -p '=5': expected name=value\n"),
    ],
)
def test_a_param_without_a_name_or_a_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], pair: str, said: str
) -> None:
    assert cli.main(["run", "hex_list_projects", "-p", pair]) == 2
    assert capsys.readouterr() == ("", said)


def test_an_unknown_tool_is_named_before_its_params_are_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["run", "hex_no_such_tool", "-p", "novalue"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("error: ") and "hex_no_such_tool" in said and "-p" not in said


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("[1]", "not an array"),
        ('"ten"', "not a string"),
        ("true", "not a boolean"),
        ("null", "not null"),
        ("10", "not a number"),
        ("1.5", "not a number"),
    ],
)
def test_params_json_that_is_no_object_says_what_it_is(
    capsys: pytest.CaptureFixture[str], given: str, said: str
) -> None:
    assert cli.main(["run", "hex_list_projects", "--params-json", given]) == 2
    assert capsys.readouterr() == (
        "",
        f'error: --params-json must be a JSON object such as {{"limit": 10}}, {said}\n',
    )


def test_params_json_that_is_no_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "hex_list_projects", "--params-json", "{limit: 10}"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("error: --params-json is not valid JSON: Expecting property name")
    assert said.count("\n") == 1


async def test_run_prints_the_output_as_indented_json_keeping_non_ascii_text(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, {**PROJECT, "title": "Umsätze"}))
    assert (
        await call_cli(cli_env, hex_api, "run", "hex_get_project", "-p", f"projectId={PROJECT_ID}")
        == 0
    )
    out, err = capsys.readouterr()
    assert out.startswith('{\n  "id": "' + PROJECT_ID + '",\n  "title": "Umsätze",\n')
    assert json.loads(out)["owner"] == {"email": "grace@example.com"}
    assert err == ""


async def test_a_param_given_with_p_wins_over_the_same_in_params_json(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page([PROJECT])))
    argv = ["run", "hex_list_projects", "--params-json", '{"limit": 10, "sortDirection": "ASC"}']
    assert await call_cli(cli_env, hex_api, *argv, "-p", "limit=3") == 0
    query = dict(hex_api.received[0].query)
    assert (query["limit"], query["sortDirection"]) == ("3", "ASC")
    assert json.loads(capsys.readouterr().out)["total"] == 1


async def test_run_json_prints_the_whole_result(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, PROJECT))
    argv = ["run", "hex_get_project", "-p", f"projectId={PROJECT_ID}", "--json"]
    assert await call_cli(cli_env, hex_api, *argv) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert (result["tool_id"], result["success"], result["error"]) == (
        "hex_get_project",
        True,
        None,
    )
    assert result["output"]["title"] == PROJECT["title"] and result["status_code"] == 200
    assert err == ""


async def test_a_failed_call_says_its_kind_and_message_on_stderr_and_exits_1(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(404, {"reason": "Project not found"}))
    argv = ["run", "hex_get_project", "-p", f"projectId={PROJECT_ID}"]
    assert await call_cli(cli_env, hex_api, *argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error (not_found): ") and "Project not found" in err
    assert await call_cli(cli_env, hex_api, *argv, "--json") == 1
    out, err = capsys.readouterr()  # with --json the error is in the result, not on stderr
    assert json.loads(out)["error"]["kind"] == "not_found" and err == ""


async def test_a_param_hex_would_refuse_exits_2_with_its_message_and_sends_nothing(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await call_cli(cli_env, hex_api, "run", "hex_list_projects", "-p", "limit=500") == 2
    assert capsys.readouterr() == ("", "error (validation): limit: must be at most 100, got 500\n")
    assert hex_api.received == []


async def test_a_wait_shows_its_progress_on_stderr_unless_told_not_to(
    cli_env: pytest.MonkeyPatch, hex_api: FakeHex, capsys: pytest.CaptureFixture[str]
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(200, RUN))
    argv = ["run", "hex_wait_for_run", "-p", f"projectId={PROJECT_ID}", "-p", f"runId={RUN_ID}"]
    assert await call_cli(cli_env, hex_api, *argv) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "COMPLETED"
    assert "COMPLETED" in err
    assert await call_cli(cli_env, hex_api, *argv, "--no-progress") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "COMPLETED" and err == ""


def test_the_emulator_command_hands_each_option_to_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aacflow_hex.emulator import EmulatorConfig, serve

    served: list[EmulatorConfig] = []
    monkeypatch.setattr(serve, "serve", served.append)
    assert cli.main(["emulator"]) == 0
    argv = ["emulator", "--host", "127.0.0.2", "--port", "9001", "--token", "t-x", "--seed", "7"]
    argv += ["--projects", "12", "--run-duration", "0.5", "--no-rate-limits"]
    assert cli.main(argv) == 0
    default, chosen = served
    defaults = EmulatorConfig()
    assert (default.host, default.port, default.seed) == ("127.0.0.1", 8765, 0)
    assert (default.projects, default.run_duration) == (320, 2.0)
    assert default.token == defaults.token and default.rate_limits == defaults.rate_limits
    assert (chosen.host, chosen.port, chosen.token, chosen.seed) == ("127.0.0.2", 9001, "t-x", 7)
    assert (chosen.projects, chosen.run_duration, chosen.rate_limits) == (12, 0.5, None)


def test_without_a_command_the_cli_says_one_is_needed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as ended:
        cli.main([])
    assert ended.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "built"),
    [
        (["export", "openai"], lambda: agents.openai_tools(REGISTRY)),
        (["export", "openai", "--api", "chat"], lambda: agents.openai_tools(REGISTRY)),
        (
            ["export", "openai", "--read-only"],
            lambda: agents.openai_tools(REGISTRY, read_only=True),
        ),
        (
            ["export", "openai", "--api", "responses"],
            lambda: agents.openai_responses_tools(REGISTRY),
        ),
        (
            ["export", "openai", "--api", "responses", "--read-only"],
            lambda: agents.openai_responses_tools(REGISTRY, read_only=True),
        ),
        (["export", "anthropic"], lambda: agents.anthropic_tools(REGISTRY)),
        (
            ["export", "anthropic", "--read-only"],
            lambda: agents.anthropic_tools(REGISTRY, read_only=True),
        ),
        (["export", "mcp", "--api", "chat"], lambda: {"tools": agents.mcp_tools(REGISTRY)}),
        (
            ["export", "mcp", "--read-only"],
            lambda: {"tools": agents.mcp_tools(REGISTRY, read_only=True)},
        ),
        (["export", "block"], lambda: build_block(REGISTRY)),
        (["export", "block", "--read-only"], lambda: build_block(REGISTRY, read_only=True)),
    ],
)
def test_export_prints_the_schemas_asked_for_as_indented_json(
    capsys: pytest.CaptureFixture[str], argv: list[str], built: Callable[[], Any]
) -> None:
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(built(), indent=2) + "\n"


def test_export_keeps_text_in_other_scripts_as_it_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = REGISTRY.get("hex_get_project")
    german = spec.model_copy(update={"description": "Ein Projekt lesen (Größe, Status)"})
    monkeypatch.setattr(cli, "load_registry", lambda: Registry({spec.id: german}))
    assert cli.main(["export", "mcp"]) == 0
    assert "Ein Projekt lesen (Größe, Status)" in capsys.readouterr().out


def test_docs_in_german_on_stdout_or_as_one_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aacflow_hex.surfaces.docs_gen import render_docs

    assert cli.main(["docs", "--lang", "de"]) == 0
    assert capsys.readouterr().out == render_docs("de", REGISTRY)
    assert cli.main(["docs", "--lang", "de", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["tools.de.md"]
    assert (tmp_path / "tools.de.md").read_text() == render_docs("de", REGISTRY)
    assert capsys.readouterr() == ("", f"wrote {tmp_path / 'tools.de.md'}\n")


@pytest.mark.parametrize(("argv", "read_only"), [(["mcp"], False), (["mcp", "--read-only"], True)])
def test_the_mcp_command_serves_stdio_and_exits_with_its_code(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], read_only: bool
) -> None:
    from aacflow_hex.surfaces import mcp_stdio

    asked: list[bool] = []

    def run(*, read_only: bool = False) -> int:
        asked.append(read_only)
        return 130

    monkeypatch.setattr(mcp_stdio, "run", run)
    assert cli.main(argv) == 130
    assert asked == [read_only]


def test_the_serve_command_hands_each_option_to_the_http_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aacflow_hex.surfaces import mcp_http

    served: list[mcp_http.ServeSettings] = []

    def serve(settings: mcp_http.ServeSettings) -> int:
        served.append(settings)
        return 2

    monkeypatch.setattr(mcp_http, "serve", serve)
    assert cli.main(["serve"]) == 2
    argv = ["serve", "--host", "0.0.0.0", "--port", "9002", "--read-only", "--workers", "3"]
    argv += ["--allow-host", "a.example:9002", "--allow-host", "b.example:*"]
    argv += ["--allow-origin", "https://a.example", "--grace", "2.5"]
    assert cli.main(argv) == 2
    default, chosen = served
    assert default == mcp_http.ServeSettings(host="127.0.0.1", port=8000, grace=20.0)
    assert chosen == mcp_http.ServeSettings(
        host="0.0.0.0",
        port=9002,
        read_only=True,
        workers=3,
        allowed_hosts=("a.example:9002", "b.example:*"),
        allowed_origins=("https://a.example",),
        grace=2.5,
    )


# -- the help a user reads ---------------------------------------------------------------

HELP_ENTRY = re.compile(r"^ {2,4}(\S+(?:,? \S+)*)(?: {2,}(\S.*))?$")


def shown_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[str, dict[str, str | None]]:
    """``aacflow-hex ... --help``: its description, and what it says of each command or
    option (on a terminal wide enough that nothing wraps)."""
    monkeypatch.setenv("COLUMNS", "1000")
    with pytest.raises(SystemExit) as ended:
        cli.main([*argv, "--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    entries: dict[str, str | None] = {}
    last = ""
    for line in text.splitlines():
        if line.startswith(" " * 6) and last:
            entries[last] = line.strip()  # the help of an option too long to share its line
        elif matched := HELP_ENTRY.match(line):
            last = matched.group(1)
            entries[last] = matched.group(2)
    entries.pop("-h, --help")
    paragraphs = text.split("\n\n")
    description = paragraphs[1] if not paragraphs[1].startswith(("positional", "options")) else ""
    return description, entries


def test_the_help_says_what_each_command_does_and_where_the_key_comes_from(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    description, commands = shown_help(monkeypatch, capsys)
    assert description == (
        "Hex (hex.tech) tools for workflows and agents. "
        "The key comes from HEX_API_KEY, the API URL from HEX_API_BASE_URL."
    )
    assert commands == {
        "COMMAND": None,
        "tools": "list the tools",
        "describe": "show one tool's params and outputs",
        "run": "call one tool",
        "emulator": "serve the local Hex API emulator",
        "demo": "run a real workflow on the built-in emulator",
        "export": "print the tools as OpenAI/Anthropic/MCP schemas or the canvas block (JSON)",
        "docs": "generate the tool reference (Markdown)",
        "mcp": "serve the tools to MCP clients over stdio",
        "serve": "serve the tools to MCP clients over Streamable HTTP at /mcp "
        "(needs the 'mcp' extra)",
    }


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("tools", {"--json": "print JSON"}),
        ("describe", {"tool": None, "--json": "print the spec as JSON"}),
        (
            "run",
            {
                "tool": None,
                "-p NAME=VALUE, --param NAME=VALUE": "a param; repeat for more "
                "(values are read like form inputs)",
                "--params-json JSON": "params as one JSON object",
                "--timeout TIMEOUT": "seconds the call may take in all",
                "--json": "print the whole result as JSON",
                "--no-progress": "do not show the progress of a wait on stderr",
            },
        ),
        (
            "emulator",
            {
                "--host HOST": None,
                "--port PORT": None,
                "--token TOKEN": "the token clients must send (default: built in)",
                "--seed SEED": "seed of the generated workspace",
                "--projects PROJECTS": "number of seeded projects",
                "--run-duration RUN_DURATION": "seconds a run takes to finish",
                "--no-rate-limits": "serve without Hex's per-token limits",
            },
        ),
        ("demo", {}),
        (
            "export",
            {
                "{openai,anthropic,mcp,block}": None,
                "--read-only": "only the tools that change nothing",
                "--api {chat,responses}": "OpenAI's tool shape: Chat Completions (default) "
                "or the Responses API",
            },
        ),
        (
            "docs",
            {
                "--lang {en,de}": "language (default: en on stdout)",
                "--out DIR": "write the files into DIR instead",
            },
        ),
        ("mcp", {"--read-only": "serve only the tools that change nothing"}),
        (
            "serve",
            {
                "--host HOST": "address to listen on (default: 127.0.0.1)",
                "--port PORT": "port (default: 8000)",
                "--read-only": "serve only the tools that change nothing",
                "--workers WORKERS": "processes behind the one port (default: 1)",
                "--allow-host HOST[:PORT]": "a Host header value to accept besides loopback "
                "names ('name:*' for any port); repeat for more; required off loopback",
                "--allow-origin ORIGIN": "a browser Origin to accept besides loopback ones "
                "(e.g. https://aacflow.example); requests without Origin are accepted",
                "--grace GRACE": "seconds in-flight calls get to finish after SIGTERM "
                "(default: 20.0)",
            },
        ),
    ],
)
def test_each_commands_help_explains_each_option(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    options: dict[str, str | None],
) -> None:
    assert shown_help(monkeypatch, capsys, command)[1] == options


def test_the_help_of_the_servers_and_the_docs_says_how_they_are_set_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shown_help(monkeypatch, capsys, "mcp")[0] == (
        "Key from HEX_API_KEY, API URL from HEX_API_BASE_URL."
    )
    assert shown_help(monkeypatch, capsys, "docs")[0] == (
        "Print the tool reference, or with --out write DIR/tools.<lang>.md "
        "(both languages unless --lang is given)."
    )
    assert shown_help(monkeypatch, capsys, "serve")[0] == (
        "MCP over Streamable HTTP at /mcp, GET /healthz. Without HEX_API_KEY each caller "
        "sends its own Hex token ('Authorization: Bearer <token>' or 'X-Hex-Api-Key'); with "
        "HEX_API_KEY calls use it and callers send AACFLOW_HEX_SERVER_TOKEN as "
        "'Authorization: Bearer <token>' (required off loopback). API URL from "
        "HEX_API_BASE_URL; with HEX_REDIS_URL the workers share each token's budget."
    )


def test_a_base_url_that_would_leak_the_key_is_refused_in_one_line(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.setenv("HEX_API_BASE_URL", "http://hex.example.com/api/v1")
    assert cli.main(["run", "hex_list_projects"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: HEX_API_BASE_URL: refusing to send the Hex token over plain http")
    assert err.count("\n") == 1


def test_the_demo_command_runs_the_demo_and_exits_with_its_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aacflow_hex.surfaces import demo

    monkeypatch.setattr(demo, "main", lambda: 1)
    assert cli.main(["demo"]) == 1
    monkeypatch.setenv("COLUMNS", "1000")
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    assert capsys.readouterr().out.startswith("usage: aacflow-hex demo [-h]\n")
