"""The block is a drop-in for AACFlow's own Hex block and tools.

The facts below are AACFlow's (Sim's) block and tools, written out as data: the
form fields a saved workflow holds, what its own mapping makes of them, and the
params and outputs of its tools. A saved workflow must run here unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from samples import COLLECTION_ID, GROUP_ID, PROJECT_ID, RUN_ID, USER_ID

from aacflow_hex import load_registry
from aacflow_hex.engine.validation import ParamError, validate_params
from aacflow_hex.surfaces.block import EXTRAS, build_block, tool_config
from aacflow_hex.surfaces.integration import integration

REGISTRY = load_registry()
BLOCK = build_block(REGISTRY)
FIELDS = {f["id"]: f for f in BLOCK["subBlocks"]}
CONFIG = tool_config(BLOCK)
DEVIATIONS = (Path(__file__).parent.parent / "docs" / "deviations.md").read_text(encoding="utf-8")
CONNECTION_ID = "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
OTHER_USER_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"

HOST_OPERATIONS = [
    "run_project", "get_run_status", "get_project_runs", "cancel_run", "list_projects",
    "get_project", "update_project", "get_queried_tables", "list_users", "list_groups",
    "get_group", "list_collections", "get_collection", "create_collection", "update_collection",
    "list_data_connections", "get_data_connection", "create_group", "update_group",
    "delete_group", "deactivate_user",
]  # fmt: skip

# id: (type, shown for, required for, advanced, dropdown options)
HOST_FIELDS: dict[str, tuple[str, list[str], list[str], bool, list[str]]] = {
    "projectId": (
        "short-input",
        [
            "run_project",
            "get_run_status",
            "get_project_runs",
            "cancel_run",
            "get_project",
            "update_project",
            "get_queried_tables",
        ],
        [
            "run_project",
            "get_run_status",
            "get_project_runs",
            "cancel_run",
            "get_project",
            "update_project",
            "get_queried_tables",
        ],
        False,
        [],
    ),
    "runId": (
        "short-input",
        ["get_run_status", "cancel_run"],
        ["get_run_status", "cancel_run"],
        False,
        [],
    ),
    "inputParams": ("code", ["run_project"], [], False, []),
    "viewId": ("short-input", ["run_project"], [], True, []),
    "notifications": ("code", ["run_project"], [], True, []),
    "projectStatus": ("short-input", ["update_project"], ["update_project"], False, []),
    "runStatusFilter": (
        "dropdown",
        ["get_project_runs"],
        [],
        False,
        ["", "PENDING", "RUNNING", "COMPLETED", "ERRORED", "KILLED"],
    ),
    "runTriggerFilter": (
        "dropdown",
        ["get_project_runs"],
        [],
        True,
        ["ALL", "API", "SCHEDULED", "APP_REFRESH"],
    ),
    "groupIdInput": (
        "short-input",
        ["get_group", "update_group", "delete_group"],
        ["get_group", "update_group", "delete_group"],
        False,
        [],
    ),
    "groupName": ("short-input", ["create_group", "update_group"], ["create_group"], False, []),
    "groupMemberUserIds": ("code", ["create_group"], [], True, []),
    "groupAddUserIds": ("code", ["update_group"], [], True, []),
    "groupRemoveUserIds": ("code", ["update_group"], [], True, []),
    "collectionId": (
        "short-input",
        ["get_collection", "update_collection", "list_projects"],
        ["get_collection", "update_collection"],
        False,
        [],
    ),
    "collectionName": (
        "short-input",
        ["create_collection", "update_collection"],
        ["create_collection"],
        False,
        [],
    ),
    "collectionDescription": (
        "long-input",
        ["create_collection", "update_collection"],
        [],
        False,
        [],
    ),
    "dataConnectionId": (
        "short-input",
        ["get_data_connection"],
        ["get_data_connection"],
        False,
        [],
    ),
    "userId": ("short-input", ["deactivate_user"], ["deactivate_user"], False, []),
    "apiKey": ("short-input", HOST_OPERATIONS, HOST_OPERATIONS, False, []),
    "dryRun": ("switch", ["run_project"], [], True, []),
    "updateCache": ("switch", ["run_project"], [], True, []),
    "updatePublishedResults": ("switch", ["run_project"], [], True, []),
    "useCachedSqlResults": ("switch", ["run_project"], [], True, []),
    "limit": (
        "short-input",
        [
            "list_projects",
            "get_project_runs",
            "get_queried_tables",
            "list_users",
            "list_groups",
            "list_collections",
            "list_data_connections",
        ],
        [],
        True,
        [],
    ),
    "offset": ("short-input", ["get_project_runs"], [], True, []),
    "includeArchived": ("switch", ["list_projects"], [], True, []),
    "includeComponents": ("switch", ["list_projects"], [], True, []),
    "includeTrashed": ("switch", ["list_projects"], [], True, []),
    "statusFilter": ("dropdown", ["list_projects"], [], True, ["", "PUBLISHED", "DRAFT"]),
    "creatorEmail": ("short-input", ["list_projects"], [], True, []),
    "ownerEmail": ("short-input", ["list_projects"], [], True, []),
    "categories": ("code", ["list_projects"], [], True, []),
    "sortBy": (
        "dropdown",
        ["list_projects"],
        [],
        True,
        ["", "CREATED_AT", "LAST_EDITED_AT", "LAST_PUBLISHED_AT"],
    ),
    "sortDirection": ("dropdown", ["list_projects"], [], True, ["", "ASC", "DESC"]),
    "groupId": ("short-input", ["list_users"], [], True, []),
    "userIds": ("short-input", ["list_users"], [], True, []),
    "after": (
        "short-input",
        ["list_projects", "list_groups", "list_collections", "list_data_connections", "list_users"],
        [],
        True,
        [],
    ),
    "before": (
        "short-input",
        ["list_projects", "list_groups", "list_collections", "list_data_connections", "list_users"],
        [],
        True,
        [],
    ),
}

# tool id: ({param: (type, required, visibility)}, {output: type})
HOST_TOOLS: dict[str, tuple[dict[str, tuple[str, bool, str]], dict[str, str]]] = {
    "hex_cancel_run": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "runId": ("string", True, "user-or-llm"),
        },
        {"success": "boolean", "projectId": "string", "runId": "string"},
    ),
    "hex_create_collection": (
        {
            "apiKey": ("string", True, "user-only"),
            "name": ("string", True, "user-or-llm"),
            "description": ("string", False, "user-or-llm"),
        },
        {"id": "string", "name": "string", "description": "string", "creator": "object"},
    ),
    "hex_create_group": (
        {
            "apiKey": ("string", True, "user-only"),
            "name": ("string", True, "user-or-llm"),
            "memberUserIds": ("json", False, "user-or-llm"),
        },
        {"id": "string", "name": "string", "createdAt": "string"},
    ),
    "hex_deactivate_user": (
        {"apiKey": ("string", True, "user-only"), "userId": ("string", True, "user-or-llm")},
        {"success": "boolean", "userId": "string"},
    ),
    "hex_delete_group": (
        {"apiKey": ("string", True, "user-only"), "groupId": ("string", True, "user-or-llm")},
        {"success": "boolean", "groupId": "string"},
    ),
    "hex_get_collection": (
        {"apiKey": ("string", True, "user-only"), "collectionId": ("string", True, "user-or-llm")},
        {"id": "string", "name": "string", "description": "string", "creator": "object"},
    ),
    "hex_get_data_connection": (
        {
            "apiKey": ("string", True, "user-only"),
            "dataConnectionId": ("string", True, "user-or-llm"),
        },
        {
            "id": "string",
            "name": "string",
            "type": "string",
            "description": "string",
            "connectViaSsh": "boolean",
            "includeMagic": "boolean",
            "allowWritebackCells": "boolean",
        },
    ),
    "hex_get_group": (
        {"apiKey": ("string", True, "user-only"), "groupId": ("string", True, "user-or-llm")},
        {"id": "string", "name": "string", "createdAt": "string"},
    ),
    "hex_get_project": (
        {"apiKey": ("string", True, "user-only"), "projectId": ("string", True, "user-or-llm")},
        {
            "id": "string",
            "title": "string",
            "description": "string",
            "status": "object",
            "type": "string",
            "creator": "object",
            "owner": "object",
            "categories": "array",
            "lastEditedAt": "string",
            "lastPublishedAt": "string",
            "createdAt": "string",
            "archivedAt": "string",
            "trashedAt": "string",
        },
    ),
    "hex_get_project_runs": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "limit": ("number", False, "user-or-llm"),
            "offset": ("number", False, "user-or-llm"),
            "statusFilter": ("string", False, "user-or-llm"),
            "runTriggerFilter": ("string", False, "user-or-llm"),
        },
        {
            "runs": "array",
            "total": "number",
            "traceId": "string",
            "nextPage": "string",
            "previousPage": "string",
        },
    ),
    "hex_get_queried_tables": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "limit": ("number", False, "user-or-llm"),
        },
        {"tables": "array", "total": "number"},
    ),
    "hex_get_run_status": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "runId": ("string", True, "user-or-llm"),
        },
        {
            "projectId": "string",
            "runId": "string",
            "runUrl": "string",
            "status": "string",
            "startTime": "string",
            "endTime": "string",
            "elapsedTime": "number",
            "traceId": "string",
            "projectVersion": "number",
        },
    ),
    "hex_list_collections": (
        {
            "apiKey": ("string", True, "user-only"),
            "limit": ("number", False, "user-or-llm"),
            "sortBy": ("string", False, "user-only"),
            "after": ("string", False, "user-or-llm"),
            "before": ("string", False, "user-or-llm"),
        },
        {"collections": "array", "total": "number", "after": "string", "before": "string"},
    ),
    "hex_list_data_connections": (
        {
            "apiKey": ("string", True, "user-only"),
            "limit": ("number", False, "user-or-llm"),
            "sortBy": ("string", False, "user-only"),
            "sortDirection": ("string", False, "user-only"),
            "after": ("string", False, "user-or-llm"),
            "before": ("string", False, "user-or-llm"),
        },
        {"connections": "array", "total": "number", "after": "string", "before": "string"},
    ),
    "hex_list_groups": (
        {
            "apiKey": ("string", True, "user-only"),
            "limit": ("number", False, "user-or-llm"),
            "sortBy": ("string", False, "user-only"),
            "sortDirection": ("string", False, "user-only"),
            "after": ("string", False, "user-or-llm"),
            "before": ("string", False, "user-or-llm"),
        },
        {"groups": "array", "total": "number", "after": "string", "before": "string"},
    ),
    "hex_list_projects": (
        {
            "apiKey": ("string", True, "user-only"),
            "limit": ("number", False, "user-or-llm"),
            "includeArchived": ("boolean", False, "user-only"),
            "statusFilter": ("string", False, "user-or-llm"),
            "includeComponents": ("boolean", False, "user-only"),
            "includeTrashed": ("boolean", False, "user-only"),
            "creatorEmail": ("string", False, "user-or-llm"),
            "ownerEmail": ("string", False, "user-or-llm"),
            "collectionId": ("string", False, "user-or-llm"),
            "categories": ("json", False, "user-or-llm"),
            "sortBy": ("string", False, "user-only"),
            "sortDirection": ("string", False, "user-only"),
            "after": ("string", False, "user-or-llm"),
            "before": ("string", False, "user-or-llm"),
        },
        {"projects": "array", "total": "number", "after": "string", "before": "string"},
    ),
    "hex_list_users": (
        {
            "apiKey": ("string", True, "user-only"),
            "limit": ("number", False, "user-or-llm"),
            "sortBy": ("string", False, "user-only"),
            "sortDirection": ("string", False, "user-only"),
            "groupId": ("string", False, "user-or-llm"),
            "userIds": ("string", False, "user-or-llm"),
            "after": ("string", False, "user-or-llm"),
            "before": ("string", False, "user-or-llm"),
        },
        {"users": "array", "total": "number", "after": "string", "before": "string"},
    ),
    "hex_run_project": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "inputParams": ("json", False, "user-or-llm"),
            "dryRun": ("boolean", False, "user-only"),
            "updateCache": ("boolean", False, "user-only"),
            "updatePublishedResults": ("boolean", False, "user-only"),
            "useCachedSqlResults": ("boolean", False, "user-only"),
            "viewId": ("string", False, "user-or-llm"),
            "notifications": ("json", False, "user-or-llm"),
        },
        {
            "projectId": "string",
            "runId": "string",
            "runUrl": "string",
            "runStatusUrl": "string",
            "traceId": "string",
            "projectVersion": "number",
        },
    ),
    "hex_update_collection": (
        {
            "apiKey": ("string", True, "user-only"),
            "collectionId": ("string", True, "user-or-llm"),
            "name": ("string", False, "user-or-llm"),
            "description": ("string", False, "user-or-llm"),
        },
        {"id": "string", "name": "string", "description": "string", "creator": "object"},
    ),
    "hex_update_group": (
        {
            "apiKey": ("string", True, "user-only"),
            "groupId": ("string", True, "user-or-llm"),
            "name": ("string", False, "user-or-llm"),
            "addUserIds": ("json", False, "user-or-llm"),
            "removeUserIds": ("json", False, "user-or-llm"),
        },
        {"id": "string", "name": "string", "createdAt": "string"},
    ),
    "hex_update_project": (
        {
            "apiKey": ("string", True, "user-only"),
            "projectId": ("string", True, "user-or-llm"),
            "status": ("string", True, "user-or-llm"),
        },
        {
            "id": "string",
            "title": "string",
            "description": "string",
            "status": "object",
            "type": "string",
            "creator": "object",
            "owner": "object",
            "categories": "array",
            "lastEditedAt": "string",
            "lastPublishedAt": "string",
            "createdAt": "string",
            "archivedAt": "string",
            "trashedAt": "string",
        },
    ),
}


def _shown_for(field: dict[str, Any]) -> list[str]:
    return [op for op in field["condition"]["value"] if op in HOST_OPERATIONS]


def _required_for(field: dict[str, Any]) -> list[str]:
    required = field.get("required", False)
    if isinstance(required, dict):
        return [op for op in required["value"] if op in HOST_OPERATIONS]
    return _shown_for(field) if required else []


def test_operations_are_the_hosts_with_the_same_default() -> None:
    operation = BLOCK["subBlocks"][0]
    assert operation["defaultValue"] == "run_project"
    ids = [o["id"] for o in operation["options"]]
    assert ids[: len(HOST_OPERATIONS)] == HOST_OPERATIONS
    for op in HOST_OPERATIONS:
        assert CONFIG["tool"]["map"][op] == f"hex_{op}"


@pytest.mark.parametrize("field_id", list(HOST_FIELDS))
def test_every_host_field_keeps_its_id_type_condition_required_rule_and_mode(
    field_id: str,
) -> None:
    kind, shown, required, advanced, options = HOST_FIELDS[field_id]
    field = FIELDS[field_id]
    assert field["type"] == kind
    assert sorted(_shown_for(field)) == sorted(shown)
    assert sorted(_required_for(field)) == sorted(required)
    assert (field.get("mode") == "advanced") == advanced
    if options:
        ours = [o["id"] for o in field["options"]]
        assert set(options) <= set(ours), ours  # every saved value is still an option


def test_no_host_field_id_feeds_another_param_on_the_hosts_operations() -> None:
    """A value saved under a host field id for one operation is never read by another."""
    for op in HOST_OPERATIONS:
        for param, field_id in CONFIG["params"][op].items():
            if field_id in HOST_FIELDS:
                assert op in HOST_FIELDS[field_id][1], (op, param, field_id)


# Per operation: the field values AACFlow's block saves (with leftovers from another
# operation), and the tool call AACFlow's own mapping makes of them.
GOLDEN: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    ({"operation": "run_project", "apiKey": "k", "projectId": PROJECT_ID,
      "inputParams": '{"region": "EU"}', "dryRun": True, "useCachedSqlResults": False,
      "notifications": '[{"type": "ALL", "includeSuccessScreenshot": false}]',
      "runId": RUN_ID},
     "hex_run_project",
     {"apiKey": "k", "projectId": PROJECT_ID, "inputParams": '{"region": "EU"}', "dryRun": True,
      "useCachedSqlResults": False,
      "notifications": '[{"type": "ALL", "includeSuccessScreenshot": false}]'}),
    ({"operation": "get_run_status", "apiKey": "k", "projectId": PROJECT_ID, "runId": RUN_ID,
      "inputParams": "{}"},
     "hex_get_run_status", {"apiKey": "k", "projectId": PROJECT_ID, "runId": RUN_ID}),
    ({"operation": "get_project_runs", "apiKey": "k", "projectId": PROJECT_ID, "limit": "10",
      "offset": "20", "runStatusFilter": "COMPLETED", "runTriggerFilter": "SCHEDULED",
      "statusFilter": "PUBLISHED"},
     "hex_get_project_runs",
     {"apiKey": "k", "projectId": PROJECT_ID, "limit": 10, "offset": 20,
      "statusFilter": "COMPLETED", "runTriggerFilter": "SCHEDULED"}),
    ({"operation": "cancel_run", "apiKey": "k", "projectId": PROJECT_ID, "runId": RUN_ID},
     "hex_cancel_run", {"apiKey": "k", "projectId": PROJECT_ID, "runId": RUN_ID}),
    ({"operation": "list_projects", "apiKey": "k", "limit": "5", "includeArchived": True,
      "statusFilter": "PUBLISHED", "creatorEmail": "ada@example.com",
      "collectionId": COLLECTION_ID, "categories": '["Finance"]', "sortBy": "LAST_EDITED_AT",
      "sortDirection": "DESC", "after": "cursor-1", "runStatusFilter": "KILLED"},
     "hex_list_projects",
     {"apiKey": "k", "limit": 5, "includeArchived": True, "statusFilter": "PUBLISHED",
      "creatorEmail": "ada@example.com", "collectionId": COLLECTION_ID,
      "categories": '["Finance"]', "sortBy": "LAST_EDITED_AT", "sortDirection": "DESC",
      "after": "cursor-1"}),
    ({"operation": "get_project", "apiKey": "k", "projectId": PROJECT_ID, "limit": "3"},
     "hex_get_project", {"apiKey": "k", "projectId": PROJECT_ID}),
    ({"operation": "update_project", "apiKey": "k", "projectId": PROJECT_ID,
      "projectStatus": "Production"},
     "hex_update_project", {"apiKey": "k", "projectId": PROJECT_ID, "status": "Production"}),
    ({"operation": "get_queried_tables", "apiKey": "k", "projectId": PROJECT_ID, "limit": "7",
      "after": "left-from-list-projects"},
     "hex_get_queried_tables", {"apiKey": "k", "projectId": PROJECT_ID, "limit": 7}),
    ({"operation": "list_users", "apiKey": "k", "limit": "200", "groupId": GROUP_ID,
      "userIds": f"{USER_ID},{OTHER_USER_ID}", "before": "c-0", "groupIdInput": "x"},
     "hex_list_users",
     {"apiKey": "k", "limit": 200, "groupId": GROUP_ID,
      "userIds": f"{USER_ID},{OTHER_USER_ID}", "before": "c-0"}),
    ({"operation": "list_groups", "apiKey": "k", "limit": "50", "after": "c-1",
      "sortBy": "CREATED_AT"},
     "hex_list_groups", {"apiKey": "k", "limit": 50, "after": "c-1"}),
    ({"operation": "get_group", "apiKey": "k", "groupIdInput": GROUP_ID, "groupId": USER_ID},
     "hex_get_group", {"apiKey": "k", "groupId": GROUP_ID}),
    ({"operation": "list_collections", "apiKey": "k", "limit": "20", "before": "c-2"},
     "hex_list_collections", {"apiKey": "k", "limit": 20, "before": "c-2"}),
    ({"operation": "get_collection", "apiKey": "k", "collectionId": COLLECTION_ID},
     "hex_get_collection", {"apiKey": "k", "collectionId": COLLECTION_ID}),
    ({"operation": "create_collection", "apiKey": "k", "collectionName": "Finance",
      "collectionDescription": "Money matters", "groupName": "left over"},
     "hex_create_collection", {"apiKey": "k", "name": "Finance", "description": "Money matters"}),
    ({"operation": "update_collection", "apiKey": "k", "collectionId": COLLECTION_ID,
      "collectionName": "Finance 2", "collectionDescription": "Renamed"},
     "hex_update_collection",
     {"apiKey": "k", "collectionId": COLLECTION_ID, "name": "Finance 2",
      "description": "Renamed"}),
    ({"operation": "list_data_connections", "apiKey": "k", "limit": "4", "after": "c-3"},
     "hex_list_data_connections", {"apiKey": "k", "limit": 4, "after": "c-3"}),
    ({"operation": "get_data_connection", "apiKey": "k", "dataConnectionId": CONNECTION_ID},
     "hex_get_data_connection", {"apiKey": "k", "dataConnectionId": CONNECTION_ID}),
    ({"operation": "create_group", "apiKey": "k", "groupName": "Analysts",
      "groupMemberUserIds": f'["{USER_ID}"]'},
     "hex_create_group", {"apiKey": "k", "name": "Analysts", "memberUserIds": f'["{USER_ID}"]'}),
    ({"operation": "update_group", "apiKey": "k", "groupIdInput": GROUP_ID,
      "groupName": "Analysts 2", "groupAddUserIds": f'["{USER_ID}"]',
      "groupRemoveUserIds": f'["{OTHER_USER_ID}"]'},
     "hex_update_group",
     {"apiKey": "k", "groupId": GROUP_ID, "name": "Analysts 2",
      "addUserIds": f'["{USER_ID}"]', "removeUserIds": f'["{OTHER_USER_ID}"]'}),
    ({"operation": "delete_group", "apiKey": "k", "groupIdInput": GROUP_ID},
     "hex_delete_group", {"apiKey": "k", "groupId": GROUP_ID}),
    ({"operation": "deactivate_user", "apiKey": "k", "userId": USER_ID, "userIds": "x"},
     "hex_deactivate_user", {"apiKey": "k", "userId": USER_ID}),
]  # fmt: skip


def test_the_golden_set_covers_every_host_operation() -> None:
    assert [values["operation"] for values, _, _ in GOLDEN] == HOST_OPERATIONS


@pytest.mark.parametrize(("values", "tool_id", "params"), GOLDEN, ids=lambda v: str(v)[:30])
def test_a_saved_host_workflow_resolves_to_the_hosts_tool_call(
    values: dict[str, Any], tool_id: str, params: dict[str, Any]
) -> None:
    assert integration.resolve(values) == (tool_id, params)
    # ... and the executor takes that call as it is.
    spec = REGISTRY.get(tool_id)
    validate_params(spec, REGISTRY.tool(tool_id).validator, params)


# Where ours knowingly differs from a host tool; each is explained in docs/deviations.md.
KNOWN_DIFFERENCES = {("hex_create_group", "output", "createdAt")}


def _differences() -> set[tuple[str, str, str]]:
    found = set()
    for tool_id, (params, outputs) in HOST_TOOLS.items():
        spec = REGISTRY.get(tool_id)
        for name, (kind, required, visibility) in params.items():
            param = spec.params.get(name)
            if param is None or (param.type, param.required, param.visibility) != (
                kind,
                required,
                visibility,
            ):
                found.add((tool_id, "param", name))
        for name, kind in outputs.items():
            output = spec.outputs.get(name)
            if output is None or output.type != kind:
                found.add((tool_id, "output", name))
    return found


def test_every_host_tool_param_and_output_is_here_with_its_type_and_visibility() -> None:
    assert _differences() == KNOWN_DIFFERENCES
    for tool_id, _, name in KNOWN_DIFFERENCES:
        assert f"`{name}`" in DEVIATIONS and tool_id in DEVIATIONS


def test_params_the_host_keeps_from_the_llm_are_not_offered_to_agents() -> None:
    from aacflow_hex.surfaces.agents import agent_input_schema

    for tool_id, (params, _) in HOST_TOOLS.items():
        offered = agent_input_schema(REGISTRY.get(tool_id))["properties"]
        for name, (_, _, visibility) in params.items():
            assert (name in offered) == (visibility != "user-only"), (tool_id, name)


# Keys a Sim-style host reads (its BlockConfig and SubBlockConfig).
HOST_BLOCK_KEYS = {
    "type", "name", "description", "category", "integrationType", "tags", "longDescription",
    "bestPractices", "docsLink", "bgColor", "icon", "subBlocks", "triggerAllowed", "authMode",
    "singleInstance", "tools", "inputs", "outputs", "hideFromToolbar", "triggers",
    "canvasPresentation",
}  # fmt: skip
HOST_FIELD_KEYS = {
    "id", "title", "type", "mode", "canonicalParamId", "paramVisibility", "required",
    "defaultValue", "options", "min", "max", "placeholder", "password", "description",
    "tooltip", "condition", "language", "rows", "hidden",
}  # fmt: skip
HOST_OUTPUT_TYPES = {"string", "number", "boolean", "json", "array", "file", "file[]", "any"}


def test_the_block_json_has_no_key_a_sim_host_does_not_know_but_the_namespaced_one() -> None:
    assert set(BLOCK) - HOST_BLOCK_KEYS == {EXTRAS}
    assert set(BLOCK["tools"]) == {"access"}  # the host's tools.config is code
    for field in BLOCK["subBlocks"]:
        assert set(field) <= HOST_FIELD_KEYS, field["id"]
        assert "value" not in field  # a host reads `value` only as a function
    assert {o["type"] for o in BLOCK["outputs"].values()} <= HOST_OUTPUT_TYPES
    assert BLOCK["integrationType"] == "analytics" and BLOCK["docsLink"].startswith("https://")


def test_every_operation_has_a_canvas_sentence_bound_to_its_fields() -> None:
    sentences = BLOCK["canvasPresentation"]["sentences"]["byOperation"]
    assert set(sentences) == set(CONFIG["tool"]["map"])
    for op, pieces in sentences.items():
        assert pieces and pieces[0]["text"], op
        for piece in pieces:
            assert piece.get("field", "x") in {*CONFIG["params"][op].values(), "x"}, (op, piece)
    assert sentences["run_project"][0] == {
        "text": "Run project",
        "field": "projectId",
        "core": True,
    }
    assert sentences["run_project"][1]["field"] == "inputParams"


# Form values as a form sends them: strings for numbers and booleans, JSON text, Hex URLs.
# (operation, field id or the name of the param it feeds, value)
FORM_VALUES: list[tuple[str, str, Any]] = [
    ("list_projects", "limit", "5"),
    ("list_projects", "limit", 5),
    ("list_projects", "limit", " 7 "),
    ("list_projects", "limit", "five"),
    ("list_projects", "limit", "2.5"),
    ("list_projects", "limit", "500"),
    ("list_projects", "limit", "100"),
    ("list_projects", "limit", ""),
    ("get_run_status", "runId", ""),
    ("list_projects", "limit", True),
    ("list_projects", "includeArchived", "true"),
    ("list_projects", "includeArchived", "off"),
    ("list_projects", "includeArchived", True),
    ("list_projects", "includeArchived", "maybe"),
    ("list_projects", "categories", '["Finance"]'),
    ("list_projects", "categories", ["Finance"]),
    ("list_projects", "categories", "Finance, Ops"),
    ("list_projects", "collectionId", COLLECTION_ID),
    ("list_projects", "collectionId", "not-a-uuid"),
    ("get_project", "projectId", f"https://app.hex.tech/acme/hex/{PROJECT_ID}/draft/logic"),
    ("get_project", "projectId", f"https://app.hex.tech/acme/app/{PROJECT_ID}/latest"),
    ("get_project", "projectId", PROJECT_ID),
    ("get_project", "projectId", "../users"),
    ("run_project", "inputParams", '{"region": "EU"}'),
    ("run_project", "inputParams", {"region": "EU"}),
    ("run_project", "inputParams", "[1, 2]"),
    ("run_project", "dryRun", "1"),
    ("get_project_runs", "runStatusFilter", "KILLED"),
    ("get_project_runs", "runStatusFilter", "DONE"),
    ("get_project_runs", "offset", "0"),
    ("get_project_runs", "offset", "-1"),
    ("create_group", "groupMemberUserIds", f'["{USER_ID}"]'),
    ("create_group", "groupMemberUserIds", f'[ "{USER_ID}" , "{OTHER_USER_ID}" ]'),
    ("create_group", "groupMemberUserIds", f"{USER_ID}, {OTHER_USER_ID}"),
    ("create_group", "groupMemberUserIds", f",{USER_ID},, {OTHER_USER_ID},"),
    ("create_group", "groupMemberUserIds", "[]"),
    ("create_group", "groupMemberUserIds", ","),
    ("create_group", "groupMemberUserIds", f"[{USER_ID}]"),
    ("create_group", "groupMemberUserIds", "ada, grace"),
    ("create_group", "groupMemberUserIds", f"{USER_ID} {OTHER_USER_ID}"),
    ("create_group", "groupMemberUserIds", [USER_ID]),
    ("update_group", "groupAddUserIds", ", ".join([USER_ID] * 100)),
    ("update_group", "groupAddUserIds", ", ".join([USER_ID] * 101)),
    ("share_project_with_users", "userIds", ",".join([USER_ID] * 25)),
    ("share_project_with_users", "userIds", ",".join([USER_ID] * 26)),
    ("share_project_with_users", "userIds", "[]"),
    ("share_project_with_users", "userIds", f'["{USER_ID}"]'),
    ("list_users", "userIds", f"{USER_ID},{OTHER_USER_ID}"),
    ("list_users", "userIds", f"{USER_ID}, {OTHER_USER_ID}"),
]


def _filled(op: str, form: dict[str, Any]) -> dict[str, Any]:
    """The form with every other required field given a valid value."""
    tool_id = CONFIG["tool"]["map"][op]
    spec = REGISTRY.get(tool_id)
    for param, field_id in CONFIG["params"][op].items():
        needed = spec.params[param]
        if needed.required and field_id not in form:
            form[field_id] = needed.enum[0] if needed.enum else PROJECT_ID
    return form


def _executor_accepts(op: str, form: dict[str, Any]) -> bool:
    tool_id, params = integration.resolve(form)
    try:
        validate_params(REGISTRY.get(tool_id), REGISTRY.tool(tool_id).validator, params)
    except ParamError:
        return False
    return True


@pytest.mark.parametrize(("op", "field_id", "value"), FORM_VALUES, ids=str)
def test_the_form_schema_and_the_executor_give_the_same_verdict(
    op: str, field_id: str, value: Any
) -> None:
    field_id = CONFIG["params"][op].get(field_id, field_id)  # a param's name: its field
    validator = Draft202012Validator(BLOCK[EXTRAS]["formSchema"])
    form = _filled(op, {"operation": op, "apiKey": "k", field_id: value})
    assert validator.is_valid(form) == _executor_accepts(op, form)


async def test_a_workflow_saved_with_the_hosts_block_runs_here_on_the_emulator() -> None:
    """Step by step, values as AACFlow's block saves them -> resolve -> the executor."""
    from aacflow_hex.emulator import EmulatorConfig, run_emulator

    async with run_emulator(EmulatorConfig(port=0, rate_limits=None)) as emu:
        f = emu.fixtures
        explorer = f.user_ids["EXPLORER"]
        async with integration.create_executor(base_url=emu.base_url) as executor:

            async def step(**values: Any) -> dict[str, Any]:
                result = await executor.execute(
                    *integration.resolve({"apiKey": emu.token, **values})
                )
                assert result.success, (values["operation"], result.error)
                output: dict[str, Any] = result.output
                return output

            published = await step(operation="list_projects", limit="100", statusFilter="PUBLISHED")
            assert published["projects"]
            assert all(p["lastPublishedAt"] for p in published["projects"])
            drafts = await step(operation="list_projects", limit="100", statusFilter="DRAFT")
            assert drafts["projects"] and not any(p["lastPublishedAt"] for p in drafts["projects"])

            notify = (
                f'[{{"type": "ALL", "includeSuccessScreenshot": false, "userIds": ["{explorer}"]}}]'
            )
            run = await step(
                operation="run_project",
                projectId=f.completing_project_id,
                notifications=notify,
                useCachedSqlResults=True,
            )
            status = await step(
                operation="get_run_status", projectId=run["projectId"], runId=run["runId"]
            )
            assert status["runTrigger"] == "API"
            runs = await step(
                operation="get_project_runs",
                projectId=f.completing_project_id,
                limit="5",
                offset="0",
            )
            assert run["runId"] in [r["runId"] for r in runs["runs"]]

            group = await step(
                operation="create_group", groupName="Analysts", groupMemberUserIds=f'["{explorer}"]'
            )
            await step(
                operation="update_group",
                groupIdInput=group["id"],
                groupName="Analysts 2",
                groupAddUserIds=f'["{f.user_ids["EDITOR"]}"]',
            )
            assert (await step(operation="get_group", groupIdInput=group["id"]))[
                "name"
            ] == "Analysts 2"
            members = await step(operation="list_users", groupId=group["id"], limit="500")
            assert {u["id"] for u in members["users"]} == {explorer, f.user_ids["EDITOR"]}
            deleted = await step(operation="delete_group", groupIdInput=group["id"])
            assert deleted == {"success": True, "groupId": group["id"]}

            collection = await step(
                operation="create_collection", collectionName="Finance", collectionDescription="$"
            )
            await step(
                operation="update_collection",
                collectionId=collection["id"],
                collectionName="Finance 2",
            )
            got = await step(operation="get_collection", collectionId=collection["id"])
            assert (got["name"], got["description"]) == ("Finance 2", "$")

            only = await step(operation="list_users", userIds=f"{explorer},{f.user_ids['EDITOR']}")
            assert {u["id"] for u in only["users"]} == {explorer, f.user_ids["EDITOR"]}
            gone = await step(operation="deactivate_user", userId=explorer)
            assert (gone["success"], gone["userId"]) == (True, explorer)


# The block outputs of AACFlow's block: name -> type.
HOST_BLOCK_OUTPUTS = {
    "projectId": "string",
    "runId": "string",
    "runUrl": "string",
    "runStatusUrl": "string",
    "projectVersion": "number",
    "status": "json",
    "startTime": "string",
    "endTime": "string",
    "elapsedTime": "number",
    "traceId": "string",
    "id": "string",
    "title": "string",
    "name": "string",
    "description": "string",
    "type": "string",
    "createdAt": "string",
    "updatedAt": "string",
    "lastEditedAt": "string",
    "lastPublishedAt": "string",
    "archivedAt": "string",
    "trashedAt": "string",
    "projects": "json",
    "runs": "json",
    "users": "json",
    "groups": "json",
    "collections": "json",
    "connections": "json",
    "tables": "json",
    "categories": "json",
    "creator": "json",
    "owner": "json",
    "total": "number",
    "success": "boolean",
    "groupId": "string",
    "userId": "string",
    "nextPage": "string",
    "previousPage": "string",
    "after": "string",
    "before": "string",
    "connectViaSsh": "boolean",
    "includeMagic": "boolean",
    "allowWritebackCells": "boolean",
}


def test_every_output_of_the_hosts_block_is_here_with_its_type() -> None:
    ours = {name: output["type"] for name, output in BLOCK["outputs"].items()}
    assert {name: ours.get(name) for name in HOST_BLOCK_OUTPUTS} == HOST_BLOCK_OUTPUTS
