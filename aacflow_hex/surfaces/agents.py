"""Tool schemas for LLM agents, generated from the specs: OpenAI, Anthropic and MCP.

What an agent sees of a tool:

- the params an LLM may set: visibility ``user-or-llm`` or ``llm-only`` and not
  secret. ``user-only`` params (the API key: it comes from configuration) and
  ``hidden`` ones never appear;
- descriptions, enums, ranges and the UUID pattern of each param, and the
  tool's rules (params that cannot be combined) appended to its description;
- for MCP, annotations (readOnlyHint, destructiveHint, idempotentHint) and an
  output schema built from the spec outputs. Every declared output key is
  present in a result; scalars and objects may be ``null``, lists are ``[]``.

OpenAI ``strict: true`` needs every property required and
``additionalProperties: false`` at every level. We make a tool strict where
that is possible without changing its meaning: optional params become
nullable (``null`` means "not given"; the executor drops ``None`` values),
and constraint keywords that strict mode does not accept (``default``,
``minLength``, ...) are left out, since the executor validates them anyway.
A tool with a free-form JSON param (e.g. ``inputParams``: an object whose keys
the project defines) cannot be strict and is exported with ``strict: false``
and its optional params simply not required.

``read_only=True`` keeps only the tools whose spec says ``readOnly: true``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..spec.registry import Registry
from ..spec.schema import input_schema
from ..spec.specs import OutputSpec, ParamSpec, ToolSpec

AGENT_VISIBILITY = frozenset({"user-or-llm", "llm-only"})

# Keywords OpenAI's strict mode accepts on a value; any other one is left out of a strict
# schema. The structure (properties, required, additionalProperties, items) _strict rebuilds.
_STRICT_KEYWORDS = frozenset(
    {
        "type",
        "description",
        "enum",
        "const",
        "anyOf",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
    }
)
_SCALAR_TYPES = frozenset({"string", "number", "integer", "boolean"})


class NotForAgentsError(ValueError):
    """An agent sent a param it may not set (e.g. the API key)."""


def is_agent_param(_name: str, param: ParamSpec) -> bool:
    return param.visibility in AGENT_VISIBILITY and not param.secret


def served_specs(registry: Registry, *, read_only: bool = False) -> list[ToolSpec]:
    """The registry's tools, or only those that change nothing."""
    return [s for s in registry.specs() if s.annotations.read_only or not read_only]


def agent_description(spec: ToolSpec) -> str:
    rules = [
        f"{r.summary}."
        for r in spec.rules
        if all(is_agent_param(n, spec.params[n]) for n in r.names)
    ]
    return " ".join([spec.description, *rules])


def agent_input_schema(spec: ToolSpec) -> dict[str, Any]:
    return input_schema(spec, is_agent_param)


def agent_arguments(spec: ToolSpec, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """An agent's arguments as executor params; refuses params agents may not set.

    ``None`` values are dropped: they mean "not given" (OpenAI strict mode).
    Unknown names are passed on, so the executor names them in its error.
    """
    params: dict[str, Any] = {}
    for name, value in (arguments or {}).items():
        param = spec.params.get(name)
        if param is not None and not is_agent_param(name, param):
            raise NotForAgentsError(
                f"{name}: is set by the server's configuration, not by the caller"
            )
        if value is not None:
            params[name] = value
    return params


# -- outputs -----------------------------------------------------------------


def output_field_schema(field: OutputSpec) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.type == "array":
        schema = {"type": "array"}
        if field.items is not None:
            schema["items"] = output_field_schema(field.items)
    elif field.type == "object":
        schema = {"type": ["object", "null"]}
        if field.properties:
            schema["properties"] = {k: output_field_schema(v) for k, v in field.properties.items()}
            schema["required"] = list(field.properties)
    elif field.type == "json":
        schema = {}
    else:
        schema = {"type": [field.type, "null"]}
    if field.description:
        schema["description"] = field.description
    return schema


def output_schema(spec: ToolSpec) -> dict[str, Any]:
    """JSON Schema of a successful call's output (every declared key is present)."""
    return {
        "type": "object",
        "properties": {k: output_field_schema(v) for k, v in spec.outputs.items()},
        "required": list(spec.outputs),
    }


# -- OpenAI ------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    types = kind if isinstance(kind, list) else [kind]
    result = {**schema, "type": [*types, "null"] if "null" not in types else types}
    if "enum" in result and None not in result["enum"]:
        result["enum"] = [*result["enum"], None]
    return result


def _strict(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """``schema`` in OpenAI's strict subset, or None when it cannot be expressed there."""
    kind = schema.get("type")
    result = {k: copy.deepcopy(v) for k, v in schema.items() if k in _STRICT_KEYWORDS}
    if kind is None and all(isinstance(v, str) for v in schema.get("enum") or [None]):
        kind = result["type"] = "string"  # strict mode wants a type beside an enum
    if kind is None:
        return None
    if kind == "object":
        properties = schema.get("properties")
        if properties is None and schema.get("additionalProperties") is not False:
            return None  # a free-form object: strict mode needs every key declared
        required = set(schema.get("required", []))
        strict_properties: dict[str, Any] = {}
        for name, sub in (properties or {}).items():
            strict_sub = _strict(sub)
            if strict_sub is None:
                return None
            strict_properties[name] = strict_sub if name in required else _nullable(strict_sub)
        result.update(
            properties=strict_properties,
            required=list(strict_properties),
            additionalProperties=False,
        )
        return result
    if kind == "array":
        items = schema.get("items")
        strict_items = _strict(items) if isinstance(items, Mapping) else None
        if strict_items is None:
            return None
        result["items"] = strict_items
        return result
    kinds = kind if isinstance(kind, list) else [kind]
    return result if all(k in _SCALAR_TYPES or k == "null" for k in kinds) else None


def openai_tool(spec: ToolSpec) -> dict[str, Any]:
    """One tool in the OpenAI Chat Completions ``tools`` format."""
    parameters = agent_input_schema(spec)
    strict = _strict(parameters)
    function: dict[str, Any] = {
        "name": spec.id,
        "description": agent_description(spec),
        "parameters": strict if strict is not None else parameters,
        "strict": strict is not None,
    }
    return {"type": "function", "function": function}


def openai_tools(registry: Registry, *, read_only: bool = False) -> list[dict[str, Any]]:
    return [openai_tool(s) for s in served_specs(registry, read_only=read_only)]


def openai_responses_tool(spec: ToolSpec) -> dict[str, Any]:
    """One tool in the OpenAI Responses API ``tools`` format (flat: no ``function`` key)."""
    return {"type": "function", **openai_tool(spec)["function"]}


def openai_responses_tools(registry: Registry, *, read_only: bool = False) -> list[dict[str, Any]]:
    return [openai_responses_tool(s) for s in served_specs(registry, read_only=read_only)]


# -- Anthropic ---------------------------------------------------------------


def anthropic_tool(spec: ToolSpec) -> dict[str, Any]:
    """One tool in the Anthropic Messages API ``tools`` format."""
    return {
        "name": spec.id,
        "description": agent_description(spec),
        "input_schema": agent_input_schema(spec),
    }


def anthropic_tools(registry: Registry, *, read_only: bool = False) -> list[dict[str, Any]]:
    return [anthropic_tool(s) for s in served_specs(registry, read_only=read_only)]


# -- MCP ---------------------------------------------------------------------


def mcp_tool(spec: ToolSpec) -> dict[str, Any]:
    """One tool as MCP's ``tools/list`` sends it (camelCase wire names)."""
    return {
        "name": spec.id,
        "title": spec.name,
        "description": agent_description(spec),
        "inputSchema": agent_input_schema(spec),
        "outputSchema": output_schema(spec),
        "annotations": {
            "title": spec.name,
            "readOnlyHint": spec.annotations.read_only,
            "destructiveHint": spec.annotations.destructive,
            "idempotentHint": spec.annotations.idempotent,
            "openWorldHint": True,  # every call reaches Hex, an outside system
        },
    }


def mcp_tools(registry: Registry, *, read_only: bool = False) -> list[dict[str, Any]]:
    return [mcp_tool(s) for s in served_specs(registry, read_only=read_only)]
