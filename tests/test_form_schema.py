"""The block's form schema as a generic form renderer reads it: its dialect, the
operation it needs, each operation's required fields, a field's description, and the
text a JSON object field takes."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator, validators
from samples import PROJECT_ID

from aacflow_hex import load_registry
from aacflow_hex.engine.validation import ParamError, validate_params
from aacflow_hex.surfaces.block import EXTRAS, build_block, tool_config

REGISTRY = load_registry()
BLOCK = build_block(REGISTRY)
SCHEMA: dict[str, Any] = BLOCK[EXTRAS]["formSchema"]
CONFIG = tool_config(BLOCK)
VALIDATOR = Draft202012Validator(SCHEMA)


def messages(form: Any) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(form)]


def branch(operation: str) -> dict[str, Any]:
    branches = {b["if"]["properties"]["operation"]["const"]: b["then"] for b in SCHEMA["allOf"]}
    then = branches[operation]
    return then  # type: ignore[no-any-return]


def test_a_renderer_reads_the_form_in_draft_2020_12() -> None:
    assert validators.validator_for(SCHEMA) is Draft202012Validator
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_a_form_is_an_object_that_names_its_operation() -> None:
    assert not VALIDATOR.is_valid(["operation", "list_users"])
    assert not VALIDATOR.is_valid("list_users")
    # Only that: no branch's fields are asked for before an operation is chosen.
    assert messages({}) == ["'operation' is a required property"]
    assert VALIDATOR.is_valid({"operation": "list_users", "apiKey": "k"})


@pytest.mark.parametrize("operation", sorted(CONFIG["tool"]["map"]))
def test_a_form_without_a_required_field_names_that_field(operation: str) -> None:
    spec = REGISTRY.get(CONFIG["tool"]["map"][operation])
    fields = CONFIG["params"][operation]
    required = [fields[name] for name, p in spec.params.items() if p.required and name in fields]
    assert "apiKey" in required
    assert sorted(branch(operation)["required"]) == sorted(required)
    for field_id in required:
        said = messages({"operation": operation})
        assert f"{field_id!r} is a required property" in said, (operation, field_id)


def test_a_field_offered_as_a_value_or_its_text_keeps_its_description_at_the_top() -> None:
    field = branch("run_project")["properties"]["inputParams"]
    described = REGISTRY.get("hex_run_project").params["inputParams"].description
    assert field["description"] == described
    assert all("description" not in form for form in field["anyOf"])


def _executor_accepts(text: Any) -> bool:
    spec = REGISTRY.get("hex_run_project")
    params = {"apiKey": "k", "projectId": PROJECT_ID, "inputParams": text}
    try:
        validate_params(spec, REGISTRY.tool(spec.id).validator, params)
    except ParamError:
        return False
    return True


@pytest.mark.parametrize(
    "value",
    ['{"date": "2024-01-01"}', " {} ", "[1, 2]", '"text"', "42", "[{}]", "null", [1, 2], 42, {}],
)
def test_a_json_object_field_takes_an_object_or_its_text_only(value: Any) -> None:
    form = {"operation": "run_project", "apiKey": "k", "projectId": PROJECT_ID}
    assert VALIDATOR.is_valid(form | {"inputParams": value}) == _executor_accepts(value)
    is_object = value == {} or (isinstance(value, str) and value.strip().startswith("{"))
    assert _executor_accepts(value) == is_object
