"""Authentication (401) and role checks (403), in each endpoint's error family."""

from __future__ import annotations

import pytest

from .conftest import Api


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/projects", "T"),  # ListProjects: tsoa errors
        ("/users/me", "N"),  # users: new errors
        ("/groups", "T"),
        ("/data-connections", "N"),
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-token"])
async def test_missing_or_bad_token_is_401_in_the_endpoint_family(
    api: Api, path: str, family: str, token: str | None
) -> None:
    reply = await api.get(path, token=token)
    assert reply.status == 401
    if family == "T":
        assert set(reply.body) >= {"reason", "traceId"}
    else:
        assert reply.body["code"] == "UNAUTHORIZED"
        assert reply.body["message"]


async def test_non_bearer_scheme_is_401(api: Api) -> None:
    reply = await api.get("/projects", token=False, headers={"Authorization": api.emu.token})
    assert reply.status == 401


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("GET", "/users", "GUEST"),
        ("GET", "/users", "EDITOR"),
        ("GET", "/groups", "EXPLORER"),
        ("POST", "/collections", "EDITOR"),
        ("GET", "/data-connections", "GUEST"),
    ],
)
async def test_roles_without_rights_get_403(api: Api, method: str, path: str, role: str) -> None:
    reply = await api.call(method, path, token=api.emu.tokens[role], json={"name": "x"})
    assert reply.status == 403


async def test_guest_cannot_run_a_project_but_explorer_can(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    guest = await api.post(f"/projects/{pid}/runs", token=api.emu.tokens["GUEST"])
    assert guest.status == 403
    assert guest.body["code"] == "FORBIDDEN"
    explorer = await api.post(f"/projects/{pid}/runs", token=api.emu.tokens["EXPLORER"])
    assert explorer.status == 201
    assert api.emu.runs_started(pid) == 1


async def test_explorer_cannot_update_published_results(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.post(
        f"/projects/{pid}/runs",
        token=api.emu.tokens["EXPLORER"],
        json={"updatePublishedResults": True},
    )
    assert reply.status == 403
    assert api.emu.runs_started(pid) == 0


async def test_every_role_token_reads_me(api: Api) -> None:
    for role, token in api.emu.tokens.items():
        reply = await api.get("/users/me", token=token)
        assert reply.status == 200
        assert reply.body["role"] == role
        assert reply.body["id"] == api.emu.fixtures.token_user_ids[role]


async def test_a_workspace_token_reads_me_as_the_workspace_only(api: Api) -> None:
    token = api.emu.workspace_token
    me = await api.get("/users/me", token=token)
    assert me.status == 200
    assert me.body == {"org": {"id": api.emu.workspace.org_id}, "token": {"exp": None}}
    # It acts for the workspace: admin reads work, and it is no listed user.
    users = await api.get("/users", token=token, params={"limit": "500"})
    assert users.status == 200
    assert len(users.body["values"]) == len(
        [u for u in api.emu.workspace.users.values() if u.active]
    )
