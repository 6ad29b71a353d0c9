"""What the surfaces show, pinned where a slip would go unnoticed: the constraints an agent
gets in OpenAI's strict mode, the shape of outputs, the canvas block's fields, and the
CLI's description of nested outputs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from aacflow_hex import load_registry
from aacflow_hex.engine.progress import ProgressEvent, ProgressPrinter
from aacflow_hex.spec.schema import UUID_PATTERN
from aacflow_hex.surfaces import cli
from aacflow_hex.surfaces.agents import openai_tools, output_schema
from aacflow_hex.surfaces.block import build_block
from aacflow_hex.surfaces.block_schema import form_text_schema
from aacflow_hex.surfaces.integration import integration

REGISTRY = load_registry()
OPENAI = {t["function"]["name"]: t["function"] for t in openai_tools(REGISTRY)}
BLOCK = build_block(REGISTRY)
FIELDS = {f["id"]: f for f in BLOCK["subBlocks"]}


def test_a_strict_openai_schema_keeps_the_uuid_pattern_of_an_id() -> None:
    tool = OPENAI["hex_get_project"]
    assert tool["strict"] is True
    project_id = tool["parameters"]["properties"]["projectId"]
    assert project_id["pattern"] == UUID_PATTERN and project_id["format"] == "uuid"


def test_a_strict_openai_schema_keeps_the_items_of_a_list_param() -> None:
    tool = OPENAI["hex_share_project_with_users"]
    assert tool["strict"] is True
    user_ids = tool["parameters"]["properties"]["userIds"]
    assert user_ids["type"] == "array" and user_ids["minItems"] == 1
    assert user_ids["items"] == {"type": "string", "format": "uuid", "pattern": UUID_PATTERN}
    updates = OPENAI["hex_update_semantic_project"]["parameters"]["properties"]["updates"]
    assert updates["items"]["required"] == ["type", "name", "status"]
    assert updates["items"]["properties"]["type"]["enum"] == ["DATASET", "VIEW"]
    # The items in strict mode's terms too: no keyword strict mode refuses (minLength).
    assert updates["items"]["properties"]["name"] == {"type": "string"}


def test_an_output_schema_describes_the_fields_of_an_object_and_of_list_items() -> None:
    project = output_schema(REGISTRY.get("hex_get_project"))["properties"]
    assert project["creator"]["properties"] == {
        "email": {"type": ["string", "null"], "description": "Creator email"}
    }
    assert project["creator"]["required"] == ["email"]
    category = project["categories"]["items"]
    assert set(category["properties"]) == {"name", "description"}


def test_the_block_is_the_hex_block() -> None:
    assert (BLOCK["type"], BLOCK["name"]) == ("hex", "Hex")


def test_a_json_param_is_a_json_code_field_in_the_block() -> None:
    field = FIELDS["inputParams"]
    assert (field["type"], field["language"]) == ("code", "json")


def test_each_dropdown_starts_at_one_of_its_options() -> None:
    dropdowns = [
        f for f in BLOCK["subBlocks"] if f["type"] == "dropdown" and f["id"] != "operation"
    ]
    assert len(dropdowns) > 5
    for field in dropdowns:
        options = [option["id"] for option in field["options"]]
        assert field["defaultValue"] in options, field["id"]


def test_an_optional_dropdown_without_a_default_starts_not_set() -> None:
    field = FIELDS["statusFilter"]
    assert field["options"][0] == {"label": "Not set", "id": ""}
    assert field["defaultValue"] == ""


def test_describe_indents_the_fields_of_nested_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["describe", "hex_get_project"]) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    outputs = lines[lines.index("Outputs:") + 1 :]
    rows: dict[str, Any] = {line.split()[0]: line for line in outputs if line.strip()}
    assert rows["creator"].startswith("  creator ")
    assert rows["email"].startswith("    email ")
    assert rows["name"].startswith("    name ")  # a category's name, under categories


def test_describe_starts_with_the_tool_and_json_gives_the_spec(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["describe", "hex_get_project"]) == cli.EXIT_OK
    text = capsys.readouterr().out
    spec = REGISTRY.get("hex_get_project")
    assert text.startswith(f"hex_get_project: {spec.name}\n{spec.description}\n")
    assert cli.main(["describe", "hex_get_project", "--json"]) == cli.EXIT_OK
    described = json.loads(capsys.readouterr().out)
    assert described["id"] == "hex_get_project"
    assert set(described["params"]) == set(spec.params)
    assert described["request"]["path"] == "/projects/{projectId}"


def test_the_host_integration_is_named_hex() -> None:
    assert (integration.id, integration.name) == ("hex", "Hex")


async def test_on_a_terminal_an_event_is_drawn_at_once_not_at_the_next_tick() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=True, tick=60) as printer:
        printer(ProgressEvent("hex_wait_for_run", "RUNNING", 1.0, "run is RUNNING"))
        assert "RUNNING" in out.getvalue()


def test_tools_json_lists_each_tools_id_name_description_and_read_only_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["tools", "--json"]) == cli.EXIT_OK
    listed = {tool["id"]: tool for tool in json.loads(capsys.readouterr().out)}
    assert list(listed) == REGISTRY.ids()
    for spec in REGISTRY.specs():
        expected = {
            "id": spec.id,
            "name": spec.name,
            "description": spec.description,
            "readOnly": spec.annotations.read_only,
        }
        assert listed[spec.id] == expected


def test_docs_out_writes_each_language_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["docs", "--out", str(tmp_path)]) == cli.EXIT_OK
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["tools.de.md", "tools.en.md"]
    said = capsys.readouterr().err
    assert all(f"wrote {tmp_path / name}" in said for name in written)


@pytest.mark.parametrize("word", ["true", "False", "YES", "no", "On", "off", "1", "0", " yes "])
def test_the_form_takes_each_word_the_executor_reads_as_a_boolean(word: str) -> None:
    param = REGISTRY.get("hex_list_projects").params["includeArchived"]
    schema = form_text_schema(param)
    assert schema is not None and re.search(schema["pattern"], word)


@pytest.mark.parametrize("word", ["maybe", "2", "y", "truth", ""])
def test_the_form_refuses_a_word_that_is_no_boolean(word: str) -> None:
    param = REGISTRY.get("hex_list_projects").params["includeArchived"]
    schema = form_text_schema(param)
    assert schema is not None and not re.search(schema["pattern"], word)


def test_a_strict_openai_schema_keeps_a_lists_size_bounds() -> None:
    user_ids = OPENAI["hex_create_group"]["parameters"]["properties"]["memberUserIds"]
    assert user_ids["maxItems"] == 100
