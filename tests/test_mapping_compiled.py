"""compile_fields maps every tool's outputs exactly as map_fields does, whatever Hex sends."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aacflow_hex.spec.mapping import compile_fields, map_fields
from aacflow_hex.spec.registry import load_registry
from aacflow_hex.spec.specs import OutputSpec

REGISTRY = load_registry()

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(["true", "FALSE", "3", "2.5", "draft", ""]),
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        nested = body.setdefault(key, {})
        if not isinstance(nested, dict):
            return
        body = nested
    body[leaf] = value


@st.composite
def _shaped(draw: st.DrawFn, fields: dict[str, OutputSpec], depth: int = 0) -> dict[str, Any]:
    """A body with something (right type or not) where the outputs look, and some noise."""
    body: dict[str, Any] = draw(st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=2))
    for spec in fields.values():
        path = spec.path or spec.count
        if path is None or draw(st.integers(0, 4)) == 0:
            continue  # left out
        if spec.type == "object" and spec.properties and depth < 3 and draw(st.booleans()):
            value: Any = draw(_shaped(spec.properties, depth + 1))
        elif spec.type == "array" and spec.items is not None and depth < 3 and draw(st.booleans()):
            item = spec.items
            nested = item.properties if item.type == "object" and item.properties else None
            value = draw(st.lists(_shaped(nested, depth + 1) if nested else JSON, max_size=3))
        else:
            value = draw(JSON)
        _put(body, path, value)
    return body


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, Any, dict[str, Any]]:
    tool_id = draw(st.sampled_from(REGISTRY.ids()))
    spec = REGISTRY.get(tool_id)
    body = draw(st.one_of(_shaped(spec.outputs), JSON))
    param_names = sorted(spec.params) or ["x"]
    params = draw(st.dictionaries(st.sampled_from(param_names), JSON_SCALARS, max_size=3))
    return tool_id, body, params


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_compiled_outputs_match_map_fields(case: tuple[str, Any, dict[str, Any]]) -> None:
    tool_id, body, params = case
    outputs = REGISTRY.get(tool_id).outputs
    assert compile_fields(outputs)(body, params) == map_fields(outputs, body, params)


def test_the_registry_keeps_one_compiled_mapper_per_tool() -> None:
    tool = REGISTRY.tool("hex_list_projects")
    assert tool.map_outputs is tool.map_outputs
    body = {"values": [{"id": "p1", "title": "T", "creator": {"email": "a@b"}}]}
    mapped = tool.map_outputs(body, {})
    assert mapped == map_fields(tool.spec.outputs, body, {})
    assert mapped["projects"][0]["creator"] == {"email": "a@b"}
    assert mapped["projects"][0]["status"] is None
