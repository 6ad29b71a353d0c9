"""Where a call may go (loopback, ports, unusable URLs), and what the CLI and the MCP
server show for hostile input and answers: one line or an isError, never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.engine.safety import UnsafeBaseURL, check_base_url, is_loopback
from aacflow_hex.surfaces.mcp_server import ToolCaller, result_content

TOKEN = "hxtp_surface_token_0123456789abcdef"
DEEP = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


# -- 12. literal loopback only, ports 1-65535, unusable URLs not sent ------------------


@pytest.mark.parametrize(
    "host", ["evil.localhost", "localhost.evil.com", "127.0.0.1.nip.io", "localhost6", "0.0.0.0"]
)
def test_plain_http_to_a_name_that_only_looks_local_is_refused(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(UnsafeBaseURL, match="plain http"):
        check_base_url(f"http://{host}:8765/api/v1")


@pytest.mark.parametrize(
    "url", ["http://localhost:8765/api/v1", "http://127.0.0.2/api/v1", "http://[::1]:80/api/v1"]
)
def test_plain_http_to_literal_loopback_is_allowed(url: str) -> None:
    assert check_base_url(url) == url


@pytest.mark.parametrize("port", ["0", "65536", "99999", "-1", "http"])
def test_a_port_outside_1_to_65535_is_refused_when_the_executor_is_made(port: str) -> None:
    with pytest.raises(UnsafeBaseURL, match="port must be a number from 1 to 65535"):
        HexExecutor(f"https://hex.example.com:{port}/api/v1", TOKEN)


async def test_a_request_url_that_cannot_be_used_is_reported_as_not_sent() -> None:
    """A host Python's IDNA codec takes (it drops the zero-width joiner) but aiohttp refuses:
    the call ends at once, not tried again, with no warning that a run may have started."""
    async with HexExecutor("https://a\u200db.example/api/v1", TOKEN, rate_limits=None) as executor:
        result = await executor.execute("hex_run_project", {"projectId": PROJECT_ID}, timeout=5)
    assert result.error is not None and result.error.kind == "transport"
    assert result.error.message == (
        "the request URL cannot be used (check the base URL); nothing was sent."
    )
    assert result.timing.attempts == 1


# -- the CLI -------------------------------------------------------------------------


async def run_cli(*args: str, key: str = TOKEN, base_url: str) -> tuple[int, str, str]:
    env = {**os.environ, "HEX_API_KEY": key, "HEX_API_BASE_URL": base_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aacflow_hex", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(
    ("given", "named"),
    [("[1]", "an array"), ("null", "null"), ('"s"', "a string"), ("3", "a number")],
)
async def test_params_json_must_be_an_object(hex_api: FakeHex, given: str, named: str) -> None:
    code, _, err = await run_cli(
        "run", "hex_list_projects", "--params-json", given, base_url=hex_api.base_url
    )
    assert code == 2
    assert err.strip() == (
        f'error: --params-json must be a JSON object such as {{"limit": 10}}, not {named}'
    )
    assert hex_api.received == []


async def test_a_hostile_answer_exits_1_with_one_line(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, DEEP))
    code, out, err = await run_cli(
        "run", "hex_get_project", "-p", f"projectId={PROJECT_ID}", base_url=hex_api.base_url
    )
    assert code == 1
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("error (invalid_response): ") and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "key", "said"),
    [
        ((), "hxtp_key\r\nX-Injected: 1", "error (validation): apiKey: cannot be sent"),
        (("--timeout", "-1"), TOKEN, "error (validation): timeout: must be a number"),
        (("--timeout", "nan"), TOKEN, "error (validation): timeout: must be a number"),
    ],
)
async def test_a_bad_key_or_timeout_exits_2_before_any_request(
    hex_api: FakeHex, args: tuple[str, ...], key: str, said: str
) -> None:
    code, _, err = await run_cli(
        "run", "hex_get_project", "-p", f"projectId={PROJECT_ID}", *args,
        key=key, base_url=hex_api.base_url,
    )  # fmt: skip
    assert code == 2
    assert err.startswith(said) and len(err.strip().splitlines()) == 1
    assert hex_api.received == []


# -- the MCP server --------------------------------------------------------------------


async def test_the_mcp_server_answers_a_hostile_answer_with_is_error(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, DEEP))
    async with HexExecutor(hex_api.base_url, TOKEN, retry=NO_RETRY) as executor:
        specs = {s.id: s for s in executor.registry.specs()}
        caller = ToolCaller(executor, specs, has_api_key=True)
        result = await caller.call("hex_get_project", {"projectId": PROJECT_ID})
    text, structured = result_content(result)
    assert not result.success and structured is None
    assert json.loads(text)["error"]["kind"] == "invalid_response"
