"""Bad input is refused before any request, with a message naming the param."""

from __future__ import annotations

from typing import Any

import pytest
from hexfake import FakeHex
from samples import PROJECT_ID, RUN_ID, VIEW_ID

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.spec.specs import ParamSpec, ToolSpec

REGISTRY = load_registry()
DOCUMENTED = [
    "hex_cancel_run", "hex_create_collection", "hex_get_collection", "hex_get_data_connection",
    "hex_get_group", "hex_get_project", "hex_get_project_runs", "hex_get_queried_tables",
    "hex_get_run_status", "hex_list_collections", "hex_list_data_connections", "hex_list_groups",
    "hex_list_projects", "hex_list_users", "hex_run_project", "hex_update_project",
]  # fmt: skip


def valid_value(param: ParamSpec) -> Any:
    if param.format == "uuid":
        return PROJECT_ID
    if param.enum:
        return param.enum[0]
    if param.type == "number":
        return int(param.minimum or 1)
    if param.type == "boolean":
        return True
    if param.type == "json":
        return {}
    return "value"


def valid_params(spec: ToolSpec) -> dict[str, Any]:
    return {n: valid_value(p) for n, p in spec.params.items() if p.required and n != "apiKey"}


def bad_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    """(tool, param, params, what the message must say) for every way to get a param wrong."""
    cases = []
    for tool_id in DOCUMENTED:
        spec = REGISTRY.get(tool_id)
        base = valid_params(spec)
        for name, param in spec.params.items():
            if name == "apiKey":
                continue
            if param.required:
                missing = {k: v for k, v in base.items() if k != name}
                cases.append((tool_id, name, missing, "is required"))
            wrong_type = {"string": 42, "number": "many", "boolean": "perhaps", "json": 7}
            if param.type == "json":
                wrong_type["json"] = "[1, 2"  # not JSON at all
            cases.append((tool_id, name, {**base, name: wrong_type[param.type]}, name))
            if param.maximum is not None:
                too_big = int(param.maximum) + 1
                cases.append((tool_id, name, {**base, name: too_big}, "at most"))
            if param.minimum is not None:
                too_small = int(param.minimum) - 1
                cases.append((tool_id, name, {**base, name: too_small}, "at least"))
            if param.format == "uuid":
                cases.append((tool_id, name, {**base, name: "../users"}, "UUID"))
                cases.append((tool_id, name, {**base, name: "not-a-uuid"}, "UUID"))
            if param.enum:
                cases.append((tool_id, name, {**base, name: "NOT_AN_OPTION"}, "one of"))
    return cases


@pytest.mark.parametrize(("tool_id", "param", "params", "says"), bad_cases())
async def test_bad_input_fails_validation_without_a_request(
    tool_id: str,
    param: str,
    params: dict[str, Any],
    says: str,
    hex_api: FakeHex,
    executor: HexExecutor,
) -> None:
    result = await executor.execute(tool_id, params)
    assert not result.success
    assert result.error is not None and result.error.kind == "validation"
    assert param in result.error.message
    assert says in result.error.message
    assert hex_api.received == []


async def test_a_missing_api_key_is_a_validation_error(
    hex_api: FakeHex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEX_API_KEY", raising=False)
    async with HexExecutor(base_url=hex_api.base_url, api_key=None) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message == "apiKey: is required (pass it, or set HEX_API_KEY)"
    assert hex_api.received == []


async def test_unknown_params_are_named(hex_api: FakeHex, executor: HexExecutor) -> None:
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID, "projctId": "x"})
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message.startswith("projctId: unknown parameter")
    assert hex_api.received == []


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ({"viewId": VIEW_ID}, "inputParams and viewId"),
        ({"updatePublishedResults": True}, "inputParams and updatePublishedResults"),
    ],
)
async def test_run_project_refuses_params_hex_cannot_combine(
    extra: dict[str, Any], names: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    params = {"projectId": PROJECT_ID, "inputParams": {"region": "EU"}, **extra}
    result = await executor.execute("hex_run_project", params)
    assert result.error is not None and result.error.kind == "validation"
    assert names in result.error.message and "cannot be combined" in result.error.message
    assert hex_api.received == []


async def test_a_url_without_the_id_where_hex_puts_it_is_explained(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute(
        "hex_get_project", {"projectId": "https://app.hex.tech/acme/projects"}
    )
    assert result.error is not None and result.error.kind == "validation"
    assert "projectId" in result.error.message and "/hex/<uuid>" in result.error.message
    assert hex_api.received == []


async def test_a_url_is_refused_for_ids_that_hex_urls_do_not_carry(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute(
        "hex_get_run_status",
        {"projectId": PROJECT_ID, "runId": f"https://app.hex.tech/acme/hex/{RUN_ID}"},
    )
    assert result.error is not None and result.error.message == "runId: expects a UUID, not a URL"


async def test_every_problem_is_reported_at_once(hex_api: FakeHex, executor: HexExecutor) -> None:
    result = await executor.execute(
        "hex_get_project_runs", {"projectId": "../users", "limit": 0, "offset": -1}
    )
    assert result.error is not None
    for name in ("projectId", "limit", "offset"):
        assert name in result.error.message


def test_an_unknown_tool_raises_with_suggestions() -> None:
    from aacflow_hex import UnknownToolError

    with pytest.raises(UnknownToolError, match="hex_get_project"):
        REGISTRY.get("hex_get_projekt")
