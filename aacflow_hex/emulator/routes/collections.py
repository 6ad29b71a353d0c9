"""Collections (ERR-T): list, get, create, edit."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import bad_request, not_found
from ..listing import page_body, paged
from ..params import (
    body_object,
    body_str,
    json_body,
    path_uuid,
    query_enum,
    reject_unknown,
    uuid_value,
)
from ..render import collection_json
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of, user_of
from ..state.models import Collection

routes = RouteTable()


def collection(state: EmulatorState, collection_id: str) -> Collection:
    coll = state.workspace.collections.get(collection_id)
    if coll is None:
        raise not_found("Collection", collection_id)
    return coll


def apply_sharing(state: EmulatorState, coll: Collection, sharing: dict[str, Any]) -> None:
    """Upsert sharing: ``{users?:[{id,access}], groups?:[...], workspace?:{members}}``.

    Everything is checked before anything changes."""
    reject_unknown(sharing, ("users", "groups", "workspace"), "sharing")
    ws = state.workspace
    updates: list[tuple[dict[str, str], str, str]] = []
    for key, known, target in (
        ("users", ws.users, coll.user_access),
        ("groups", ws.groups, coll.group_access),
    ):
        for entry in sharing.get(key) or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("access"), str):
                raise bad_request(f"sharing.{key} entries need id and access")
            ident = uuid_value(entry.get("id"), f"sharing.{key}[].id")
            if ident not in known:
                raise not_found(key[:-1].capitalize(), ident)
            updates.append((target, ident, entry["access"]))
    workspace = sharing.get("workspace")
    if workspace is not None and not isinstance(workspace, dict):
        raise bad_request("sharing.workspace must be an object")
    for target, ident, access in updates:
        target[ident] = access
    if workspace and "members" in workspace:
        coll.workspace_members_access = workspace["members"]


@routes.route("GET", "/collections", op="ListCollections", family="T")
async def list_collections(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    query_enum(request, "sortBy", ("NAME",), "NAME")
    page = paged(
        request,
        list(state.workspace.collections.values()),
        lambda c: (c.name.lower(), c.id),
        kind="collections:NAME",
        max_limit=100,
    )
    return json_ok(page_body(page, lambda c: collection_json(c, state.workspace)))


@routes.route("GET", "/collections/{collectionId}", op="GetCollection", family="T")
async def get_collection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    coll = collection(state, path_uuid(request, "collectionId"))
    return json_ok(collection_json(coll, state.workspace))


@routes.route("POST", "/collections", op="CreateCollection", family="T", min_role="MANAGER")
async def create_collection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("name", "description", "sharing"))
    name = body_str(body, "name", required=True)
    assert name is not None
    coll = Collection(
        id=state.new_id(),
        name=name,
        description=body_str(body, "description"),
        creator_id=user_of(request).id,
        created_at=state.now(),
    )
    sharing = body_object(body, "sharing")
    if sharing is not None:
        apply_sharing(state, coll, sharing)
    state.workspace.collections[coll.id] = coll
    return json_ok(collection_json(coll, state.workspace), status=201)


@routes.route(
    "PATCH", "/collections/{collectionId}", op="EditCollection", family="T", min_role="MANAGER"
)
async def edit_collection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    coll = collection(state, path_uuid(request, "collectionId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("name", "description", "sharing"))
    name = body_str(body, "name")
    if name is not None and not name.strip():
        raise bad_request("name must not be empty")
    description = body_str(body, "description", nullable=True)
    sharing = body_object(body, "sharing")
    if sharing is not None:
        reject_unknown(sharing, ("upsert",), "sharing")
        apply_sharing(state, coll, body_object(sharing, "upsert") or {})
    if name is not None:
        coll.name = name
    if "description" in body:
        coll.description = description
    return json_ok(collection_json(coll, state.workspace))
