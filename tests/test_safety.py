"""Safety rules: where the token may go, how much is read, what a path may hold."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hexfake import FakeHex, Reply, fake_hex
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.build import build_request
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.engine.safety import UnsafeBaseURL, UnsafePathValue, check_base_url, path_segment
from aacflow_hex.spec.registry import load_registry

TOKEN = "hxtp_safety_token_0123456789abcdef"
GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")


def _executor(base_url: str, **kw: object) -> HexExecutor:
    return HexExecutor(base_url, TOKEN, retry=NO_RETRY, rate_limiter=RateLimiter(), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "https://app.hex.tech/api/v1",
        "https://app.hex.tech/api/v1/",
        "http://127.0.0.1:8765/api/v1",
        "http://localhost:8765/api/v1",
        "http://[::1]:8765/api/v1",
        "http://127.10.0.3/api/v1",
    ],
)
def test_https_and_loopback_base_urls_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hex.internal.example/api/v1", "plain http to hex.internal.example"),
        ("http://10.0.0.5/api/v1", "allow_insecure_hosts=['10.0.0.5']"),
        ("ftp://app.hex.tech/api/v1", "https://"),
        ("app.hex.tech/api/v1", "absolute https:// URL"),
        ("https://user:s3cr3t-pass@app.hex.tech/api/v1", "must not carry credentials"),
        ("https://app.hex.tech/api/v1?token=abc", "query"),
        ("https://hxtp_s3cr3t-pass@app.hex.tech/api/v1", "must not carry credentials"),
        ("https://:s3cr3t-pass@app.hex.tech/api/v1", "must not carry credentials"),
        ("https://app.hex.tech/api/v1#s3cr3t-pass", "must not have a query or a fragment"),
    ],
)
def test_unsafe_base_urls_are_refused_with_a_reason(url: str, says: str) -> None:
    with pytest.raises(UnsafeBaseURL) as caught:
        HexExecutor(url, TOKEN)
    assert says in str(caught.value)
    assert "s3cr3t-pass" not in str(caught.value)


@pytest.mark.parametrize(
    "host",
    [
        "a..b",
        "exämple..com",
        "a" * 64 + ".example",
        "exa mple.com",
        "ex%41mple.com",
        "exa\x7fmple.com",
    ],
)
def test_a_host_that_cannot_be_looked_up_is_refused_before_any_request(host: str) -> None:
    """Not later, as an "unexpected UnicodeError while handling Hex's answer"."""
    with pytest.raises(UnsafeBaseURL) as refused:
        HexExecutor(f"https://{host}/api/v1", TOKEN)
    assert str(refused.value) == f"base_url for {host!r}: the host is not a valid name or address"


@pytest.mark.parametrize(
    "host", ["bücher.example", "hex_emulator", "app.hex.tech.", "a" * 63 + ".example", "[::1]"]
)
def test_international_local_and_literal_hosts_are_accepted(host: str) -> None:
    assert HexExecutor(f"https://{host}/api/v1", TOKEN).base_url == f"https://{host}/api/v1"


@pytest.mark.parametrize("url", ["app.hex.tech/api/v1", "ftp://app.hex.tech/api/v1", "https:///x"])
def test_a_base_url_that_is_not_absolute_http_says_what_is_expected(url: str) -> None:
    with pytest.raises(UnsafeBaseURL) as refused:
        HexExecutor(url, TOKEN)
    assert str(refused.value) == (
        "base_url must be an absolute https:// URL such as https://app.hex.tech/api/v1"
    )


def test_a_path_and_an_allowed_host_are_taken_as_written() -> None:
    """Only a trailing slash goes: a proxy path in capitals stays, and a host named in
    capitals in allow_insecure_hosts matches the (case-free) host of the URL."""
    assert HexExecutor("https://proxy.example/HEX/", TOKEN).base_url == "https://proxy.example/HEX"
    ex = HexExecutor("http://hex:8765/api/v1", TOKEN, allow_insecure_hosts=["HEX"])
    assert ex.base_url == "http://hex:8765/api/v1"


def test_a_named_insecure_host_is_allowed() -> None:
    ex = HexExecutor(
        "http://hex-emulator.lan:8765/api/v1", allow_insecure_hosts=["hex-emulator.lan"]
    )
    assert ex.base_url == "http://hex-emulator.lan:8765/api/v1"


def test_an_insecure_base_url_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEX_API_BASE_URL", "http://hex.example.com/api/v1")
    with pytest.raises(UnsafeBaseURL):
        HexExecutor()


@pytest.mark.parametrize(
    "value", ["../users", "..", ".", "", "a/b", "a%2Fb", "%2e%2e", "x?y=1", "x#y", "a\\b", "a\nb"]
)
def test_a_path_value_that_is_not_one_segment_is_refused(value: str) -> None:
    with pytest.raises(UnsafePathValue, match="projectId"):
        path_segment("projectId", value, uuid=False)


def test_a_uuid_path_value_must_be_a_uuid_even_past_validation() -> None:
    spec = load_registry().get("hex_get_project")
    with pytest.raises(UnsafePathValue, match="projectId: must be a UUID"):
        build_request(spec, {"projectId": "../users"}, "https://app.hex.tech/api/v1")
    request = build_request(spec, {"projectId": PROJECT_ID}, "https://app.hex.tech/api/v1")
    assert request.url == f"https://app.hex.tech/api/v1/projects/{PROJECT_ID}"


@pytest.fixture
async def other_host() -> AsyncIterator[FakeHex]:
    async with fake_hex() as fake:
        yield fake


def _on_localhost(fake: FakeHex) -> str:
    """The same server under another host name: a different origin for the client."""
    return fake.base_url.replace("127.0.0.1", "localhost")


async def test_a_redirect_to_another_host_is_not_followed(
    hex_api: FakeHex, other_host: FakeHex
) -> None:
    target = _on_localhost(other_host) + f"/projects/{PROJECT_ID}"
    hex_api.reply(*GET_PROJECT, Reply(302, b"", headers={"Location": target}))
    other_host.reply(*GET_PROJECT, Reply(200, PROJECT))
    async with _executor(hex_api.base_url) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "localhost" in result.error.message and "not followed" in result.error.message
    assert other_host.received == []  # the token never went there


async def test_a_same_origin_redirect_of_a_read_is_followed(hex_api: FakeHex) -> None:
    moved = "/projects/moved"
    hex_api.reply(*GET_PROJECT, Reply(307, b"", headers={"Location": f"/api/v1{moved}"}))
    hex_api.reply("GET", moved, Reply(200, PROJECT))
    async with _executor(hex_api.base_url) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.success, result.error
    assert [r.path for r in hex_api.received] == [f"/projects/{PROJECT_ID}", moved]


async def test_a_redirect_of_a_run_trigger_is_never_followed(hex_api: FakeHex) -> None:
    runs = f"/projects/{PROJECT_ID}/runs"
    hex_api.reply("POST", runs, Reply(307, b"", headers={"Location": f"/api/v1{runs}/again"}))
    async with _executor(hex_api.base_url) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert len(hex_api.received) == 1


async def test_a_body_over_the_cap_is_refused_with_a_clear_error(hex_api: FakeHex) -> None:
    huge = {**PROJECT, "description": "x" * 300_000}
    hex_api.reply(*GET_PROJECT, Reply(200, huge))
    async with _executor(hex_api.base_url, max_response_bytes=100_000) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "larger than the 100,000 byte limit" in result.error.message
    assert "max_response_bytes" in result.error.message


async def test_a_streamed_body_without_length_is_capped_too() -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(200):
            await response.write(b" " * 10_000)
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", endless)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with _executor(str(server.make_url("/api/v1")), max_response_bytes=50_000) as ex:
            result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    finally:
        await server.close()
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "50,000 byte limit" in result.error.message


def test_the_default_body_cap_is_20_mb() -> None:
    assert HexExecutor("https://app.hex.tech/api/v1").max_response_bytes == 20 * 1024 * 1024
