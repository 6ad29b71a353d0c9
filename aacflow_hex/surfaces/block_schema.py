"""The block's form as one JSON Schema (Draft 2020-12), for generic form renderers.

``operation`` is the one top-level property; each operation adds its fields
in an ``if``/``then`` branch (``if`` the operation is X, ``then`` these
properties, these required). A field's schema is the param's own schema
(type, enum, range, UUID pattern) with the field's title, or that or the text a
form sends for it where the executor reads text as the type (``"5"``,
``"true"``, JSON text, a Hex URL for a project id); a secret is
``format: password`` and ``writeOnly``; an advanced field carries
``x-advanced: true`` so a renderer can fold it away.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..spec.schema import param_schema
from ..spec.specs import ParamSpec, ToolSpec
from .number_text import number_text_pattern

DIALECT = "https://json-schema.org/draft/2020-12/schema"


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_WORDS_TRUE_FALSE = ("true", "false", "1", "0", "yes", "no", "on", "off")


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _id_list_text(schema: Mapping[str, Any]) -> str | None:
    """The text of a list of UUIDs within minItems..maxItems, as the executor reads it:
    a JSON array of strings, or the ids separated by commas (empty parts skipped)."""
    items = schema.get("items")
    if schema.get("type") != "array" or not isinstance(items, Mapping):
        return None
    if items.get("format") != "uuid":
        return None
    low, high = int(schema.get("minItems", 0)), schema.get("maxItems")
    more = f"{{{max(low - 1, 0)},{'' if high is None else int(high) - 1}}}"
    quoted = f'"{_UUID}"'
    as_json = rf"\[\s*({quoted}\s*(,\s*{quoted}\s*){more})\]"
    as_text = rf"(\s*,)*\s*{_UUID}\s*(,(\s*,)*\s*{_UUID}\s*){more}(,\s*)*"
    if low == 0:
        as_json = rf"\[\s*({quoted}\s*(,\s*{quoted}\s*){more})?\]"
        as_text = rf"({as_text}|[\s,]*)"
    return rf"^\s*({as_json}|(?!\[){as_text})\s*$"


def form_text_schema(param: ParamSpec) -> dict[str, Any] | None:
    """The strings a form may send for ``param`` that the executor reads as its type
    (see engine/validation.py), or None when a string is taken as it is."""
    if param.type == "number":
        exact = number_text_pattern(param.minimum, param.maximum, integer=param.integer)
        digits = r"\d+(\.0*)?" if param.integer else r"(\d+(\.\d*)?|\.\d+)"
        return {"type": "string", "pattern": exact or rf"^\s*[+-]?{digits}\s*$"}
    if param.type == "boolean":
        words = "|".join(_any_case(w) for w in _WORDS_TRUE_FALSE)
        return {"type": "string", "pattern": rf"^\s*({words})\s*$"}
    if param.type == "json":
        if param.json_schema.get("type") == "object":
            return {"type": "string", "pattern": r"^\s*\{[\s\S]*\}\s*$"}
        ids = _id_list_text(param.json_schema)
        return {"type": "string", "pattern": ids} if ids else {"type": "string", "minLength": 1}
    if param.format == "uuid":
        forms = [rf"^\s*{_UUID}\s*$"]
        if param.url_segments:
            segments = "|".join(param.url_segments)
            forms.append(rf"^\s*https?://[^/\s]+/([^?#\s]*/)?({segments})/{_UUID}([/?#]\S*)?\s*$")
        return {"type": "string", "pattern": "|".join(f"({f})" for f in forms)}
    return None


def _field_schema(field: Mapping[str, Any], param_name: str, spec: ToolSpec) -> dict[str, Any]:
    param = spec.params[param_name]
    typed = param_schema(param)
    schema: dict[str, Any] = {"title": field["title"]}
    forms = [typed]
    text = form_text_schema(param)
    if text is not None:
        forms.append(text)  # the text a form sends for a value of the type
    if not param.required:
        forms.append({"enum": ["", None]})  # an empty field: not given
    if len(forms) == 1:
        schema.update(typed)
    else:
        if "description" in typed:
            schema["description"] = typed.pop("description")
        schema["anyOf"] = forms
    if param.secret:
        schema.update(format="password", writeOnly=True)
    if field.get("mode") == "advanced":
        schema["x-advanced"] = True
    return schema


def form_schema(block: Mapping[str, Any], specs: Mapping[str, ToolSpec]) -> dict[str, Any]:
    fields = {f["id"]: f for f in block["subBlocks"]}
    operation = block["subBlocks"][0]
    config = block["x-aacflow"]["toolConfig"]
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
                "default": operation["defaultValue"],
            }
        },
        "required": [operation["id"]],
        "allOf": branches,
    }
