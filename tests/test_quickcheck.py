"""The quick check proves plainly valid params valid, and never passes what jsonschema refuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from aacflow_hex.engine.validation import ParamError, validate_params
from aacflow_hex.spec.quickcheck import compile_quick_check
from aacflow_hex.spec.registry import load_registry

REGISTRY = load_registry()
SOME_UUID = "5a8591dd-4039-49df-9202-96385ba3eff8"


def _edges(schema: dict[str, Any]) -> list[Any]:
    """Values at the edges of what a param's schema accepts, on both sides."""
    edges: list[Any] = [SOME_UUID, SOME_UUID.upper(), SOME_UUID + "\n", SOME_UUID[:-1], ""]
    edges += [None, True, False, 0, 1, -1, 1.5, float("nan"), "x", [], {}]
    if isinstance(schema.get("enum"), list):
        edges += [*schema["enum"], "NOT_AN_OPTION", str(schema["enum"][0]).lower()]
    for keyword in ("minimum", "maximum"):
        bound = schema.get(keyword)
        if isinstance(bound, (int, float)):
            edges += [bound, int(bound), bound - 1, bound + 1, bound - 0.5, bound + 0.5, -bound]
    for keyword in ("minLength", "maxLength"):
        length = schema.get(keyword)
        if isinstance(length, int):
            edges += ["x" * max(0, length - 1), "x" * length, "x" * (length + 1)]
    return edges


def _near(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values around what a param's schema accepts: half at its edges, half of any type."""
    anything = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=40),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )
    return st.one_of(st.sampled_from(_edges(schema)), anything)


def _valid(schema: dict[str, Any]) -> Any:
    """A value the schema accepts, for the params not under test (None: no simple one)."""
    if schema.get("format") == "uuid":
        return SOME_UUID
    if isinstance(schema.get("enum"), list):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "string":
        return "x" * max(1, schema.get("minLength", 1))
    return None


def _valid_call(tool_id: str) -> dict[str, Any]:
    schema = REGISTRY.tool(tool_id).validator.schema
    required = [(name, _valid(schema["properties"][name])) for name in schema.get("required", [])]
    return {name: value for name, value in required if value is not None}


# Every param of every tool, so that each one's checks are tried on their own.
PARAMS = [
    (tool_id, name)
    for tool_id in REGISTRY.ids()
    for name in REGISTRY.tool(tool_id).validator.schema["properties"]
]


@st.composite
def _tool_and_params(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A valid call with one param set to a value near (or far from) what it accepts."""
    tool_id, name = draw(st.sampled_from(PARAMS))
    properties = REGISTRY.tool(tool_id).validator.schema["properties"]
    params = _valid_call(tool_id)
    params[name] = draw(_near(properties[name]))
    if draw(st.integers(0, 9)) == 0:
        del params[draw(st.sampled_from(sorted(params)))]  # a required one, perhaps
    if draw(st.integers(0, 9)) == 0:
        params["notAParam"] = "x"
    return tool_id, params


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tool_and_params())
def test_the_quick_check_never_passes_what_the_validator_refuses(
    case: tuple[str, dict[str, Any]],
) -> None:
    tool_id, params = case
    tool = REGISTRY.tool(tool_id)
    assert tool.quick_check is not None
    if tool.quick_check(params):
        assert list(tool.validator.iter_errors(params)) == []


def test_no_edge_value_passes_the_quick_check_that_the_validator_refuses() -> None:
    """Every param of every tool, each edge value in turn, in an otherwise valid call."""
    proved = 0
    for tool_id, name in PARAMS:
        tool = REGISTRY.tool(tool_id)
        assert tool.quick_check is not None
        for value in _edges(tool.validator.schema["properties"][name]):
            params = {**_valid_call(tool_id), name: value}
            if tool.quick_check(params):
                proved += 1
                assert list(tool.validator.iter_errors(params)) == [], (tool_id, name, value)
    assert proved > len(PARAMS)  # the check does prove many calls valid


PLAINLY_VALID: list[tuple[str, dict[str, Any]]] = [
    ("hex_get_run_status", {"apiKey": "k" * 8, "projectId": SOME_UUID, "runId": SOME_UUID}),
    ("hex_list_projects", {"apiKey": "k" * 8, "limit": 10, "includeArchived": True}),
    ("hex_list_projects", {"apiKey": "k" * 8, "fetchAll": True, "maxItems": 500}),
    (
        "hex_wait_for_run",
        {"apiKey": "k", "projectId": SOME_UUID, "runId": SOME_UUID, "pollInterval": 0.5},
    ),
]


@pytest.mark.parametrize(("tool_id", "params"), PLAINLY_VALID)
def test_plainly_valid_params_are_proved_without_the_validator(
    tool_id: str, params: dict[str, Any]
) -> None:
    tool = REGISTRY.tool(tool_id)
    assert tool.quick_check is not None and tool.quick_check(params)
    assert list(tool.validator.iter_errors(params)) == []


RUN = {"apiKey": "k" * 8, "projectId": SOME_UUID, "runId": SOME_UUID}
NOT_PROVED: list[tuple[str, dict[str, Any]]] = [
    ("hex_get_run_status", {**RUN, "runId": "../users"}),
    ("hex_get_run_status", {**RUN, "runId": 42}),
    ("hex_get_run_status", {"apiKey": "k" * 8, "projectId": SOME_UUID}),
    ("hex_get_run_status", {**RUN, "extra": 1}),
    ("hex_list_projects", {"apiKey": "k" * 8, "limit": 0}),
    ("hex_list_projects", {"apiKey": "k" * 8, "limit": 10.5}),
    ("hex_list_projects", {"apiKey": "k" * 8, "limit": True}),
    ("hex_list_projects", {"apiKey": "k" * 8, "includeArchived": "maybe"}),
    ("hex_run_project", {"apiKey": "k" * 8, "projectId": SOME_UUID, "inputParams": {"a": 1}}),
]


@pytest.mark.parametrize(("tool_id", "params"), NOT_PROVED)
def test_invalid_or_unmodelled_params_go_to_the_validator(
    tool_id: str, params: dict[str, Any]
) -> None:
    tool = REGISTRY.tool(tool_id)
    assert tool.quick_check is not None and not tool.quick_check(params)


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "string"}, "x", 1),
        ({"type": "string", "pattern": "^a+$"}, "aa", "ab"),
        ({"type": "string", "minLength": 2}, "xx", "x"),
        ({"type": "string", "maxLength": 2}, "xx", "xxx"),
        ({"type": "string", "enum": ["A", "B"]}, "B", "C"),
        ({"type": "integer"}, 2.0, 2.5),
        ({"type": "integer"}, 2, True),
        ({"type": "number", "minimum": 1}, 1, 0.99),
        ({"type": "number", "maximum": 1}, 1, 1.01),
        ({"type": "number", "exclusiveMinimum": 1}, 1.01, 1),
        ({"type": "number", "exclusiveMaximum": 1}, 0.99, 1),
        ({"type": "number"}, 0.5, "0.5"),
        ({"type": "boolean"}, False, 0),
    ],
)
def test_each_modelled_keyword_refuses_what_the_validator_refuses(
    schema: dict[str, Any], good: Any, bad: Any
) -> None:
    validator = Draft202012Validator({"type": "object", "properties": {"a": schema}})
    check = compile_quick_check(validator)
    assert check is not None
    assert list(validator.iter_errors({"a": good})) == [] and check({"a": good})
    assert list(validator.iter_errors({"a": bad})) != [] and not check({"a": bad})


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string"}}, "allOf": [{}]},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"type": "array"},
    ],
)
def test_schemas_of_another_shape_get_no_quick_check(schema: dict[str, Any]) -> None:
    assert compile_quick_check(Draft202012Validator(schema)) is None


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": ["string", "null"]}, "x"),
        ({"type": "array", "items": {"type": "string"}}, ["x"]),
        ({"type": "string", "const": "x"}, "x"),
        ({"type": "string", "not": {"enum": ["y"]}}, "x"),
        ({"enum": ["x"]}, "x"),  # untyped
        ({"type": "number", "multipleOf": 2}, 4),
        ({"type": "integer", "enum": [1, 2]}, 1),  # non-string enums compare by JSON rules
    ],
)
def test_keywords_it_does_not_model_are_left_to_the_validator(
    schema: dict[str, Any], value: Any
) -> None:
    validator = Draft202012Validator({"type": "object", "properties": {"a": schema}})
    check = compile_quick_check(validator)
    assert check is not None
    assert list(validator.iter_errors({"a": value})) == []  # valid, yet not proved
    assert not check({"a": value})
    assert check({})  # the param left out: nothing unmodelled to check


def test_format_is_checked_by_the_validator_when_it_asserts_formats() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "format": "email"}}}
    annotating = compile_quick_check(Draft202012Validator(schema))
    asserting = compile_quick_check(
        Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    )
    assert annotating is not None and annotating({"a": "not an email"})
    assert asserting is not None and not asserting({"a": "not an email"})


@pytest.mark.parametrize(("tool_id", "params"), NOT_PROVED[:8])
def test_messages_are_the_same_with_the_quick_check(tool_id: str, params: dict[str, Any]) -> None:
    tool = REGISTRY.tool(tool_id)
    with pytest.raises(ParamError) as without:
        validate_params(tool.spec, tool.validator, params)
    with pytest.raises(ParamError) as with_quick:
        validate_params(tool.spec, tool.validator, params, quick_check=tool.quick_check)
    assert with_quick.value.messages == without.value.messages


def test_annotations_never_stop_a_value_being_proved() -> None:
    annotated = {
        "type": "string",
        "description": "d",
        "default": "x",
        "title": "t",
        "examples": ["x"],
        "deprecated": False,
        "readOnly": False,
        "writeOnly": False,
        "format": "email",  # an annotation while formats are not asserted
    }
    validator = Draft202012Validator({"type": "object", "properties": {"a": annotated}})
    check = compile_quick_check(validator)
    assert check is not None and check({"a": "x"})


@pytest.mark.parametrize(
    ("value", "proved"), [(3, True), (3.5, True), (0, False), (6, False), ("3", False)]
)
def test_every_keyword_of_a_param_must_hold(value: Any, proved: bool) -> None:
    schema = {"type": "number", "minimum": 1, "maximum": 5, "exclusiveMaximum": 5.5}
    validator = Draft202012Validator(
        {
            "type": "object",
            "properties": {"a": schema, "b": {"type": "boolean"}},
            "required": ["b"],
            "additionalProperties": False,
        }
    )
    check = compile_quick_check(validator)
    assert check is not None
    assert check({"a": value, "b": True}) is proved
    assert validator.is_valid({"a": value, "b": True}) is proved
    assert not check({"a": 3})  # b is required
    assert not check({"a": 3, "b": True, "c": 1})  # no other params
    assert not check([("a", 3), ("b", True)])  # type: ignore[arg-type]


def test_an_open_schema_proves_params_it_does_not_name() -> None:
    validator = Draft202012Validator({"type": "object", "properties": {"a": {"type": "string"}}})
    check = compile_quick_check(validator)
    assert check is not None and check({"a": "x", "b": [1]}) and validator.is_valid({"b": [1]})
    said_open = {"type": "object", "properties": {}, "additionalProperties": True}
    assert compile_quick_check(Draft202012Validator(said_open)) is not None
