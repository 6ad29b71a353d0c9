"""Reading Hex's answers and the caller's inputs: types of outputs, lists read across
pages, form strings, rules between params, and the CLI's two ways of giving params."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import CONNECTION_ID, PROJECT, PROJECT_ID, RUN, RUN_ID

from aacflow_hex import HexExecutor, ToolResult, load_registry
from aacflow_hex.surfaces import cli

REGISTRY = load_registry()
RUNS_PATH = f"/projects/{PROJECT_ID}/runs"


# -- outputs keep their declared types ---------------------------------------------------


async def test_a_number_output_refuses_a_boolean(hex_api: FakeHex, executor: HexExecutor) -> None:
    body = {**RUN, "elapsedTime": True, "projectVersion": False}
    hex_api.reply("GET", f"{RUNS_PATH}/{RUN_ID}", Reply(200, body))
    result = await executor.execute(
        "hex_get_run_status", {"projectId": PROJECT_ID, "runId": RUN_ID}
    )
    assert result.success, result.error
    assert result.output["elapsedTime"] is None
    assert result.output["projectVersion"] is None


async def test_a_number_output_inside_list_items_refuses_a_boolean(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    runs = [{**RUN, "elapsedTime": True}, {**RUN, "runId": "r2", "elapsedTime": 2000}]
    hex_api.reply("GET", RUNS_PATH, Reply(200, {"runs": runs, "nextPage": None}))
    result = await executor.execute("hex_get_project_runs", {"projectId": PROJECT_ID})
    assert [run["elapsedTime"] for run in result.output["runs"]] == [None, 2.0]


@pytest.mark.parametrize("sent", [None, "Finance", {"name": "Finance"}, 3, True])
async def test_an_array_output_sent_as_something_else_is_an_empty_list(
    sent: Any, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, {**PROJECT, "categories": sent}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.success, result.error
    assert result.output["categories"] == []


async def test_a_list_tools_items_sent_as_something_else_are_an_empty_list(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", RUNS_PATH, Reply(200, {"runs": {"r1": RUN}, "nextPage": None}))
    result = await executor.execute("hex_get_project_runs", {"projectId": PROJECT_ID})
    assert result.success, result.error
    assert result.output["runs"] == [] and result.output["total"] == 0


# -- lists across pages ------------------------------------------------------------------


async def test_a_run_seen_again_on_a_later_page_is_returned_once_with_its_newest_status(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    def run(run_id: str, status: str) -> dict[str, Any]:
        return {**RUN, "runId": run_id, "status": status}

    # A run started between the two reads shifts the offsets: b is on both pages, and it
    # finished in between.
    first = {"runs": [run("a", "RUNNING"), run("b", "RUNNING")], "nextPage": "/runs?offset=2"}
    second = {"runs": [run("b", "COMPLETED"), run("c", "ERRORED")], "nextPage": None}
    hex_api.reply("GET", RUNS_PATH, Reply(200, first), Reply(200, second))

    result = await executor.execute(
        "hex_get_project_runs", {"projectId": PROJECT_ID, "fetchAll": True}
    )

    assert result.success, result.error
    runs = [(r["runId"], r["status"]) for r in result.output["runs"]]
    assert runs == [("a", "RUNNING"), ("b", "COMPLETED"), ("c", "ERRORED")]
    assert result.output["total"] == 3


# -- form strings ------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["5", "5.0", " 5.0 ", 5.0, "5e0"])
async def test_a_whole_number_for_an_integer_body_param_is_sent_as_an_integer(
    given: Any, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", "/projects/export", Reply(200, {"filename": "a", "content": "b"}))
    params = {"projectId": PROJECT_ID, "versionNumber": given}
    result = await executor.execute("hex_export_project", params)
    assert result.success, result.error
    sent = hex_api.received[0].body["version"]
    assert sent == 5 and type(sent) is int


@pytest.mark.parametrize("given", ["5.0", 5.0])
async def test_a_whole_number_for_an_integer_query_param_is_sent_without_a_fraction(
    given: Any, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/users", Reply(200, {"values": [], "pagination": {"after": None}}))
    result = await executor.execute("hex_list_users", {"limit": given})
    assert result.success, result.error
    assert ("limit", "5") in hex_api.received[0].query


@pytest.mark.parametrize("given", ["5.5", 5.5, "five"])
async def test_a_fraction_for_an_integer_param_is_refused_naming_it(
    given: Any, hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute(
        "hex_export_project", {"projectId": PROJECT_ID, "versionNumber": given}
    )
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message.startswith("versionNumber: must be of type integer")
    assert hex_api.received == []


async def test_an_empty_optional_string_field_is_not_sent(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/users", Reply(200, {"values": [], "pagination": {"after": None}}))
    hex_api.reply("POST", "/data-connections", Reply(201, {"id": "c1"}))

    await executor.execute("hex_list_users", {"after": "", "sortBy": "", "limit": "3"})
    await executor.execute(
        "hex_create_data_connection",
        {
            "name": "analytics",
            "type": "trino",
            "connectionDetails": {"hostname": "h"},
            "description": "",
            "password": "",
        },
    )

    listed, created = hex_api.received
    assert listed.query == [("limit", "3")]
    assert "description" not in created.body
    assert created.body["connectionDetails"] == {"trino": {"hostname": "h"}}


# -- rules -------------------------------------------------------------------------------

CURSOR_LISTS = [s.id for s in REGISTRY.specs() if "before" in s.params and "fetchAll" in s.params]


def test_the_cursor_lists_are_the_expected_ones() -> None:
    assert len(CURSOR_LISTS) >= 9 and "hex_list_projects" in CURSOR_LISTS


@pytest.mark.parametrize("tool", CURSOR_LISTS)
async def test_fetch_all_and_before_cannot_be_combined_on_any_list_tool(
    tool: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    params: dict[str, Any] = {"fetchAll": True, "before": "cursor-1"}
    if "projectId" in REGISTRY.get(tool).params:
        params["projectId"] = PROJECT_ID
    result = await executor.execute(tool, params)
    assert result.error is not None and result.error.kind == "validation"
    assert "fetchAll and before: cannot be combined" in result.error.message
    assert hex_api.received == []


# -- the CLI: --params-json and -p -------------------------------------------------------


@pytest.fixture
def sent_params(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The params ``aacflow-hex run`` hands to the executor (the call itself is skipped)."""
    calls: list[dict[str, Any]] = []

    async def run_tool(tool_id: str, params: dict[str, Any], *_: Any) -> ToolResult:
        calls.append(params)
        return ToolResult(tool_id=tool_id, success=True, output={"ok": True})

    monkeypatch.setattr(cli, "_run_tool", run_tool)
    return calls


def test_dash_p_wins_over_params_json_for_the_same_param(
    sent_params: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    params = json.dumps({"projectId": PROJECT_ID, "limit": 5, "offset": 10})
    code = cli.main(["run", "hex_get_project_runs", "--params-json", params, "-p", "limit=7"])
    assert code == 0, capsys.readouterr().err
    assert sent_params == [{"projectId": PROJECT_ID, "limit": "7", "offset": 10}]


@pytest.mark.parametrize("given", ['["projectId"]', '"x"', "5", "null"])
def test_params_json_that_is_not_an_object_is_a_usage_error(
    given: str, sent_params: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["run", "hex_get_project", "--params-json", given])
    assert code == cli.EXIT_USAGE
    assert "--params-json must be a JSON object" in capsys.readouterr().err
    assert sent_params == []


# -- validation messages -----------------------------------------------------------------


async def test_a_refused_value_is_shown_in_the_message_and_a_long_one_is_cut(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    short = await executor.execute("hex_list_users", {"sortBy": "AGE"})
    long = await executor.execute("hex_list_users", {"sortBy": "A" * 100})
    assert short.error is not None and long.error is not None
    assert short.error.message == 'sortBy: must be one of NAME, EMAIL; got "AGE"'
    assert long.error.message == f'sortBy: must be one of NAME, EMAIL; got "{"A" * 56}...'
    assert hex_api.received == []


async def test_items_without_an_id_are_each_kept_across_pages_and_a_repeat_once(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    def table(name: str) -> dict[str, Any]:
        return {"dataConnectionId": "c1", "dataConnectionName": "dw", "tableName": name}

    path = f"/projects/{PROJECT_ID}/queriedTables"
    first = {"values": [table("a"), table("b")], "pagination": {"after": "c2", "before": None}}
    second = {"values": [table("b"), table("c")], "pagination": {"after": None, "before": "c1"}}
    hex_api.reply("GET", path, Reply(200, first), Reply(200, second))

    result = await executor.execute(
        "hex_get_queried_tables", {"projectId": PROJECT_ID, "fetchAll": True}
    )

    assert result.success, result.error
    assert [t["tableName"] for t in result.output["tables"]] == ["a", "b", "c"]


# -- more form strings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [("true", "true"), ("yes", "true"), ("on", "true"), ("1", "true"), (" TRUE ", "true"),
     ("false", "false"), ("no", "false"), ("off", "false"), ("0", "false")],
)  # fmt: skip
async def test_form_words_for_a_boolean_are_read_as_one(
    given: str, sent: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, {"values": [], "pagination": {"after": None}}))
    result = await executor.execute("hex_list_projects", {"includeArchived": given})
    assert result.success, result.error
    assert ("includeArchived", sent) in hex_api.received[0].query


@pytest.mark.parametrize(
    ("given", "says"), [(0, "must be at least 1, got 0"), (501, "must be at most 500, got 501")]
)
async def test_a_number_outside_its_range_is_refused_naming_the_bound(
    given: int, says: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute("hex_list_users", {"limit": given})
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message == f"limit: {says}"
    assert hex_api.received == []


@pytest.mark.parametrize(("sent", "read"), [("true", True), ("FALSE", False), ("yes", None)])
async def test_a_boolean_output_sent_as_text_is_read_as_a_boolean(
    sent: str, read: bool | None, hex_api: FakeHex, executor: HexExecutor
) -> None:
    body = {"id": CONNECTION_ID, "name": "dw", "type": "postgres", "connectViaSsh": sent}
    hex_api.reply("GET", f"/data-connections/{CONNECTION_ID}", Reply(200, body))
    result = await executor.execute("hex_get_data_connection", {"dataConnectionId": CONNECTION_ID})
    assert result.success, result.error
    assert result.output["connectViaSsh"] is read


async def test_a_value_of_the_wrong_type_is_named_by_its_type(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute("hex_list_users", {"after": {"cursor": "c1"}})
    assert result.error is not None
    assert result.error.message == "after: must be of type string, got an object"
