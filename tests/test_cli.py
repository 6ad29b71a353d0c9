"""The command line as a user runs it: output, and exit codes 0, 1 and 2."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import load_registry

TOKEN = "hxtp_cli_token_abcdef0123456789"


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
