"""The tools beyond the docs page: the exact request Hex receives and the output mapped.

A scripted fake Hex records each request, so the body is compared byte for byte with
the wire format of Hex's current spec (the emulator tests check behaviour instead).
"""

from __future__ import annotations

from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import (
    COLLECTION,
    COLLECTION_ID,
    CONNECTION_ID,
    GROUP,
    GROUP_ID,
    PROJECT,
    PROJECT_ID,
    RUN_ID,
    USER,
    USER_ID,
)
from test_api_coverage import CURRENT_API, tools_for
from wirecase import Case, check_case

from aacflow_hex import HexExecutor

OTHER_USER_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
CELL_ID = "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e"
STATIC_ID = "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
THREAD_ID = "0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a"
TOPIC_ID = "1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
SECRET = "pg-password-Zq81!x"

SHARED_PROJECT = {
    **PROJECT,
    "sharing": {
        "users": [{"user": {"email": "ada@example.com"}, "access": "CAN_VIEW"}],
        "collections": [],
        "groups": [{"group": {"name": "Analysts"}, "access": "CAN_EDIT"}],
        "workspace": {"access": "APP_ONLY"},
        "publicWeb": {"access": "NONE"},
        "support": {"access": "NONE"},
    },
}
SQL_CELL = {
    "id": CELL_ID,
    "staticId": STATIC_ID,
    "cellType": "SQL",
    "label": "Orders",
    "dataConnectionId": CONNECTION_ID,
    "contents": {
        "codeCell": None,
        "sqlCell": {"source": "select 1", "outputDataframe": "orders"},
        "markdownCell": None,
    },
    "projectId": PROJECT_ID,
}
CONNECTION_SETTINGS = {
    "id": CONNECTION_ID,
    "name": "Warehouse",
    "type": "postgres",
    "connectionDetails": {"postgres": {"hostname": "db.example.com", "port": 5432}},
    "connectViaSsh": False,
    "includeMagic": True,
    "allowWritebackCells": False,
    "schemaRefreshAccess": "ADMINS",
    "sharing": {
        "workspace": {"members": "QUERY"},
        "groups": [{"group": {"id": GROUP_ID, "name": "Analysts"}, "access": "VIEW_RESULTS"}],
    },
}
THREAD = {
    "title": "Revenue",
    "creditsUsed": 3,
    "topics": [{"id": TOPIC_ID, "name": "Revenue"}],
    "warnings": [],
    "feedback": [],
    "model": "Auto",
    "auto": True,
    "effectiveModel": "model-x",
    "effortLevel": None,
    "userId": USER_ID,
    "type": "Threads",
    "source": "PUBLIC_API",
    "createdAt": "2026-11-28T08:00:00.000Z",
    "updatedAt": "2026-11-28T08:01:00.000Z",
    "sensitive": False,
    "threadId": THREAD_ID,
    "status": "IDLE",
    "url": f"https://app.hex.tech/acme/threads/{THREAD_ID}",
    "error": None,
    "resources": [{"id": PROJECT_ID, "resourceType": "PROJECT", "name": "Revenue dashboard"}],
    "response": [
        {"type": "text", "text": "Revenue grew 12%."},
        {"type": "cell", "id": CELL_ID, "staticId": STATIC_ID, "label": "Orders"},
    ],
}
LISTED_THREAD = {
    **{k: v for k, v in THREAD.items() if k not in ("threadId", "status", "error")},
    "id": THREAD_ID,
    "orgId": "org-1",
}


def cursor_page(key: str, values: list[Any], after: str | None = None) -> dict[str, Any]:
    return {key: values, "pagination": {"after": after, "before": None}}


CASES = [
    # -- administration ---------------------------------------------------------
    Case("hex_get_current_user", {}, "GET", "/users/me",
         Reply(200, {**USER, "org": {"id": "org-1"}, "token": {"exp": None}}),
         expected={"email": "ada@example.com", "org": {"id": "org-1"}, "token": {"exp": None}}),
    Case("hex_get_current_user", {}, "GET", "/users/me",
         Reply(200, {"org": {"id": "org-1"}, "token": None}), label="workspace-token",
         expected={"id": None, "email": None, "org": {"id": "org-1"}, "token": None}),
    Case("hex_deactivate_user", {"userId": USER_ID}, "POST", f"/users/{USER_ID}/deactivate",
         Reply(200, {"user": USER}), body={},
         expected={"user": {**USER}, "success": True, "userId": USER_ID}),
    Case("hex_create_group", {"name": "Analysts", "memberUserIds": [USER_ID, OTHER_USER_ID]},
         "POST",
         "/groups", Reply(201, {"id": GROUP_ID, "name": "Analysts",
                                "members": {"users": [{"id": USER_ID}, {"id": OTHER_USER_ID}]}}),
         body={"name": "Analysts",
               "members": {"users": [{"id": USER_ID}, {"id": OTHER_USER_ID}]}},
         expected={"id": GROUP_ID, "members": {"users": [{"id": USER_ID}, {"id": OTHER_USER_ID}]}}),
    Case("hex_create_group", {"name": "Empty"}, "POST", "/groups", label="no-members",
         reply=Reply(201, {"id": GROUP_ID, "name": "Empty", "members": {"users": []}}),
         body={"name": "Empty"}),
    Case("hex_update_group",
         {"groupId": GROUP_ID, "name": "Data", "addUserIds": f"{USER_ID}, {OTHER_USER_ID}",
          "removeUserIds": [OTHER_USER_ID]},
         "PATCH", f"/groups/{GROUP_ID}", Reply(200, GROUP),
         body={"name": "Data", "members": {
             "add": {"users": [{"id": USER_ID}, {"id": OTHER_USER_ID}]},
             "remove": {"users": [{"id": OTHER_USER_ID}]}}},
         expected={"name": "Analysts", "createdAt": GROUP["createdAt"]}),
    Case("hex_delete_group", {"groupId": GROUP_ID}, "DELETE", f"/groups/{GROUP_ID}", Reply(204),
         expected={"success": True, "groupId": GROUP_ID}),
    Case("hex_update_collection",
         {"collectionId": COLLECTION_ID, "name": "Money", "userIds": [USER_ID],
          "userAccess": "CAN_EDIT", "groupIds": [GROUP_ID], "groupAccess": "CAN_VIEW",
          "workspaceAccess": "CAN_VIEW"},
         "PATCH", f"/collections/{COLLECTION_ID}", Reply(200, COLLECTION),
         body={"name": "Money", "sharing": {"upsert": {
             "users": [{"id": USER_ID, "access": "CAN_EDIT"}],
             "groups": [{"id": GROUP_ID, "access": "CAN_VIEW"}],
             "workspace": {"members": "CAN_VIEW"}}}},
         expected={"sharing": {"users": [], "groups": [], "workspace": {"members": "CAN_VIEW"}}}),
    # -- projects -----------------------------------------------------------------
    Case("hex_create_project", {"title": "Churn", "description": "Why they leave"}, "POST",
         "/projects", Reply(201, PROJECT), body={"title": "Churn", "description": "Why they leave"},
         expected={"id": PROJECT_ID}),
    Case("hex_export_project", {"projectId": PROJECT_ID}, "POST", "/projects/export",
         Reply(200, {"filename": "revenue.hex.yaml", "content": "cells: []\n"}),
         body={"projectId": PROJECT_ID}, expected={"content": "cells: []\n"}),
    Case("hex_export_project", {"projectId": PROJECT_ID, "versionNumber": 3}, "POST",
         "/projects/export", Reply(200, {"filename": "r.yaml", "content": ""}), label="number",
         body={"projectId": PROJECT_ID, "version": 3}),
    Case("hex_export_project", {"projectId": PROJECT_ID, "version": "latest"}, "POST",
         "/projects/export", Reply(200, {"filename": "r.yaml", "content": ""}), label="latest",
         body={"projectId": PROJECT_ID, "version": "latest"}),
    Case("hex_update_project", {"projectId": PROJECT_ID, "status": "", "clearStatus": True},
         "PATCH", f"/projects/{PROJECT_ID}", Reply(200, {**PROJECT, "status": None}),
         label="clear-status", body={"status": None}, expected={"status": None}),
    Case("hex_update_project", {"projectId": PROJECT_ID, "clearStatus": "true"},
         "PATCH", f"/projects/{PROJECT_ID}", Reply(200, {**PROJECT, "status": None}),
         label="clear-status-without-status", body={"status": None}),
    Case("hex_share_project_with_users",
         {"projectId": PROJECT_ID, "userIds": [USER_ID, OTHER_USER_ID], "access": "CAN_VIEW"},
         "PATCH", f"/projects/{PROJECT_ID}/sharing/users",
         Reply(200, {"project": SHARED_PROJECT,
                     "errors": [{"userIds": [OTHER_USER_ID], "reason": "not a member"}]}),
         body={"sharing": {"upsert": {"users": [
             {"user": {"id": USER_ID}, "access": "CAN_VIEW"},
             {"user": {"id": OTHER_USER_ID}, "access": "CAN_VIEW"}]}}},
         expected={"errors": [{"userIds": [OTHER_USER_ID], "reason": "not a member"}]}),
    Case("hex_share_project_with_groups",
         {"projectId": PROJECT_ID, "groupIds": [GROUP_ID], "access": "NONE"},
         "PATCH", f"/projects/{PROJECT_ID}/sharing/groups", Reply(200, {"project": PROJECT}),
         body={"sharing": {"upsert": {"groups": [{"group": {"id": GROUP_ID}, "access": "NONE"}]}}},
         expected={"errors": []}),
    Case("hex_share_project_with_collections",
         {"projectId": PROJECT_ID, "collectionIds": [COLLECTION_ID], "access": "APP_ONLY"},
         "PATCH", f"/projects/{PROJECT_ID}/sharing/collections",
         Reply(200, {"project": SHARED_PROJECT}),
         body={"sharing": {"upsert": {"collections": [
             {"collection": {"id": COLLECTION_ID}, "access": "APP_ONLY"}]}}}),
    Case("hex_update_project_workspace_sharing",
         {"projectId": PROJECT_ID, "workspaceAccess": "CAN_VIEW"},
         "PATCH", f"/projects/{PROJECT_ID}/sharing/workspaceAndPublic",
         Reply(200, {"project": SHARED_PROJECT}),
         body={"sharing": {"workspace": "CAN_VIEW"}}),
    Case("hex_create_presigned_url",
         {"projectId": PROJECT_ID, "hexUserAttributes": '{"customer": "acme"}',
          "inputParameters": {"region": "EU"}, "scope": "EXPORT_CSV, EXPORT_PDF",
          "expiresIn": 60000, "theme": "dark", "noEmbedFooter": True, "testMode": True},
         "POST", f"/embedding/createPresignedUrl/{PROJECT_ID}",
         Reply(200, {"url": "https://app.hex.tech/acme/app/x/embed?signature=abc"}),
         body={"hexUserAttributes": {"customer": "acme"}, "inputParameters": {"region": "EU"},
               "scope": ["EXPORT_CSV", "EXPORT_PDF"], "expiresIn": 60000,
               "displayOptions": {"theme": "dark", "noEmbedFooter": True}, "testMode": True},
         expected={"url": "https://app.hex.tech/acme/app/x/embed?signature=abc"}),
    # -- data connections --------------------------------------------------------------
    Case("hex_create_data_connection",
         {"name": "Warehouse", "type": "postgres", "password": SECRET,
          "connectionDetails": {"hostname": "db.example.com", "port": 5432,
                                "database": "analytics", "username": "hex"},
          "workspaceMembersAccess": "QUERY", "groupIds": [GROUP_ID],
          "groupAccess": "VIEW_RESULTS"},
         "POST", "/data-connections", Reply(201, CONNECTION_SETTINGS),
         body={"name": "Warehouse", "type": "postgres",
               "connectionDetails": {"postgres": {"hostname": "db.example.com", "port": 5432,
                                                  "database": "analytics", "username": "hex",
                                                  "password": SECRET}},
               "sharing": {"workspace": {"members": "QUERY"},
                           "groups": [{"group": {"id": GROUP_ID}, "access": "VIEW_RESULTS"}]}},
         expected={"connectionDetails": CONNECTION_SETTINGS["connectionDetails"],
                   "sharing": {"workspace": {"members": "QUERY", "guests": None, "public": None},
                               "groups": CONNECTION_SETTINGS["sharing"]["groups"]}}),
    Case("hex_create_data_connection",
         {"name": "Snow", "type": "snowflake", "privateKey": "-----BEGIN KEY-----",
          "passphrase": "open sesame",
          "connectionDetails": {"accountName": "acme", "warehouse": "wh", "database": "db",
                                "username": "hex"}},
         "POST", "/data-connections", Reply(201, CONNECTION_SETTINGS), label="snowflake",
         body={"name": "Snow", "type": "snowflake",
               "connectionDetails": {"snowflake": {"accountName": "acme", "warehouse": "wh",
                                                   "database": "db", "username": "hex",
                                                   "privateKey": "-----BEGIN KEY-----",
                                                   "passphrase": "open sesame"}}}),
    # Hex answers 201 (sic) to this PATCH.
    Case("hex_update_data_connection",
         {"dataConnectionId": CONNECTION_ID, "type": "postgres", "password": SECRET,
          "connectionDetails": {"port": 5433}, "clearSchemaRefreshSchedule": True,
          "groupIds": [GROUP_ID], "groupAccess": "NONE"},
         "PATCH", f"/data-connections/{CONNECTION_ID}", Reply(201, CONNECTION_SETTINGS),
         body={"connectionDetails": {"postgres": {"port": 5433, "password": SECRET}},
               "schemaRefreshSchedule": None,
               "sharing": {"groups": {"upsert": [{"group": {"id": GROUP_ID}, "access": "NONE"}]}}},
         expected={"id": CONNECTION_ID}),
    Case("hex_update_data_connection", {"dataConnectionId": CONNECTION_ID, "name": "Lake"},
         "PATCH", f"/data-connections/{CONNECTION_ID}", Reply(201, CONNECTION_SETTINGS),
         label="name-only", body={"name": "Lake"}),
    Case("hex_update_data_connection_schema",
         {"dataConnectionId": CONNECTION_ID, "updates": [
             {"type": "TABLE", "name": "analytics.public.orders", "status": "Production"},
             {"type": "DATABASE", "name": "analytics", "status": None}]},
         "PATCH", f"/data-connections/{CONNECTION_ID}/schema",
         Reply(200, {"updated": {"tables": [{"status": "Production",
                                             "name": "analytics.public.orders"}],
                                 "schemas": [],
                                 "databases": [{"status": None, "name": "analytics"}]}}),
         body={"updates": [
             {"type": "TABLE", "name": "analytics.public.orders", "status": "Production"},
             {"type": "DATABASE", "name": "analytics", "status": None}]},
         expected={"updated": {"tables": [{"name": "analytics.public.orders",
                                           "status": "Production"}],
                               "schemas": [], "databases": [{"name": "analytics",
                                                             "status": None}]}}),
    Case("hex_update_semantic_project",
         {"semanticProjectId": GROUP_ID, "updates": [
             {"type": "DATASET", "name": "orders", "status": "Endorsed"}]},
         "PATCH", f"/semantic-projects/{GROUP_ID}",
         Reply(200, {"updated": {"views": [], "datasets": [{"status": "Endorsed",
                                                             "name": "orders"}]}}),
         body={"updates": [{"type": "DATASET", "name": "orders", "status": "Endorsed"}]},
         expected={"updated": {"views": [], "datasets": [{"name": "orders",
                                                          "status": "Endorsed"}]}}),
    # -- cells ------------------------------------------------------------------------
    Case("hex_list_cells", {"projectId": PROJECT_ID, "limit": 1}, "GET", "/cells",
         Reply(200, cursor_page("values", [SQL_CELL], after="c2")),
         query=[("projectId", PROJECT_ID), ("limit", "1")],
         expected={"total": 1, "after": "c2", "cells": [SQL_CELL]}),
    Case("hex_get_cell", {"cellId": CELL_ID}, "GET", f"/cells/{CELL_ID}", Reply(200, SQL_CELL),
         expected={"contents": SQL_CELL["contents"], "staticId": STATIC_ID}),
    Case("hex_create_cell",
         {"projectId": PROJECT_ID, "cellType": "SQL", "source": "select 1", "label": "Orders",
          "dataConnectionId": CONNECTION_ID, "outputDataframe": "orders",
          "insertAfterCellId": STATIC_ID},
         "POST", "/cells", Reply(200, SQL_CELL),
         body={"projectId": PROJECT_ID, "cellType": "SQL", "label": "Orders",
               "contents": {"sqlCell": {"source": "select 1", "dataConnectionId": CONNECTION_ID,
                                        "outputDataframe": "orders"}},
               "location": {"insertAfterCellId": STATIC_ID}},
         expected={"id": CELL_ID}),
    Case("hex_create_cell",
         {"projectId": PROJECT_ID, "cellType": "MARKDOWN", "source": "# Notes",
          "parentCellId": STATIC_ID, "childPosition": "FIRST", "isDataframeSql": False},
         "POST", "/cells", Reply(200, SQL_CELL), label="markdown-in-section",
         body={"projectId": PROJECT_ID, "cellType": "MARKDOWN",
               "contents": {"markdownCell": {"source": "# Notes"}},
               "location": {"parentCellId": STATIC_ID, "childPosition": "FIRST"}}),
    Case("hex_update_cell",
         {"cellId": CELL_ID, "cellType": "SQL", "source": "select 2",
          "outputDataframe": "orders2", "dataConnectionId": CONNECTION_ID},
         "PATCH", f"/cells/{CELL_ID}", Reply(200, SQL_CELL),
         body={"contents": {"sqlCell": {"source": "select 2", "outputDataframe": "orders2"}},
               "dataConnectionId": CONNECTION_ID}),
    Case("hex_update_cell", {"cellId": CELL_ID, "detachDataConnection": True},
         "PATCH", f"/cells/{CELL_ID}", Reply(200, {**SQL_CELL, "dataConnectionId": None}),
         label="detach", body={"dataConnectionId": None}, expected={"dataConnectionId": None}),
    Case("hex_delete_cell", {"cellId": CELL_ID}, "DELETE", f"/cells/{CELL_ID}",
         Reply(200, {"cellId": CELL_ID}), expected={"success": True, "cellId": CELL_ID}),
    Case("hex_get_cell_output", {"cellId": CELL_ID}, "GET", f"/cells/{CELL_ID}/output",
         Reply(200, {"projectId": PROJECT_ID, "runId": RUN_ID,
                     "cell": {"id": CELL_ID, "staticId": STATIC_ID, "cellType": "SQL"},
                     "result": {"type": "table", "rowLimit": 100, "rowsReturned": 1,
                                "totalRows": None, "totalRowsKind": "UNKNOWN",
                                "truncated": False, "columns": [{"name": "n", "type": "NUMBER"}],
                                "rows": [{"n": "1"}]}}),
         expected={"runId": RUN_ID}),
    Case("hex_get_cell_chart_image",
         {"cellId": CELL_ID, "width": 640, "height": 480, "includeTitle": True},
         "GET", f"/cells/{CELL_ID}/image",
         Reply(200, {"cellId": CELL_ID, "imageBase64": PNG, "mimeType": "image/png"}),
         query=[("width", "640"), ("height", "480"), ("includeTitle", "true")],
         expected={"imageBase64": PNG, "mimeType": "image/png"}),
    Case("hex_get_run_chart_image", {"projectId": PROJECT_ID, "runId": RUN_ID,
                                     "staticId": STATIC_ID},
         "GET", f"/projects/{PROJECT_ID}/runs/{RUN_ID}/cells/{STATIC_ID}/image",
         Reply(200, {"projectId": PROJECT_ID, "runId": RUN_ID, "staticId": STATIC_ID,
                     "imageBase64": PNG, "mimeType": "image/png"}),
         expected={"staticId": STATIC_ID, "imageBase64": PNG}),
    # -- agent threads ------------------------------------------------------------------
    Case("hex_create_thread",
         {"prompt": "Why did revenue grow?", "projectId": PROJECT_ID,
          "attachedDataConnectionId": CONNECTION_ID, "attachedTableIds": "t1, t2"},
         "POST", "/threads",
         Reply(200, {"threadId": THREAD_ID, "url": THREAD["url"],
                     "createdAt": "2026-11-28T08:00:00.000Z", "projectId": PROJECT_ID}),
         body={"prompt": "Why did revenue grow?", "projectId": PROJECT_ID,
               "attachments": {"dataConnectionId": CONNECTION_ID, "tableIds": ["t1", "t2"]}},
         expected={"threadId": THREAD_ID, "projectId": PROJECT_ID}),
    Case("hex_get_thread", {"threadId": THREAD_ID}, "GET", f"/threads/{THREAD_ID}",
         Reply(200, THREAD),
         expected={"id": THREAD_ID, "status": "IDLE", "error": None,
                   "response": [
                       {"type": "text", "text": "Revenue grew 12%.", "id": None,
                        "staticId": None, "label": None, "title": None},
                       {"type": "cell", "text": None, "id": CELL_ID, "staticId": STATIC_ID,
                        "label": "Orders", "title": None}]}),
    Case("hex_list_thread_messages", {"threadId": THREAD_ID, "limit": 50, "full": True},
         "GET", f"/threads/{THREAD_ID}/messages",
         Reply(200, {"content": [{"type": "text", "text": "user: hi",
                                  "createdAt": "2026-11-28T08:00:00.000Z"}],
                     "pagination": {"after": None, "before": "older"}}),
         query=[("limit", "50"), ("full", "true")],
         expected={"total": 1, "before": "older", "after": None}),
    Case("hex_continue_thread", {"threadId": THREAD_ID, "prompt": "And costs?",
                                 "attachedProjectIds": [PROJECT_ID]},
         "POST", f"/threads/{THREAD_ID}/followup",
         Reply(200, {"threadId": THREAD_ID, "url": THREAD["url"]}),
         body={"prompt": "And costs?", "attachments": {"projectIds": [PROJECT_ID]}},
         expected={"threadId": THREAD_ID}),
    Case("hex_list_threads",
         {"limit": 5, "source": "PUBLIC_API", "userId": USER_ID, "numDays": 7,
          "roles": "ADMIN, MANAGER", "topicIds": [TOPIC_ID], "hasFeedback": False},
         "GET", "/threads", Reply(200, cursor_page("threads", [LISTED_THREAD])),
         query=[("limit", "5"), ("source", "PUBLIC_API"), ("userId", USER_ID), ("numDays", "7"),
                ("hasFeedback", "false"), ("roles", "ADMIN,MANAGER"), ("topicIds", TOPIC_ID)],
         expected={"total": 1}),
    Case("hex_list_context_topics", {}, "GET", "/context/topics",
         Reply(200, cursor_page("topics", [{"id": TOPIC_ID, "name": "Revenue"}])),
         expected={"topics": [{"id": TOPIC_ID, "name": "Revenue"}], "total": 1}),
]  # fmt: skip

DOCUMENTED = {
    "hex_cancel_run", "hex_create_collection", "hex_get_collection", "hex_get_data_connection",
    "hex_get_group", "hex_get_project", "hex_get_project_runs", "hex_get_queried_tables",
    "hex_get_run_status", "hex_list_collections", "hex_list_data_connections", "hex_list_groups",
    "hex_list_projects", "hex_list_users", "hex_run_project", "hex_update_project",
}  # fmt: skip


def test_every_endpoint_beyond_the_docs_page_has_a_wire_case() -> None:
    beyond = {
        spec.id for method, path, _ in CURRENT_API for spec in tools_for(method, path)
    } - DOCUMENTED
    assert beyond <= {c.tool for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_tool_sends_hex_wire_format_and_maps_the_reply(
    case: Case, hex_api: FakeHex, executor: HexExecutor
) -> None:
    await check_case(case, hex_api, executor)


async def test_listed_threads_keep_their_topics_and_ids(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("GET", "/threads", Reply(200, cursor_page("threads", [LISTED_THREAD])))
    result = await executor.execute("hex_list_threads", {})
    [thread] = result.output["threads"]
    assert thread["id"] == THREAD_ID and thread["url"] == LISTED_THREAD["url"]
    assert thread["topics"] == [{"id": TOPIC_ID, "name": "Revenue"}]


async def test_a_cell_error_output_carries_message_and_traceback(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    error = {"type": "cell_run_error", "message": "relation does not exist", "traceback": "..."}
    hex_api.reply(
        "GET",
        f"/cells/{CELL_ID}/output",
        Reply(200, {"projectId": PROJECT_ID, "runId": RUN_ID, "cell": {}, "result": error}),
    )
    result = await executor.execute("hex_get_cell_output", {"cellId": CELL_ID})
    assert result.output["result"]["type"] == "cell_run_error"
    assert result.output["result"]["message"] == "relation does not exist"
    assert result.output["result"]["columns"] == [] and result.output["result"]["rows"] == []


async def test_a_schema_update_rejected_by_hex_names_each_object(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    details = [{"name": "analytics.nope", "type": "SCHEMA", "reason": "not_found"}]
    hex_api.reply(
        "PATCH",
        f"/data-connections/{CONNECTION_ID}/schema",
        Reply(404, {"reason": "no changes were applied", "details": details}),
    )
    result = await executor.execute(
        "hex_update_data_connection_schema",
        {
            "dataConnectionId": CONNECTION_ID,
            "updates": [{"type": "SCHEMA", "name": "analytics.nope", "status": None}],
        },
    )
    assert result.error is not None and result.error.kind == "not_found"
    assert "analytics.nope" in result.error.message and "not_found" in result.error.message


async def test_connection_secrets_are_masked_even_where_hex_would_echo_them(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    params = {
        "name": "Warehouse",
        "type": "postgres",
        "connectionDetails": {"hostname": "db.example.com"},
        "password": SECRET,
    }
    echoed = {**CONNECTION_SETTINGS, "connectionDetails": {"postgres": {"password": SECRET}}}
    hex_api.reply("POST", "/data-connections", Reply(201, echoed))
    result = await executor.execute("hex_create_data_connection", params)
    assert result.success and SECRET not in repr(result)
    assert result.output["connectionDetails"] == {"postgres": {"password": "***"}}

    hex_api.reply(
        "POST", "/data-connections", Reply(400, {"reason": f"cannot log in with {SECRET}"})
    )
    failed = await executor.execute("hex_create_data_connection", params)
    assert failed.error is not None and SECRET not in failed.error.message
    assert "cannot log in with ***" in failed.error.message
