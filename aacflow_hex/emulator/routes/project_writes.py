"""Project writes beyond status: create, export, and the four sharing PATCHes."""

from __future__ import annotations

from typing import Any

import yaml
from aiohttp import web

from ..errors import ApiError, bad_request
from ..params import (
    body_object,
    body_str,
    json_body,
    path_uuid,
    reject_unknown,
    uuid_value,
)
from ..render import project_json
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of, user_of
from ..state.models import ACCESS_LEVELS, Project

routes = RouteTable()

MAX_SHARING_ENTRIES = 25


@routes.route("POST", "/projects", op="CreateProject", family="N", min_role="EDITOR")
async def create_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("title", "description"))
    title = body_str(body, "title", required=True)
    assert title is not None
    now = state.now()
    email = user_of(request).email
    project = Project(
        id=state.new_id(),
        title=title,
        description=body_str(body, "description", nullable=True),
        type="PROJECT",
        creator_email=email,
        owner_email=email,
        status=None,
        categories=[],
        created_at=now,
        last_edited_at=now,
        last_published_at=None,
        published_version=None,
    )
    state.workspace.projects[project.id] = project
    return json_ok(project_json(project, state.workspace), status=201)


@routes.route("POST", "/projects/export", op="ExportProject", family="N", min_role="EDITOR")
async def export_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("projectId", "version"))
    project = state.project(uuid_value(body.get("projectId"), "projectId"))
    version = body.get("version", "draft")
    if version == "latest":
        if project.published_version is None:
            raise ApiError(422, f"Project {project.id} has no published version")
        version = project.published_version
    elif version != "draft":
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise bad_request('version must be a positive number, "draft" or "latest"')
        if project.published_version is None or version > project.published_version:
            raise ApiError(404, f"Version {version} of project {project.id} not found")
    cells = sorted(
        (c for c in state.workspace.cells.values() if c.project_id == project.id),
        key=lambda c: c.order,
    )
    document = {
        "schemaVersion": 1,
        "meta": {
            "projectId": project.id,
            "title": project.title,
            "description": project.description,
            "version": version,
        },
        "cells": [
            {"cellId": c.id, "cellType": c.cell_type, "label": c.label, "source": c.source}
            for c in cells
        ],
    }
    slug = "".join(ch if ch.isalnum() else "-" for ch in project.title.lower()).strip("-")
    return json_ok({"filename": f"{slug or project.id}.yaml", "content": yaml.safe_dump(document)})


def _access(value: Any, where: str) -> str:
    if value not in ACCESS_LEVELS:
        raise bad_request(f"{where} must be one of {', '.join(ACCESS_LEVELS)}")
    return str(value)


def _upsert_entries(body: dict[str, Any], key: str) -> list[Any]:
    sharing = body_object(body, "sharing")
    if sharing is None:
        raise bad_request("sharing is required")
    reject_unknown(sharing, ("upsert",), "sharing")
    upsert = body_object(sharing, "upsert")
    if upsert is None:
        raise bad_request("sharing.upsert is required")
    reject_unknown(upsert, (key,), "sharing.upsert")
    entries = upsert.get(key)
    if not isinstance(entries, list):
        raise bad_request(f"sharing.upsert.{key} must be an array")
    if len(entries) > MAX_SHARING_ENTRIES:  # the spec's maxItems on all three lists
        raise bad_request(
            f"sharing.upsert.{key} must have at most {MAX_SHARING_ENTRIES} items, "
            f"got {len(entries)}"
        )
    return entries


def _apply(
    target: dict[str, str], known: dict[str, Any], entries: list[tuple[str, str]]
) -> list[str]:
    """Upsert (NONE removes); returns ids that do not exist."""
    missing = []
    for ident, access in entries:
        if ident not in known:
            missing.append(ident)
        elif access == "NONE":
            target.pop(ident, None)
        else:
            target[ident] = access
    return missing


def _entries(raw: list[Any], key: str, inner: str) -> list[tuple[str, str]]:
    out = []
    for index, entry in enumerate(raw):
        where = f"sharing.upsert.{key}[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get(inner), dict):
            raise bad_request(f"{where} must be {{{inner}: {{id}}, access}}")
        ident = uuid_value(entry[inner].get("id"), f"{where}.{inner}.id")
        out.append((ident, _access(entry.get("access"), f"{where}.access")))
    return out


def _sharing_reply(state: EmulatorState, project: Project, errors: list[Any]) -> web.Response:
    data: dict[str, Any] = {"project": project_json(project, state.workspace, True)}
    if errors:
        data["errors"] = errors
    return json_ok(data)


@routes.route(
    "PATCH",
    "/projects/{projectId}/sharing/collections",
    op="EditProjectSharingCollections",
    family="T",
    min_role="EDITOR",
)
async def share_collections(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    raw = _upsert_entries(await json_body(request, required=True), "collections")
    entries = _entries(raw, "collections", "collection")
    missing = _apply(project.collection_access, state.workspace.collections, entries)
    errors = [{"collectionIds": missing, "reason": "Collection not found"}] if missing else []
    return _sharing_reply(state, project, errors)


@routes.route(
    "PATCH",
    "/projects/{projectId}/sharing/groups",
    op="EditProjectSharingGroups",
    family="N",
    min_role="EDITOR",
)
async def share_groups(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    entries = _entries(
        _upsert_entries(await json_body(request, required=True), "groups"), "groups", "group"
    )
    missing = _apply(project.group_access, state.workspace.groups, entries)
    errors = [{"groupIds": missing, "reason": "Group not found"}] if missing else []
    return _sharing_reply(state, project, errors)


@routes.route(
    "PATCH",
    "/projects/{projectId}/sharing/users",
    op="EditProjectSharingUsers",
    family="N",
    group="hex-api-30rpm",
    min_role="EDITOR",
)
async def share_users(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    entries = _entries(
        _upsert_entries(await json_body(request, required=True), "users"), "users", "user"
    )
    missing = _apply(project.user_access, state.workspace.users, entries)
    errors = [{"userIds": missing, "reason": "User not found"}] if missing else []
    return _sharing_reply(state, project, errors)


@routes.route(
    "PATCH",
    "/projects/{projectId}/sharing/workspaceAndPublic",
    op="EditProjectSharingWorkspaceAndPublic",
    family="N",
    min_role="EDITOR",
)
async def share_workspace(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("sharing",))
    sharing = body_object(body, "sharing")
    if sharing is None:
        raise bad_request("sharing is required")
    reject_unknown(sharing, ("workspace", "publicWeb"), "sharing")
    errors: list[dict[str, str]] = []
    if sharing.get("workspace") is not None:
        project.workspace_access = _access(sharing["workspace"], "sharing.workspace")
    if sharing.get("publicWeb") is not None:
        access = _access(sharing["publicWeb"], "sharing.publicWeb")
        if access in ("NONE", "APP_ONLY"):
            project.public_access = access
        else:
            errors.append({"type": "publicWeb", "reason": f"{access} cannot be granted publicly"})
    return _sharing_reply(state, project, errors)
