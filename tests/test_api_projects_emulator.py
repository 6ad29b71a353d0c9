"""Project writes, sharing, export, embedding and semantic statuses end to end (emulator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from api_emulator import (
    MISSING_ID,
    Refusal,
    assert_refused,
    call,
    failure,
    refusal_ids,
)

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, Fixtures


async def test_a_created_project_is_found_and_exported(emu: Emulator, hex_: HexExecutor) -> None:
    created = await call(hex_, "hex_create_project", title="Churn study", description="Q3")
    project_id = created["id"]
    assert created["title"] == "Churn study" and created["lastPublishedAt"] is None
    read = await call(hex_, "hex_get_project", projectId=project_id)
    assert read["title"] == "Churn study"

    exported = await call(hex_, "hex_export_project", projectId=project_id)
    document = yaml.safe_load(exported["content"])
    assert document["meta"]["title"] == "Churn study" and document["meta"]["version"] == "draft"
    assert exported["filename"].endswith(".yaml")


async def test_the_latest_published_version_is_exported_by_name_or_number(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.cell_project_id
    version = emu.workspace.projects[project_id].published_version
    latest = await call(hex_, "hex_export_project", projectId=project_id, version="latest")
    numbered = await call(hex_, "hex_export_project", projectId=project_id, versionNumber=version)
    assert yaml.safe_load(latest["content"])["meta"]["version"] == version
    assert latest["content"] == numbered["content"]
    assert len(yaml.safe_load(latest["content"])["cells"]) >= 5


async def test_a_status_is_set_then_removed_with_clear_status(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.completing_project_id
    label = emu.workspace.status_labels[1]
    await call(hex_, "hex_update_project", projectId=project_id, status=label)
    cleared = await call(hex_, "hex_update_project", projectId=project_id, clearStatus=True)
    assert cleared["status"] is None
    assert emu.workspace.projects[project_id].status is None
    [request] = emu.requests.filter(method="PATCH", path=f"/projects/{project_id}")[-1:]
    assert request.status == 200


@pytest.mark.parametrize(
    ("tool", "ids_param", "ids_of", "access_of"),
    [
        (
            "hex_share_project_with_users",
            "userIds",
            lambda emu: [emu.fixtures.user_ids["EDITOR"], emu.fixtures.user_ids["MEMBER"]],
            lambda project: project.user_access,
        ),
        (
            "hex_share_project_with_groups",
            "groupIds",
            lambda emu: [emu.fixtures.group_id],
            lambda project: project.group_access,
        ),
        (
            "hex_share_project_with_collections",
            "collectionIds",
            lambda emu: [c for c in emu.workspace.collections][:3],
            lambda project: project.collection_access,
        ),
    ],
)
async def test_sharing_grants_one_level_to_every_id_and_none_takes_it_back(
    emu: Emulator,
    hex_: HexExecutor,
    tool: str,
    ids_param: str,
    ids_of: Callable[[Emulator], list[str]],
    access_of: Callable[[Any], dict[str, str]],
) -> None:
    project_id = emu.fixtures.completing_project_id
    ids = ids_of(emu)
    shared = await call(hex_, tool, projectId=project_id, access="CAN_EDIT", **{ids_param: ids})
    assert shared["errors"] == [] and shared["project"]["id"] == project_id
    access = access_of(emu.workspace.projects[project_id])
    assert all(access[i] == "CAN_EDIT" for i in ids)

    removed = await call(hex_, tool, projectId=project_id, access="NONE", **{ids_param: ids[:1]})
    assert removed["errors"] == []
    assert ids[0] not in access_of(emu.workspace.projects[project_id])


async def test_sharing_reports_unknown_ids_per_id_and_applies_the_rest(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.completing_project_id
    editor = emu.fixtures.user_ids["EDITOR"]
    out = await call(
        hex_,
        "hex_share_project_with_users",
        projectId=project_id,
        userIds=f"{editor},{MISSING_ID}",
        access="APP_ONLY",
    )
    assert [e["userIds"] for e in out["errors"]] == [[MISSING_ID]]
    assert out["errors"][0]["reason"]
    assert emu.workspace.projects[project_id].user_access[editor] == "APP_ONLY"
    emails = {u["user"]["email"] for u in out["project"]["sharing"]["users"]}
    assert emu.workspace.users[editor].email in emails


async def test_workspace_and_public_sharing_change_only_what_is_given(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.completing_project_id
    before = emu.workspace.projects[project_id].public_access
    out = await call(
        hex_, "hex_update_project_workspace_sharing", projectId=project_id, workspaceAccess="NONE"
    )
    assert out["project"]["sharing"]["workspace"] == {"access": "NONE"}
    assert emu.workspace.projects[project_id].public_access == before

    refused = await call(
        hex_,
        "hex_update_project_workspace_sharing",
        projectId=project_id,
        publicWebAccess="FULL_ACCESS",
    )
    assert [e["type"] for e in refused["errors"]] == ["publicWeb"]


async def test_an_embedding_url_is_signed_for_a_published_project(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.completing_project_id
    out = await call(
        hex_,
        "hex_create_presigned_url",
        projectId=project_id,
        hexUserAttributes={"customer": "acme"},
        scope=["EXPORT_CSV"],
        expiresIn=60_000,
        theme="dark",
        testMode=True,
    )
    assert out["url"].startswith("https://") and project_id in out["url"]
    [request] = emu.requests.filter(method="POST", path="/embedding/createPresignedUrl/*")
    assert request.status == 200


async def test_semantic_dataset_statuses_are_updated(emu: Emulator, hex_: HexExecutor) -> None:
    fx = emu.fixtures
    label = emu.workspace.status_labels[0]
    out = await call(
        hex_,
        "hex_update_semantic_project",
        semanticProjectId=fx.semantic_project_id,
        updates=[
            {"type": "DATASET", "name": fx.semantic_dataset_name, "status": None},
            {"type": "VIEW", "name": fx.semantic_view_name, "status": label},
        ],
    )
    assert out["updated"] == {
        "datasets": [{"name": fx.semantic_dataset_name, "status": None}],
        "views": [{"name": fx.semantic_view_name, "status": label}],
    }
    project = emu.workspace.semantic_projects[fx.semantic_project_id]
    assert project.datasets[fx.semantic_dataset_name].status is None
    assert project.views[fx.semantic_view_name].status == label


async def test_a_semantic_update_with_one_bad_status_changes_nothing(
    emu: Emulator, hex_: HexExecutor
) -> None:
    fx = emu.fixtures
    project = emu.workspace.semantic_projects[fx.semantic_project_id]
    before = project.datasets[fx.semantic_dataset_name].status
    error = await failure(
        hex_,
        "hex_update_semantic_project",
        semanticProjectId=fx.semantic_project_id,
        updates=[
            {"type": "DATASET", "name": fx.semantic_dataset_name, "status": None},
            {"type": "VIEW", "name": fx.semantic_view_name, "status": "Not a label"},
        ],
    )
    assert (error.kind, error.status_code) == ("invalid_request", 400)
    assert project.datasets[fx.semantic_dataset_name].status == before


# (tool, params from the fixtures, token role, error kind, status): each tool's main failure.
ERRORS: list[tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]] = [
    ("hex_create_project", lambda f: {"title": "x"}, "GUEST", "permission", 403),
    ("hex_export_project", lambda f: {"projectId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_export_project", lambda f: {"projectId": f.never_published_project_id,
                                      "version": "latest"}, "ADMIN", "invalid_request", 422),
    ("hex_export_project", lambda f: {"projectId": f.completing_project_id}, "GUEST",
     "permission", 403),
    ("hex_update_project", lambda f: {"projectId": MISSING_ID, "clearStatus": True}, "ADMIN",
     "not_found", 404),
    ("hex_update_project", lambda f: {"projectId": f.completing_project_id,
                                      "status": "Not a label"}, "ADMIN", "invalid_request", 400),
    ("hex_share_project_with_users", lambda f: {"projectId": MISSING_ID,
                                                "userIds": [f.user_ids["EDITOR"]],
                                                "access": "CAN_VIEW"},
     "ADMIN", "not_found", 404),
    ("hex_share_project_with_users", lambda f: {"projectId": f.completing_project_id,
                                                "userIds": [f.user_ids["EDITOR"]],
                                                "access": "CAN_VIEW"},
     "GUEST", "permission", 403),
    ("hex_share_project_with_groups", lambda f: {"projectId": MISSING_ID,
                                                 "groupIds": [f.group_id], "access": "CAN_VIEW"},
     "ADMIN", "not_found", 404),
    ("hex_share_project_with_groups", lambda f: {"projectId": f.completing_project_id,
                                                 "groupIds": [f.group_id], "access": "CAN_VIEW"},
     "GUEST", "permission", 403),
    ("hex_share_project_with_collections", lambda f: {"projectId": MISSING_ID,
                                                      "collectionIds": [f.collection_id],
                                                      "access": "CAN_VIEW"},
     "ADMIN", "not_found", 404),
    ("hex_share_project_with_collections", lambda f: {"projectId": f.completing_project_id,
                                                      "collectionIds": [f.collection_id],
                                                      "access": "CAN_VIEW"},
     "GUEST", "permission", 403),
    ("hex_update_project_workspace_sharing", lambda f: {"projectId": MISSING_ID,
                                                        "workspaceAccess": "CAN_VIEW"},
     "ADMIN", "not_found", 404),
    ("hex_update_project_workspace_sharing", lambda f: {"projectId": f.completing_project_id,
                                                        "workspaceAccess": "CAN_VIEW"},
     "GUEST", "permission", 403),
    ("hex_update_semantic_project", lambda f: {"semanticProjectId": MISSING_ID,
                                               "updates": [{"type": "VIEW", "name": "v",
                                                            "status": None}]},
     "ADMIN", "not_found", 404),
    ("hex_update_semantic_project", lambda f: {"semanticProjectId": f.semantic_project_id,
                                               "updates": [{"type": "DATASET", "name": "nope",
                                                            "status": None}]},
     "ADMIN", "not_found", 404),
    ("hex_update_semantic_project", lambda f: {"semanticProjectId": f.semantic_project_id,
                                               "updates": [{"type": "VIEW",
                                                            "name": f.semantic_view_name,
                                                            "status": None}]},
     "EDITOR", "permission", 403),
    ("hex_create_presigned_url", lambda f: {"projectId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_create_presigned_url", lambda f: {"projectId": f.never_published_project_id}, "ADMIN",
     "invalid_request", 422),
    ("hex_create_presigned_url", lambda f: {"projectId": f.completing_project_id}, "GUEST",
     "permission", 403),
]  # fmt: skip


@pytest.mark.parametrize("refusal", ERRORS, ids=refusal_ids(ERRORS))
async def test_each_tool_reports_hex_refusals_as_data(emu: Emulator, refusal: Refusal) -> None:
    await assert_refused(emu, *refusal)
