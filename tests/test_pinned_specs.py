"""A malformed tool spec fails to load, naming the file and the field; a shared ``ref``
fills in what a tool leaves out and never overrides what it says. Through the public
loader, on specs written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from aacflow_hex import load_registry
from aacflow_hex.spec.specs import SpecError

SHARED = """\
groupId:
  type: string
  format: uuid
  required: true
  in: path
  description: The UUID of the group
name:
  type: string
  in: body
  description: Shared description of a name
  advanced: true
"""

TOOL = """\
id: hex_demo
name: Demo
description: A demo tool.
params:
  groupId: {{ref: groupId}}
  name: {{ref: name, description: The tool's own words, advanced: false, required: true}}
request: {{method: PATCH, path: "{path}"}}
outputs:
{outputs}
"""
GOOD_OUTPUTS = "  id: {type: string}\n  name: {type: string, param: name}"


def _write(folder: Path, *, path: str = "/groups/{groupId}", outputs: str = GOOD_OUTPUTS) -> None:
    (folder / "_params.yaml").write_text(SHARED)
    (folder / "hex_demo.yaml").write_text(TOOL.format(path=path, outputs=outputs))


def test_the_demo_spec_loads(tmp_path: Path) -> None:
    _write(tmp_path)
    assert load_registry(tmp_path).ids() == ["hex_demo"]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/groups/{groupId}/members/{memberId}", "{memberId}"),
        ("/groups/{groupId}/{name}", "{name}"),  # a body param cannot fill the path
    ],
)
def test_a_request_path_naming_no_path_param_fails_to_load(
    path: str, names: str, tmp_path: Path
) -> None:
    _write(tmp_path, path=path)
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == (
        f"hex_demo.yaml: (top level): Value error, request.path names {names}, "
        "which is no path param"
    )


def test_a_path_param_missing_from_the_request_path_fails_to_load(tmp_path: Path) -> None:
    _write(tmp_path, path="/groups")
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == (
        "hex_demo.yaml: (top level): Value error, "
        "params.groupId is a path param missing from request.path"
    )


def test_an_output_echoing_an_unknown_param_fails_to_load(tmp_path: Path) -> None:
    _write(tmp_path, outputs="  id: {type: string, param: groupID}")
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == (
        "hex_demo.yaml: (top level): Value error, outputs name unknown param 'groupID'"
    )


@pytest.mark.parametrize(
    "field",
    [
        "{type: string, path: id, param: groupId}",
        "{type: string, path: id, value: x}",
        "{type: number, count: items, param: groupId}",
    ],
)
def test_an_output_with_two_sources_fails_to_load(field: str, tmp_path: Path) -> None:
    _write(tmp_path, outputs=f"  id: {field}")
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == (
        "hex_demo.yaml: outputs.id: Value error, give at most one of path, param, value, count"
    )


def test_a_shared_ref_never_overrides_the_tools_own_fields(tmp_path: Path) -> None:
    _write(tmp_path)
    name = load_registry(tmp_path).get("hex_demo").params["name"]
    assert name.description == "The tool's own words"
    assert (name.advanced, name.required) == (False, True)  # the tool's, over the ref's
    assert (name.type, name.location) == ("string", "body")  # the rest from the ref
