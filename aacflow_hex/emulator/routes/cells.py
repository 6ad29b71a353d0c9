"""Cells of a project's draft (ERR-N): list, get, create, update, delete, output, images."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..lifecycle import view_run
from ..listing import page_body, paged
from ..params import (
    body_object,
    body_str,
    json_body,
    path_uuid,
    query_bool,
    query_int,
    query_str,
    reject_unknown,
    uuid_value,
)
from ..render import cell_json
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of
from ..state.models import Cell

routes = RouteTable()

# A 1x1 transparent PNG: enough for clients that decode or store the image.
PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
CREATE_TYPES = {"CODE": "codeCell", "SQL": "sqlCell", "MARKDOWN": "markdownCell"}
CHART_TYPES = frozenset({"CHART", "VEGA_CHART", "MAP", "PIVOT"})


def cell_of(state: EmulatorState, cell_id: str) -> Cell:
    cell = state.workspace.cells.get(cell_id)
    if cell is None:
        raise not_found("Cell", cell_id)
    return cell


def cell_by_any_id(state: EmulatorState, ident: str) -> Cell:
    """A cell by its id or, as Hex's output and image endpoints allow, its static id
    (resolved within the draft, where the emulator's cells live)."""
    cell = state.workspace.cells.get(ident)
    if cell is None:
        cell = next((c for c in state.workspace.cells.values() if c.static_id == ident), None)
    if cell is None:
        raise not_found("Cell", ident)
    return cell


def image_size(request: web.Request) -> None:
    """``width`` and ``height`` go together, each 100..2000."""
    width = query_str(request, "width")
    height = query_str(request, "height")
    if (width is None) != (height is None):
        raise bad_request("width and height must be given together")
    query_int(request, "width", default=800, minimum=100, maximum=2000)
    query_int(request, "height", default=600, minimum=100, maximum=2000)
    query_bool(request, "includeTitle", True)


def _contents(cell_type: str, contents: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    key = CREATE_TYPES[cell_type]
    reject_unknown(contents, (key,), "contents")
    inner = body_object(contents, key)
    if inner is None:
        if creating:
            raise bad_request(f"contents.{key} is required for a {cell_type} cell")
        return {}
    allowed = ("source", "dataConnectionId", "isDataframeSql", "outputDataframe")
    reject_unknown(inner, allowed if cell_type == "SQL" else ("source",), f"contents.{key}")
    body_str(inner, "source", required=creating)
    return inner


def _dataframe_name(state: EmulatorState, project_id: str, inner: dict[str, Any]) -> str:
    """The given name, else Hex's numbering: a SQL cell's result always has a dataframe."""
    given = body_str(inner, "outputDataframe", nullable=True)
    if given:
        return given
    sql_cells = [
        c
        for c in state.workspace.cells.values()
        if c.project_id == project_id and c.cell_type == "SQL"
    ]
    return f"dataframe_{len(sql_cells) + 1}"


@routes.route("GET", "/cells", op="ListCells", family="N", group="hex-api-30rpm")
async def list_cells(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    raw = query_str(request, "projectId")
    if raw is None:
        raise bad_request("projectId is required")
    project = state.project(uuid_value(raw, "projectId"))
    cells = [c for c in state.workspace.cells.values() if c.project_id == project.id]
    page = paged(
        request, cells, lambda c: (c.order, c.id), kind=f"cells:{project.id}", max_limit=100
    )
    return json_ok(page_body(page, cell_json))


@routes.route(
    "POST", "/cells", op="CreateCell", family="N", group="hex-api-30rpm", min_role="EDITOR"
)
async def create_cell(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("projectId", "cellType", "label", "contents", "location"))
    project = state.project(uuid_value(body.get("projectId"), "projectId"))
    cell_type = body.get("cellType")
    if cell_type not in CREATE_TYPES:
        raise bad_request("cellType must be one of CODE, SQL, MARKDOWN")
    contents = body_object(body, "contents")
    if contents is None:
        raise bad_request("contents is required")
    inner = _contents(cell_type, contents, creating=True)
    conn_id = inner.get("dataConnectionId")
    if conn_id is not None:
        conn_id = uuid_value(conn_id, "contents.sqlCell.dataConnectionId")
        if conn_id not in state.workspace.data_connections:
            raise not_found("Data connection", conn_id)
    siblings = sorted(
        (c for c in state.workspace.cells.values() if c.project_id == project.id),
        key=lambda c: c.order,
    )
    location = body_object(body, "location") or {}
    reject_unknown(location, ("insertAfterCellId", "parentCellId", "childPosition"), "location")
    order = (siblings[-1].order + 1) if siblings else 0
    after_id = location.get("insertAfterCellId")
    if after_id is not None:
        anchor = cell_of(state, uuid_value(after_id, "location.insertAfterCellId"))
        if anchor.project_id != project.id:
            raise bad_request("location.insertAfterCellId is not a cell of this project")
        order = anchor.order + 1
    elif location.get("childPosition") == "FIRST":
        order = siblings[0].order if siblings else 0
    for sibling in siblings:
        if sibling.order >= order:
            sibling.order += 1
    cell = Cell(
        id=state.new_id(),
        static_id=state.new_id(),
        project_id=project.id,
        cell_type=cell_type,
        label=body_str(body, "label", nullable=True),
        source=inner["source"],
        data_connection_id=conn_id,
        output_dataframe=_dataframe_name(state, project.id, inner) if cell_type == "SQL" else None,
        order=order,
    )
    state.workspace.cells[cell.id] = cell
    return json_ok(cell_json(cell))


@routes.route("GET", "/cells/{cellId}", op="GetCell", family="N", group="hex-api-30rpm")
async def get_cell(request: web.Request) -> web.StreamResponse:
    return json_ok(cell_json(cell_of(state_of(request), path_uuid(request, "cellId"))))


@routes.route(
    "PATCH",
    "/cells/{cellId}",
    op="UpdateCell",
    family="N",
    group="hex-api-30rpm",
    min_role="EDITOR",
)
async def update_cell(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    cell = cell_of(state, path_uuid(request, "cellId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("dataConnectionId", "contents"))
    inner: dict[str, Any] = {}
    contents = body_object(body, "contents")
    if contents is not None:
        if cell.cell_type not in CREATE_TYPES:
            raise ApiError(422, f"{cell.cell_type} cells have no editable source")
        inner = _contents(cell.cell_type, contents, creating=False)
    conn_id: str | None = cell.data_connection_id
    if "dataConnectionId" in body:
        if cell.cell_type != "SQL":
            raise ApiError(422, "Only SQL cells have a data connection")
        raw = body["dataConnectionId"]
        conn_id = None if raw is None else uuid_value(raw, "dataConnectionId")
        if conn_id is not None and conn_id not in state.workspace.data_connections:
            raise not_found("Data connection", conn_id)
    if "source" in inner:
        cell.source = inner["source"]
    if inner.get("outputDataframe") is not None:  # a SQL cell always has one (spec)
        cell.output_dataframe = body_str(inner, "outputDataframe", required=True)
    cell.data_connection_id = conn_id
    return json_ok(cell_json(cell))


@routes.route(
    "DELETE",
    "/cells/{cellId}",
    op="DeleteCell",
    family="N",
    group="hex-api-30rpm",
    min_role="EDITOR",
)
async def delete_cell(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    cell = cell_of(state, path_uuid(request, "cellId"))
    del state.workspace.cells[cell.id]
    return json_ok({"cellId": cell.id})


@routes.route("GET", "/cells/{cellId}/output", op="GetCellOutput", family="N")
async def cell_output(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    cell = cell_by_any_id(state, path_uuid(request, "cellId"))
    if cell.cell_type != "SQL":
        raise ApiError(422, f"Only SQL cells have an output preview, not {cell.cell_type}")
    if not cell.source or "error" in cell.source.lower():
        result: dict[str, Any] = {
            "type": "cell_run_error",
            "message": "SQL compilation error: invalid query",
            "traceback": None,
        }
    else:
        rows = [{"id": str(i), "name": f"row {i}", "amount": f"{i * 10.5:.2f}"} for i in range(3)]
        result = {
            "type": "table",
            "rowLimit": 100,
            "rowsReturned": len(rows),
            "totalRows": len(rows),
            "totalRowsKind": "EXACT",
            "truncated": False,
            "columns": [
                {"name": "id", "type": "NUMBER"},
                {"name": "name", "type": "STRING"},
                {"name": "amount", "type": "NUMBER"},
            ],
            "rows": rows,
        }
    return json_ok(
        {
            "projectId": cell.project_id,
            "runId": state.new_id(),
            "cell": {"id": cell.id, "staticId": cell.static_id, "cellType": cell.cell_type},
            "result": result,
        }
    )


@routes.route(
    "GET",
    "/cells/{cellId}/image",
    op="GetChartImageFromLogic",
    family="N",
    group="hex-chart-image",
)
async def cell_image(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    cell = cell_by_any_id(state, path_uuid(request, "cellId"))
    image_size(request)
    if cell.cell_type not in CHART_TYPES:
        raise ApiError(422, f"Only chart cells can be rendered, not {cell.cell_type}")
    return json_ok({"cellId": cell.id, "imageBase64": PNG_1X1, "mimeType": "image/png"})


@routes.route(
    "GET",
    "/projects/{projectId}/runs/{runId}/cells/{staticId}/image",
    op="GetChartImageFromRun",
    family="N",
    group="hex-chart-image",
)
async def run_cell_image(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    run = state.run_of(path_uuid(request, "projectId"), path_uuid(request, "runId"))
    static_id = path_uuid(request, "staticId")
    image_size(request)
    cell = next(
        (
            c
            for c in state.workspace.cells.values()
            if c.project_id == run.project_id and c.static_id == static_id
        ),
        None,
    )
    if cell is None:
        raise not_found("Cell", static_id)
    if cell.cell_type not in CHART_TYPES:
        raise ApiError(422, f"Only chart cells can be rendered, not {cell.cell_type}")
    status = view_run(run, state.now()).status
    if status != "COMPLETED":
        raise ApiError(422, f"Run {run.id} is {status}; images exist for COMPLETED runs only")
    return json_ok(
        {
            "projectId": run.project_id,
            "runId": run.id,
            "staticId": static_id,
            "imageBase64": PNG_1X1,
            "mimeType": "image/png",
        }
    )
