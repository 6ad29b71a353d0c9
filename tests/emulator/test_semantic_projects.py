"""Semantic projects: the atomic status PATCH on datasets and views, under both path names."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .test_projects import MISSING


def statuses(api: Api) -> dict[tuple[str, str], str | None]:
    project = api.emu.workspace.semantic_projects[api.emu.fixtures.semantic_project_id]
    return {
        **{("DATASET", n): o.status for n, o in project.datasets.items()},
        **{("VIEW", n): o.status for n, o in project.views.items()},
    }


async def test_seeded_semantic_projects_have_labelled_datasets_and_views(api: Api) -> None:
    ws, fx = api.emu.workspace, api.emu.fixtures
    assert len(ws.semantic_projects) >= 3
    project = ws.semantic_projects[fx.semantic_project_id]
    assert project.datasets[fx.semantic_dataset_name].id == fx.semantic_dataset_id
    assert project.datasets[fx.semantic_dataset_name].status in ws.status_labels
    assert project.views[fx.semantic_view_name].status is None
    assert project.views[fx.semantic_view_name].id == fx.semantic_view_id


@pytest.mark.parametrize("collection", ["semantic-projects", "semantic-models"])
async def test_statuses_are_set_and_removed(api: Api, collection: str) -> None:
    fx = api.emu.fixtures
    reply = await api.patch(
        f"/{collection}/{fx.semantic_project_id}",
        json={
            "updates": [
                {"type": "VIEW", "name": fx.semantic_view_name, "status": "Approved"},
                {"type": "DATASET", "name": fx.semantic_dataset_name, "status": None},
            ]
        },
    )
    assert reply.status == 200
    assert reply.body == {
        "updated": {
            "views": [{"status": "Approved", "name": fx.semantic_view_name}],
            "datasets": [{"status": None, "name": fx.semantic_dataset_name}],
        }
    }
    now = statuses(api)
    assert now[("VIEW", fx.semantic_view_name)] == "Approved"
    assert now[("DATASET", fx.semantic_dataset_name)] is None


async def test_one_bad_update_rejects_the_batch(api: Api) -> None:
    fx = api.emu.fixtures
    before = statuses(api)
    reply = await api.patch(
        f"/semantic-projects/{fx.semantic_project_id}",
        json={
            "updates": [
                {"type": "DATASET", "name": fx.semantic_dataset_name, "status": None},
                {"type": "VIEW", "name": fx.semantic_view_name, "status": "Gold"},
                {"type": "VIEW", "name": "no_such_view", "status": None},
            ]
        },
    )
    assert reply.status == 400
    assert reply.body["details"] == [
        {
            "name": fx.semantic_view_name,
            "type": "VIEW",
            "reason": "invalid_status",
            "value": "Gold",
        },
        {"name": "no_such_view", "type": "VIEW", "reason": "not_found"},
    ]
    assert reply.body["reason"] and reply.body["traceId"]
    assert statuses(api) == before


async def test_only_missing_objects_give_404(api: Api) -> None:
    fx = api.emu.fixtures
    reply = await api.patch(
        f"/semantic-projects/{fx.semantic_project_id}",
        json={"updates": [{"type": "DATASET", "name": fx.semantic_view_name, "status": None}]},
    )
    assert reply.status == 404
    assert reply.body["details"] == [
        {"name": fx.semantic_view_name, "type": "DATASET", "reason": "not_found"}
    ]


async def test_unknown_project_is_404_and_malformed_id_400(api: Api) -> None:
    body = {"updates": [{"type": "VIEW", "name": "v", "status": None}]}
    missing = await api.patch(f"/semantic-projects/{MISSING}", json=body)
    assert missing.status == 404 and set(missing.body) == {"reason", "traceId"}
    assert (await api.patch("/semantic-models/not-a-uuid", json=body)).status == 400


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "updates"),
        ({"updates": []}, "updates"),
        ({"updates": [{"type": "TABLE", "name": "orders", "status": None}]}, "updates[0].type"),
        ({"updates": [{"type": "VIEW", "name": "", "status": None}]}, "updates[0].name"),
        ({"updates": [{"type": "VIEW", "name": "v"}]}, "updates[0].status"),
        ({"updates": [{"type": "VIEW", "name": "v", "status": None, "x": 1}]}, "updates[0]"),
        ({"updates": [{"type": "VIEW", "name": "v", "status": None}], "dryRun": True}, "dryRun"),
    ],
)
async def test_malformed_bodies_are_400_naming_the_field(
    api: Api, body: dict[str, Any], named: str
) -> None:
    before = statuses(api)
    reply = await api.patch(f"/semantic-projects/{api.emu.fixtures.semantic_project_id}", json=body)
    assert reply.status == 400 and named in reply.body["reason"]
    assert statuses(api) == before


async def test_only_admins_update_semantic_projects(api: Api) -> None:
    fx = api.emu.fixtures
    body = {"updates": [{"type": "VIEW", "name": fx.semantic_view_name, "status": "Approved"}]}
    reply = await api.patch(
        f"/semantic-projects/{fx.semantic_project_id}", json=body, token=api.emu.tokens["MANAGER"]
    )
    assert reply.status == 403 and "reason" in reply.body
    assert api.emu.requests.count(operation="UpdateSemanticProject", status=403) == 1
