"""Agent tool schemas (OpenAI, Anthropic, MCP) as a model provider would receive them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from samples import PROJECT, RUN, page

from aacflow_hex import load_registry
from aacflow_hex.engine.validation import validate_params
from aacflow_hex.spec.mapping import map_fields
from aacflow_hex.spec.registry import Registry
from aacflow_hex.surfaces.agents import (
    NotForAgentsError,
    agent_arguments,
    anthropic_tool,
    anthropic_tools,
    is_agent_param,
    mcp_tool,
    mcp_tools,
    openai_responses_tool,
    openai_responses_tools,
    openai_tool,
    openai_tools,
    output_schema,
    served_specs,
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


# -- one tool of every kind of param, exported exactly -----------------------------------

STRICT_TOOL = """\
id: hex_demo_strict
name: Demo Strict
description: Every kind of param an agent may set.
annotations: {idempotent: true}
params:
  apiKey: {type: string, in: auth, secret: true, required: true, visibility: user-only}
  groupId: {type: string, format: uuid, in: path, required: true, description: The group}
  status: {type: string, in: query, enum: [OPEN, CLOSED], description: Which ones}
  limit: {type: number, integer: true, in: query, minimum: 1, maximum: 100, default: 25}
  ratio: {type: number, in: query}
  verbose: {type: boolean, in: query}
  label: {type: string, in: body, schema: {minLength: 2, maxLength: 9}}
  kind: {type: json, in: body, enum: [a, b]}
  owner:
    type: json
    in: body
    required: true
    schema: {type: object, properties: {email: {type: string}, note: {type: string}},
             required: [email]}
  nothing: {type: json, in: body, schema: {type: object, additionalProperties: false}}
  members: {type: json, in: body, schema: {type: array, items: {type: string, format: uuid}}}
  either: {type: json, in: body, schema: {type: [string, "null"], enum: [x, null]}}
  code: {type: json, in: body, schema: {type: string, const: v1, anyOf: [{pattern: "^v"}]}}
  share: {type: json, in: body, schema: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1,
                                         multipleOf: 0.25}}
  picks: {type: json, in: body, schema: {type: array, items: {type: string}, minItems: 1,
                                         maxItems: 3, uniqueItems: true}}
  trace: {type: string, in: query, visibility: hidden}
  internal: {type: string, in: query, visibility: llm-only}
rules:
  - {exclusive: [status, verbose], reason: pick one}
  - {exclusive: [apiKey, label], reason: a rule about a secret is not told}
request: {method: POST, path: "/groups/{groupId}"}
outputs:
  id: {type: string, description: The id}
  count: {type: number}
  ok: {type: boolean}
  owner: {type: object, properties: {email: {type: string}}}
  blob: {type: object}
  raw: {type: json, description: As sent}
  tags: {type: array, items: {type: string}}
  rows: {type: array}
"""
LOOSE_TOOL = """\
id: hex_demo_loose
name: Demo Loose
description: A free-form param rules strict mode out.
annotations: {readOnly: true, destructive: true}
params:
  inputs: {type: json, in: body, schema: {type: object}}
  note: {type: string, in: body}
request: {method: POST, path: "/loose"}
outputs: {}
"""
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@pytest.fixture(scope="module")
def demo_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder = tmp_path_factory.mktemp("agent_specs")
    (folder / "hex_demo_strict.yaml").write_text(STRICT_TOOL)
    (folder / "hex_demo_loose.yaml").write_text(LOOSE_TOOL)
    return load_registry(folder)


def test_an_openai_strict_schema_makes_every_optional_param_nullable_and_required(
    demo_registry: Registry,
) -> None:
    spec = demo_registry.get("hex_demo_strict")
    tool = openai_tool(spec)
    function = tool["function"]
    assert tool == {"type": "function", "function": function}
    assert function["strict"] is True
    assert function["description"] == (
        "Every kind of param an agent may set. status and verbose cannot be combined: pick one."
    )
    assert function["parameters"] == {
        "type": "object",
        "properties": {
            "groupId": {
                "type": "string",
                "description": "The group",
                "format": "uuid",
                "pattern": UUID,
            },
            "status": {
                "type": ["string", "null"],
                "description": "Which ones",
                "enum": ["OPEN", "CLOSED", None],
            },
            "limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
            "ratio": {"type": ["number", "null"]},
            "verbose": {"type": ["boolean", "null"]},
            "label": {"type": ["string", "null"]},
            "kind": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "owner": {
                "type": "object",
                "properties": {"email": {"type": "string"}, "note": {"type": ["string", "null"]}},
                "required": ["email", "note"],
                "additionalProperties": False,
            },
            "nothing": {
                "type": ["object", "null"],
                "properties": {},
                "required": [],
                "additionalProperties": False,
            },
            "members": {
                "type": ["array", "null"],
                "items": {"type": "string", "format": "uuid", "pattern": UUID},
            },
            "either": {"type": ["string", "null"], "enum": ["x", None]},
            "code": {"type": ["string", "null"], "const": "v1", "anyOf": [{"pattern": "^v"}]},
            "share": {
                "type": ["number", "null"],
                "exclusiveMinimum": 0,
                "exclusiveMaximum": 1,
                "multipleOf": 0.25,
            },
            "picks": {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": 3,
            },
            "internal": {"type": ["string", "null"]},
        },
        "required": [
            "groupId",
            *("status", "limit", "ratio", "verbose", "label", "kind", "owner", "nothing"),
            *("members", "either", "code", "share", "picks", "internal"),
        ],
        "additionalProperties": False,
    }
    assert openai_responses_tool(spec) == {"type": "function", **function}


def test_anthropic_and_mcp_get_the_params_as_the_spec_says(demo_registry: Registry) -> None:
    spec = demo_registry.get("hex_demo_strict")
    schema = anthropic_tool(spec)["input_schema"]
    assert mcp_tool(spec)["inputSchema"] == schema
    assert schema["required"] == ["groupId", "owner"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["limit"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 25,
    }
    assert schema["properties"]["label"] == {"type": "string", "minLength": 2, "maxLength": 9}
    assert schema["properties"]["kind"] == {"enum": ["a", "b"]}
    assert list(schema["properties"]) == [
        *("groupId", "status", "limit", "ratio", "verbose", "label", "kind", "owner", "nothing"),
        *("members", "either", "code", "share", "picks", "internal"),
    ]


def test_mcp_tells_the_output_schema_and_the_hints(demo_registry: Registry) -> None:
    tool = mcp_tool(demo_registry.get("hex_demo_strict"))
    assert (tool["name"], tool["title"]) == ("hex_demo_strict", "Demo Strict")
    assert (
        tool["description"] == anthropic_tool(demo_registry.get("hex_demo_strict"))["description"]
    )
    assert tool["annotations"] == {
        "title": "Demo Strict",
        "readOnlyHint": False,
        "destructiveHint": False,
        "idempotentHint": True,
        "openWorldHint": True,
    }
    assert tool["outputSchema"] == {
        "type": "object",
        "properties": {
            "id": {"type": ["string", "null"], "description": "The id"},
            "count": {"type": ["number", "null"]},
            "ok": {"type": ["boolean", "null"]},
            "owner": {
                "type": ["object", "null"],
                "properties": {"email": {"type": ["string", "null"]}},
                "required": ["email"],
            },
            "blob": {"type": ["object", "null"]},
            "raw": {"description": "As sent"},
            "tags": {"type": "array", "items": {"type": ["string", "null"]}},
            "rows": {"type": "array"},
        },
        "required": ["id", "count", "ok", "owner", "blob", "raw", "tags", "rows"],
    }
    loose = mcp_tool(demo_registry.get("hex_demo_loose"))
    assert loose["annotations"]["readOnlyHint"] is True
    assert loose["annotations"]["destructiveHint"] is True
    assert loose["outputSchema"] == {"type": "object", "properties": {}, "required": []}


def test_a_free_form_object_rules_strict_mode_out(demo_registry: Registry) -> None:
    function = openai_tool(demo_registry.get("hex_demo_loose"))["function"]
    assert function["strict"] is False
    assert function["parameters"] == {
        "type": "object",
        "properties": {"inputs": {"type": "object"}, "note": {"type": "string"}},
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    ("param", "strict"),
    [
        ("{type: json, in: body, schema: {type: object}}", False),
        ("{type: json, in: body}", False),  # no type, no enum: anything
        ("{type: json, in: body, enum: [1, 2]}", False),  # an enum of numbers has no type
        ("{type: json, in: body, schema: {type: array}}", False),  # items unknown
        ("{type: json, in: body, schema: {type: array, items: {type: object}}}", False),
        ("{type: json, in: body, schema: {type: [object, 'null']}}", False),
        (
            "{type: json, in: body, schema: {type: object, properties: {a: {type: object}}}}",
            False,
        ),
        ("{type: json, in: body, schema: {type: object, properties: {a: {type: string}}}}", True),
        ("{type: json, in: body, schema: {type: array, items: {type: integer}}}", True),
        ("{type: string, in: body}", True),
    ],
)
def test_strict_mode_only_where_every_value_is_declared(
    param: str, strict: bool, tmp_path: Path
) -> None:
    (tmp_path / "hex_one.yaml").write_text(
        "id: hex_one\nname: One\ndescription: d\n"
        f"params:\n  value: {param}\n"
        "request: {method: POST, path: /one}\noutputs: {}\n"
    )
    spec = load_registry(tmp_path).get("hex_one")
    function = openai_tool(spec)["function"]
    assert function["strict"] is strict
    if not strict:
        assert function["parameters"] == anthropic_tool(spec)["input_schema"]


def test_every_export_lists_every_tool_unless_asked_for_read_only_ones(
    demo_registry: Registry,
) -> None:
    both = ["hex_demo_loose", "hex_demo_strict"]
    assert [s.id for s in served_specs(demo_registry)] == both
    assert [t["function"]["name"] for t in openai_tools(demo_registry)] == both
    assert [t["name"] for t in openai_responses_tools(demo_registry)] == both
    assert [t["name"] for t in anthropic_tools(demo_registry)] == both
    assert [t["name"] for t in mcp_tools(demo_registry)] == both
    assert [t["name"] for t in mcp_tools(demo_registry, read_only=True)] == ["hex_demo_loose"]
    assert [t["name"] for t in openai_responses_tools(demo_registry, read_only=True)] == [
        "hex_demo_loose"
    ]


def test_agent_arguments_drop_nulls_pass_unknown_names_and_refuse_hidden_ones(
    demo_registry: Registry,
) -> None:
    spec = demo_registry.get("hex_demo_strict")
    assert agent_arguments(spec, None) == {}
    given = {"groupId": "g", "status": None, "internal": "i", "unknown": 1}
    assert agent_arguments(spec, given) == {"groupId": "g", "internal": "i", "unknown": 1}
    with pytest.raises(NotForAgentsError) as refused:
        agent_arguments(spec, {"trace": "t"})
    assert str(refused.value) == "trace: is set by the server's configuration, not by the caller"
