"""Users (ERR-N) and groups (ERR-T): reads, group writes, deactivation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..ids import is_uuid
from ..listing import page_body, paged
from ..params import (
    body_object,
    body_str,
    json_body,
    path_uuid,
    query_enum,
    query_str,
    reject_unknown,
    uuid_value,
)
from ..render import group_json, user_json
from ..routing import RouteTable
from ..runtime import json_ok, state_of, user_of
from ..state.models import Group, User

routes = RouteTable()

MAX_MEMBERS = 100


@routes.route("GET", "/users/me", op="GetMe", family="N", group="hex-api-30rpm")
async def get_me(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = user_of(request)
    answer = {"org": {"id": state.workspace.org_id}, "token": {"exp": None}}
    if user.workspace_token:  # the spec's second shape: no user behind the token
        return json_ok(answer)
    return json_ok({**user_json(user), **answer})


@routes.route(
    "GET", "/users", op="ListUsers", family="N", group="hex-api-30rpm", min_role="MANAGER"
)
async def list_users(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    ws = state.workspace
    sort_by = query_enum(request, "sortBy", ("NAME", "EMAIL"), "NAME")
    direction = query_enum(request, "sortDirection", ("ASC", "DESC"), "ASC")
    users = [u for u in ws.users.values() if u.active]
    group_id = query_str(request, "groupId")
    if group_id is not None:
        if not is_uuid(group_id):
            raise bad_request(f"groupId must be a UUID, got {group_id!r}")
        group = ws.groups.get(group_id.lower())
        if group is None:
            raise not_found("Group", group_id)
        users = [u for u in users if u.id in group.member_ids]
    raw_ids = query_str(request, "userIds")
    if raw_ids is not None:
        wanted = [part.strip() for part in raw_ids.split(",") if part.strip()]
        for ident in wanted:
            if not is_uuid(ident):
                raise bad_request(f"userIds must be comma-separated UUIDs, got {ident!r}")
        lowered = {ident.lower() for ident in wanted}
        users = [u for u in users if u.id in lowered]

    def key(u: User) -> tuple[str, str]:
        value = (u.name or "") if sort_by == "NAME" else u.email
        return (value.lower(), u.id)

    page = paged(
        request,
        users,
        key,
        kind=f"users:{sort_by}:{direction}",
        max_limit=500,
        descending=direction == "DESC",
    )
    return json_ok(page_body(page, user_json))


def group_of(request: web.Request) -> Group:
    group_id = path_uuid(request, "groupId")
    group = state_of(request).workspace.groups.get(group_id)
    if group is None:
        raise not_found("Group", group_id)
    return group


@routes.route("GET", "/groups", op="ListGroups", family="T", min_role="MANAGER")
async def list_groups(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    sort_by = query_enum(request, "sortBy", ("CREATED_AT", "NAME"), "CREATED_AT")
    direction = query_enum(request, "sortDirection", ("DESC", "ASC"), "DESC")

    def key(g: Group) -> tuple[str | float, str]:
        return (g.name.lower() if sort_by == "NAME" else g.created_at, g.id)

    page = paged(
        request,
        list(state.workspace.groups.values()),
        key,
        kind=f"groups:{sort_by}:{direction}",
        max_limit=500,
        descending=direction == "DESC",
    )
    return json_ok(page_body(page, group_json))


@routes.route("GET", "/groups/{groupId}", op="GetGroup", family="T", min_role="MANAGER")
async def get_group(request: web.Request) -> web.StreamResponse:
    return json_ok(group_json(group_of(request)))


def _member_ids(state_users: dict[str, User], raw: Any, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise bad_request(f"{where} must be an object with users")
    users = raw.get("users") or []
    if not isinstance(users, list) or len(users) > MAX_MEMBERS:
        raise bad_request(f"{where}.users must be an array of at most {MAX_MEMBERS}")
    ids = []
    for index, entry in enumerate(users):
        if not isinstance(entry, dict):
            raise bad_request(f"{where}.users[{index}] must be {{id}}")
        ident = uuid_value(entry.get("id"), f"{where}.users[{index}].id")
        if ident not in state_users:
            raise not_found("User", ident)
        ids.append(ident)
    return ids


@routes.route("POST", "/groups", op="CreateGroup", family="T", min_role="ADMIN")
async def create_group(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("name", "members"))
    name = body_str(body, "name", required=True)
    assert name is not None
    members = _member_ids(state.workspace.users, body.get("members"), "members")
    group = Group(id=state.new_id(), name=name, created_at=state.now(), member_ids=members)
    state.workspace.groups[group.id] = group
    return json_ok(
        {"id": group.id, "name": group.name, "members": {"users": [{"id": m} for m in members]}},
        status=201,
    )


@routes.route("PATCH", "/groups/{groupId}", op="EditGroup", family="T", min_role="ADMIN")
async def edit_group(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    group = group_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("name", "members"))
    name = body_str(body, "name")
    if name is not None and not name.strip():
        raise bad_request("name must not be empty")
    members = body_object(body, "members") or {}
    reject_unknown(members, ("add", "remove"), "members")
    add = _member_ids(state.workspace.users, members.get("add"), "members.add")
    remove = set(_member_ids(state.workspace.users, members.get("remove"), "members.remove"))
    if name is not None:
        group.name = name
    group.member_ids = [m for m in group.member_ids if m not in remove]
    group.member_ids += [m for m in add if m not in group.member_ids]
    return json_ok(group_json(group))


@routes.route("DELETE", "/groups/{groupId}", op="DeleteGroup", family="T", min_role="ADMIN")
async def delete_group(request: web.Request) -> web.StreamResponse:
    group = group_of(request)
    del state_of(request).workspace.groups[group.id]
    return web.Response(status=204)


@routes.route(
    "POST",
    "/users/{userId}/deactivate",
    op="DeactivateUser",
    family="N",
    group="hex-api-30rpm",
    min_role="ADMIN",
)
async def deactivate_user(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user_id = path_uuid(request, "userId")
    user = state.workspace.users.get(user_id)
    if user is None or not user.active:
        raise not_found("User", user_id)
    if user.id == user_of(request).id:
        raise ApiError(422, "You cannot deactivate yourself")
    user.active = False  # its token (if any) stops working, it leaves ListUsers
    return json_ok({"user": user_json(user)})
