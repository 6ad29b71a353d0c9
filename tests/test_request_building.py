"""The request a tool call becomes: method, URL, query and JSON body, whole, for each way
a param reaches the wire (path, repeated or joined query values, nested body keys, keys
named by another param, list items wrapped with a shared access level, null by a flag)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aacflow_hex import Registry, load_registry
from aacflow_hex.engine.build import HttpRequest, build_request
from aacflow_hex.engine.validation import validate_params

REGISTRY = load_registry()
BASE = "https://app.hex.tech/api/v1"
ID = "123e4567-e89b-42d3-a456-426614174000"
OTHER = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"


def request(tool_id: str, params: dict[str, Any], registry: Registry = REGISTRY) -> HttpRequest:
    """The request for ``params`` as a caller gives them (validated first, as in a call)."""
    tool = registry.tool(tool_id)
    clean = validate_params(tool.spec, tool.validator, {"apiKey": "hxtp_k1", **params})
    return build_request(tool.spec, clean, BASE + "/")


def test_a_get_has_its_ids_in_the_path_and_no_body() -> None:
    assert request("hex_get_project", {"projectId": ID}) == HttpRequest(
        "GET", f"{BASE}/projects/{ID}", [], None
    )
    assert request("hex_cancel_run", {"projectId": ID, "runId": OTHER}) == HttpRequest(
        "DELETE", f"{BASE}/projects/{ID}/runs/{OTHER}", [], None
    )


def test_query_values_are_written_as_hex_reads_them() -> None:
    params = {
        "limit": "5.0",
        "includeArchived": "no",
        "includeTrashed": True,
        "categories": ["Finance", "Ops"],
        "statusFilter": "Production",
    }
    assert request("hex_list_projects", params) == HttpRequest(
        "GET",
        f"{BASE}/projects",
        [
            ("limit", "5"),
            ("includeArchived", "false"),
            ("statuses", "Production"),
            ("includeTrashed", "true"),
            ("categories", "Finance"),
            ("categories", "Ops"),
        ],
        None,
    )


def test_a_value_applied_to_the_returned_items_is_not_sent() -> None:
    for status in ("PUBLISHED", "DRAFT", "ALL"):
        assert request("hex_list_projects", {"statusFilter": status}).query == []


def test_a_list_hex_takes_comma_separated_is_one_query_value() -> None:
    params = {"roles": "ADMIN, EDITOR", "topicIds": ["t1", "t2"], "limit": 5}
    assert request("hex_list_threads", params).query == [
        ("limit", "5"),
        ("roles", "ADMIN,EDITOR"),
        ("topicIds", "t1,t2"),
    ]


def test_body_keys_nest_and_a_secret_joins_the_details_of_its_type() -> None:
    details = {"hostname": "db.example.com"}
    built = request(
        "hex_create_data_connection",
        {
            "name": "warehouse",
            "type": "postgres",
            "connectionDetails": details,
            "password": "pw-1234",
            "workspaceMembersAccess": "QUERY",
            "workspaceGuestsAccess": "NONE",
            "groupIds": [OTHER],
            "groupAccess": "VIEW_RESULTS",
        },
    )
    assert built == HttpRequest(
        "POST",
        f"{BASE}/data-connections",
        [],
        {
            "name": "warehouse",
            "type": "postgres",
            "connectionDetails": {
                "postgres": {"hostname": "db.example.com", "password": "pw-1234"}
            },
            "sharing": {
                "workspace": {"members": "QUERY", "guests": "NONE"},
                "groups": [{"group": {"id": OTHER}, "access": "VIEW_RESULTS"}],
            },
        },
    )
    assert details == {"hostname": "db.example.com"}  # the caller's object is not changed


def test_list_items_are_wrapped_each_with_its_access() -> None:
    built = request(
        "hex_update_collection",
        {
            "collectionId": ID,
            "userIds": f"{ID}, {OTHER}",
            "userAccess": "CAN_VIEW",
            "groupIds": [OTHER],
            "groupAccess": "CAN_EDIT",
        },
    )
    assert built.method == "PATCH" and built.url == f"{BASE}/collections/{ID}"
    assert built.json == {
        "sharing": {
            "upsert": {
                "users": [{"id": ID, "access": "CAN_VIEW"}, {"id": OTHER, "access": "CAN_VIEW"}],
                "groups": [{"id": OTHER, "access": "CAN_EDIT"}],
            }
        }
    }
    group = request("hex_create_group", {"name": "g", "memberUserIds": [ID]})
    assert group.json == {"name": "g", "members": {"users": [{"id": ID}]}}


def test_a_body_key_named_by_another_param_and_a_flag_that_sends_null() -> None:
    params = {
        "cellId": ID,
        "cellType": "SQL",
        "source": "select 1",
        "outputDataframe": "df",
        "detachDataConnection": True,
    }
    assert request("hex_update_cell", params).json == {
        "contents": {"sqlCell": {"source": "select 1", "outputDataframe": "df"}},
        "dataConnectionId": None,
    }
    code = {"cellId": ID, "cellType": "CODE", "source": "x = 1"}
    assert request("hex_update_cell", code).json == {"contents": {"codeCell": {"source": "x = 1"}}}


def test_a_status_is_set_or_sent_as_null_to_remove_it() -> None:
    assert request("hex_update_project", {"projectId": ID, "status": "Gold"}).json == {
        "status": "Gold"
    }
    assert request("hex_update_project", {"projectId": ID, "clearStatus": True}).json == {
        "status": None
    }
    assert request(
        "hex_update_project", {"projectId": ID, "status": "Gold", "clearStatus": False}
    ).json == {"status": "Gold"}


def test_a_method_that_carries_a_body_sends_one_even_when_empty() -> None:
    tool = REGISTRY.tool("hex_update_project_workspace_sharing")
    built = build_request(tool.spec, {"projectId": ID}, BASE)
    assert built == HttpRequest("PATCH", f"{BASE}/projects/{ID}/sharing/workspaceAndPublic", [], {})


def test_a_tool_run_by_a_handler_has_no_single_request() -> None:
    spec = REGISTRY.get("hex_wait_for_run")
    with pytest.raises(ValueError) as refused:
        build_request(spec, {"projectId": ID, "runId": OTHER}, BASE)
    assert str(refused.value) == "hex_wait_for_run is run by a handler, not a single request"


# -- a spec's own params (specs may come from a user's directory) -------------------------

CUSTOM_SPEC = """\
id: hex_custom
name: Custom
description: Params that fill one body object, and a fractional number.
params:
  apiKey:
    {type: string, required: true, secret: true, in: auth, visibility: user-only, description: t}
  ratio: {type: number, in: query, description: a number that need not be whole}
  ratios: {type: json, in: query, separator: ";", schema: {type: array}, description: numbers}
  label: {type: string, in: body, wireName: details.label, description: one key of details}
  details: {type: json, in: body, schema: {type: object}, description: the rest of details}
request: {method: GET, path: /custom}
outputs:
  ok: {type: boolean, value: true, description: whether it worked}
"""


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder: Path = tmp_path_factory.mktemp("specs")
    (folder / "hex_custom.yaml").write_text(CUSTOM_SPEC, encoding="utf-8")
    return load_registry(folder)


def test_two_params_that_fill_one_object_both_arrive(custom: Registry) -> None:
    details = {"owner": "ana"}
    built = request("hex_custom", {"label": "L", "details": details}, custom)
    assert built.json == {"details": {"label": "L", "owner": "ana"}}
    assert details == {"owner": "ana"}


def test_a_whole_number_is_sent_without_a_fraction(custom: Registry) -> None:
    built = request("hex_custom", {"ratio": 2.0, "ratios": [1.0, 0.5, True]}, custom)
    assert built == HttpRequest(
        "GET", f"{BASE}/custom", [("ratio", "2"), ("ratios", "1;0.5;true")], None
    )
    assert request("hex_custom", {"ratio": "2.5"}, custom).query == [("ratio", "2.5")]


def test_a_whole_number_typed_with_a_fraction_is_sent_as_an_integer() -> None:
    built = request("hex_export_project", {"projectId": ID, "versionNumber": "3.0"})
    assert built == HttpRequest(
        "POST", f"{BASE}/projects/export", [], {"projectId": ID, "version": 3}
    )
    assert type(built.json["version"]) is int  # JSON text 3, not 3.0
