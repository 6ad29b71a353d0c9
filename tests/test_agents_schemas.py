"""Agent tool schemas (OpenAI, Anthropic, MCP) as a model provider would receive them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from samples import PROJECT, RUN, page

from aacflow_hex import load_registry
from aacflow_hex.engine.validation import validate_params
from aacflow_hex.spec.mapping import map_fields
from aacflow_hex.surfaces.agents import (
    NotForAgentsError,
    agent_arguments,
    anthropic_tools,
    is_agent_param,
    mcp_tools,
    openai_tools,
    output_schema,
)
from aacflow_hex.surfaces.cli import main

REGISTRY = load_registry()
SPECS = {s.id: s for s in REGISTRY.specs()}


def _exports(read_only: bool = False) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per format: (tool id, input schema) pairs."""
    return {
        "openai": [
            (t["function"]["name"], t["function"]["parameters"])
            for t in openai_tools(REGISTRY, read_only=read_only)
        ],
        "anthropic": [
            (t["name"], t["input_schema"]) for t in anthropic_tools(REGISTRY, read_only=read_only)
        ],
        "mcp": [(t["name"], t["inputSchema"]) for t in mcp_tools(REGISTRY, read_only=read_only)],
    }


def _walk(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _walk(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _walk(value)


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "mcp"])
def test_every_tool_is_exported_with_a_valid_draft_2020_12_schema(fmt: str) -> None:
    exported = _exports()[fmt]
    assert [tool_id for tool_id, _ in exported] == REGISTRY.ids()
    for tool_id, schema in exported:
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object", tool_id


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "mcp"])
def test_no_secret_user_only_or_hidden_param_reaches_an_agent(fmt: str) -> None:
    for tool_id, schema in _exports()[fmt]:
        spec = SPECS[tool_id]
        expected = [n for n, p in spec.params.items() if is_agent_param(n, p)]
        assert list(schema["properties"]) == expected, tool_id
        for name, param in spec.params.items():
            if param.secret or param.visibility in ("user-only", "hidden"):
                assert name not in json.dumps(schema["properties"]), (tool_id, name)
    assert "apiKey" not in json.dumps(_exports()[fmt])


def test_descriptions_and_enums_come_from_the_specs() -> None:
    tool = next(t for t in anthropic_tools(REGISTRY) if t["name"] == "hex_get_project_runs")
    spec = SPECS["hex_get_project_runs"]
    assert tool["description"].startswith(spec.description)
    status = tool["input_schema"]["properties"]["statusFilter"]
    assert status["enum"] == spec.params["statusFilter"].enum
    assert status["description"] == spec.params["statusFilter"].description
    assert tool["input_schema"]["required"] == ["projectId"]


def test_rules_between_params_are_told_to_the_model() -> None:
    tool = next(t for t in openai_tools(REGISTRY) if t["function"]["name"] == "hex_run_project")
    assert "inputParams and viewId cannot be combined" in tool["function"]["description"]


def _strict_violations(schema: dict[str, Any]) -> list[str]:
    problems = []
    for node in _walk(schema):
        if node.get("type") == "object" or "properties" in node:
            if node.get("additionalProperties") is not False:
                problems.append(f"additionalProperties not false in {node}")
            if set(node.get("required", [])) != set(node.get("properties", {})):
                problems.append(f"not every property required in {node}")
        for keyword in ("default", "minLength", "maxLength"):
            if keyword in node and isinstance(node[keyword], (int, str, bool)):
                problems.append(f"{keyword} is not allowed in strict mode")
    return problems


def test_openai_strict_only_where_valid_and_optional_params_are_nullable() -> None:
    strict_tools = 0
    for tool in openai_tools(REGISTRY):
        function = tool["function"]
        spec = SPECS[function["name"]]
        parameters = function["parameters"]
        if function["strict"]:
            strict_tools += 1
            assert _strict_violations(parameters) == [], function["name"]
            for name, schema in parameters["properties"].items():
                nullable = "null" in schema["type"]
                assert nullable == (not spec.params[name].required), (function["name"], name)
                if "enum" in schema and nullable:
                    assert None in schema["enum"]
        else:
            # Only a JSON param can be free-form (keys the project defines), ruling strict out.
            assert any(spec.params[n].type == "json" for n in parameters["properties"]), function[
                "name"
            ]
            assert set(parameters.get("required", [])) == {
                n for n in parameters["properties"] if spec.params[n].required
            }
    assert strict_tools >= 10


def test_a_strict_call_with_nulls_for_unset_params_runs_as_not_given() -> None:
    """What a model in strict mode sends (null for every optional param) validates."""
    tool = next(t for t in openai_tools(REGISTRY) if t["function"]["name"] == "hex_list_users")
    parameters = tool["function"]["parameters"]
    arguments = {name: None for name in parameters["properties"]} | {"limit": 5}
    Draft202012Validator(parameters).validate(arguments)
    spec = SPECS["hex_list_users"]
    params = agent_arguments(spec, arguments)
    assert params == {"limit": 5}
    clean = validate_params(spec, REGISTRY.tool(spec.id).validator, {**params, "apiKey": "k" * 8})
    assert clean["limit"] == 5


def test_agent_arguments_refuse_the_api_key() -> None:
    with pytest.raises(NotForAgentsError, match="apiKey: is set by the server's configuration"):
        agent_arguments(SPECS["hex_get_project"], {"projectId": RUN["projectId"], "apiKey": "x"})


def test_read_only_exports_only_tools_that_change_nothing() -> None:
    read_only = {s.id for s in REGISTRY.specs() if s.annotations.read_only}
    assert {"hex_list_projects", "hex_get_run_status"} <= read_only
    for fmt, exported in _exports(read_only=True).items():
        assert {tool_id for tool_id, _ in exported} == read_only, fmt


def test_mcp_annotations_mirror_the_spec() -> None:
    for tool in mcp_tools(REGISTRY):
        spec = SPECS[tool["name"]]
        assert tool["title"] == spec.name
        assert tool["annotations"]["readOnlyHint"] is spec.annotations.read_only
        assert tool["annotations"]["destructiveHint"] is spec.annotations.destructive
        assert tool["annotations"]["idempotentHint"] is spec.annotations.idempotent
    cancel = next(t for t in mcp_tools(REGISTRY) if t["name"] == "hex_cancel_run")
    assert cancel["annotations"]["destructiveHint"] is True


@pytest.mark.parametrize("tool_id", sorted(SPECS))
def test_output_schema_accepts_what_the_mapping_produces(tool_id: str) -> None:
    spec = SPECS[tool_id]
    schema = output_schema(spec)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    bodies: list[Any] = [{}, PROJECT, RUN, page([PROJECT, PROJECT]), {"runs": [RUN], **RUN}]
    for body in bodies:
        output = map_fields(spec.outputs, body, {})
        errors = [e.message for e in validator.iter_errors(output)]
        assert errors == [], (tool_id, errors)


def test_output_schema_rejects_a_wrong_type() -> None:
    schema = output_schema(SPECS["hex_get_run_status"])
    output = map_fields(SPECS["hex_get_run_status"].outputs, RUN, {})
    Draft202012Validator(schema).validate(output)
    assert not Draft202012Validator(schema).is_valid({**output, "elapsedTime": "61.5"})
    assert not Draft202012Validator(schema).is_valid(
        {k: v for k, v in output.items() if k != "status"}
    )


@pytest.mark.parametrize("fmt", ["openai", "anthropic", "mcp"])
def test_cli_export_prints_the_same_json(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", fmt, "--read-only"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected: Any = {
        "openai": openai_tools(REGISTRY, read_only=True),
        "anthropic": anthropic_tools(REGISTRY, read_only=True),
        "mcp": {"tools": mcp_tools(REGISTRY, read_only=True)},
    }[fmt]
    assert printed == expected


def test_the_package_and_the_exports_work_without_the_mcp_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['mcp'] = None\n"
        "import aacflow_hex.surfaces.mcp_stdio, aacflow_hex.surfaces.integration\n"
        "from aacflow_hex.surfaces.cli import main\n"
        "sys.exit(main(['export', 'mcp']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["tools"]) == len(REGISTRY)


def test_the_responses_api_export_is_the_flat_function_shape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """OpenAI's Responses API reads name, parameters and strict beside type: function."""

    assert main(["export", "openai", "--api", "responses"]) == 0
    tools = json.loads(capsys.readouterr().out)
    chat = {t["function"]["name"]: t["function"] for t in openai_tools(load_registry())}
    assert len(tools) == len(chat)
    for tool in tools:
        assert set(tool) == {"type", "name", "description", "parameters", "strict"}
        assert tool["type"] == "function"
        assert {k: v for k, v in tool.items() if k != "type"} == chat[tool["name"]]
    assert main(["export", "anthropic", "--api", "responses"]) == 2
