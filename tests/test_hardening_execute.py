"""The whole execute() path against a hostile server on 127.0.0.1: each call ends in a
ToolResult that can be written as JSON, with memory bounded and no secret in it."""

from __future__ import annotations

import base64
import json
import logging
import tracemalloc
import zlib
from typing import Any
from urllib.parse import quote

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor, ToolResult
from aacflow_hex.engine import executor as executor_module
from aacflow_hex.engine.decode import MAX_RETRY_AFTER
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY, RetryPolicy

TOKEN = "hxtp_hostile_token_0123456789abcdef"
PATH = f"/projects/{PROJECT_ID}"


def written(result: ToolResult) -> str:
    """The result as a caller writes it: strict JSON, and never with the token."""
    text = json.dumps(result.model_dump(mode="json"), allow_nan=False)
    result.model_dump_json()
    assert TOKEN not in text
    return text


async def get_project(executor: HexExecutor) -> ToolResult:
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    written(result)
    return result


# -- 1. a compressed body is measured after decompression ---------------------------


def bomb(size: int, wbits: int) -> bytes:
    """``size`` zero bytes compressed (gzip: wbits 31, deflate: 15), built a MB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b"0" * (1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15)])
async def test_a_compression_bomb_is_cut_off_at_the_limit_of_decoded_bytes(
    hex_api: FakeHex, encoding: str, wbits: int
) -> None:
    body = bomb(48 << 20, wbits)  # about 50 kB on the wire, 48 MB inflated
    assert len(body) < 100_000
    hex_api.reply("GET", PATH, Reply(200, body, headers={"Content-Encoding": encoding}))
    async with HexExecutor(
        hex_api.base_url, TOKEN, retry=NO_RETRY, max_response_bytes=1 << 20
    ) as executor:
        tracemalloc.start()
        try:
            result = await get_project(executor)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "larger than the 1,048,576 byte limit" in result.error.message
    assert peak < 12 << 20, f"{peak:,} bytes allocated while reading a 1 MB-capped body"


async def test_a_compressed_body_under_the_limit_is_read(hex_api: FakeHex) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = packer.compress(json.dumps(PROJECT).encode()) + packer.flush()
    hex_api.reply("GET", PATH, Reply(200, body, headers={"Content-Encoding": "gzip"}))
    async with HexExecutor(hex_api.base_url, TOKEN, retry=NO_RETRY) as executor:
        result = await get_project(executor)
    assert result.success and result.output["title"] == PROJECT["title"]


# -- 2, 3, 4. bodies that used to raise out of execute() ------------------------------

HOSTILE_BODIES: list[tuple[str, int, bytes]] = [
    ("a 5,000-digit integer", 200, b'{"id": 1, "title": ' + b"7" * 5000 + b"}"),
    ("an elapsed time of 4,000 digits", 200, b'{"elapsedTime": ' + b"7" * 4000 + b"}"),
    ("NaN", 200, b'{"title": NaN}'),
    ("1e400", 200, b'{"title": "t", "lastEditedAt": 1e400}'),
    ("nesting 600 deep", 200, b'{"title": ' + b"[" * 600 + b"]" * 600 + b"}"),
    ("nesting 100,000 deep", 200, b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("error issues that are not a list", 400, b'{"message": "no", "issues": 5}'),
    ("error issues that are an object", 422, b'{"code": "x", "issues": {"message": 1}}'),
    ("error details of another type", 400, b'{"reason": "no", "details": {"a": [1]}}'),
    ("a 429 with a deep body", 429, b"[" * 50_000 + b"]" * 50_000),
    ("bytes that are not UTF-8", 200, b"\xff\xfe{}"),
]


@pytest.mark.parametrize(
    ("name", "status", "body"), HOSTILE_BODIES, ids=[c[0] for c in HOSTILE_BODIES]
)
async def test_execute_returns_a_result_for_what_used_to_raise(
    hex_api: FakeHex, executor: HexExecutor, name: str, status: int, body: bytes
) -> None:
    hex_api.reply("GET", PATH, Reply(status, body))
    result = await get_project(executor)
    assert result.error is not None
    assert result.error.kind in ("invalid_response", "invalid_request", "rate_limited")


@pytest.mark.parametrize(
    "body",
    [
        {"values": [PROJECT], "pagination": [1, 2]},
        {"values": [PROJECT], "pagination": "after"},
        {"values": [PROJECT], "pagination": {"after": {"cursor": 1}}},
    ],
)
async def test_a_list_whose_pagination_is_not_an_object_ends_after_its_page(
    hex_api: FakeHex, executor: HexExecutor, body: dict[str, Any]
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, body))
    result = await executor.execute("hex_list_projects", {"fetchAll": True})
    written(result)
    assert result.success and [p["id"] for p in result.output["projects"]] == [PROJECT_ID]
    assert len(hex_api.received) == 1


async def test_a_next_page_offset_in_non_ascii_digits_is_read_past(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    run = {"projectId": PROJECT_ID, "runId": "0e5b2a9c-7f3a-4c8e-9d1b-2a6f4e8c1d3b"}
    hex_api.reply(
        "GET",
        f"/projects/{PROJECT_ID}/runs",
        Reply(200, {"runs": [run], "nextPage": "/runs?offset=²"}),
        Reply(200, {"runs": [], "nextPage": None}),
    )
    result = await executor.execute(
        "hex_get_project_runs", {"projectId": PROJECT_ID, "fetchAll": True}
    )
    written(result)
    assert result.success and result.output["total"] == 1
    assert hex_api.received[1].query[-1] == ("offset", "1")


async def test_an_unexpected_exception_becomes_a_failed_result_logged_without_secrets(
    hex_api: FakeHex,
    executor: HexExecutor,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hex_api.reply("GET", PATH, Reply(200, PROJECT))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(f"a bug that quotes Bearer {TOKEN}")

    monkeypatch.setattr(executor_module, "decode_response", broken)
    with caplog.at_level(logging.ERROR, logger="aacflow_hex"):
        result = await get_project(executor)
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "unexpected KeyError" in result.error.message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged and "KeyError" in logged
    assert TOKEN not in logged


# -- 5. an API key that cannot go into a header -------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "hxtp_key\r\nX-Injected: 1",
        "hxtp_key\n",
        "hxtp\x00key",
        "hxtp\x7fkey",
        "hxtp\x85key",
        "hxtp_ключ",
        "hxtp_key_\u2028",
    ],
)
async def test_an_api_key_that_cannot_be_a_header_is_a_validation_error(
    hex_api: FakeHex, key: str
) -> None:
    async with HexExecutor(hex_api.base_url, key, retry=NO_RETRY) as executor:
        result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
        by_param = await executor.execute(
            "hex_get_project", {"projectId": PROJECT_ID, "apiKey": key}
        )
    for outcome in (result, by_param):
        assert outcome.error is not None and outcome.error.kind == "validation"
        assert outcome.error.message.startswith("apiKey: cannot be sent in an HTTP header")
        assert key not in outcome.model_dump_json()
    assert hex_api.received == []


# -- 6. Retry-After ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e9", "inf", "1e400", "Fri, 31 Dec 9999 23:59:59 GMT"])
async def test_an_absurd_retry_after_pauses_the_lane_at_most_the_cap(
    hex_api: FakeHex, value: str
) -> None:
    limiter = RateLimiter()
    hex_api.reply("GET", PATH, Reply(429, {"reason": "slow down"}, headers={"Retry-After": value}))
    async with HexExecutor(
        hex_api.base_url, TOKEN, retry=RetryPolicy(max_attempts=2), rate_limiter=limiter
    ) as executor:
        result = await get_project(executor)
        again = await get_project(executor)
    assert result.error is not None and result.error.kind == "rate_limited"
    assert result.error.retry_after == MAX_RETRY_AFTER
    paused = limiter.stats(executor.base_url, TOKEN, "hex-api").paused_for
    assert 0 < paused <= MAX_RETRY_AFTER
    # The next call is told how long, without sending anything.
    assert again.error is not None and again.error.kind == "rate_limited"
    assert again.error.retry_after is not None and again.error.retry_after <= MAX_RETRY_AFTER
    assert len(hex_api.received) == 1


# -- 10. timeouts ------------------------------------------------------------------


@pytest.mark.parametrize("timeout", [-1.0, float("nan"), -0.001])
async def test_a_negative_or_nan_timeout_is_a_validation_error(
    hex_api: FakeHex, executor: HexExecutor, timeout: float
) -> None:
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=timeout)
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message.startswith("timeout: must be a number of seconds")
    assert hex_api.received == []


def test_an_executor_refuses_a_negative_or_nan_timeout() -> None:
    for bad in ({"timeout": -1.0}, {"timeout": float("nan")}, {"connect_timeout": -5.0}):
        with pytest.raises(ValueError, match="0 or more"):
            HexExecutor("http://127.0.0.1:1/api/v1", TOKEN, **bad)


# -- 11. echoes of the key in other encodings --------------------------------------

ECHOES = {
    "base64": base64.b64encode(TOKEN.encode()).decode(),
    "base64, unpadded": base64.b64encode(TOKEN.encode()).decode().rstrip("="),
    "base64 URL-safe": base64.urlsafe_b64encode(TOKEN.encode()).decode(),
    "base64 of the header": base64.b64encode(f"Bearer {TOKEN}".encode()).decode(),
    "percent-encoded": quote(TOKEN + "/+", safe=""),
}


@pytest.mark.parametrize("encoding", list(ECHOES))
async def test_an_echo_of_the_key_in_another_encoding_is_masked(
    hex_api: FakeHex, encoding: str
) -> None:
    key = TOKEN + "/+" if encoding == "percent-encoded" else TOKEN
    echo = ECHOES[encoding]
    hex_api.reply("GET", PATH, Reply(200, {**PROJECT, "description": f"seen: {echo}"}))
    hex_api.reply("GET", "/projects", Reply(401, {"reason": f"bad token {echo}", "traceId": echo}))
    async with HexExecutor(hex_api.base_url, key, retry=NO_RETRY) as executor:
        ok = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
        failed = await executor.execute("hex_list_projects", {})
    for result in (ok, failed):
        text = result.model_dump_json()
        assert echo not in text and echo.rstrip("=") not in text
    assert ok.output["description"].startswith("seen: ***")
