"""Users, groups, collections and data connections (reads and CreateCollection)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .test_projects import MISSING, walk


async def test_users_sorted_by_email_and_filtered(api: Api) -> None:
    users = await walk(api, "/users", {"limit": "500", "sortBy": "EMAIL"})
    assert [u["email"] for u in users] == sorted(u["email"] for u in users)
    assert set(users[0]) == {"id", "name", "email", "role", "lastLoginDate"}
    fx = api.emu.fixtures
    wanted = [fx.user_ids["GUEST"], fx.user_ids["EDITOR"]]
    picked = await api.get("/users", params={"userIds": ",".join(wanted)})
    assert {u["id"] for u in picked.body["values"]} == set(wanted)
    group = api.emu.workspace.groups[fx.group_id]
    members = await api.get("/users", params={"groupId": fx.group_id, "limit": "500"})
    assert {u["id"] for u in members.body["values"]} == set(group.member_ids)


@pytest.mark.parametrize(
    "params",
    [{"limit": "501"}, {"sortBy": "ROLE"}, {"userIds": "a,b"}, {"groupId": "g"}],
)
async def test_users_bad_params_are_400_new_family(api: Api, params: dict[str, str]) -> None:
    reply = await api.get("/users", params=params)
    assert reply.status == 400
    assert reply.body["code"] == "BAD_REQUEST"


async def test_users_page_size_allows_500(api: Api) -> None:
    reply = await api.get("/users", params={"limit": "500"})
    assert reply.status == 200
    assert reply.body["pagination"] == {"after": None, "before": None}


async def test_groups_list_and_get(api: Api) -> None:
    groups = await walk(api, "/groups", {"limit": "3", "sortBy": "NAME", "sortDirection": "ASC"})
    assert [g["name"].lower() for g in groups] == sorted(g["name"].lower() for g in groups)
    one = await api.get(f"/groups/{api.emu.fixtures.group_id}")
    assert one.status == 200 and set(one.body) == {"id", "name", "createdAt"}
    missing = await api.get(f"/groups/{MISSING}")
    assert missing.status == 404 and "reason" in missing.body


async def test_collections_list_get_create(api: Api) -> None:
    before = await walk(api, "/collections", {"limit": "5"})
    created = await api.post(
        "/collections",
        json={"name": "Board pack", "description": "For the board", "sharing": {}},
    )
    assert created.status == 201
    assert created.body["creator"]["id"] == api.emu.fixtures.token_user_ids["ADMIN"]
    fetched = await api.get(f"/collections/{created.body['id']}")
    assert fetched.body == created.body
    after = await walk(api, "/collections", {"limit": "5"})
    assert len(after) == len(before) + 1
    assert (await api.get(f"/collections/{MISSING}")).status == 404


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "x", "color": "red"}])
async def test_create_collection_validates(api: Api, body: Any) -> None:
    reply = await api.post("/collections", json=body)
    assert reply.status == 400
    assert "reason" in reply.body


async def test_data_connections_list_and_get_show_no_secrets(api: Api) -> None:
    conns = await walk(api, "/data-connections", {"limit": "4"})
    assert len(conns) == len(api.emu.workspace.data_connections)
    assert [c["name"].lower() for c in conns] == sorted(c["name"].lower() for c in conns)
    for conn in conns:
        assert {"connectViaSsh", "includeMagic", "allowWritebackCells"} <= set(conn)
        text = str(conn["connectionDetails"]).lower()
        assert "password" not in text and "privatekey" not in text
    one = await api.get(f"/data-connections/{api.emu.fixtures.data_connection_id}")
    assert one.status == 200
    missing = await api.get(f"/data-connections/{MISSING}")
    assert missing.status == 404 and missing.body["code"] == "NOT_FOUND"
    assert (await api.get("/data-connections", params={"limit": "101"})).status == 400


async def test_unknown_route_and_method(api: Api) -> None:
    assert (await api.get("/nothing/here")).status == 404
    reply = await api.call("PUT", "/projects")
    assert reply.status == 405
    assert reply.body["reason"]
