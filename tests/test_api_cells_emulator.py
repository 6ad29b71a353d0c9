"""Cells of a project's draft and chart images end to end (emulator)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from api_emulator import (
    MISSING_ID,
    Refusal,
    assert_refused,
    call,
    refusal_ids,
)

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, Fixtures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def cell_ids(hex_: HexExecutor, project_id: str) -> list[str]:
    listed = await call(hex_, "hex_list_cells", projectId=project_id, fetchAll=True)
    return [c["id"] for c in listed["cells"]]


async def test_cells_are_listed_in_notebook_order_with_their_source(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.cell_project_id
    first = await call(hex_, "hex_list_cells", projectId=project_id, limit=2)
    assert first["total"] == 2 and first["after"] is not None
    rest = await call(hex_, "hex_list_cells", projectId=project_id, after=first["after"])
    cells = first["cells"] + rest["cells"]
    assert [c["cellType"] for c in cells][:4] == ["MARKDOWN", "SQL", "CODE", "CHART"]
    sql = await call(hex_, "hex_get_cell", cellId=emu.fixtures.cell_id)
    assert sql["contents"]["sqlCell"]["source"].startswith("select")
    assert sql["contents"]["codeCell"] is None
    assert sql in cells


async def test_a_cell_is_created_where_asked_updated_and_deleted(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.cell_project_id
    anchor = emu.fixtures.cell_id
    created = await call(
        hex_,
        "hex_create_cell",
        projectId=project_id,
        cellType="SQL",
        source="select count(*) from orders",
        label="Count",
        dataConnectionId=emu.fixtures.data_connection_id,
        outputDataframe="order_count",
        insertAfterCellId=anchor,
    )
    cell_id = created["id"]
    assert created["contents"]["sqlCell"] == {
        "source": "select count(*) from orders",
        "outputDataframe": "order_count",
    }
    order = await cell_ids(hex_, project_id)
    assert order.index(cell_id) == order.index(anchor) + 1

    updated = await call(
        hex_,
        "hex_update_cell",
        cellId=cell_id,
        cellType="SQL",
        source="select 1",
        detachDataConnection=True,
    )
    assert updated["contents"]["sqlCell"]["source"] == "select 1"
    assert updated["dataConnectionId"] is None

    deleted = await call(hex_, "hex_delete_cell", cellId=cell_id)
    assert deleted == {"success": True, "cellId": cell_id}
    assert cell_id not in await cell_ids(hex_, project_id)


async def test_code_and_markdown_cells_get_their_own_contents(
    emu: Emulator, hex_: HexExecutor
) -> None:
    project_id = emu.fixtures.cell_project_id
    code = await call(
        hex_, "hex_create_cell", projectId=project_id, cellType="CODE", source="x = 1"
    )
    note = await call(
        hex_, "hex_create_cell", projectId=project_id, cellType="MARKDOWN", source="# Notes"
    )
    assert code["contents"]["codeCell"] == {"source": "x = 1"}
    assert note["contents"]["markdownCell"] == {"source": "# Notes"}
    edited = await call(hex_, "hex_update_cell", cellId=code["id"], cellType="CODE", source="x = 2")
    assert edited["contents"]["codeCell"] == {"source": "x = 2"}
    assert (await cell_ids(hex_, project_id))[-2:] == [code["id"], note["id"]]


async def test_a_sql_cell_output_is_a_table_or_the_error_it_raised(
    emu: Emulator, hex_: HexExecutor
) -> None:
    out = await call(hex_, "hex_get_cell_output", cellId=emu.fixtures.cell_id)
    result = out["result"]
    assert out["cell"]["id"] == emu.fixtures.cell_id and result["type"] == "table"
    assert [c["name"] for c in result["columns"]] == list(result["rows"][0])
    assert result["rowsReturned"] == len(result["rows"])

    broken = await call(
        hex_,
        "hex_create_cell",
        projectId=emu.fixtures.cell_project_id,
        cellType="SQL",
        source="select error",
        isDataframeSql=True,
    )
    failed = await call(hex_, "hex_get_cell_output", cellId=broken["id"])
    assert failed["result"]["type"] == "cell_run_error" and failed["result"]["message"]


async def test_output_and_chart_tools_take_the_static_id_their_docs_promise(
    emu: Emulator, hex_: HexExecutor
) -> None:
    fx = emu.fixtures
    sql_static = emu.workspace.cells[fx.cell_id].static_id
    out = await call(hex_, "hex_get_cell_output", cellId=sql_static)
    assert out["cell"]["id"] == fx.cell_id
    chart = await call(hex_, "hex_get_cell_chart_image", cellId=fx.chart_cell_static_id)
    assert chart["cellId"] == fx.chart_cell_id


async def test_a_chart_renders_as_png_from_the_notebook_and_from_a_finished_run(
    emu: Emulator, hex_: HexExecutor
) -> None:
    fx = emu.fixtures
    live = await call(
        hex_, "hex_get_cell_chart_image", cellId=fx.chart_cell_id, width=800, height=600
    )
    assert live["mimeType"] == "image/png" and live["cellId"] == fx.chart_cell_id
    assert base64.b64decode(live["imageBase64"]).startswith(PNG_SIGNATURE)

    ran = await call(
        hex_,
        "hex_get_run_chart_image",
        projectId=fx.cell_project_id,
        runId=fx.finished_run_id,
        staticId=fx.chart_cell_static_id,
        includeTitle=False,
    )
    assert (ran["runId"], ran["staticId"]) == (fx.finished_run_id, fx.chart_cell_static_id)
    assert base64.b64decode(ran["imageBase64"]).startswith(PNG_SIGNATURE)


# (tool, params from the fixtures, token role, error kind, status): each tool's main failure.
ERRORS: list[tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]] = [
    ("hex_list_cells", lambda f: {"projectId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_get_cell", lambda f: {"cellId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_create_cell", lambda f: {"projectId": MISSING_ID, "cellType": "CODE", "source": "x"},
     "ADMIN", "not_found", 404),
    ("hex_create_cell",
     lambda f: {"projectId": f.cell_project_id, "cellType": "CODE", "source": "x"},
     "GUEST", "permission", 403),
    ("hex_update_cell", lambda f: {"cellId": MISSING_ID, "cellType": "CODE", "source": "x"},
     "ADMIN", "not_found", 404),
    ("hex_update_cell", lambda f: {"cellId": f.cell_id, "cellType": "SQL", "source": "x"},
     "GUEST", "permission", 403),
    ("hex_update_cell", lambda f: {"cellId": f.chart_cell_id, "cellType": "CODE", "source": "x"},
     "ADMIN", "invalid_request", 422),
    ("hex_delete_cell", lambda f: {"cellId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_delete_cell", lambda f: {"cellId": f.cell_id}, "GUEST", "permission", 403),
    ("hex_get_cell_output", lambda f: {"cellId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_get_cell_output", lambda f: {"cellId": f.chart_cell_id}, "ADMIN",
     "invalid_request", 422),
    ("hex_get_cell_chart_image", lambda f: {"cellId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_get_cell_chart_image", lambda f: {"cellId": f.cell_id}, "ADMIN",
     "invalid_request", 422),
    ("hex_get_run_chart_image",
     lambda f: {"projectId": f.cell_project_id, "runId": f.finished_run_id,
                "staticId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_get_run_chart_image",
     lambda f: {"projectId": f.running_run_project_id, "runId": f.running_run_id,
                "staticId": f.chart_cell_static_id}, "ADMIN", "invalid_request", 422),
]  # fmt: skip


@pytest.mark.parametrize("refusal", ERRORS, ids=refusal_ids(ERRORS))
async def test_each_tool_reports_hex_refusals_as_data(emu: Emulator, refusal: Refusal) -> None:
    await assert_refused(emu, *refusal)
