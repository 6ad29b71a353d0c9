"""Group writes, user deactivation, collection edits, data connection writes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .test_projects import MISSING


async def test_group_create_edit_delete(api: Api) -> None:
    fx = api.emu.fixtures
    a, b = fx.user_ids["EDITOR"], fx.user_ids["GUEST"]
    created = await api.post(
        "/groups", json={"name": "Analysts", "members": {"users": [{"id": a}]}}
    )
    assert created.status == 201
    assert created.body["members"] == {"users": [{"id": a}]}
    gid = created.body["id"]
    edited = await api.patch(
        f"/groups/{gid}",
        json={
            "name": "Analysts EU",
            "members": {"add": {"users": [{"id": b}]}, "remove": {"users": [{"id": a}]}},
        },
    )
    assert edited.status == 200
    assert set(edited.body) == {"id", "name", "createdAt"}
    members = await api.get("/users", params={"groupId": gid})
    assert [u["id"] for u in members.body["values"]] == [b]
    deleted = await api.delete(f"/groups/{gid}")
    assert deleted.status == 204 and deleted.text == ""
    assert (await api.get(f"/groups/{gid}")).status == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "x", "members": {"users": [{"id": "bad"}]}}, {"name": "x", "x": 1}],
)
async def test_create_group_validates(api: Api, body: Any) -> None:
    reply = await api.post("/groups", json=body)
    assert reply.status == 400
    assert "reason" in reply.body


async def test_group_writes_need_admin(api: Api) -> None:
    reply = await api.post("/groups", json={"name": "x"}, token=api.emu.tokens["MANAGER"])
    assert reply.status == 403
    assert (await api.delete(f"/groups/{MISSING}")).status == 404


async def test_deactivated_user_leaves_the_list_and_loses_its_token(api: Api) -> None:
    fx = api.emu.fixtures
    editor = fx.token_user_ids["EDITOR"]
    reply = await api.post(f"/users/{editor}/deactivate")
    assert reply.status == 200
    assert reply.body["user"]["id"] == editor
    assert (await api.get("/users/me", token=api.emu.tokens["EDITOR"])).status == 401
    listed = await api.get("/users", params={"limit": "500"})
    assert editor not in {u["id"] for u in listed.body["values"]}
    assert (await api.post(f"/users/{editor}/deactivate")).status == 404
    me = fx.token_user_ids["ADMIN"]
    assert (await api.post(f"/users/{me}/deactivate")).status == 422


async def test_edit_collection(api: Api) -> None:
    fx = api.emu.fixtures
    body = {
        "name": "Renamed",
        "description": "New words",
        "sharing": {
            "upsert": {
                "users": [{"id": fx.user_ids["EDITOR"], "access": "CAN_EDIT"}],
                "workspace": {"members": "NONE"},
            }
        },
    }
    reply = await api.patch(f"/collections/{fx.collection_id}", json=body)
    assert reply.status == 200
    assert reply.body["name"] == "Renamed"
    assert {"access": "CAN_EDIT", "id": fx.user_ids["EDITOR"]} in reply.body["sharing"]["users"]
    assert reply.body["sharing"]["workspace"] == {"members": "NONE"}
    bad = await api.patch(
        f"/collections/{fx.collection_id}",
        json={"name": "Other", "sharing": {"upsert": {"groups": [{"id": MISSING, "access": "x"}]}}},
    )
    assert bad.status == 404
    assert api.emu.workspace.collections[fx.collection_id].name == "Renamed"  # nothing applied


POSTGRES = {
    "postgres": {
        "hostname": "db",
        "port": 5432,
        "database": "app",
        "username": "u",
        "password": "s3cret",
    }
}


async def test_create_data_connection_never_echoes_secrets(api: Api) -> None:
    reply = await api.post(
        "/data-connections",
        json={
            "name": "PG",
            "type": "postgres",
            "connectionDetails": POSTGRES,
            "connectViaSsh": True,
        },
    )
    assert reply.status == 201
    assert "s3cret" not in reply.text and "password" not in reply.text
    assert reply.body["connectionDetails"]["postgres"]["hostname"] == "db"
    assert reply.body["connectViaSsh"] is True
    got = await api.get(f"/data-connections/{reply.body['id']}")
    assert "s3cret" not in got.text


async def test_edit_data_connection_answers_201(api: Api) -> None:
    created = await api.post(
        "/data-connections", json={"name": "PG", "type": "postgres", "connectionDetails": POSTGRES}
    )
    cid = created.body["id"]
    reply = await api.patch(
        f"/data-connections/{cid}",
        json={
            "name": "PG prod",
            "connectionDetails": {"postgres": {"port": 6543, "password": "other"}},
            "sharing": {
                "groups": {
                    "upsert": [{"access": "QUERY", "group": {"id": api.emu.fixtures.group_id}}]
                }
            },
        },
    )
    assert reply.status == 201
    assert reply.body["name"] == "PG prod"
    assert reply.body["connectionDetails"]["postgres"]["port"] == 6543
    assert reply.body["sharing"]["groups"][0]["access"] == "QUERY"
    assert "other" not in reply.text


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "type": "clickhouse", "connectionDetails": {"clickhouse": {}}},
        {"name": "x", "type": "postgres", "connectionDetails": {"bigquery": {}}},
        {"name": "x", "type": "postgres", "connectionDetails": {"postgres": {"hostname": "h"}}},
        {"name": "x", "type": "postgres"},
        {"type": "postgres", "connectionDetails": POSTGRES},
    ],
)
async def test_create_data_connection_validates(api: Api, body: Any) -> None:
    reply = await api.post("/data-connections", json=body)
    assert reply.status == 400
    assert "reason" in reply.body  # data connection writes use the tsoa family


async def test_schema_status_updates_are_atomic(api: Api) -> None:
    cid = api.emu.fixtures.data_connection_id
    ok = await api.patch(
        f"/data-connections/{cid}/schema",
        json={
            "updates": [
                {"type": "TABLE", "name": "analytics.public.orders", "status": "Production"},
                {"type": "DATABASE", "name": "analytics", "status": None},
            ]
        },
    )
    assert ok.status == 200
    assert ok.body["updated"]["tables"] == [
        {"status": "Production", "name": "analytics.public.orders"}
    ]
    assert ok.body["updated"]["databases"] == [{"status": None, "name": "analytics"}]
    bad = await api.patch(
        f"/data-connections/{cid}/schema",
        json={
            "updates": [
                {"type": "TABLE", "name": "analytics.public.customers", "status": "Production"},
                {"type": "SCHEMA", "name": "analytics", "status": None},
                {"type": "TABLE", "name": "analytics.public.events", "status": "Gold"},
            ]
        },
    )
    assert bad.status == 400
    assert [d["reason"] for d in bad.body["details"]] == ["invalid_name_format", "invalid_status"]
    conn = api.emu.workspace.data_connections[cid]
    assert conn.tables["analytics.public.customers"] is None  # nothing applied
    missing = await api.patch(
        f"/data-connections/{cid}/schema",
        json={"updates": [{"type": "DATABASE", "name": "nope", "status": None}]},
    )
    assert missing.status == 404
