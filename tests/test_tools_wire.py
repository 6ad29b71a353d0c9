"""Every documented tool: the request Hex receives and the output the user gets."""

from __future__ import annotations

import pytest
from hexfake import FakeHex, Reply
from samples import (
    COLLECTION,
    COLLECTION_ID,
    CONNECTION,
    CONNECTION_ID,
    DRAFT_PROJECT,
    GROUP,
    GROUP_ID,
    PROJECT,
    PROJECT_ID,
    RUN,
    RUN_ID,
    RUN_TRIGGERED,
    TABLE,
    USER,
    USER_ID,
    page,
)
from wirecase import Case, check_case

from aacflow_hex import HexExecutor, load_registry

DOCUMENTED_TOOLS = {
    "hex_cancel_run", "hex_create_collection", "hex_get_collection", "hex_get_data_connection",
    "hex_get_group", "hex_get_project", "hex_get_project_runs", "hex_get_queried_tables",
    "hex_get_run_status", "hex_list_collections", "hex_list_data_connections", "hex_list_groups",
    "hex_list_projects", "hex_list_users", "hex_run_project", "hex_update_project",
}  # fmt: skip


RUNS_PAGE = {"runs": [RUN, {**RUN, "projectVersion": "draft", "status": "RUNNING",
             "endTime": None, "elapsedTime": None}],
             "nextPage": None, "previousPage": None, "traceId": "trace-list"}  # fmt: skip

OTHER_USER_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
NOTIFICATIONS = [
    {
        "type": "FAILURE",
        "includeSuccessScreenshot": False,
        "userIds": [USER_ID],
        "subject": "Revenue run failed",
    }
]

CASES = [
    Case("hex_cancel_run", {"projectId": PROJECT_ID, "runId": RUN_ID}, "DELETE",
         f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(204),
         expected={"success": True, "projectId": PROJECT_ID, "runId": RUN_ID}),
    Case("hex_create_collection", {"name": "Finance", "description": "Finance projects"}, "POST",
         "/collections", Reply(201, COLLECTION),
         body={"name": "Finance", "description": "Finance projects"},
         expected={"id": COLLECTION_ID, "creator": COLLECTION["creator"]}),
    Case("hex_get_collection", {"collectionId": COLLECTION_ID}, "GET",
         f"/collections/{COLLECTION_ID}", Reply(200, COLLECTION), expected={"name": "Finance"}),
    Case("hex_get_data_connection", {"dataConnectionId": CONNECTION_ID}, "GET",
         f"/data-connections/{CONNECTION_ID}", Reply(200, CONNECTION),
         expected={"type": "snowflake", "includeMagic": True, "connectViaSsh": False}),
    Case("hex_get_group", {"groupId": GROUP_ID}, "GET", f"/groups/{GROUP_ID}", Reply(200, GROUP),
         expected={"name": "Analysts", "createdAt": GROUP["createdAt"]}),
    Case("hex_get_project", {"projectId": PROJECT_ID}, "GET", f"/projects/{PROJECT_ID}",
         Reply(200, PROJECT),
         expected={"status": {"name": "Production"}, "owner": {"email": "grace@example.com"},
                   "categories": [{"name": "Finance", "description": "Money matters"}],
                   "trashedAt": None}),
    Case("hex_get_project_runs",
         {"projectId": PROJECT_ID, "limit": 10, "offset": 20, "statusFilter": "COMPLETED"},
         "GET", f"/projects/{PROJECT_ID}/runs", Reply(200, RUNS_PAGE),
         query=[("limit", "10"), ("offset", "20"), ("statusFilter", "COMPLETED")],
         expected={"total": 2, "traceId": "trace-list"}),
    Case("hex_get_project_runs", {"projectId": PROJECT_ID, "offset": 2}, "GET",
         f"/projects/{PROJECT_ID}/runs",
         Reply(200, {**RUNS_PAGE, "previousPage": f"/v1/projects/{PROJECT_ID}/runs?offset=0"}),
         query=[("offset", "2")], label="previous-page",
         expected={"previousPage": f"/v1/projects/{PROJECT_ID}/runs?offset=0"}),
    Case("hex_get_queried_tables", {"projectId": PROJECT_ID, "limit": 5}, "GET",
         f"/projects/{PROJECT_ID}/queriedTables",
         Reply(200, {**page([TABLE]), "traceId": "t"}), query=[("limit", "5")],
         expected={"tables": [TABLE], "total": 1}),
    Case("hex_get_run_status", {"projectId": PROJECT_ID, "runId": RUN_ID}, "GET",
         f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(200, RUN),
         expected={"status": "COMPLETED", "elapsedTime": 61.5, "projectVersion": 3,
                   "traceId": "trace-run-1", "runTrigger": "API"}),
    Case("hex_list_collections", {"limit": 20, "sortBy": "NAME"}, "GET", "/collections",
         Reply(200, page([COLLECTION])), query=[("limit", "20"), ("sortBy", "NAME")],
         expected={"total": 1}),
    Case("hex_list_data_connections", {"limit": 3, "sortBy": "NAME", "sortDirection": "DESC"},
         "GET", "/data-connections", Reply(200, page([CONNECTION])),
         query=[("limit", "3"), ("sortBy", "NAME"), ("sortDirection", "DESC")],
         expected={"total": 1}),
    Case("hex_list_groups", {"sortBy": "CREATED_AT", "sortDirection": "ASC"}, "GET", "/groups",
         Reply(200, page([GROUP])), query=[("sortBy", "CREATED_AT"), ("sortDirection", "ASC")],
         expected={"groups": [GROUP], "total": 1}),
    Case("hex_list_projects", {"limit": 2, "includeArchived": True, "statusFilter": "Production"},
         "GET", "/projects", Reply(200, page([PROJECT, DRAFT_PROJECT])),
         query=[("limit", "2"), ("includeArchived", "true"), ("statuses", "Production")],
         expected={"total": 2}),
    Case("hex_list_users", {"limit": 50, "sortBy": "EMAIL", "groupId": GROUP_ID}, "GET", "/users",
         Reply(200, {"values": [USER], "pagination": {"after": None, "before": None}}),
         query=[("limit", "50"), ("sortBy", "EMAIL"), ("groupId", GROUP_ID)],
         expected={"users": [{k: USER[k] for k in ("id", "name", "email", "role")}], "total": 1}),
    Case("hex_list_users", {"userIds": f"{USER_ID},{OTHER_USER_ID}"}, "GET", "/users",
         Reply(200, {"values": [USER], "pagination": {"after": None, "before": None}}),
         query=[("userIds", f"{USER_ID},{OTHER_USER_ID}")], label="user-ids",
         expected={"total": 1}),
    Case("hex_run_project",
         {"projectId": PROJECT_ID, "inputParams": {"region": "EU"}, "dryRun": False,
          "useCachedSqlResults": True},
         "POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED),
         body={"inputParams": {"region": "EU"}, "dryRun": False, "useCachedSqlResults": True},
         expected={**RUN_TRIGGERED, "projectVersion": 3}),
    Case("hex_run_project",
         {"projectId": PROJECT_ID, "notifications": NOTIFICATIONS},
         "POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED),
         body={"notifications": NOTIFICATIONS}, label="notifications",
         expected={"runId": RUN_ID}),
    Case("hex_update_project", {"projectId": PROJECT_ID, "status": "Deprecated"}, "PATCH",
         f"/projects/{PROJECT_ID}", Reply(200, {**PROJECT, "status": {"name": "Deprecated"}}),
         body={"status": "Deprecated"}, expected={"status": {"name": "Deprecated"}}),
]  # fmt: skip


def test_every_documented_tool_has_a_case_and_a_spec() -> None:
    assert {c.tool for c in CASES} == DOCUMENTED_TOOLS
    assert set(load_registry().ids()) >= DOCUMENTED_TOOLS


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_tool_sends_the_hex_request_and_maps_the_reply(
    case: Case, hex_api: FakeHex, executor: HexExecutor
) -> None:
    await check_case(case, hex_api, executor)


async def test_run_list_reads_version_strings_and_milliseconds(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}/runs", Reply(200, RUNS_PAGE))
    result = await executor.execute("hex_get_project_runs", {"projectId": PROJECT_ID})
    finished, draft = result.output["runs"]
    assert finished["elapsedTime"] == 61.5 and finished["projectVersion"] == 3
    assert draft["projectVersion"] is None and draft["elapsedTime"] is None
    assert draft["endTime"] is None


@pytest.mark.parametrize(
    ("status_filter", "expected_ids"),
    [
        ("PUBLISHED", [PROJECT["id"]]),
        ("DRAFT", [DRAFT_PROJECT["id"]]),
        ("ALL", [PROJECT["id"], DRAFT_PROJECT["id"]]),
    ],
)
async def test_published_and_draft_filter_on_publication_not_on_hex_statuses(
    status_filter: str, expected_ids: list[str], hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page([PROJECT, DRAFT_PROJECT])))
    result = await executor.execute(
        "hex_list_projects", {"statusFilter": status_filter, "limit": 2}
    )
    assert [p["id"] for p in result.output["projects"]] == expected_ids
    assert result.output["total"] == len(expected_ids)
    assert all(name not in ("statuses", "statuses[]") for name, _ in hex_api.received[0].query)


async def test_a_limit_above_hex_page_size_follows_the_cursor(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    first = [{**COLLECTION, "id": f"{i:08d}-0000-4000-8000-000000000000"} for i in range(100)]
    # The second page holds the 50 items it asks for (more would be refused).
    second = [{**COLLECTION, "id": f"{i:08d}-0000-4000-8000-000000000000"} for i in range(100, 150)]
    hex_api.reply(
        "GET", "/collections", Reply(200, page(first, after="c1")), Reply(200, page(second))
    )
    result = await executor.execute("hex_list_collections", {"limit": 150})
    assert result.output["total"] == 150
    assert [r.query for r in hex_api.received] == [
        [("limit", "100")],
        [("limit", "50"), ("after", "c1")],
    ]


async def test_run_project_accepts_input_params_as_a_json_string(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED))
    result = await executor.execute(
        "hex_run_project", {"projectId": PROJECT_ID, "inputParams": '{"region": "EU", "n": 3}'}
    )
    assert result.success
    assert hex_api.received[0].body == {"inputParams": {"region": "EU", "n": 3}}


async def test_form_strings_are_read_as_numbers_and_booleans(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page([PROJECT])))
    result = await executor.execute("hex_list_projects", {"limit": "25", "includeArchived": "true"})
    assert result.success
    assert hex_api.received[0].query == [("limit", "25"), ("includeArchived", "true")]


async def test_a_hex_project_url_is_reduced_to_its_uuid(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, PROJECT))
    url = f"https://app.hex.tech/acme/hex/{PROJECT_ID}/draft/logic?selectedCellId=x"
    result = await executor.execute("hex_get_project", {"projectId": url})
    assert result.success
    assert hex_api.received[0].path == f"/projects/{PROJECT_ID}"


@pytest.mark.parametrize(
    ("tool", "params", "path", "answer"),
    [
        ("hex_run_project", {"projectId": PROJECT_ID}, f"/projects/{PROJECT_ID}/runs",
         Reply(201, RUN_TRIGGERED)),
        ("hex_create_presigned_url", {"projectId": PROJECT_ID},
         f"/embedding/createPresignedUrl/{PROJECT_ID}", Reply(200, {"url": "https://x.test"})),
        ("hex_deactivate_user", {"userId": USER["id"]}, f"/users/{USER['id']}/deactivate",
         Reply(200, {"user": USER})),
    ],
)  # fmt: skip
async def test_a_post_without_options_sends_an_empty_json_object(
    tool: str,
    params: dict[str, object],
    path: str,
    answer: Reply,
    hex_api: FakeHex,
    executor: HexExecutor,
) -> None:
    hex_api.reply("POST", path, answer)
    result = await executor.execute(tool, params)
    assert result.success, result.error
    [sent] = hex_api.received
    assert sent.body == {}
    assert sent.headers["Content-Type"].startswith("application/json")


async def test_array_query_params_repeat_the_key_as_hex_spec_defines(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page([PROJECT])))
    result = await executor.execute(
        "hex_list_projects", {"limit": 5, "categories": ["Finance", "Ops"]}
    )
    assert result.success, result.error
    [sent] = hex_api.received
    assert [pair for pair in sent.query if pair[0].startswith("categories")] == [
        ("categories", "Finance"),
        ("categories", "Ops"),
    ]
