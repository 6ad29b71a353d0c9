"""What a tool returns for each declared output type, whatever Hex sends in its place:
the declared type or None, a list for an array (never None), numbers scaled once. Both
mappers (the plain one and the compiled one every call uses) give exactly this."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import pytest

from aacflow_hex.spec.mapping import compile_fields, map_fields
from aacflow_hex.spec.specs import OutputSpec

Mapper = Callable[[Mapping[str, OutputSpec], Any, Mapping[str, Any]], dict[str, Any]]


def _compiled(fields: Mapping[str, OutputSpec], body: Any, params: Mapping[str, Any]) -> Any:
    return compile_fields(fields)(body, params)


MAPPERS = pytest.mark.parametrize("mapper", [map_fields, _compiled], ids=["plain", "compiled"])


def _one(mapper: Mapper, field: dict[str, Any], value: Any) -> Any:
    """The output ``v`` read from a body whose key ``v`` holds ``value``."""
    spec = OutputSpec.model_validate({"path": "v", **field})
    return mapper({"v": spec}, {"v": value}, {})["v"]


CASES: list[tuple[dict[str, Any], Any, Any]] = [
    # strings: text as is, numbers as text, nothing else
    ({"type": "string"}, "draft", "draft"),
    ({"type": "string"}, 5, "5"),
    ({"type": "string"}, 2.5, "2.5"),
    ({"type": "string"}, True, None),
    ({"type": "string"}, {"a": 1}, None),
    ({"type": "string"}, None, None),
    # numbers: numbers, and text that is a finite number; never a flag
    ({"type": "number"}, 3, 3),
    ({"type": "number"}, 2.5, 2.5),
    ({"type": "number"}, "3", 3),
    ({"type": "number"}, "3.0", 3),
    ({"type": "number"}, "2.5", 2.5),
    ({"type": "number"}, "nan", None),
    ({"type": "number"}, "1e400", None),
    ({"type": "number"}, "soon", None),
    ({"type": "number"}, True, None),
    ({"type": "number"}, [1], None),
    ({"type": "number", "scale": 0.001}, 1500, 1.5),
    ({"type": "number", "scale": 0.001}, "2500", 2.5),
    ({"type": "number", "scale": 0.001}, None, None),
    ({"type": "number", "scale": 0.001}, "x", None),
    # flags: true and false, also as text in any case
    ({"type": "boolean"}, True, True),
    ({"type": "boolean"}, False, False),
    ({"type": "boolean"}, "TRUE", True),
    ({"type": "boolean"}, "false", False),
    ({"type": "boolean"}, "yes", None),
    ({"type": "boolean"}, 1, None),
    # objects: a mapping, its declared properties when it has some
    ({"type": "object"}, {"a": 1}, {"a": 1}),
    ({"type": "object"}, [1], None),
    ({"type": "object"}, "x", None),
    (
        {"type": "object", "properties": {"n": {"type": "number", "path": "n"}}},
        {"n": "4", "other": 1},
        {"n": 4},
    ),
    ({"type": "object", "properties": {"n": {"type": "number", "path": "n"}}}, "x", None),
    # arrays: a list, [] in place of anything else
    ({"type": "array"}, [1, "a"], [1, "a"]),
    ({"type": "array"}, "x", []),
    ({"type": "array"}, {"a": 1}, []),
    ({"type": "array"}, None, []),
    ({"type": "array", "items": {"type": "number"}}, [1, "2", None, True], [1, 2, None, None]),
    ({"type": "array", "items": {"type": "number"}}, 7, []),
    (
        {"type": "array", "items": {"type": "object", "properties": {"s": {"type": "string"}}}},
        [{"s": 1}, "x"],
        [{"s": "1"}, None],
    ),
    # json: as Hex sent it
    ({"type": "json"}, {"a": [1]}, {"a": [1]}),
    ({"type": "json"}, "x", "x"),
]


@MAPPERS
@pytest.mark.parametrize(("field", "sent", "returned"), CASES)
def test_each_output_type_returns_its_type_or_nothing(
    mapper: Mapper, field: dict[str, Any], sent: Any, returned: Any
) -> None:
    if "properties" in field:
        field = {
            **field,
            "properties": {k: {"path": k, **v} for k, v in field["properties"].items()},
        }
    if "items" in field and "properties" in field["items"]:
        items = field["items"]
        field = {
            **field,
            "items": {
                **items,
                "properties": {k: {"path": k, **v} for k, v in items["properties"].items()},
            },
        }
    got = _one(mapper, field, sent)
    assert got == returned and type(got) is type(returned)


@MAPPERS
@pytest.mark.parametrize("kind", ["string", "number", "boolean", "object", "json"])
def test_a_missing_value_is_none_and_a_missing_list_is_empty(mapper: Mapper, kind: str) -> None:
    fields = {
        "top": OutputSpec(type=kind, path="absent"),
        "deep": OutputSpec(type=kind, path="a.b.c"),
        "list": OutputSpec(type="array", path="a.absent"),
    }
    assert mapper(fields, {"a": {"b": "abc"}}, {}) == {  # "c" is in "abc", yet no key of it
        "top": None,
        "deep": None,
        "list": [],
    }
    assert mapper(fields, ["not", "a", "mapping"], {}) == {"top": None, "deep": None, "list": []}


@MAPPERS
def test_values_come_from_nested_paths_params_constants_and_counts(mapper: Mapper) -> None:
    fields = {
        "email": OutputSpec(type="string", path="creator.user.email"),
        "projectId": OutputSpec(type="string", param="projectId"),
        "kind": OutputSpec(type="string", value="project"),
        "count": OutputSpec(type="number", count="data.values"),
        "none": OutputSpec(type="number", count="data.total"),
        "sourceless": OutputSpec(type="string"),
        "flag": OutputSpec(type="boolean", value=False),
    }
    body = {"creator": {"user": {"email": "a@x"}}, "data": {"values": [1, 2, 3], "total": 3}}
    assert mapper(fields, body, {"projectId": "p1"}) == {
        "email": "a@x",
        "projectId": "p1",
        "kind": "project",
        "count": 3,
        "none": 0,
        "sourceless": None,
        "flag": False,
    }
    assert mapper(fields, {}, {})["count"] == 0


@MAPPERS
def test_a_top_level_object_s_properties_are_mapped_and_others_kept_whole(
    mapper: Mapper,
) -> None:
    fields = {
        "creator": OutputSpec(
            type="object",
            path="creator",
            properties={"email": OutputSpec(type="string", path="email")},
        ),
        "owner": OutputSpec(type="object", path="owner"),
        "title": OutputSpec(type="string", path="title"),
        "size": OutputSpec(type="number", path="size"),
        "on": OutputSpec(type="boolean", path="on"),
    }
    body = {
        "creator": {"email": 5, "name": "n"},
        "owner": {"id": "o"},
        "title": 7,
        "size": "12",
        "on": "true",
    }
    assert mapper(fields, body, {}) == {
        "creator": {"email": "5"},
        "owner": {"id": "o"},
        "title": "7",
        "size": 12,
        "on": True,
    }
    assert mapper(fields, {"creator": None, "title": None}, {}) == {
        "creator": None,
        "owner": None,
        "title": None,
        "size": None,
        "on": None,
    }


@MAPPERS
def test_a_dotted_path_walks_the_nesting_and_never_reads_a_key_with_a_dot(
    mapper: Mapper,
) -> None:
    fields = {
        "owner": OutputSpec(
            type="object", path="a.b", properties={"n": OutputSpec(type="number", path="n")}
        ),
        "name": OutputSpec(type="string", path="a.name"),
    }
    body = {"a.b": {"n": 1}, "a.name": "flat", "a": {"b": {"n": 2}, "name": "nested"}}
    assert mapper(fields, body, {}) == {"owner": {"n": 2}, "name": "nested"}


@MAPPERS
def test_any_mapping_is_read_like_a_dict(mapper: Mapper) -> None:
    fields = {
        "email": OutputSpec(type="string", path="creator.email"),
        "creator": OutputSpec(type="object", path="creator"),
    }
    body = MappingProxyType({"creator": MappingProxyType({"email": "a@x"})})
    assert mapper(fields, body, {}) == {"email": "a@x", "creator": {"email": "a@x"}}
