"""Map a decoded Hex response onto a tool's declared outputs. Pure functions.

Every declared key is present in the result: a missing value is ``None``, a
missing list ``[]``, and each value has the declared type (or is ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .specs import OutputSpec

_MISSING = object()


def get_path(data: Any, path: str) -> Any:
    """``a.b.c`` in nested dicts; ``_MISSING`` when any step is absent."""
    current = data
    for key in path.split("."):
        # JSON objects are dicts: the plain check first, as the Mapping check is slow.
        if not (type(current) is dict or isinstance(current, Mapping)) or key not in current:
            return _MISSING
        current = current[key]
    return current


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def _as_type(spec: OutputSpec, value: Any) -> Any:
    if value is None or value is _MISSING:
        return [] if spec.type == "array" else None
    if spec.type == "string":
        if isinstance(value, str):
            return value
        return (
            str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        )
    if spec.type == "number":
        number = _as_number(value)
        if number is not None and spec.scale is not None:
            number = number * spec.scale
        return number
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None
    if spec.type == "object":
        if not (type(value) is dict or isinstance(value, Mapping)):
            return None
        return map_fields(spec.properties, value, {}) if spec.properties else dict(value)
    if spec.type == "array":
        if not isinstance(value, list):
            return []
        if spec.items is None:
            return list(value)
        return [_as_type(spec.items, item) for item in value]
    return value  # json: as Hex sent it


def map_field(spec: OutputSpec, body: Any, params: Mapping[str, Any]) -> Any:
    if spec.param is not None:
        raw = params.get(spec.param)
    elif spec.value is not None:
        raw = spec.value
    elif spec.count is not None:
        items = get_path(body, spec.count)
        raw = len(items) if isinstance(items, list) else 0
    else:
        raw = get_path(body, spec.path) if spec.path is not None else _MISSING
    return _as_type(spec, raw)


def map_fields(
    fields: Mapping[str, OutputSpec], body: Any, params: Mapping[str, Any]
) -> dict[str, Any]:
    return {key: map_field(spec, body, params) for key, spec in fields.items()}
