"""The block's form as one JSON Schema (Draft 2020-12), for generic form renderers.

``operation`` is the one top-level property; each operation adds its fields
in an ``if``/``then`` branch (``if`` the operation is X, ``then`` these
properties, these required). A field's schema is the param's own schema
(type, enum, range, UUID pattern) with the field's title; a secret is
``format: password`` and ``writeOnly``; an advanced field carries
``x-advanced: true`` so a renderer can fold it away.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..spec.schema import param_schema
from ..spec.specs import ToolSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _field_schema(field: Mapping[str, Any], param_name: str, spec: ToolSpec) -> dict[str, Any]:
    param = spec.params[param_name]
    schema: dict[str, Any] = {"title": field["title"], **param_schema(param)}
    if param.secret:
        schema.update(format="password", writeOnly=True)
    if field.get("mode") == "advanced":
        schema["x-advanced"] = True
    return schema


def form_schema(block: Mapping[str, Any], specs: Mapping[str, ToolSpec]) -> dict[str, Any]:
    fields = {f["id"]: f for f in block["subBlocks"]}
    operation = block["subBlocks"][0]
    config = block["tools"]["config"]
    branches = []
    for op, tool_id in config["tool"]["map"].items():
        spec = specs[tool_id]
        properties = {
            field_id: _field_schema(fields[field_id], name, spec)
            for name, field_id in config["params"][op].items()
        }
        required = [
            field_id
            for name, field_id in config["params"][op].items()
            if spec.params[name].required
        ]
        then: dict[str, Any] = {"properties": properties}
        if required:
            then["required"] = required
        branches.append(
            {
                "if": {
                    "properties": {operation["id"]: {"const": op}},
                    "required": [operation["id"]],
                },
                "then": then,
            }
        )
    return {
        "$schema": DIALECT,
        "title": block["name"],
        "description": block["description"],
        "type": "object",
        "properties": {
            operation["id"]: {
                "title": operation["title"],
                "type": "string",
                "oneOf": [{"const": o["id"], "title": o["label"]} for o in operation["options"]],
                "default": operation["value"],
            }
        },
        "required": [operation["id"]],
        "allOf": branches,
    }
