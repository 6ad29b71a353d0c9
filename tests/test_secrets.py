"""The API key never shows: not in results, messages, log records or reprs."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.registry import specs_dir

CANARY = "hxtp_CANARY_5f1d2e3c4b5a69788796a5b4"


def _escaped(text: str) -> str:
    """``text`` written as JSON \\u escapes: the same string once decoded."""
    return "".join(f"\\u{ord(c):04x}" for c in text)


def _scenarios() -> list[tuple[str, dict[str, Any], Reply | None]]:
    echo = {"reason": f"token {CANARY} is not valid", "details": f"Bearer {CANARY}"}
    hidden = json.dumps({**PROJECT, "description": "@"}).replace("@", _escaped(CANARY))
    return [
        ("success", {"projectId": PROJECT_ID}, Reply(200, {**PROJECT, "description": CANARY})),
        ("success, token in \\u escapes", {"projectId": PROJECT_ID}, Reply(200, hidden)),
        (
            "success, bearer value",
            {"projectId": PROJECT_ID},
            Reply(200, {**PROJECT, "title": f"Bearer {CANARY}"}),
        ),
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
    if result.success:
        assert "***" in json.dumps(result.output)  # masked, not dropped
    if reply is not None:
        assert hex_api.received[0].headers["Authorization"] == f"Bearer {CANARY}"


async def test_a_key_from_the_executor_is_redacted_too(hex_api: FakeHex) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(403, {"reason": f"{CANARY} denied"}))
    async with HexExecutor(base_url=hex_api.base_url, api_key=CANARY, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
        assert CANARY not in repr(ex)
    assert result.error is not None and CANARY not in result.error.message
    assert "*** denied" in result.error.message


async def test_an_echoed_param_holding_the_token_is_masked(
    tmp_path: Path, hex_api: FakeHex
) -> None:
    """An output echoing a free-text param gets the redactor even when Hex's answer is clean."""
    for shared in ("_params.yaml", "_shapes.yaml"):
        shutil.copy(specs_dir() / shared, tmp_path / shared)
    (tmp_path / "hex_echo_note.yaml").write_text(
        "id: hex_echo_note\nname: Echo Note\ndescription: Echo a note.\n"
        "annotations: {readOnly: true, idempotent: true}\n"
        "params:\n  apiKey: {ref: apiKey}\n  note: {type: string, in: query}\n"
        "request: {method: GET, path: /notes}\n"
        "outputs:\n  note: {type: string, param: note}\n  ok: {type: boolean, path: ok}\n",
        encoding="utf-8",
    )
    hex_api.reply("GET", "/notes", Reply(200, {"ok": True}))
    registry = load_registry(tmp_path)
    async with HexExecutor(base_url=hex_api.base_url, api_key=CANARY, registry=registry) as ex:
        result = await ex.execute("hex_echo_note", {"note": f"my key is {CANARY}"})
    assert result.success, result.error
    assert result.output == {"note": "my key is ***", "ok": True}
