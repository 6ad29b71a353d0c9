"""A body's nesting limit at its edge, every JSON param's form field, and a spec that
says neither how to call Hex nor which handler does it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aacflow_hex import load_registry
from aacflow_hex.engine.jsonread import JsonRefused, read_json
from aacflow_hex.spec.registry import specs_dir
from aacflow_hex.spec.specs import SpecError
from aacflow_hex.surfaces.block import build_block, load_block_meta, tool_config

REGISTRY = load_registry()


def test_a_body_may_nest_64_levels_and_no_more() -> None:
    nested: list[object] = []
    for _ in range(63):
        nested = [nested]
    assert read_json(b"[" * 64 + b"]" * 64) == nested
    with pytest.raises(JsonRefused):
        read_json(b"[" * 65 + b"]" * 65)
    with pytest.raises(JsonRefused):  # objects count as brackets too
        read_json(b'{"a":' * 65 + b"1" + b"}" * 65)


def test_every_json_param_is_a_json_code_field() -> None:
    block = build_block(REGISTRY)
    fields = {f["id"]: f for f in block["subBlocks"]}
    config = tool_config(block)
    checked = 0
    for operation, tool_id in config["tool"]["map"].items():
        for name, field_id in config["params"][operation].items():
            if REGISTRY.get(tool_id).params[name].type == "json":
                field = fields[field_id]
                assert (field["type"], field.get("language")) == ("code", "json"), field_id
                checked += 1
    assert checked > 10


def test_a_new_tools_json_param_gets_a_json_code_field(tmp_path: Path) -> None:
    for path in specs_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "hex_get_widget.yaml").write_text(
        "id: hex_get_widget\nname: Get Widget\ndescription: One widget.\n"
        "annotations: {readOnly: true, idempotent: true}\n"
        "params:\n  apiKey: {ref: apiKey}\n"
        "  widgetFilter: {type: json, in: query, schema: {type: object}}\n"
        "request: {method: GET, path: '/widgets'}\n"
        "outputs: {shape: user}\n",
        encoding="utf-8",
    )
    block = build_block(load_registry(tmp_path), meta=load_block_meta(tmp_path))
    [field] = [f for f in block["subBlocks"] if f["id"] == "widgetFilter"]
    assert (field["type"], field["language"]) == ("code", "json")


def test_a_spec_with_neither_a_request_nor_a_handler_fails_to_load(tmp_path: Path) -> None:
    (tmp_path / "hex_demo.yaml").write_text(
        "id: hex_demo\nname: Demo\ndescription: A demo tool.\n"
        "params:\n  groupId: {type: string, required: true}\n"
        "outputs:\n  id: {type: string}\n"
    )
    with pytest.raises(SpecError) as refused:
        load_registry(tmp_path)
    said = str(refused.value)
    assert said.startswith("hex_demo.yaml") and said.endswith(
        ", give exactly one of request and handler"
    )
