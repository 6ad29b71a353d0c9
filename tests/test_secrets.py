"""The API key never shows: not in results, messages, log records or reprs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.retry import NO_RETRY

CANARY = "hxtp_CANARY_5f1d2e3c4b5a69788796a5b4"


def _scenarios() -> list[tuple[str, dict[str, Any], Reply | None]]:
    echo = {"reason": f"token {CANARY} is not valid", "details": f"Bearer {CANARY}"}
    return [
        ("success", {"projectId": PROJECT_ID}, Reply(200, {**PROJECT, "description": CANARY})),
        ("auth error echoing the token", {"projectId": PROJECT_ID}, Reply(401, echo)),
        ("server error page", {"projectId": PROJECT_ID}, Reply(500, f"<p>{CANARY}</p>")),
        ("validation error", {"projectId": "../users"}, None),
        ("token pasted as an id", {"projectId": CANARY}, None),
    ]


@pytest.mark.parametrize(("name", "params", "reply"), _scenarios(), ids=lambda v: str(v)[:30])
async def test_the_token_never_appears(
    name: str,
    params: dict[str, Any],
    reply: Reply | None,
    hex_api: FakeHex,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if reply is not None:
        hex_api.reply("GET", f"/projects/{PROJECT_ID}", reply)
    caplog.set_level(logging.DEBUG)
    async with HexExecutor(base_url=hex_api.base_url, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {**params, "apiKey": CANARY})
        shown = [result.model_dump_json(), repr(result), str(result), repr(ex), str(ex)]
    shown += [record.getMessage() for record in caplog.records]
    if result.error is not None:
        shown.append(result.error.message)
    for text in shown:
        assert CANARY not in text
    if reply is not None:
        assert hex_api.received[0].headers["Authorization"] == f"Bearer {CANARY}"


async def test_a_key_from_the_executor_is_redacted_too(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(403, {"reason": f"{CANARY} denied"}))
    async with HexExecutor(base_url=hex_api.base_url, api_key=CANARY, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
        assert CANARY not in repr(ex)
    assert result.error is not None and CANARY not in result.error.message
    assert "*** denied" in result.error.message
