"""JSON Schema of a tool's params: for validation and for agent and form exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .specs import ParamSpec, ToolSpec

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_JSON_TYPES = {"string": "string", "number": "number", "boolean": "boolean"}


def param_schema(param: ParamSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if param.type == "number" and param.integer:
        schema["type"] = "integer"
    elif param.type in _JSON_TYPES:
        schema["type"] = _JSON_TYPES[param.type]
    if param.description:
        schema["description"] = param.description
    if param.enum is not None:
        schema["enum"] = list(param.enum)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.format == "uuid":
        schema["format"] = "uuid"
        schema["pattern"] = UUID_PATTERN
    if param.default is not None:
        schema["default"] = param.default
    schema.update(param.json_schema)
    items = schema.get("items")
    if isinstance(items, dict) and items.get("format") == "uuid" and "pattern" not in items:
        schema["items"] = {**items, "pattern": UUID_PATTERN}  # a list of ids, each checked
    return schema


def input_schema(
    spec: ToolSpec, include: Callable[[str, ParamSpec], bool] = lambda _n, _p: True
) -> dict[str, Any]:
    """An object schema over the params that ``include`` keeps."""
    properties = {n: param_schema(p) for n, p in spec.params.items() if include(n, p)}
    required = [n for n, p in spec.params.items() if p.required and n in properties]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema
