"""Data connections: list and get (ERR-N); create, edit, schema statuses (ERR-T).

Secrets sent in ``connectionDetails`` are validated and dropped, never stored or echoed:
responses carry the readable details only, as Hex's do.
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..listing import page_body, paged
from ..params import (
    body_bool,
    body_list,
    body_object,
    body_str,
    json_body,
    path_uuid,
    query_enum,
    reject_unknown,
    uuid_value,
)
from ..render import data_connection_json
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of, trace_of
from ..state.models import DataConnection

routes = RouteTable()


def connection(state: EmulatorState, connection_id: str) -> DataConnection:
    conn = state.workspace.data_connections.get(connection_id)
    if conn is None:
        raise not_found("Data connection", connection_id)
    return conn


@routes.route("GET", "/data-connections", op="ListDataConnections", family="N", min_role="EDITOR")
async def list_connections(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    sort_by = query_enum(request, "sortBy", ("NAME", "CREATED_AT"), "NAME")
    direction = query_enum(request, "sortDirection", ("ASC", "DESC"), "ASC")

    def key(c: DataConnection) -> tuple[str | float, str]:
        return (c.name.lower() if sort_by == "NAME" else c.created_at, c.id)

    page = paged(
        request,
        list(state.workspace.data_connections.values()),
        key,
        kind=f"connections:{sort_by}:{direction}",
        max_limit=100,
        descending=direction == "DESC",
    )
    return json_ok(page_body(page, lambda c: data_connection_json(c, state.workspace)))


@routes.route(
    "GET",
    "/data-connections/{dataConnectionId}",
    op="GetDataConnection",
    family="N",
    min_role="EDITOR",
)
async def get_connection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    conn = connection(state, path_uuid(request, "dataConnectionId"))
    return json_ok(data_connection_json(conn, state.workspace))


# Fields Hex returns for each type (ReadableConnectionDetails); anything else is a secret.
READABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "athena": ("accessKeyId", "workgroup", "catalog", "s3OutputPath", "port", "hostname"),
    "bigquery": ("enableStorageApi", "enableDriveAccess", "projectId"),
    "clickhouse": ("username", "port", "hostname"),
    "databricks": ("jdbcUrl",),
    "postgres": ("username", "database", "port", "hostname"),
    "redshift": ("username", "database", "port", "host"),
    "snowflake": ("role", "username", "schema", "database", "warehouse", "accountName"),
    "trino": ("sessionProperties", "username", "schema", "catalog", "port", "hostname"),
}
REQUIRED_ON_CREATE: dict[str, tuple[str, ...]] = {
    "athena": ("secretAccessKey", "accessKeyId", "s3OutputPath", "port", "hostname"),
    "bigquery": ("serviceAccountJsonConfig", "projectId"),
    "databricks": ("accessToken", "jdbcUrl"),
    "postgres": ("password", "username", "database", "port", "hostname"),
    "redshift": ("password", "username", "database", "port", "host"),
    "snowflake": ("passphrase", "privateKey", "username", "database", "warehouse", "accountName"),
    "trino": ("username", "port", "hostname"),
}
WRITE_FIELDS = (
    "name",
    "type",
    "connectionDetails",
    "description",
    "connectViaSsh",
    "includeMagic",
    "allowWritebackCells",
    "schemaFilters",
    "schemaRefreshSchedule",
    "schemaRefreshAccess",
    "sharing",
)
SHARING_LEVELS = ("NONE", "QUERY", "VIEW_RESULTS")


def _details(kind: str, raw: Any, *, creating: bool) -> dict[str, Any]:
    """Validate ``connectionDetails`` and keep only its readable (non-secret) fields."""
    if not isinstance(raw, dict) or list(raw) != [kind] or not isinstance(raw[kind], dict):
        raise bad_request(f"connectionDetails must be {{{kind}: {{...}}}} for type {kind}")
    fields = raw[kind]
    if creating:
        missing = [f for f in REQUIRED_ON_CREATE[kind] if f not in fields]
        if missing:
            raise bad_request(f"connectionDetails.{kind} is missing {', '.join(missing)}")
    known = (
        set(READABLE_FIELDS[kind])
        | set(REQUIRED_ON_CREATE[kind])
        | {
            "password",
            "sslRootCert",
            "sessionProperties",
        }
    )
    unknown = sorted(set(fields) - known)
    if unknown:
        raise bad_request(f"connectionDetails.{kind} has unknown field(s) {', '.join(unknown)}")
    return {k: v for k, v in fields.items() if k in READABLE_FIELDS[kind]}


def _apply_common(state: EmulatorState, conn: DataConnection, body: dict[str, Any]) -> None:
    for field, attr in (
        ("connectViaSsh", "connect_via_ssh"),
        ("includeMagic", "include_magic"),
        ("allowWritebackCells", "allow_writeback_cells"),
    ):
        value = body_bool(body, field)
        if value is not None:
            setattr(conn, attr, value)
    access = body.get("schemaRefreshAccess")
    if access is not None:
        if access not in ("ADMINS", "USERS_WITH_QUERY_ACCESS"):
            raise bad_request("schemaRefreshAccess must be ADMINS or USERS_WITH_QUERY_ACCESS")
        conn.schema_refresh_access = access
    if "schemaFilters" in body:
        conn.schema_filters = body_object(body, "schemaFilters")
    if "schemaRefreshSchedule" in body:
        conn.schema_refresh_schedule = body_object(body, "schemaRefreshSchedule")
    if "description" in body:
        conn.description = body_str(body, "description", nullable=True)
    sharing = body_object(body, "sharing")
    if sharing is None:
        return
    reject_unknown(sharing, ("workspace", "groups"), "sharing")
    workspace = body_object(sharing, "workspace") or {}
    reject_unknown(workspace, ("public", "guests", "members"), "sharing.workspace")
    for key, level in workspace.items():
        allowed = ("NONE", "VIEW_RESULTS") if key == "public" else SHARING_LEVELS
        if level not in allowed:
            raise bad_request(f"sharing.workspace.{key} must be one of {', '.join(allowed)}")
        conn.workspace_sharing[key] = level
    groups = sharing.get("groups")
    if isinstance(groups, dict):  # PATCH: {upsert: [...]}
        groups = groups.get("upsert")
    for entry in groups or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("group"), dict):
            raise bad_request("sharing.groups entries must be {access, group: {id}}")
        gid = uuid_value(entry["group"].get("id"), "sharing.groups[].group.id")
        if gid not in state.workspace.groups:
            raise not_found("Group", gid)
        if entry.get("access") not in SHARING_LEVELS:
            raise bad_request(f"sharing.groups[].access must be one of {', '.join(SHARING_LEVELS)}")
        conn.group_access[gid] = entry["access"]


@routes.route(
    "POST",
    "/data-connections",
    op="CreateDataConnection",
    family="T",
    min_role="ADMIN",
)
async def create_connection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, WRITE_FIELDS)
    name = body_str(body, "name", required=True)
    kind = body.get("type")
    if kind not in REQUIRED_ON_CREATE:
        raise bad_request(f"type must be one of {', '.join(REQUIRED_ON_CREATE)}")
    if "connectionDetails" not in body:
        raise bad_request("connectionDetails is required")
    assert name is not None
    conn = DataConnection(
        id=state.new_id(),
        name=name,
        type=kind,
        description=None,
        created_at=state.now(),
        details={kind: _details(kind, body["connectionDetails"], creating=True)},
        connect_via_ssh=False,
        include_magic=True,
        allow_writeback_cells=False,
    )
    _apply_common(state, conn, body)
    state.workspace.data_connections[conn.id] = conn
    return json_ok(data_connection_json(conn, state.workspace), status=201)


@routes.route(
    "PATCH",
    "/data-connections/{dataConnectionId}",
    op="EditDataConnection",
    family="T",
    min_role="ADMIN",
)
async def edit_connection(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    conn = connection(state, path_uuid(request, "dataConnectionId"))
    body = await json_body(request, required=True)
    reject_unknown(body, WRITE_FIELDS)
    if "type" in body and body["type"] != conn.type:
        raise bad_request("type of a data connection cannot be changed")
    name = body_str(body, "name")
    details = (
        _details(conn.type, body["connectionDetails"], creating=False)
        if "connectionDetails" in body
        else None
    )
    staged = copy.deepcopy(conn)  # validate everything before changing the real record
    _apply_common(state, staged, body)
    if name is not None:
        staged.name = name
    if details is not None:
        staged.details = {conn.type: {**conn.details.get(conn.type, {}), **details}}
    state.workspace.data_connections[conn.id] = staged
    return json_ok(data_connection_json(staged, state.workspace), status=201)  # 201 (sic)


SCHEMA_LEVELS = {"DATABASE": 1, "SCHEMA": 2, "TABLE": 3}


@routes.route(
    "PATCH",
    "/data-connections/{dataConnectionId}/schema",
    op="UpdateDataConnectionSchema",
    family="T",
    min_role="ADMIN",
)
async def update_schema(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    conn = connection(state, path_uuid(request, "dataConnectionId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("updates",))
    updates = body_list(body, "updates")
    if not updates:
        raise bad_request("updates must be a non-empty array")
    stores = {"DATABASE": conn.databases, "SCHEMA": conn.schemas, "TABLE": conn.tables}
    problems: list[dict[str, str]] = []
    accepted: list[tuple[str, str, str | None]] = []
    for index, update in enumerate(updates):
        if not isinstance(update, dict) or update.get("type") not in SCHEMA_LEVELS:
            raise bad_request(f"updates[{index}] needs type DATABASE, SCHEMA or TABLE")
        kind, name, status = update["type"], update.get("name"), update.get("status")
        if not isinstance(name, str):
            raise bad_request(f"updates[{index}].name must be a string")
        problem = None
        if len(name.split(".")) != SCHEMA_LEVELS[kind] or "" in name.split("."):
            problem = "invalid_name_format"
        elif name not in stores[kind]:
            problem = "not_found"
        elif status is not None and status not in state.workspace.status_labels:
            problem = "invalid_status"
        if problem:
            detail = {"name": name, "type": kind, "reason": problem}
            if problem == "invalid_status":
                detail["value"] = str(status)
            problems.append(detail)
        else:
            accepted.append((kind, name, status))
    if problems:  # atomic: nothing is applied
        not_found_only = all(p["reason"] == "not_found" for p in problems)
        status_code = 404 if not_found_only else 400
        raise ApiError(
            status_code,
            "Schema update rejected; no changes were applied",
            body={
                "reason": "Schema update rejected; no changes were applied",
                "traceId": trace_of(request),
                "details": problems,
            },
        )
    updated: dict[str, list[dict[str, str | None]]] = {"tables": [], "schemas": [], "databases": []}
    for kind, name, status in accepted:
        stores[kind][name] = status
        key = {"DATABASE": "databases", "SCHEMA": "schemas", "TABLE": "tables"}[kind]
        updated[key].append({"status": status, "name": name})
    return json_ok({"updated": updated})
