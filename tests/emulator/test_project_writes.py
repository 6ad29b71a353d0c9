"""CreateProject, ExportProject and the four sharing PATCHes."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .conftest import Api
from .test_projects import MISSING


async def test_create_project_is_a_draft_owned_by_the_caller(api: Api) -> None:
    reply = await api.post("/projects", json={"title": "New analysis", "description": "d"})
    assert reply.status == 201
    assert reply.body["lastPublishedAt"] is None
    assert reply.body["creator"]["email"] == reply.body["owner"]["email"]
    assert (await api.get(f"/projects/{reply.body['id']}")).status == 200
    run = await api.post(f"/projects/{reply.body['id']}/runs")
    assert run.status == 422  # never published


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": 1}, {"title": "x", "owner": "y"}])
async def test_create_project_validates(api: Api, body: Any) -> None:
    reply = await api.post("/projects", json=body)
    assert reply.status == 400
    assert reply.body["code"] == "BAD_REQUEST"


async def test_guest_cannot_create_a_project(api: Api) -> None:
    reply = await api.post("/projects", json={"title": "x"}, token=api.emu.tokens["GUEST"])
    assert reply.status == 403


async def test_export_returns_yaml_of_the_project(api: Api) -> None:
    pid = api.emu.fixtures.cell_project_id
    reply = await api.post("/projects/export", json={"projectId": pid, "version": "latest"})
    assert reply.status == 200
    assert reply.body["filename"].endswith(".yaml")
    document = yaml.safe_load(reply.body["content"])
    assert document["meta"]["projectId"] == pid
    assert len(document["cells"]) == 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"projectId": MISSING}, 404),
        ({"projectId": "nope"}, 400),
        ({"version": "draft"}, 400),
        ({"projectId": "{pid}", "version": 999}, 404),
        ({"projectId": "{pid}", "version": "old"}, 400),
    ],
)
async def test_export_errors(api: Api, body: dict[str, Any], status: int) -> None:
    pid = api.emu.fixtures.completing_project_id
    filled = {k: (v.format(pid=pid) if isinstance(v, str) else v) for k, v in body.items()}
    assert (await api.post("/projects/export", json=filled)).status == status


async def test_share_with_collections_reports_unknown_ones(api: Api) -> None:
    fx = api.emu.fixtures
    coll_id = next(c for c in api.emu.workspace.collections if c != fx.collection_id)
    body = {
        "sharing": {
            "upsert": {
                "collections": [
                    {"access": "CAN_EDIT", "collection": {"id": coll_id}},
                    {"access": "CAN_VIEW", "collection": {"id": MISSING}},
                ]
            }
        }
    }
    reply = await api.patch(f"/projects/{fx.completing_project_id}/sharing/collections", json=body)
    assert reply.status == 200
    assert reply.body["errors"] == [{"collectionIds": [MISSING], "reason": "Collection not found"}]
    shared = reply.body["project"]["sharing"]["collections"]
    names = {c["collection"]["name"]: c["access"] for c in shared}
    assert names[api.emu.workspace.collections[coll_id].name] == "CAN_EDIT"
    listed = await api.get("/projects", params={"collectionId": coll_id, "limit": "100"})
    assert fx.completing_project_id in {p["id"] for p in listed.body["values"]}


async def test_share_with_groups_and_users_then_remove(api: Api) -> None:
    fx = api.emu.fixtures
    pid = fx.completing_project_id
    grant = [{"group": {"id": fx.group_id}, "access": "APP_ONLY"}]
    group = {"sharing": {"upsert": {"groups": grant}}}
    reply = await api.patch(f"/projects/{pid}/sharing/groups", json=group)
    assert reply.status == 200 and "errors" not in reply.body
    assert reply.body["project"]["sharing"]["groups"][0]["access"] == "APP_ONLY"
    user_id = fx.user_ids["EDITOR"]
    grants = [
        {"user": {"id": user_id}, "access": "CAN_EDIT"},
        {"user": {"id": MISSING}, "access": "CAN_VIEW"},
    ]
    users = {"sharing": {"upsert": {"users": grants}}}
    reply = await api.patch(f"/projects/{pid}/sharing/users", json=users)
    assert reply.body["errors"] == [{"userIds": [MISSING], "reason": "User not found"}]
    remove = {"sharing": {"upsert": {"users": [{"user": {"id": user_id}, "access": "NONE"}]}}}
    reply = await api.patch(f"/projects/{pid}/sharing/users", json=remove)
    assert reply.body["project"]["sharing"]["users"] == []


async def test_share_workspace_and_public(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    body = {"sharing": {"workspace": "CAN_EDIT", "publicWeb": "FULL_ACCESS"}}
    reply = await api.patch(f"/projects/{pid}/sharing/workspaceAndPublic", json=body)
    assert reply.status == 200
    assert reply.body["project"]["sharing"]["workspace"] == {"access": "CAN_EDIT"}
    assert reply.body["errors"][0]["type"] == "publicWeb"
    ok = await api.patch(
        f"/projects/{pid}/sharing/workspaceAndPublic", json={"sharing": {"publicWeb": "APP_ONLY"}}
    )
    assert ok.body["project"]["sharing"]["publicWeb"] == {"access": "APP_ONLY"}
    assert ok.body["project"]["sharing"]["workspace"] == {"access": "CAN_EDIT"}  # unchanged


@pytest.mark.parametrize(
    ("suffix", "body", "family"),
    [
        ("collections", {"sharing": {}}, "T"),
        (
            "groups",
            {"sharing": {"upsert": {"groups": [{"group": {"id": "x"}, "access": "CAN_VIEW"}]}}},
            "N",
        ),
        (
            "users",
            {"sharing": {"upsert": {"users": [{"user": {"id": MISSING}, "access": "OWNER"}]}}},
            "N",
        ),
        ("workspaceAndPublic", {"sharing": {"workspace": "ALL"}}, "N"),
    ],
)
async def test_sharing_validation_errors(
    api: Api, suffix: str, body: dict[str, Any], family: str
) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.patch(f"/projects/{pid}/sharing/{suffix}", json=body)
    assert reply.status == 400
    assert ("reason" in reply.body) == (family == "T")


@pytest.mark.parametrize(("key", "inner"), [("users", "user"), ("groups", "group"),
                                            ("collections", "collection")])  # fmt: skip
async def test_sharing_lists_are_capped_at_the_specs_25_entries(
    api: Api, key: str, inner: str
) -> None:
    pid = api.emu.fixtures.completing_project_id
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(26)]

    def body(count: int) -> dict[str, object]:
        entries = [{inner: {"id": i}, "access": "CAN_VIEW"} for i in ids[:count]]
        return {"sharing": {"upsert": {key: entries}}}

    refused = await api.patch(f"/projects/{pid}/sharing/{key}", json=body(26))
    assert refused.status == 400
    assert f"sharing.upsert.{key} must have at most 25 items, got 26" in refused.text
    accepted = await api.patch(f"/projects/{pid}/sharing/{key}", json=body(25))
    assert accepted.status == 200, accepted.body
    assert len(next(iter(accepted.body["errors"][0].values()))) == 25  # none of them exist
