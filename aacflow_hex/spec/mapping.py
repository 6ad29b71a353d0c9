"""Map a decoded Hex response onto a tool's declared outputs. Pure functions.

Every declared key is present in the result: a missing value is ``None``, a
missing list ``[]``, and each value has the declared type (or is ``None``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .specs import OutputSpec


def get_path(data: Any, path: str) -> Any:
    """``a.b.c`` in nested dicts; None when any step is absent (as for a JSON null: an
    output tells neither apart)."""
    current = data
    for key in path.split("."):
        # JSON objects are dicts: the plain check first, as the Mapping check is slow.
        if not (type(current) is dict or isinstance(current, Mapping)) or key not in current:
            return None
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
        if not math.isfinite(number):  # "nan", "1e400": no JSON number
            return None
        return int(number) if number.is_integer() else number
    return None


def _as_type(spec: OutputSpec, value: Any) -> Any:
    if value is None:
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
        raw = get_path(body, spec.path) if spec.path is not None else None
    return _as_type(spec, raw)


def map_fields(
    fields: Mapping[str, OutputSpec], body: Any, params: Mapping[str, Any]
) -> dict[str, Any]:
    return {key: map_field(spec, body, params) for key, spec in fields.items()}


# -- compiled once per tool --------------------------------------------------------------
#
# map_fields decides, for every field of every item, where its value comes from and which
# type it has. A list of 300 projects asks that 4,000 times per call; compile_fields asks
# once per tool and keeps the answers in closures. Same results as map_fields.

FieldMapper = Callable[[Any, Mapping[str, Any]], Any]
OutputsMapper = Callable[[Any, Mapping[str, Any]], dict[str, Any]]


def _converter(spec: OutputSpec) -> Callable[[Any], Any]:
    """``_as_type(spec, value)``, with the common case (the declared type) first."""
    if spec.type == "string":
        return lambda value: value if type(value) is str else _as_type(spec, value)
    if spec.type == "object" and spec.properties:
        inner = compile_fields(spec.properties)
        empty: Mapping[str, Any] = {}
        return lambda value: inner(value, empty) if type(value) is dict else _as_type(spec, value)
    if spec.type == "array" and spec.items is not None:
        item = _converter(spec.items)
        return lambda value: (
            [item(v) for v in value] if type(value) is list else _as_type(spec, value)
        )
    return lambda value: _as_type(spec, value)


def compile_field(spec: OutputSpec) -> FieldMapper:
    """``map_field(spec, body, params)`` as a function of ``(body, params)``."""
    convert = _converter(spec)
    if spec.param is not None:
        name = spec.param
        return lambda body, params: convert(params.get(name))
    if spec.value is not None:
        constant = spec.value
        return lambda body, params: convert(constant)
    if spec.count is not None:
        count_path = spec.count

        def count(body: Any, params: Mapping[str, Any]) -> Any:
            items = get_path(body, count_path)
            return convert(len(items) if isinstance(items, list) else 0)

        return count
    path = spec.path
    if path is None:
        return lambda body, params: convert(None)
    if "." not in path:
        return lambda body, params: convert(
            body.get(path) if type(body) is dict else get_path(body, path)
        )
    return lambda body, params: convert(get_path(body, path))


# The Python types a top-level value of each output type passes through unchanged
# (None, or absent, stays None for all three). A shortcut only: without it, the
# conversion gives the same values, so a change of these keys is never seen.
_AS_IS: dict[str, tuple[type, ...]] = {
    "string": (str, type(None)),  # pragma: no mutate: a shortcut, same values without it
    "boolean": (bool, type(None)),  # pragma: no mutate: a shortcut, same values without it
    "number": (int, float, type(None)),  # pragma: no mutate: a shortcut, same values without it
}


def _read_from_top_level(spec: OutputSpec) -> bool:
    """True when the value is the body's ``spec.path`` key, unscaled (a field with a
    ``path`` has no other source: OutputSpec allows one)."""
    return spec.path is not None and "." not in spec.path and spec.scale is None


def _as_is_types(spec: OutputSpec) -> tuple[type, ...]:
    """Types a value read from ``spec.path`` keeps as it is; () when it always converts."""
    return _AS_IS.get(spec.type, ()) if _read_from_top_level(spec) else ()


def _nested_mapper(spec: OutputSpec) -> OutputsMapper | None:
    """For an object with properties at a top-level path: the mapper of its properties."""
    if spec.type != "object" or not spec.properties or not _read_from_top_level(spec):
        return None
    return compile_fields(spec.properties)  # pragma: no mutate: a shortcut; `field` maps alike


def compile_fields(fields: Mapping[str, OutputSpec]) -> OutputsMapper:
    """``map_fields(fields, body, params)`` as a function of ``(body, params)``.

    Most fields of a list item are top-level strings, numbers and flags Hex already
    sends in the declared type, or small objects of them (``creator: {email}``): those
    are read in the loop, with no call per field.
    """
    compiled = [
        (key, spec.path, _as_is_types(spec), _nested_mapper(spec), compile_field(spec))
        for key, spec in fields.items()
    ]
    no_params: Mapping[str, Any] = {}

    def map_compiled(body: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        if type(body) is not dict:
            return {key: field(body, params) for key, _, _, _, field in compiled}
        mapped = {}
        for key, path, as_is, nested, field in compiled:
            if as_is or nested:  # pragma: no mutate: shortcuts; `field` gives the same
                value = body.get(path)
                if type(value) in as_is:
                    mapped[key] = value
                    continue
                if nested is not None and type(value) is dict:
                    mapped[key] = nested(value, no_params)
                    continue
            mapped[key] = field(body, params)
        return mapped

    return map_compiled
