"""Secrets stay out of what an AI sees: no secret param in any agent export, whatever its
visibility says, and no secret key smuggled inside a visible json param."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hexfake import FakeHex
from samples import CONNECTION_ID

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.spec.registry import Registry
from aacflow_hex.surfaces.agents import (
    NotForAgentsError,
    agent_arguments,
    anthropic_tools,
    mcp_tools,
    openai_tools,
)

REGISTRY = load_registry()
# Every secret the packaged tools take, by name: a new one must be added here on purpose.
KNOWN_SECRETS = {
    "apiKey",
    "password",
    "privateKey",
    "passphrase",
    "accessToken",
    "secretAccessKey",
    "serviceAccountJsonConfig",
}
EXPORTS: dict[str, Callable[[Registry], list[dict[str, Any]]]] = {
    "openai": lambda r: [t["function"] for t in openai_tools(r)],
    "anthropic": anthropic_tools,
    "mcp": mcp_tools,
}


def _schemas(fmt: str, registry: Registry) -> dict[str, dict[str, Any]]:
    key = {"openai": "parameters", "anthropic": "input_schema", "mcp": "inputSchema"}[fmt]
    return {tool["name"]: tool[key] for tool in EXPORTS[fmt](registry)}


def test_the_packaged_tools_secrets_are_the_known_ones() -> None:
    secrets = {n for s in REGISTRY.specs() for n, p in s.params.items() if p.secret}
    assert secrets == KNOWN_SECRETS


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_no_secret_param_of_any_tool_is_in_an_agent_export(fmt: str) -> None:
    schemas = _schemas(fmt, REGISTRY)
    assert set(schemas) == set(REGISTRY.ids())
    for tool_id, schema in schemas.items():
        offered = set(schema.get("properties", {})) | set(schema.get("required", []))
        assert offered.isdisjoint(KNOWN_SECRETS), tool_id
    # The connection tools still offer their visible details.
    assert "connectionDetails" in schemas["hex_create_data_connection"]["properties"]


SPEC_WITH_A_VISIBLE_SECRET = """\
id: hex_demo_secret
name: Demo
description: A tool whose secret param says nothing about its visibility.
params:
  projectId: {type: string, in: path, required: true}
  warehouseToken: {type: string, in: body, secret: true}
  note: {type: string, in: body}
request: {method: POST, path: "/demo/{projectId}"}
outputs:
  id: {type: string}
"""


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_a_secret_param_is_hidden_from_agents_even_when_its_visibility_allows_llms(
    fmt: str, tmp_path: Path
) -> None:
    (tmp_path / "hex_demo_secret.yaml").write_text(SPEC_WITH_A_VISIBLE_SECRET)
    registry = load_registry(tmp_path)

    schema = _schemas(fmt, registry)["hex_demo_secret"]

    assert set(schema["properties"]) == {"projectId", "note"}
    assert "warehouseToken" not in json.dumps(schema)
    spec = registry.get("hex_demo_secret")
    with pytest.raises(NotForAgentsError, match="warehouseToken"):
        agent_arguments(spec, {"projectId": "p", "warehouseToken": "s3cr3t-value"})


@pytest.mark.parametrize("tool", ["hex_create_data_connection", "hex_update_data_connection"])
@pytest.mark.parametrize("secret", ["password", "accessToken"])
async def test_a_secret_key_inside_the_visible_connection_details_is_refused_before_sending(
    tool: str, secret: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    details = {"hostname": "db.example.com", "port": 5432, secret: "hunter2-db-password"}
    params: dict[str, Any] = {"type": "postgres", "connectionDetails": details}
    if tool == "hex_create_data_connection":
        params.update(name="analytics", password="the-real-field")
    else:
        params["dataConnectionId"] = CONNECTION_ID

    result = await executor.execute(tool, params)

    assert not result.success and result.error is not None
    assert result.error.kind == "validation"
    assert f"connectionDetails: may not contain {secret!r}" in result.error.message
    assert "hunter2" not in result.model_dump_json()
    assert hex_api.received == []


async def test_the_same_details_without_a_secret_key_are_sent(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    details = {"hostname": "db.example.com", "port": 5432, "username": "hex"}
    params = {
        "name": "analytics",
        "type": "postgres",
        "connectionDetails": details,
        "password": "pw-in-its-own-field",
    }
    await executor.execute("hex_create_data_connection", params)
    sent = hex_api.received[0].body
    assert sent["connectionDetails"]["postgres"] == {**details, "password": "pw-in-its-own-field"}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_every_agent_schema_refuses_params_it_does_not_name(fmt: str) -> None:
    """An agent cannot slip a param past the export (an apiKey it was not offered)."""
    for tool_id, schema in _schemas(fmt, REGISTRY).items():
        assert schema["additionalProperties"] is False, tool_id
