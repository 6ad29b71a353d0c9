"""Bad input to the tools beyond the docs page is refused before any request is sent.

Each message names the parameter, so a user or an agent can correct the call.
"""

from __future__ import annotations

from typing import Any

import pytest
from hexfake import FakeHex
from samples import COLLECTION_ID, CONNECTION_ID, GROUP_ID, PROJECT_ID, RUN_ID, USER_ID

from aacflow_hex import HexExecutor

CELL_ID = "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e"
THREAD_ID = "0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a"
PG_DETAILS = {"hostname": "db", "port": 5432, "database": "d", "username": "u"}
IDS_26 = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(26)]

# (tool, params, words the message must contain)
BAD_INPUT: list[tuple[str, dict[str, Any], list[str]]] = [
    ("hex_update_project", {"projectId": PROJECT_ID, "status": ""},
     ["status: must not be empty", "clearStatus"]),
    ("hex_update_project", {"projectId": PROJECT_ID, "status": "Production", "clearStatus": True},
     ["status and clearStatus: cannot be combined"]),
    ("hex_share_project_with_users", {"projectId": PROJECT_ID, "userIds": ["ada"],
                                      "access": "CAN_VIEW"},
     ["userIds[0]: must be a UUID"]),
    ("hex_share_project_with_users", {"projectId": PROJECT_ID, "userIds": [USER_ID],
                                      "access": "OWNER"},
     ["access: must be one of NONE, APP_ONLY, CAN_VIEW, CAN_EDIT, FULL_ACCESS"]),
    ("hex_share_project_with_users", {"projectId": PROJECT_ID, "userIds": []},
     ["userIds: fails minItems", "access: is required"]),
    ("hex_share_project_with_groups", {"projectId": PROJECT_ID, "groupIds": "x, y",
                                       "access": "NONE"},
     ["groupIds[0]: must be a UUID", "groupIds[1]: must be a UUID"]),
    ("hex_share_project_with_collections", {"projectId": PROJECT_ID, "collectionIds": IDS_26,
                                            "access": "CAN_VIEW"},
     ["collectionIds: fails maxItems 25"]),
    ("hex_update_project_workspace_sharing", {"projectId": PROJECT_ID},
     ["workspaceAccess, publicWebAccess: give at least one"]),
    ("hex_update_project_workspace_sharing", {"projectId": PROJECT_ID, "publicWebAccess": "ALL"},
     ["publicWebAccess: must be one of"]),
    ("hex_export_project", {"projectId": PROJECT_ID, "version": "latest", "versionNumber": 2},
     ["version and versionNumber: cannot be combined"]),
    ("hex_export_project", {"projectId": PROJECT_ID, "versionNumber": 0},
     ["versionNumber: must be at least 1"]),
    ("hex_create_project", {"title": ""}, ["title: must not be empty"]),
    ("hex_create_group", {"name": "", "memberUserIds": [USER_ID]}, ["name: must not be empty"]),
    ("hex_share_project_with_users", {"projectId": PROJECT_ID, "userIds": IDS_26,
                                      "access": "CAN_VIEW"},
     ["userIds: fails maxItems 25"]),
    ("hex_share_project_with_groups", {"projectId": PROJECT_ID, "groupIds": IDS_26,
                                       "access": "CAN_VIEW"},
     ["groupIds: fails maxItems 25"]),
    ("hex_run_project", {"projectId": PROJECT_ID, "notifications": [{"type": "FAILURE"}]},
     ["notifications[0]: 'includeSuccessScreenshot' is a required property"]),
    ("hex_run_project", {"projectId": PROJECT_ID, "notifications": [
        {"type": "NEVER", "includeSuccessScreenshot": False, "userId": USER_ID}]},
     ["notifications[0][type]: must be one of SUCCESS, FAILURE, ALL",
      "('userId' was unexpected)"]),
    ("hex_run_project_and_wait", {"projectId": PROJECT_ID, "notifications": '{"type": "ALL"}'},
     ["notifications[0]: must be of type object"]),
    ("hex_list_users", {"userIds": f"{USER_ID}, ada"}, ["userIds: "]),
    ("hex_update_group", {"groupId": GROUP_ID},
     ["name, addUserIds, removeUserIds: give at least one"]),
    ("hex_delete_group", {"groupId": "../users"}, ["groupId: must be a UUID"]),
    ("hex_deactivate_user", {"userId": "ada@example.com"}, ["userId: must be a UUID"]),
    ("hex_update_collection", {"collectionId": COLLECTION_ID, "userIds": [USER_ID]},
     ["userAccess: required with userIds"]),
    ("hex_update_collection", {"collectionId": COLLECTION_ID},
     ["give at least one"]),
    ("hex_create_data_connection", {"name": "pg", "type": "postgres",
                                    "connectionDetails": PG_DETAILS},
     ["password: required when type is postgres"]),
    ("hex_create_data_connection", {"name": "sf", "type": "snowflake", "password": "pw-0123",
                                    "connectionDetails": {"accountName": "a"}},
     ["privateKey, passphrase: required when type is snowflake",
      "password: not allowed when type is snowflake"]),
    ("hex_create_data_connection", {"name": "ch", "type": "clickhouse", "connectionDetails": {}},
     ["type: must be one of athena, bigquery"]),
    ("hex_create_data_connection", {"name": "pg", "type": "postgres", "password": "pw-0123",
                                    "connectionDetails": "[1, 2]"},
     ["connectionDetails: must be of type object"]),
    ("hex_create_data_connection", {"name": "pg", "type": "postgres", "password": "pw-0123",
                                    "connectionDetails": PG_DETAILS, "groupIds": [GROUP_ID]},
     ["groupAccess: required with groupIds"]),
    ("hex_update_data_connection", {"dataConnectionId": CONNECTION_ID, "password": "pw-0123"},
     ["type: required when password is given"]),
    ("hex_update_data_connection", {"dataConnectionId": CONNECTION_ID},
     ["give at least one"]),
    ("hex_update_data_connection", {"dataConnectionId": CONNECTION_ID, "publicAccess": "QUERY"},
     ["publicAccess: must be one of NONE, VIEW_RESULTS"]),
    ("hex_update_data_connection_schema", {"dataConnectionId": CONNECTION_ID, "updates": []},
     ["updates: fails minItems 1"]),
    ("hex_update_data_connection_schema",
     {"dataConnectionId": CONNECTION_ID, "updates": [{"type": "COLUMN", "name": "a"}]},
     ["updates[0][type]: must be one of DATABASE, SCHEMA, TABLE",
      "updates[0]: 'status' is a required property"]),
    ("hex_update_data_connection_schema",
     {"dataConnectionId": CONNECTION_ID, "updates": [
         {"type": "TABLE", "name": "a.b.c", "status": None, "owner": "ada"}]},
     ["updates[0]: Additional properties are not allowed ('owner' was unexpected)"]),
    ("hex_update_semantic_project",
     {"semanticProjectId": GROUP_ID, "updates": [{"type": "TABLE", "name": "t", "status": None}]},
     ["updates[0][type]: must be one of DATASET, VIEW"]),
    ("hex_create_cell", {"projectId": PROJECT_ID, "cellType": "CODE", "source": "x = 1",
                         "outputDataframe": "df"},
     ["outputDataframe: not allowed when cellType is CODE"]),
    ("hex_create_cell", {"projectId": PROJECT_ID, "cellType": "SQL", "source": "select 1",
                         "dataConnectionId": CONNECTION_ID, "isDataframeSql": True},
     ["dataConnectionId and isDataframeSql: cannot be combined"]),
    ("hex_create_cell", {"projectId": PROJECT_ID, "source": "x"}, ["cellType: is required"]),
    ("hex_create_cell", {"projectId": PROJECT_ID, "cellType": "CHART", "source": "x"},
     ["cellType: must be one of CODE, SQL, MARKDOWN"]),
    ("hex_create_cell", {"projectId": PROJECT_ID, "cellType": "CODE", "source": "x",
                         "childPosition": "LAST"},
     ["parentCellId: required when childPosition is given"]),
    ("hex_update_cell", {"cellId": CELL_ID, "source": "select 2"},
     ["cellType: required when source is given"]),
    ("hex_update_cell", {"cellId": CELL_ID, "dataConnectionId": CONNECTION_ID,
                         "detachDataConnection": True},
     ["dataConnectionId and detachDataConnection: cannot be combined"]),
    ("hex_update_cell", {"cellId": CELL_ID, "cellType": "MARKDOWN", "source": "# x",
                         "outputDataframe": "df"},
     ["outputDataframe: not allowed when cellType is MARKDOWN"]),
    ("hex_update_cell", {"cellId": CELL_ID}, ["give at least one"]),
    ("hex_get_cell", {"cellId": "cell-1"}, ["cellId: must be a UUID"]),
    ("hex_get_cell_chart_image", {"cellId": CELL_ID, "width": 640},
     ["height: required with width"]),
    ("hex_get_cell_chart_image", {"cellId": CELL_ID, "width": 99, "height": 2001},
     ["width: must be at least 100", "height: must be at most 2000"]),
    ("hex_get_run_chart_image", {"projectId": PROJECT_ID, "runId": RUN_ID, "staticId": "chart"},
     ["staticId: must be a UUID"]),
    ("hex_create_presigned_url", {"projectId": PROJECT_ID, "expiresIn": 300001},
     ["expiresIn: must be at most 300000"]),
    ("hex_create_presigned_url", {"projectId": PROJECT_ID, "scope": ["EXPORT_XLS"]},
     ["scope[0]: must be one of EXPORT_PDF, EXPORT_CSV"]),
    ("hex_create_presigned_url", {"projectId": PROJECT_ID, "hexUserAttributes": {"n": 1}},
     ["hexUserAttributes[n]: must be of type string"]),
    ("hex_create_thread", {"prompt": ""}, ["prompt: must not be empty"]),
    ("hex_create_thread", {"prompt": "why?", "projectId": PROJECT_ID, "newProject": True},
     ["projectId and newProject: cannot be combined"]),
    ("hex_continue_thread", {"threadId": THREAD_ID}, ["prompt: is required"]),
    ("hex_list_threads", {"roles": "ADMIN, OWNER"}, ["roles[1]: must be one of ADMIN"]),
    ("hex_list_threads", {"numDays": 0}, ["numDays: must be at least 1"]),
    ("hex_list_thread_messages", {"threadId": THREAD_ID, "limit": 51},
     ["limit: must be at most 50"]),
    ("hex_list_cells", {"limit": 5}, ["projectId: is required"]),
    ("hex_list_context_topics", {"limit": 101}, ["limit: must be at most 100"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tool", "params", "words"),
    BAD_INPUT,
    ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(BAD_INPUT)],
)
async def test_bad_input_is_refused_before_sending_with_the_param_named(
    tool: str, params: dict[str, Any], words: list[str], hex_api: FakeHex, executor: HexExecutor
) -> None:
    result = await executor.execute(tool, params)

    assert not result.success and result.error is not None
    assert result.error.kind == "validation"
    for word in words:
        assert word in result.error.message
    assert hex_api.received == []
