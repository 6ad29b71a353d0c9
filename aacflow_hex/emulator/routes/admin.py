"""Users (ERR-N) and groups (ERR-T)."""

from __future__ import annotations

from aiohttp import web

from ..errors import bad_request, not_found
from ..ids import is_uuid
from ..listing import page_body, paged
from ..params import path_uuid, query_enum, query_str
from ..render import group_json, user_json
from ..routing import RouteTable
from ..runtime import json_ok, state_of, user_of
from ..state.models import Group, User

routes = RouteTable()


@routes.route("GET", "/users/me", op="GetMe", family="N", group="hex-api-30rpm")
async def get_me(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = user_of(request)
    return json_ok(
        {**user_json(user), "org": {"id": state.workspace.org_id}, "token": {"exp": None}}
    )


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
