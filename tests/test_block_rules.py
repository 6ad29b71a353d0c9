"""How the block is generated from any set of tool specs, rule by rule.

A small made-up integration (three widget tools and a "who am I") with its own
``_block.yaml`` exercises every rule of the generator at once: which kind of field a
param gets, titles, option labels and the "Not set" option, defaults, conditions,
required rules, the advanced view, fields shared across operations or split by kind,
the host's own fields, the order of the form, the outputs' union and the canvas
sentences. The expected block below is worked out by hand from those rules.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from aacflow_hex.spec.registry import load_registry, specs_dir
from aacflow_hex.spec.specs import SpecError
from aacflow_hex.surfaces.block import (
    EXTRAS,
    build_block,
    humanize,
    load_block_meta,
    resolve_call,
    tool_config,
)

BLOCK_YAML = """\
type: widgets
name: Widgets
description: Make widgets
longDescription: Widgets, made and listed.
category: blocks
integrationType: crafts
docsLink: https://widgets.example/docs
bgColor: "#112233"
iconColor: "#445566"
icon: widgets.svg
authMode: api_key
operationPrefix: w_
operationOrder: [get_widget]
titles: {name: Widget Name}
widgets: {notes: long-input, blob: code}
optionLabels: {BIG: Large}
host:
  operations: [get_widget]
  fields:
    widgetRef: {get_widget: widgetId}
    size: {ops: [get_widget], type: dropdown, options: [BIG, SMALL], mode: advanced}
    memo: {params: {get_widget: memo}, type: long-input}
    label: [get_widget]
sentences:
  get_widget: [{text: Widget, field: widgetRef, core: true}, {text: sized, field: size}]
"""

GET_WIDGET = """\
id: w_get_widget
name: Get Widget
description: One widget.
annotations: {readOnly: true, idempotent: true}
params:
  apiKey: {ref: apiKey}
  widgetId: {type: string, format: uuid, required: true, in: path, description: The widget}
  size: {type: string, enum: [SMALL, BIG, HUGE], required: true, description: Size wanted}
  color: {type: string, enum: [RED, BLUE], required: true, default: BLUE}
  count: {type: number, integer: true, minimum: 1, maximum: 10, description: How many}
  widgetRef: {type: string, advanced: true, description: Another widget}
  memo: {type: string, description: A memo}
  label: {type: string}
request: {method: GET, path: '/widgets/{widgetId}'}
outputs:
  id: {type: string, description: Widget UUID}
  status: {type: object, description: Widget state}
"""

LIST_WIDGETS = """\
id: w_list_widgets
name: List Widgets
description: All widgets.
annotations: {readOnly: true, idempotent: true}
params:
  apiKey: {ref: apiKey}
  size: {type: string, description: Size as text}
  color: {type: boolean, description: Coloured only}
  count: {type: number, integer: true, minimum: 1, maximum: 10, advanced: true, placeholder: "5"}
  blob: {type: json, description: A filter}
request: {method: GET, path: /widgets}
outputs:
  widgets: {type: array, path: values, description: The widgets}
  id: {type: string, description: The first widget's id}
"""

MAKE_WIDGET = """\
id: w_make_widget
name: Make Widget
description: Make one widget.
annotations: {readOnly: false, idempotent: false}
params:
  apiKey: {ref: apiKey}
  size: {type: string, enum: [SMALL, BIG, HUGE], in: body, description: How big}
  name:
    {type: string, required: true, in: body, description: Name of the widget, placeholder: Sprocket}
  color: {type: string, enum: [RED, BLUE], required: true, default: BLUE, in: body}
  notes: {type: string, in: body}
  blob: {type: string, in: body}
  shiny: {type: boolean, advanced: true, default: false, in: body}
  extras: {type: json, advanced: true, in: body}
  count: {type: number, integer: true, minimum: 1, maximum: 10, advanced: true, in: body}
  internal: {type: string, visibility: hidden, default: x, in: body}
request: {method: POST, path: /widgets}
outputs:
  id: {type: string, description: Widget UUID}
  status: {type: string, description: Widget status}
  tags: {type: array, description: Tags}
"""

WHOAMI = """\
id: w_whoami
name: Who Am I
description: The caller.
annotations: {readOnly: true, idempotent: true}
params:
  apiKey: {ref: apiKey}
  verbose: {type: boolean, visibility: hidden, default: true}
request: {method: GET, path: /me}
outputs:
  id: {type: string, description: Widget UUID}
"""

TOOLS = {
    "w_get_widget": GET_WIDGET,
    "w_list_widgets": LIST_WIDGETS,
    "w_make_widget": MAKE_WIDGET,
    "w_whoami": WHOAMI,
}
API_KEY_DESCRIPTION = "Hex API token (Personal or Workspace)"


def _folder(tmp_path: Path, block_yaml: str = BLOCK_YAML, **tools: str | None) -> Path:
    """A specs folder: the shared params, ``block_yaml`` and the tools (a name given
    None is left out; a new name adds a tool)."""
    for shared in ("_params.yaml", "_shapes.yaml"):
        shutil.copy(specs_dir() / shared, tmp_path / shared)
    (tmp_path / "_block.yaml").write_text(block_yaml, encoding="utf-8")
    for tool_id, text in {**TOOLS, **tools}.items():
        if text is not None:
            (tmp_path / f"{tool_id}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _build(folder: Path, **options: Any) -> dict[str, Any]:
    return build_block(load_registry(folder), meta=load_block_meta(folder), **options)


@pytest.fixture
def block(tmp_path: Path) -> dict[str, Any]:
    return _build(_folder(tmp_path))


def _when(*operations: str) -> dict[str, Any]:
    return {"field": "operation", "value": list(operations)}


NOT_SET = {"label": "Not set", "id": ""}

# The form, in order: basic fields, then the password field, then advanced ones.
EXPECTED_FIELDS: list[dict[str, Any]] = [
    {
        "id": "operation",
        "title": "Operation",
        "type": "dropdown",
        "options": [
            {"label": "Get Widget", "id": "get_widget"},
            {"label": "List Widgets", "id": "list_widgets"},
            {"label": "Make Widget", "id": "make_widget"},
            {"label": "Who Am I", "id": "whoami"},
        ],
        "defaultValue": "get_widget",
        "required": True,
    },
    # The host's field feeding widgetId: its title is the param's.
    {
        "id": "widgetRef",
        "title": "Widget ID",
        "type": "short-input",
        "condition": _when("get_widget"),
        "required": True,
        "description": "The widget",
    },
    # The host's kind of field over a one-line param.
    {
        "id": "memo",
        "title": "Memo",
        "type": "long-input",
        "condition": _when("get_widget"),
        "description": "A memo",
    },
    {"id": "label", "title": "Label", "type": "short-input", "condition": _when("get_widget")},
    # Required with the same default everywhere: no "Not set", the default chosen.
    {
        "id": "color",
        "title": "Color",
        "type": "dropdown",
        "options": [{"label": "Red", "id": "RED"}, {"label": "Blue", "id": "BLUE"}],
        "defaultValue": "BLUE",
        "condition": _when("get_widget", "make_widget"),
        "required": True,
    },
    # Advanced in one operation only: stays in the basic view; the placeholder is the
    # first one any operation gives.
    {
        "id": "count",
        "title": "Count",
        "type": "short-input",
        "placeholder": "5",
        "condition": _when("get_widget", "list_widgets", "make_widget"),
        "description": "How many",
    },
    # "size" as text: the name is the host's field (a dropdown), so this one is split off.
    {
        "id": "size_list_widgets",
        "title": "Size",
        "type": "short-input",
        "condition": _when("list_widgets"),
        "description": "Size as text",
    },
    # "color" as a switch: fewer operations than the dropdown, so it is the one renamed.
    {
        "id": "color_list_widgets",
        "title": "Color",
        "type": "switch",
        "condition": _when("list_widgets"),
        "description": "Coloured only",
    },
    # A JSON param and a string shown as code share one field.
    {
        "id": "blob",
        "title": "Blob",
        "type": "code",
        "language": "json",
        "condition": _when("list_widgets", "make_widget"),
        "description": "A filter",
    },
    {
        "id": "name",
        "title": "Widget Name",
        "type": "short-input",
        "placeholder": "Sprocket",
        "condition": _when("make_widget"),
        "required": True,
        "description": "Name of the widget",
    },
    {"id": "notes", "title": "Notes", "type": "long-input", "condition": _when("make_widget")},
    {
        "id": "apiKey",
        "title": "API Key",
        "type": "short-input",
        "password": True,
        "condition": _when("get_widget", "list_widgets", "make_widget", "whoami"),
        "required": True,
        "description": API_KEY_DESCRIPTION,
    },
    # The host's dropdown: its options (labelled), "Not set" as make_widget may leave it
    # out, advanced as the host has it though get_widget requires it.
    {
        "id": "size",
        "title": "Size",
        "type": "dropdown",
        "options": [NOT_SET, {"label": "Large", "id": "BIG"}, {"label": "Small", "id": "SMALL"}],
        "defaultValue": "",
        "condition": _when("get_widget", "make_widget"),
        "required": _when("get_widget"),
        "mode": "advanced",
        "description": "Size wanted",
    },
    # A param of ours on a host operation, named as a host field: a field of its own.
    {
        "id": "widgetRef_get_widget",
        "title": "Widget Ref",
        "type": "short-input",
        "condition": _when("get_widget"),
        "mode": "advanced",
        "description": "Another widget",
    },
    {
        "id": "shiny",
        "title": "Shiny",
        "type": "switch",
        "defaultValue": False,
        "condition": _when("make_widget"),
        "mode": "advanced",
    },
    {
        "id": "extras",
        "title": "Extras",
        "type": "code",
        "language": "json",
        "condition": _when("make_widget"),
        "mode": "advanced",
    },
]

EXPECTED_PARAMS = {
    "get_widget": {
        "apiKey": "apiKey",
        "widgetId": "widgetRef",
        "size": "size",
        "color": "color",
        "count": "count",
        "widgetRef": "widgetRef_get_widget",
        "memo": "memo",
        "label": "label",
    },
    "list_widgets": {
        "apiKey": "apiKey",
        "size": "size_list_widgets",
        "color": "color_list_widgets",
        "count": "count",
        "blob": "blob",
    },
    "make_widget": {
        "apiKey": "apiKey",
        "size": "size",
        "name": "name",
        "color": "color",
        "notes": "notes",
        "blob": "blob",
        "shiny": "shiny",
        "extras": "extras",
        "count": "count",
    },
    "whoami": {"apiKey": "apiKey"},
}


def test_the_form_follows_the_rules_field_by_field(block: dict[str, Any]) -> None:
    fields = block["subBlocks"]
    assert [f["id"] for f in fields] == [f["id"] for f in EXPECTED_FIELDS]
    for field, expected in zip(fields, EXPECTED_FIELDS, strict=True):
        assert field == expected


def test_each_operation_reads_its_params_from_these_fields(block: dict[str, Any]) -> None:
    config = tool_config(block)
    assert config["tool"] == {
        "field": "operation",
        "map": {
            "get_widget": "w_get_widget",
            "list_widgets": "w_list_widgets",
            "make_widget": "w_make_widget",
            "whoami": "w_whoami",
        },
    }
    assert config["params"] == EXPECTED_PARAMS
    assert block["tools"] == {
        "access": ["w_get_widget", "w_list_widgets", "w_make_widget", "w_whoami"]
    }


def test_inputs_give_each_field_the_type_of_the_param_it_feeds(block: dict[str, Any]) -> None:
    inputs = {k: (v["type"], v["description"]) for k, v in block["inputs"].items()}
    assert inputs == {
        "operation": ("string", "Operation to perform"),
        "widgetRef": ("string", "The widget"),
        "size": ("string", "Size wanted"),
        "memo": ("string", "A memo"),
        "label": ("string", ""),
        "apiKey": ("string", API_KEY_DESCRIPTION),
        "color": ("string", ""),
        "count": ("number", "How many"),
        "widgetRef_get_widget": ("string", "Another widget"),
        "size_list_widgets": ("string", "Size as text"),
        "color_list_widgets": ("boolean", "Coloured only"),
        "blob": ("json", "A filter"),
        "name": ("string", "Name of the widget"),
        "notes": ("string", ""),
        "shiny": ("boolean", ""),
        "extras": ("json", ""),
    }
    assert list(block["inputs"])[:3] == ["operation", "widgetRef", "size"]


def test_outputs_are_the_union_typed_as_the_host_types_them(block: dict[str, Any]) -> None:
    assert block["outputs"] == {
        # the same type twice: the first description
        "id": {"type": "string", "description": "Widget UUID"},
        # an object for one tool, a string for another: json, both descriptions
        "status": {"type": "json", "description": "Widget state or Widget status"},
        "widgets": {"type": "json", "description": "The widgets"},
        "tags": {"type": "json", "description": "Tags"},
    }


def test_each_operation_has_its_canvas_sentence(block: dict[str, Any]) -> None:
    assert block["canvasPresentation"] == {
        "sentences": {
            "byOperation": {
                # the block file's own sentence, as written
                "get_widget": [
                    {"text": "Widget", "field": "widgetRef", "core": True},
                    {"text": "sized", "field": "size"},
                ],
                # no required field to show: the first field that is not a secret
                "list_widgets": [
                    {"text": "List widgets", "core": True, "field": "size_list_widgets"},
                ],
                # the first required field that is not a secret, though another comes first
                "make_widget": [{"text": "Make widget", "core": True, "field": "name"}],
                # nothing to show but the key: no field; "I" stays a capital
                "whoami": [{"text": "Who am I", "core": True}],
            }
        }
    }


def test_the_block_carries_the_block_files_facts(block: dict[str, Any]) -> None:
    assert {k: block[k] for k in list(block)[:9]} == {
        "type": "widgets",
        "name": "Widgets",
        "description": "Make widgets",
        "longDescription": "Widgets, made and listed.",
        "category": "blocks",
        "integrationType": "crafts",
        "docsLink": "https://widgets.example/docs",
        "bgColor": "#112233",
        "authMode": "api_key",
    }
    extras = block[EXTRAS]
    assert (extras["icon"], extras["iconColor"]) == ("widgets.svg", "#445566")
    assert extras["iconSvg"].lstrip().startswith("<svg")
    schema = extras["formSchema"]
    assert (schema["title"], schema["description"]) == ("Widgets", "Make widgets")


def test_a_block_file_with_only_what_it_needs(tmp_path: Path) -> None:
    minimal = (
        "type: widgets\nname: Widgets\ndescription: d\nlongDescription: l\n"
        'bgColor: "#000000"\niconColor: "#FFFFFF"\nicon: w.svg\nauthMode: api_key\n'
    )
    block = _build(_folder(tmp_path, minimal))
    assert block["category"] == "tools"
    assert "integrationType" not in block and "docsLink" not in block
    # Without a prefix the operation is the tool id; without an order, the registry's.
    operation = block["subBlocks"][0]
    assert [o["id"] for o in operation["options"]] == list(TOOLS)
    assert operation["defaultValue"] == "w_get_widget"
    assert tool_config(block)["params"]["w_get_widget"]["size"] == "size"


def test_a_read_only_block_leaves_out_tools_that_change_things(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    block = _build(folder, read_only=True)
    assert list(tool_config(block)["tool"]["map"]) == ["get_widget", "list_widgets", "whoami"]
    (tmp_path / "only_make").mkdir()
    only_make = _folder(
        tmp_path / "only_make", w_get_widget=None, w_list_widgets=None, w_whoami=None
    )
    with pytest.raises(ValueError, match=r"^the block needs at least one tool$"):
        _build(only_make, read_only=True)


def test_two_tools_with_one_operation_id_are_refused(tmp_path: Path) -> None:
    twin = WHOAMI.replace("id: w_whoami", "id: whoami")
    with pytest.raises(SpecError) as raised:
        _build(_folder(tmp_path, whoami=twin))
    assert str(raised.value) == "_block.yaml: two tools give the same operation id"


def test_two_fields_with_one_id_are_refused(tmp_path: Path) -> None:
    # "color" of list_widgets is split off as "color_list_widgets": a param of that
    # name would take the same id.
    clash = WHOAMI.replace("  verbose:", "  color_list_widgets: {type: string}\n  verbose:")
    with pytest.raises(SpecError) as raised:
        _build(_folder(tmp_path, w_whoami=clash))
    message = str(raised.value)
    assert message.startswith("_block.yaml: two form fields would share an id: [")
    assert message.count("'color_list_widgets'") == 2
    named_operation = WHOAMI.replace("  verbose:", "  operation: {type: string}\n  verbose:")
    with pytest.raises(SpecError, match="two form fields would share an id"):
        _build(_folder(tmp_path, w_whoami=named_operation))


def test_a_host_field_for_a_param_the_tool_lacks_is_refused(tmp_path: Path) -> None:
    wrong = BLOCK_YAML.replace("{get_widget: widgetId}", "{get_widget: widgetUuid}")
    with pytest.raises(SpecError) as raised:
        _build(_folder(tmp_path, wrong))
    assert str(raised.value) == (
        "_block.yaml: host field 'widgetRef' feeds 'widgetUuid', "
        "which the tool of operation 'get_widget' does not take"
    )
    # A host field of an operation that is not served asks nothing of the tools.
    elsewhere = BLOCK_YAML.replace("{get_widget: widgetId}", "{get_widget: widgetId, gone: x}")
    assert tool_config(_build(_folder(tmp_path, elsewhere)))["params"] == EXPECTED_PARAMS


def test_a_sentence_naming_a_field_the_operation_lacks_is_refused(tmp_path: Path) -> None:
    wrong = BLOCK_YAML.replace("{text: sized, field: size}", "{text: named, field: name}")
    with pytest.raises(SpecError) as raised:
        _build(_folder(tmp_path, wrong))
    assert str(raised.value) == "_block.yaml: sentence of get_widget names ['name']"


def test_a_broken_block_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"^_block\.yaml: "):
        load_block_meta(tmp_path)  # missing
    (tmp_path / "_block.yaml").write_text("type: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"^_block\.yaml: "):
        load_block_meta(tmp_path)
    bad_colour = BLOCK_YAML.replace('bgColor: "#112233"', 'bgColor: "red"')
    (tmp_path / "_block.yaml").write_text(bad_colour, encoding="utf-8")
    with pytest.raises(SpecError, match=r"(?s)^_block\.yaml: .*bgColor"):
        load_block_meta(tmp_path)


def test_the_loaded_block_file_cannot_be_changed_by_a_caller() -> None:
    meta = load_block_meta()
    with pytest.raises(ValueError, match="frozen"):
        meta.name = "Other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        meta.host.operations = []  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        meta.sentences["run_project"][0].text = "Go"  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        meta.host.fields["limit"].mode = None  # type: ignore[misc]


def test_resolve_reads_number_fields_as_numbers(block: dict[str, Any], tmp_path: Path) -> None:
    registry = load_registry(_folder(tmp_path))
    specs = {s.id: s for s in registry.specs()}

    def count(value: Any) -> Any:
        _, params = resolve_call(block, {"operation": "make_widget", "count": value}, specs)
        return params.get("count", "left out")

    assert count("3") == 3 and isinstance(count("3"), int)
    assert count(" 4 ") == 4
    assert count("1e1") == 10 and isinstance(count("1e1"), int)
    assert count("2.0") == 2.0 and isinstance(count("2.0"), float)
    assert count("2.5") == 2.5
    for kept in ("five", "inf", "-inf", "nan", "1_0x"):
        assert count(kept) == kept
    assert count(7) == 7 and count(0) == 0
    assert count("") == "left out" and count(None) == "left out"
    # Only number params: a text field that looks like a number stays text.
    _, params = resolve_call(block, {"operation": "make_widget", "name": "42"}, specs)
    assert params == {"name": "42"}
    # Without the specs, the form's text is passed on as it is.
    assert resolve_call(block, {"operation": "make_widget", "count": "3"}) == (
        "w_make_widget",
        {"count": "3"},
    )


def test_resolve_defaults_to_the_first_operation_and_keeps_false(block: dict[str, Any]) -> None:
    values = {"widgetRef": "w-1", "size": "BIG", "shiny": False, "count": 0, "name": "n"}
    assert resolve_call(block, values) == (
        "w_get_widget",
        {"widgetId": "w-1", "size": "BIG", "count": 0},
    )
    values["operation"] = "make_widget"
    assert resolve_call(block, values) == (
        "w_make_widget",
        {"name": "n", "size": "BIG", "shiny": False, "count": 0},
    )
    with pytest.raises(ValueError) as raised:
        resolve_call(block, {"operation": "sell_widget"})
    assert str(raised.value) == (
        "operation: 'sell_widget' is not an operation of this block "
        "(get_widget, list_widgets, make_widget, whoami)"
    )


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("projectId", "Project ID"),
        ("CREATED_AT", "Created At"),
        ("runUrl", "Run URL"),
        ("isDataframeSql", "Is Dataframe SQL"),
        ("apiKey", "API Key"),
        ("connectViaSsh", "Connect Via SSH"),
        ("userUuid", "User UUID"),
        ("limit", "Limit"),
        ("snake_case_name", "Snake Case Name"),
        ("__", "__"),
    ],
)
def test_a_param_name_becomes_a_readable_title(name: str, title: str) -> None:
    assert humanize(name) == title


def test_a_caller_may_give_the_block_facts_in_python_names(tmp_path: Path) -> None:
    from aacflow_hex.surfaces.block import BlockMeta

    meta = BlockMeta(
        type="widgets",
        name="Widgets",
        description="d",
        long_description="Long words.",
        bg_color="#000000",
        icon_color="#FFFFFF",
        icon="w.svg",
        auth_mode="api_key",
        operation_prefix="w_",
        docs_link="https://widgets.example/docs",
    )
    block = build_block(load_registry(_folder(tmp_path)), meta=meta)
    assert (block["longDescription"], block["bgColor"]) == ("Long words.", "#000000")
    assert block["docsLink"] == "https://widgets.example/docs"
    assert block["subBlocks"][0]["defaultValue"] == "get_widget"


def test_the_form_schema_names_the_block_and_its_operations(block: dict[str, Any]) -> None:
    schema = block[EXTRAS]["formSchema"]
    assert {k: v for k, v in schema.items() if k != "allOf"} == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Widgets",
        "description": "Make widgets",
        "type": "object",
        "properties": {
            "operation": {
                "title": "Operation",
                "type": "string",
                "oneOf": [
                    {"const": "get_widget", "title": "Get Widget"},
                    {"const": "list_widgets", "title": "List Widgets"},
                    {"const": "make_widget", "title": "Make Widget"},
                    {"const": "whoami", "title": "Who Am I"},
                ],
                "default": "get_widget",
            }
        },
        "required": ["operation"],
    }
    branches = schema["allOf"]
    assert [b["if"] for b in branches] == [
        {"properties": {"operation": {"const": op}}, "required": ["operation"]}
        for op in EXPECTED_PARAMS
    ]
    for branch, (operation, params) in zip(branches, EXPECTED_PARAMS.items(), strict=True):
        then = branch["then"]
        assert list(then["properties"]) == list(params.values()), operation
        fields = {f["id"]: f for f in block["subBlocks"]}
        for field_id, field_schema in then["properties"].items():
            field = fields[field_id]
            assert field_schema["title"] == field["title"], field_id
            assert field_schema.get("x-advanced", False) == (field.get("mode") == "advanced")
            secret = field_schema.get("format") == "password"
            assert secret == (field_id == "apiKey") == field_schema.get("writeOnly", False)
    required = {op: b["then"]["required"] for op, b in zip(EXPECTED_PARAMS, branches, strict=True)}
    assert required == {
        "get_widget": ["apiKey", "widgetRef", "size", "color"],
        "list_widgets": ["apiKey"],
        "make_widget": ["apiKey", "name", "color"],
        "whoami": ["apiKey"],
    }


UUID = "5a8591dd-4039-49df-9202-96385ba3eff8"


def _form_says(block: dict[str, Any], **values: Any) -> bool:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(block[EXTRAS]["formSchema"])
    return bool(validator.is_valid({"operation": "make_widget", "apiKey": "k", **values}))


def test_the_form_schema_takes_a_value_or_its_text(block: dict[str, Any]) -> None:
    need = {"name": "n", "color": "RED"}
    assert _form_says(block, **need)
    assert not _form_says(block, name="n") and not _form_says(block, name=None, color="RED")
    assert not _form_says(block, name="n", color="GREEN")
    # an optional field left empty is not given
    for empty in ("", None):
        assert _form_says(block, **need, count=empty, shiny=empty, extras=empty, size=empty)
    for count, taken in [(3, True), ("3", True), (" 10 ", True), ("11", False), ("0", False)]:
        assert _form_says(block, **need, count=count) is taken, count
    for shiny, taken in [(True, True), ("Yes", True), (" OFF ", True), ("maybe", False)]:
        assert _form_says(block, **need, shiny=shiny) is taken, shiny
    # an id: the text of one, never another kind of value
    widget = {"operation": "get_widget", "size": "BIG", "color": "RED"}
    assert _form_says(block, **widget, widgetRef=f" {UUID} ")
    for not_an_id in (5, True, [UUID], {"id": UUID}, "w-1"):
        assert not _form_says(block, **widget, widgetRef=not_an_id), not_an_id
    # any JSON, or its text: even one character of it
    for extras in ("7", '{"a": 1}', [1], {"a": 1}):
        assert _form_says(block, **need, extras=extras), extras


def test_a_json_object_field_takes_an_object_or_its_text_and_keeps_its_description() -> None:
    from jsonschema import Draft202012Validator

    registry = load_registry()
    schema = build_block(registry)[EXTRAS]["formSchema"]
    validator = Draft202012Validator(schema)
    run = {"operation": "run_project", "apiKey": "k", "projectId": UUID}
    for value in ({}, {"a": 1}, ' {"a": 1} ', "{}", "", None):
        assert validator.is_valid(run | {"inputParams": value}), value
    for value in (42, True, [1], "[1]", '"text"', "x"):
        assert not validator.is_valid(run | {"inputParams": value}), value
    branch = next(
        b["then"]
        for b in schema["allOf"]
        if b["if"]["properties"]["operation"]["const"] == "run_project"
    )
    field = branch["properties"]["inputParams"]
    assert field["description"] == registry.get("hex_run_project").params["inputParams"].description
    assert all("description" not in form for form in field["anyOf"])


def test_a_json_list_field_takes_a_list_or_its_text_and_no_other_value() -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(build_block(load_registry())[EXTRAS]["formSchema"])
    projects = {"operation": "list_projects", "apiKey": "k"}
    group = {"operation": "create_group", "apiKey": "k", "groupName": "Analysts"}
    for form, field, good in [
        (projects, "categories", ["Finance"]),
        (projects, "categories", '["Finance"]'),
        (group, "groupMemberUserIds", [UUID]),
        (group, "groupMemberUserIds", f"{UUID}, {UUID}"),
    ]:
        assert validator.is_valid(form | {field: good}), (field, good)
        for bad in (5, True, {"a": UUID}):
            assert not validator.is_valid(form | {field: bad}), (field, bad)
