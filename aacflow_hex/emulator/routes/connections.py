"""Data connections: list and get (ERR-N). Secrets are never stored or echoed."""

from __future__ import annotations

from aiohttp import web

from ..errors import not_found
from ..listing import page_body, paged
from ..params import path_uuid, query_enum
from ..render import data_connection_json
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of
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
