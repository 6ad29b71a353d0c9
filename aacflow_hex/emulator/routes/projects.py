"""Projects: list (cursor pages, filters, sorting), get, update status, queried tables."""

from __future__ import annotations

from aiohttp import web

from ..errors import bad_request
from ..ids import is_uuid
from ..listing import page_body, paged
from ..pagination import SortKey
from ..params import (
    json_body,
    path_uuid,
    query_bool,
    query_enum,
    query_list,
    query_str,
    reject_unknown,
)
from ..render import project_json
from ..routing import RouteTable
from ..runtime import json_ok, state_of, trace_of
from ..state.models import Project

routes = RouteTable()

SORT_FIELDS = ("CREATED_AT", "LAST_EDITED_AT", "LAST_PUBLISHED_AT")


def project_sort_key(project: Project, sort_by: str) -> SortKey:
    if sort_by == "LAST_EDITED_AT":
        value = project.last_edited_at
    elif sort_by == "LAST_PUBLISHED_AT":
        # Never-published projects sort as the oldest (last in DESC, first in ASC).
        value = project.last_published_at if project.last_published_at is not None else -1.0
    else:
        value = project.created_at
    return (value, project.id)


@routes.route("GET", "/projects", op="ListProjects", family="T")
async def list_projects(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    ws = state.workspace
    include_archived = query_bool(request, "includeArchived")
    include_components = query_bool(request, "includeComponents")
    include_trashed = query_bool(request, "includeTrashed")
    include_sharing = query_bool(request, "includeSharing")
    statuses = set(query_list(request, "statuses"))
    categories = set(query_list(request, "categories"))
    creator = (query_str(request, "creatorEmail") or "").lower()
    owner = (query_str(request, "ownerEmail") or "").lower()
    collection_id = query_str(request, "collectionId")
    if collection_id is not None and not is_uuid(collection_id):
        raise bad_request(f"collectionId must be a UUID, got {collection_id!r}")
    sort_by = query_enum(request, "sortBy", SORT_FIELDS, "CREATED_AT") or "CREATED_AT"
    direction = query_enum(request, "sortDirection", ("DESC", "ASC"), "DESC") or "DESC"

    def visible(p: Project) -> bool:
        return (
            (include_archived or p.archived_at is None)
            and (include_trashed or p.trashed_at is None)
            and (include_components or p.type == "PROJECT")
            and (not statuses or p.status in statuses)
            and (not categories or any(c.name in categories for c in p.categories))
            and (not creator or p.creator_email.lower() == creator)
            and (not owner or p.owner_email.lower() == owner)
            and (collection_id is None or collection_id.lower() in p.collection_access)
        )

    page = paged(
        request,
        [p for p in ws.projects.values() if visible(p)],
        lambda p: project_sort_key(p, sort_by),
        kind=f"projects:{sort_by}:{direction}",
        max_limit=100,
        descending=direction == "DESC",
    )
    return json_ok(page_body(page, lambda p: project_json(p, ws, include_sharing)))


@routes.route("GET", "/projects/{projectId}", op="GetProject", family="N")
async def get_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    include_sharing = query_bool(request, "includeSharing")
    return json_ok(project_json(project, state.workspace, include_sharing))


@routes.route("PATCH", "/projects/{projectId}", op="UpdateProject", family="N", min_role="EDITOR")
async def update_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("status",))
    if "status" in body:
        status = body["status"]
        if status is not None and not isinstance(status, str):
            raise bad_request("status must be a string or null")
        if status is not None and status not in state.workspace.status_labels:
            known = ", ".join(state.workspace.status_labels)
            raise bad_request(f"status {status!r} is not a status of this workspace ({known})")
        project.status = status
        project.last_edited_at = state.now()
    return json_ok(project_json(project, state.workspace))


@routes.route("GET", "/projects/{projectId}/queriedTables", op="GetQueriedTables", family="T")
async def queried_tables(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    conns = state.workspace.data_connections
    rows = [
        {
            "dataConnectionId": t.data_connection_id,
            "dataConnectionName": conns[t.data_connection_id].name
            if t.data_connection_id in conns
            else "",
            "tableName": t.table_name,
        }
        for t in project.queried_tables
    ]
    page = paged(
        request,
        rows,
        lambda r: (r["tableName"], r["dataConnectionId"]),
        kind=f"tables:{project.id}",
        max_limit=100,
    )
    return json_ok({**page_body(page, lambda r: r), "traceId": trace_of(request)})
