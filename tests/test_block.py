"""The canvas block as a host engine renders it: every operation, every field it needs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from samples import PROJECT_ID

from aacflow_hex import HexExecutor, icon_svg, load_registry
from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.spec.registry import specs_dir
from aacflow_hex.spec.specs import ParamSpec
from aacflow_hex.surfaces.block import (
    EXTRAS,
    build_block,
    humanize,
    load_block_meta,
    resolve_call,
    tool_config,
)
from aacflow_hex.surfaces.cli import main
from aacflow_hex.surfaces.integration import integration

REGISTRY = load_registry()
BLOCK = build_block(REGISTRY)
FIELDS = {f["id"]: f for f in BLOCK["subBlocks"]}
CONFIG = tool_config(BLOCK)
OPERATIONS: dict[str, str] = CONFIG["tool"]["map"]  # operation -> tool id
HOST_FIELDS = load_block_meta().host.fields  # AACFlow's own fields, where ours follow them


def _shown(field: dict[str, Any], operation: str) -> bool:
    condition = field.get("condition")
    if condition is None:
        return True
    values = condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
    return condition["field"] == "operation" and operation in values


def _required(field: dict[str, Any], operation: str) -> bool:
    required = field.get("required", False)
    if isinstance(required, dict):
        return operation in required["value"]
    return bool(required)


def _feeding(operation: str, param: str) -> dict[str, Any]:
    return FIELDS[CONFIG["params"][operation][param]]


def test_every_tool_is_reachable_from_the_operation_dropdown() -> None:
    dropdown = BLOCK["subBlocks"][0]
    assert dropdown["id"] == "operation" and dropdown["type"] == "dropdown"
    chosen = [OPERATIONS[o["id"]] for o in dropdown["options"]]
    assert sorted(chosen) == REGISTRY.ids()
    assert sorted(BLOCK["tools"]["access"]) == REGISTRY.ids()
    assert dropdown["defaultValue"] == "run_project"
    labels = {o["id"]: o["label"] for o in dropdown["options"]}
    assert labels["get_run_status"] == "Get Run Status"


def test_every_required_param_is_fed_by_a_shown_required_basic_field() -> None:
    for operation, tool_id in OPERATIONS.items():
        spec = REGISTRY.get(tool_id)
        for name, param in spec.params.items():
            if not param.required or (param.visibility == "hidden" and param.default is not None):
                continue
            field = _feeding(operation, name)
            assert _shown(field, operation), (operation, name)
            assert _required(field, operation), (operation, name)
            assert field.get("mode") != "advanced", (operation, name)


def test_every_param_a_person_sets_has_a_field_shown_for_its_operation() -> None:
    for operation, tool_id in OPERATIONS.items():
        spec = REGISTRY.get(tool_id)
        visible = [n for n, p in spec.params.items() if p.visibility != "hidden"]
        assert list(CONFIG["params"][operation]) == visible, operation
        for name in visible:
            field = _feeding(operation, name)
            assert _shown(field, operation), (operation, name)
            assert _required(field, operation) == spec.params[name].required, (operation, name)
        for field in FIELDS.values():
            fed = field["id"] in CONFIG["params"][operation].values()
            assert _shown(field, operation) == (fed or field["id"] == "operation"), (
                operation,
                field["id"],
            )


def _expected_widget(param: ParamSpec) -> str:
    if param.enum is not None:
        return "dropdown"
    return {"boolean": "switch", "json": "code"}.get(param.type, "")


def test_field_kinds_follow_the_param_types() -> None:
    for operation, tool_id in OPERATIONS.items():
        for name, param in REGISTRY.get(tool_id).params.items():
            if param.visibility == "hidden":
                continue
            field = _feeding(operation, name)
            host = HOST_FIELDS.get(field["id"])
            if param.secret or (host is not None and host.type is not None):
                continue  # the host's own field kind (a dropdown over free text)
            expected = _expected_widget(param)
            if expected:
                assert field["type"] == expected, (operation, name)
            else:
                assert field["type"] in ("short-input", "long-input"), (operation, name)
            if param.enum is not None:
                ids = [o["id"] for o in field["options"]]
                assert [i for i in ids if i != ""] == param.enum
                optional_somewhere = field.get("required") is not True
                assert ("" in ids) == optional_somewhere, (operation, name)
    assert FIELDS["description"]["type"] == "long-input"
    assert FIELDS["inputParams"]["language"] == "json"


def test_no_secret_field_is_anything_but_a_password_field() -> None:
    secret_fields = set()
    for operation, tool_id in OPERATIONS.items():
        for name, param in REGISTRY.get(tool_id).params.items():
            if param.secret:
                secret_fields.add(CONFIG["params"][operation][name])
    assert "apiKey" in secret_fields
    for field_id in secret_fields:
        field = FIELDS[field_id]
        assert field["type"] == "short-input" and field["password"] is True, field_id
        assert "defaultValue" not in field and "options" not in field, field_id
    password_fields = {f["id"] for f in FIELDS.values() if f.get("password")}
    assert password_fields == secret_fields


def test_a_param_shared_by_operations_is_one_field() -> None:
    users = [o for o, t in OPERATIONS.items() if "projectId" in REGISTRY.get(t).params]
    assert len(users) >= 7
    assert {CONFIG["params"][o]["projectId"] for o in users} == {"projectId"}
    assert FIELDS["projectId"]["condition"]["value"] == users
    for operation in ("run_project", "get_run_status", "cancel_run"):
        assert _required(FIELDS["projectId"], operation)
    assert FIELDS["projectId"]["title"] == "Project ID"
    assert "placeholder" in FIELDS["projectId"]


def test_same_name_different_meaning_gives_separate_fields() -> None:
    """statusFilter is publication for projects and a run status for runs."""
    runs = _feeding("get_project_runs", "statusFilter")
    projects = _feeding("list_projects", "statusFilter")
    assert (runs["id"], projects["id"]) == ("runStatusFilter", "statusFilter")
    assert runs["type"] == projects["type"] == "dropdown"
    assert runs["title"] == projects["title"] == "Status Filter"
    # sortBy means other fields for users than for projects
    assert _feeding("list_users", "sortBy")["id"] != _feeding("list_projects", "sortBy")["id"]


def test_advanced_params_stay_out_of_the_basic_view() -> None:
    for operation, tool_id in OPERATIONS.items():
        for name, param in REGISTRY.get(tool_id).params.items():
            if param.visibility == "hidden":
                continue
            field = _feeding(operation, name)
            host_mode = field["id"] in HOST_FIELDS and HOST_FIELDS[field["id"]].mode
            if field.get("mode") == "advanced" and not host_mode:
                assert param.advanced and not param.required, (operation, name)
    assert FIELDS["viewId"]["mode"] == "advanced"
    assert "mode" not in FIELDS["projectId"]


def test_defaults_and_titles() -> None:
    assert humanize("useCachedSqlResults") == "Use Cached SQL Results"
    assert humanize("CREATED_AT") == "Created At"
    assert FIELDS["apiKey"]["title"] == "API Key"
    assert BLOCK["type"] == "hex" and BLOCK["authMode"] == "api_key"
    assert BLOCK["bgColor"].startswith("#") and BLOCK[EXTRAS]["iconSvg"] == icon_svg()
    assert BLOCK["inputs"]["projectId"]["type"] == "string"
    assert BLOCK["outputs"]["runId"]["type"] == "string"
    # status is a run-status string for some tools and a project status object for others
    assert BLOCK["outputs"]["status"]["type"] == "json"


def _sample(schema: dict[str, Any]) -> Any:
    """A value the schema accepts (enough for the params the specs declare)."""
    if "anyOf" in schema:
        return _sample(schema["anyOf"][0])
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "uuid":
        return PROJECT_ID
    kind = schema.get("type")
    if kind in ("number", "integer"):
        return schema.get("minimum", 1)
    if kind == "array":
        return [_sample(schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: _sample(properties.get(k, {})) for k in schema.get("required", [])}
    return True if kind == "boolean" else "text"


def test_form_schema_has_one_branch_per_operation_with_its_required_fields() -> None:
    schema = BLOCK[EXTRAS]["formSchema"]
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    branches = {b["if"]["properties"]["operation"]["const"]: b["then"] for b in schema["allOf"]}
    assert set(branches) == set(OPERATIONS)
    for operation, then in branches.items():
        required = then.get("required", [])
        filled = {"operation": operation}
        filled.update({f: _sample(then["properties"][f]) for f in required})
        assert list(validator.iter_errors(filled)) == [], operation
        for field_id in required:
            errors = [e.message for e in validator.iter_errors(filled | {field_id: None})]
            errors += [
                e.message
                for e in validator.iter_errors({k: v for k, v in filled.items() if k != field_id})
            ]
            assert errors, (operation, field_id)
    api_key = branches["get_project"]["properties"]["apiKey"]
    assert api_key["format"] == "password" and api_key["writeOnly"] is True
    assert not validator.is_valid({"operation": "no_such_operation"})


def test_resolve_call_reads_only_the_fields_of_the_chosen_operation() -> None:
    values = {
        "operation": "list_users",
        "limit": "5",
        CONFIG["params"]["list_users"]["sortBy"]: "NAME",
        "projectId": PROJECT_ID,  # left over from another operation
        "groupId": "",  # an empty field means not given
    }
    assert resolve_call(BLOCK, values) == ("hex_list_users", {"limit": "5", "sortBy": "NAME"})
    with pytest.raises(ValueError, match="operation: 'nope' is not an operation"):
        resolve_call(BLOCK, {"operation": "nope"})


def test_read_only_block_offers_only_tools_that_change_nothing() -> None:
    block = build_block(REGISTRY, read_only=True)
    tools = set(tool_config(block)["tool"]["map"].values())
    assert tools == {s.id for s in REGISTRY.specs() if s.annotations.read_only}
    assert "hex_run_project" not in tools


def test_a_new_tool_spec_appears_in_the_block_by_itself(tmp_path: Path) -> None:
    for path in specs_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "hex_get_widget.yaml").write_text(
        "id: hex_get_widget\nname: Get Widget\ndescription: One widget.\n"
        "annotations: {readOnly: true, idempotent: true}\n"
        "params:\n  apiKey: {ref: apiKey}\n"
        "  widgetId: {type: string, format: uuid, required: true, in: path}\n"
        "  verbose: {type: boolean, advanced: true}\n"
        "request: {method: GET, path: '/widgets/{widgetId}'}\n"
        "outputs: {shape: user}\n",
        encoding="utf-8",
    )
    block = build_block(load_registry(tmp_path), meta=load_block_meta(tmp_path))
    fields = {f["id"]: f for f in block["subBlocks"]}
    assert tool_config(block)["tool"]["map"]["get_widget"] == "hex_get_widget"
    assert fields["widgetId"]["required"] is True
    assert fields["widgetId"]["condition"]["value"] == ["get_widget"]
    assert fields["verbose"]["type"] == "switch" and fields["verbose"]["mode"] == "advanced"
    assert "get_widget" in fields["apiKey"]["condition"]["value"]


def test_every_operation_in_the_block_file_exists() -> None:
    meta = load_block_meta()
    operations = {meta.operation_id(t) for t in REGISTRY.ids()}
    assert set(meta.operation_order) <= operations


def test_cli_export_block_prints_the_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "block"]) == 0
    assert json.loads(capsys.readouterr().out) == BLOCK


async def test_a_filled_in_form_runs_through_the_executor() -> None:
    """What the host does: form values -> resolve -> executor, against the emulator."""
    async with run_emulator(EmulatorConfig(port=0)) as emu:
        values = {"operation": "list_projects", "limit": "3", "apiKey": emu.token}
        tool_id, params = integration.resolve(values)
        async with integration.create_executor(base_url=emu.base_url) as executor:
            assert isinstance(executor, HexExecutor)
            listed = await executor.execute(tool_id, params)
            assert listed.success, listed.error
            assert len(listed.output["projects"]) == 3
            project_id = listed.output["projects"][0]["id"]
            values = {"operation": "get_project", "projectId": project_id, "apiKey": emu.token}
            got = await executor.execute(*integration.resolve(values))
            assert got.success and got.output["id"] == project_id


def test_the_entry_point_gives_a_host_the_registry_block_icon_and_executor() -> None:
    from importlib.metadata import entry_points

    loaded = entry_points(group="aacflow.integrations")["hex"].load()
    assert loaded is integration
    assert (loaded.id, loaded.name) == ("hex", "Hex")
    assert loaded.icon_svg() == icon_svg()
    assert repr(loaded) == f"HexIntegration(tools={len(REGISTRY.ids())})"
    assert loaded.registry.ids() == REGISTRY.ids()
    assert loaded.block() == BLOCK
    assert loaded.icon_path().name == "hex.svg" and loaded.icon_path().is_file()
    executor = loaded.create_executor(
        api_key="hxtp_secret_value_123", base_url="https://hex.example/api/v1"
    )
    assert "hxtp_secret_value_123" not in repr(executor)


def test_the_icon_is_a_small_svg_wordmark() -> None:
    from xml.etree import ElementTree

    text = icon_svg()
    root = ElementTree.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") and root.get("aria-label") == "Hex"
    assert len(text) < 2000
    assert "<script" not in text and "href" not in text


def _package_at(root: Path) -> Path:
    """A stand-in for the icon module's file inside an ``aacflow_hex`` package at ``root``."""
    module = root / "aacflow_hex" / "surfaces" / "icon.py"
    module.parent.mkdir(parents=True)
    return module


@pytest.mark.parametrize("layout", ["wheel", "checkout"])
def test_the_icon_is_found_in_a_wheel_and_in_a_source_checkout(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aacflow_hex.surfaces import icon

    module = _package_at(tmp_path)
    # A wheel ships icons/ inside the package; a checkout has it beside the package.
    icons = tmp_path / "aacflow_hex" / "icons" if layout == "wheel" else tmp_path / "icons"
    icons.mkdir()
    (icons / "hex.svg").write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(icon, "__file__", str(module))
    assert icon.icons_dir() == icons.resolve()
    assert icon.icon_path() == icons.resolve() / "hex.svg"
    assert icon.icon_svg() == "<svg/>"


def test_a_missing_icon_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aacflow_hex.surfaces import icon

    module = _package_at(tmp_path)
    (tmp_path / "icons").mkdir()  # a folder without the file is not enough
    monkeypatch.setattr(icon, "__file__", str(module))
    package = (tmp_path / "aacflow_hex").resolve()
    with pytest.raises(FileNotFoundError) as raised:
        icon.icons_dir()
    assert str(raised.value) == f"no icons/hex.svg next to {package}"
