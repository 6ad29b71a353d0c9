"""The 16 documented tools end to end: executor -> HTTP -> the Hex API emulator."""

from __future__ import annotations

from typing import Any

import pytest
from samples import assert_declared_shape

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.emulator import Emulator
from aacflow_hex.engine.retry import NO_RETRY

REGISTRY = load_registry()
MISSING_ID = "00000000-0000-4000-8000-000000000000"


async def call(hex_: HexExecutor, tool_id: str, **params: Any) -> dict[str, Any]:
    result = await hex_.execute(tool_id, params)
    assert result.success, result.error
    assert_declared_shape(REGISTRY.get(tool_id).outputs, result.output)
    return result.output


async def test_projects_are_listed_read_and_relabelled(emu: Emulator, hex_: HexExecutor) -> None:
    listed = await call(hex_, "hex_list_projects", limit=30)
    assert listed["total"] == 30
    assert all(p["archivedAt"] is None for p in listed["projects"])

    project_id = emu.fixtures.completing_project_id
    project = await call(hex_, "hex_get_project", projectId=project_id)
    assert project["id"] == project_id and project["lastPublishedAt"] is not None

    label = emu.workspace.status_labels[0]
    updated = await call(hex_, "hex_update_project", projectId=project_id, status=label)
    assert updated["status"] == {"name": label}
    again = await call(hex_, "hex_get_project", projectId=project_id)
    assert again["status"] == {"name": label}


async def test_archived_projects_appear_only_when_asked(emu: Emulator, hex_: HexExecutor) -> None:
    archived = emu.fixtures.archived_project_id

    async def ids(**params: Any) -> set[str]:
        listed = await call(hex_, "hex_list_projects", fetchAll=True, **params)
        return {p["id"] for p in listed["projects"]}

    assert archived not in await ids()
    assert archived in await ids(includeArchived=True)


@pytest.mark.parametrize("status_filter", ["PUBLISHED", "DRAFT"])
async def test_published_and_draft_split_the_workspace(
    status_filter: str, hex_: HexExecutor
) -> None:
    listed = await call(hex_, "hex_list_projects", limit=40, statusFilter=status_filter)
    assert listed["total"] == 40
    published = [p["lastPublishedAt"] is not None for p in listed["projects"]]
    assert all(published) if status_filter == "PUBLISHED" else not any(published)


async def test_a_run_is_triggered_followed_listed_and_its_tables_read(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.params_project_id
    inputs = {
        name: {"string": "EU", "number": 3, "boolean": True}[kind]
        for name, kind in emu.fixtures.param_names.items()
    }
    run = await call(hex_, "hex_run_project", projectId=project_id, inputParams=inputs)
    assert emu.runs_started(project_id) >= 1
    assert isinstance(run["projectVersion"], int)

    status = await call(hex_, "hex_get_run_status", projectId=project_id, runId=run["runId"])
    assert status["status"] in ("PENDING", "RUNNING")

    runs = await call(hex_, "hex_get_project_runs", projectId=project_id, limit=5)
    assert run["runId"] in [r["runId"] for r in runs["runs"]]

    tables = await call(hex_, "hex_get_queried_tables", projectId=project_id)
    assert tables["total"] == len(tables["tables"]) > 0


async def test_a_running_run_is_cancelled(emu: Emulator, hex_: HexExecutor) -> None:
    project_id, run_id = emu.fixtures.running_run_project_id, emu.fixtures.running_run_id
    cancelled = await call(hex_, "hex_cancel_run", projectId=project_id, runId=run_id)
    assert cancelled == {"success": True, "projectId": project_id, "runId": run_id}
    status = await call(hex_, "hex_get_run_status", projectId=project_id, runId=run_id)
    assert status["status"] == "KILLED"


async def test_unknown_run_inputs_are_refused_by_hex(emu: Emulator, hex_: HexExecutor) -> None:
    result = await hex_.execute(
        "hex_run_project",
        {"projectId": emu.fixtures.params_project_id, "inputParams": {"no_such_input": 1}},
    )
    assert result.error is not None and result.error.kind == "invalid_request"
    assert "no_such_input" in result.error.message
    assert emu.runs_started(emu.fixtures.params_project_id) == 0


async def test_collections_are_created_read_and_listed(emu: Emulator, hex_: HexExecutor) -> None:
    created = await call(hex_, "hex_create_collection", name="Quarterly", description="Q4")
    assert created["name"] == "Quarterly" and created["description"] == "Q4"
    fetched = await call(hex_, "hex_get_collection", collectionId=created["id"])
    assert fetched["id"] == created["id"]
    listed = await call(hex_, "hex_list_collections", limit=500, sortBy="NAME")
    assert created["id"] in [c["id"] for c in listed["collections"]]
    assert listed["total"] == len(emu.workspace.collections)


async def test_groups_users_and_connections_are_read(emu: Emulator, hex_: HexExecutor) -> None:
    groups = await call(hex_, "hex_list_groups", sortBy="NAME", sortDirection="ASC")
    names = [g["name"] for g in groups["groups"]]
    assert names == sorted(names)
    group = await call(hex_, "hex_get_group", groupId=emu.fixtures.group_id)
    assert group["id"] == emu.fixtures.group_id

    members = await call(hex_, "hex_list_users", groupId=emu.fixtures.group_id, limit=500)
    assert 0 < members["total"] < len(emu.workspace.users)
    users = await call(hex_, "hex_list_users", limit=500, sortBy="EMAIL")
    assert users["total"] == len(emu.workspace.users)
    roles = {u["role"] for u in users["users"]}
    assert {"ADMIN", "EDITOR", "GUEST"} <= roles

    connections = await call(hex_, "hex_list_data_connections", limit=500)
    assert connections["total"] == len(emu.workspace.data_connections)
    connection = await call(
        hex_, "hex_get_data_connection", dataConnectionId=emu.fixtures.data_connection_id
    )
    assert isinstance(connection["includeMagic"], bool)


@pytest.mark.parametrize(
    ("tool_id", "param"),
    [
        ("hex_get_project", "projectId"),
        ("hex_get_collection", "collectionId"),
        ("hex_get_group", "groupId"),
        ("hex_get_data_connection", "dataConnectionId"),
    ],
)
async def test_unknown_ids_are_not_found(tool_id: str, param: str, hex_: HexExecutor) -> None:
    result = await hex_.execute(tool_id, {param: MISSING_ID})
    assert result.error is not None and result.error.kind == "not_found"
    assert result.status_code == 404


async def test_a_bad_token_is_an_auth_error(emu: Emulator) -> None:
    async with HexExecutor(base_url=emu.base_url, api_key="not-a-token", retry=NO_RETRY) as ex:
        result = await ex.execute("hex_list_projects", {})
    assert result.error is not None and result.error.kind == "auth"
    assert "not-a-token" not in result.error.message


async def test_a_guest_may_not_list_users(emu: Emulator) -> None:
    guest = emu.tokens["GUEST"]
    async with HexExecutor(base_url=emu.base_url, api_key=guest, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_list_users", {})
    assert result.error is not None and result.error.kind == "permission"


async def test_project_filters_reach_hex_and_are_honoured(emu: Emulator, hex_: HexExecutor) -> None:
    some = await call(hex_, "hex_list_projects", limit=1)
    creator = some["projects"][0]["creator"]["email"]
    category = emu.workspace.categories[0].name
    by_creator = await call(hex_, "hex_list_projects", creatorEmail=creator, fetchAll=True)
    assert by_creator["total"] > 0
    assert {p["creator"]["email"] for p in by_creator["projects"]} == {creator}

    oldest_first = await call(
        hex_, "hex_list_projects", categories=category, sortBy="CREATED_AT", sortDirection="ASC"
    )
    created = [p["createdAt"] for p in oldest_first["projects"]]
    assert created == sorted(created) and len(created) > 1
    [request] = emu.requests.filter(operation="ListProjects")[-1:]
    assert ("categories", category) in request.query


async def test_six_groups_before_page_two_are_page_one_only(hex_: HexExecutor) -> None:
    first = await call(hex_, "hex_list_groups", limit=3)
    second = await call(hex_, "hex_list_groups", limit=3, after=first["after"])
    back = await call(hex_, "hex_list_groups", limit=6, before=second["before"])
    assert [g["id"] for g in back["groups"]] == [g["id"] for g in first["groups"]]
    assert back["before"] is None and back["after"] == first["after"]
