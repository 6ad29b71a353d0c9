"""Words a user reads: the CLI's describe text and JSON, one-line setting errors, a
wrong type's name, a bad URL's message, errors' own text, and an advanced form field."""

from __future__ import annotations

import pytest

from aacflow_hex import load_registry
from aacflow_hex.engine.results import ToolError, ToolFailure
from aacflow_hex.engine.safety import UnsafeBaseURL, check_base_url
from aacflow_hex.engine.transport import TransportError
from aacflow_hex.engine.validation import ParamError, validate_params
from aacflow_hex.surfaces import cli
from aacflow_hex.surfaces.block import EXTRAS, build_block

REGISTRY = load_registry()


def test_describe_shows_each_params_type_and_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["describe", "hex_get_project"]) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "hex_get_project: Get Project"
    [api_key] = [line for line in lines if line.strip().startswith("apiKey")]
    assert api_key.split()[1:] == ["string", "required,", "secret"]
    [project] = [line for line in lines if line.strip().startswith("projectId")]
    assert project.split()[1:] == ["string", "required"]
    assert cli.main(["describe", "hex_list_projects"]) == cli.EXIT_OK
    [limit] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  limit")]
    assert limit.split()[1:] == ["number", "(integer)", "optional,", "range", "1..100"]


def test_describe_json_is_indented_two_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["describe", "hex_get_project", "--json"]) == cli.EXIT_OK
    assert capsys.readouterr().out.startswith('{\n  "id": "hex_get_project",\n')


def test_a_wrong_redis_setting_is_one_line_and_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEX_REDIS_URL", "http://cache:6379")
    monkeypatch.setenv("HEX_API_KEY", "hxtp_q7")
    assert cli.main(["run", "hex_get_current_user"]) == cli.EXIT_USAGE == 2
    said = capsys.readouterr().err
    assert said == (
        "error: redis_url (or HEX_REDIS_URL) must start with redis://, rediss:// or unix://, "
        "got http://\n"
    )


@pytest.mark.parametrize(
    ("param", "value", "said"),
    [
        ("limit", True, "limit: must be of type integer, got a boolean"),
        ("limit", "ten", "limit: must be of type integer, got a string"),
        ("limit", [1], "limit: must be of type integer, got an array"),
        ("includeArchived", 5, "includeArchived: must be of type boolean, got a number"),
    ],
)
def test_a_wrong_type_is_named_in_the_message(param: str, value: object, said: str) -> None:
    spec = REGISTRY.get("hex_list_projects")
    with pytest.raises(ParamError) as refused:
        validate_params(spec, REGISTRY.tool(spec.id).validator, {"apiKey": "k", param: value})
    assert said in str(refused.value)


def test_export_refuses_api_for_a_format_other_than_openai(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["export", "anthropic", "--api", "responses"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: --api applies to `export openai` only\n"
    assert captured.out == ""


def test_docs_without_a_language_are_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    from aacflow_hex.surfaces.docs_gen import render_docs

    assert cli.main(["docs"]) == cli.EXIT_OK
    assert capsys.readouterr().out == render_docs("en", REGISTRY)


def test_a_base_url_that_is_no_url_says_so() -> None:
    with pytest.raises(UnsafeBaseURL, match=r"^base_url is not a valid URL$"):
        check_base_url("https://[::1")


def test_errors_carry_their_own_message_as_text() -> None:
    error = ToolError(kind="server", message="Hex API answered 502 Bad Gateway")
    assert str(ToolFailure(error)) == "Hex API answered 502 Bad Gateway"
    fault = TransportError("connection reset", timeout=False, maybe_sent=True)
    assert fault.maybe_sent and not fault.timeout


def test_an_advanced_form_field_can_be_folded_away_and_a_main_one_cannot() -> None:
    schema = build_block(REGISTRY)[EXTRAS]["formSchema"]
    branches = {b["if"]["properties"]["operation"]["const"]: b["then"] for b in schema["allOf"]}
    fields = branches["run_project"]["properties"]
    assert fields["dryRun"]["x-advanced"] is True
    assert "x-advanced" not in fields["projectId"]
