"""Cells, chart images, agent threads, context topics and embedding URLs."""

from __future__ import annotations

import asyncio
import base64

import pytest

from .conftest import Api
from .test_projects import MISSING, walk


async def test_list_get_create_update_delete_cells(api: Api) -> None:
    fx = api.emu.fixtures
    pid = fx.cell_project_id
    cells = await walk(api, "/cells", {"projectId": pid, "limit": "2"})
    assert len(cells) == 5
    first = cells[0]["id"]
    created = await api.post(
        "/cells",
        json={
            "projectId": pid,
            "cellType": "SQL",
            "label": "New",
            "contents": {
                "sqlCell": {"source": "select 1", "dataConnectionId": fx.data_connection_id}
            },
            "location": {"insertAfterCellId": first},
        },
    )
    assert created.status == 200
    assert created.body["contents"]["sqlCell"]["source"] == "select 1"
    cid = created.body["id"]
    order = [c["id"] for c in await walk(api, "/cells", {"projectId": pid, "limit": "100"})]
    assert order[:2] == [first, cid]
    updated = await api.patch(
        f"/cells/{cid}",
        json={"dataConnectionId": None, "contents": {"sqlCell": {"source": "select 2"}}},
    )
    assert updated.body["contents"]["sqlCell"]["source"] == "select 2"
    assert updated.body["dataConnectionId"] is None
    assert (await api.get(f"/cells/{cid}")).body == updated.body
    deleted = await api.delete(f"/cells/{cid}")
    assert deleted.status == 200 and deleted.body == {"cellId": cid}
    assert (await api.get(f"/cells/{cid}")).status == 404


@pytest.mark.parametrize("params", [{}, {"projectId": "x"}, {"projectId": MISSING}])
async def test_list_cells_needs_a_project(api: Api, params: dict[str, str]) -> None:
    reply = await api.get("/cells", params=params)
    assert reply.status == (404 if params.get("projectId") == MISSING else 400)
    assert "code" in reply.body


async def test_cell_output_of_sql_cell(api: Api) -> None:
    fx = api.emu.fixtures
    reply = await api.get(f"/cells/{fx.cell_id}/output")
    assert reply.status == 200
    assert reply.body["result"]["type"] == "table"
    assert reply.body["cell"]["id"] == fx.cell_id
    chart = await api.get(f"/cells/{fx.chart_cell_id}/output")
    assert chart.status == 422


async def test_chart_images(api: Api) -> None:
    fx = api.emu.fixtures
    image = await api.get(
        f"/cells/{fx.chart_cell_id}/image", params={"width": "300", "height": "200"}
    )
    assert image.status == 200
    assert base64.b64decode(image.body["imageBase64"]).startswith(b"\x89PNG")
    for params in (
        {"width": "99", "height": "200"},
        {"width": "300"},
        {"width": "2001", "height": "200"},
    ):
        assert (await api.get(f"/cells/{fx.chart_cell_id}/image", params=params)).status == 400
    assert (await api.get(f"/cells/{fx.cell_id}/image")).status == 422
    cell_image = f"cells/{fx.chart_cell_static_id}/image"
    run_path = f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}/{cell_image}"
    from_run = await api.get(run_path, params={"width": "100", "height": "2000"})
    assert from_run.status == 200
    assert from_run.body["staticId"] == fx.chart_cell_static_id
    running = f"/projects/{fx.running_run_project_id}/runs/{fx.running_run_id}/{cell_image}"
    assert (await api.get(running)).status == 422


async def test_output_and_image_also_take_a_static_cell_id(api: Api) -> None:
    fx = api.emu.fixtures
    sql = api.emu.workspace.cells[fx.cell_id]
    output = await api.get(f"/cells/{sql.static_id}/output")
    assert output.status == 200, output.body
    assert output.body["cell"] == {"id": fx.cell_id, "staticId": sql.static_id, "cellType": "SQL"}
    image = await api.get(f"/cells/{fx.chart_cell_static_id}/image")
    assert image.status == 200, image.body
    assert image.body["cellId"] == fx.chart_cell_id
    missing = await api.get("/cells/00000000-0000-4000-8000-000000000000/output")
    assert missing.status == 404


async def test_thread_lifecycle(api: Api) -> None:
    fx = api.emu.fixtures
    created = await api.post(
        "/threads", json={"prompt": "Why did churn rise?", "projectId": fx.completing_project_id}
    )
    assert created.status == 200
    tid = created.body["threadId"]
    assert created.body["projectId"] == fx.completing_project_id
    busy = await api.get(f"/threads/{tid}")
    assert busy.body["status"] == "RUNNING" and busy.body["response"] is None
    assert (await api.post(f"/threads/{tid}/followup", json={"prompt": "more"})).status == 422
    await asyncio.sleep(0.25)
    idle = await api.get(f"/threads/{tid}")
    assert idle.body["status"] == "IDLE"
    assert "churn" in idle.body["response"][0]["text"]
    follow = await api.post(f"/threads/{tid}/followup", json={"prompt": "by region"})
    assert follow.status == 200
    await asyncio.sleep(0.25)
    messages = await api.get(f"/threads/{tid}/messages")
    assert len(messages.body["content"]) == 2
    assert (await api.get(f"/threads/{tid}/messages", params={"limit": "51"})).status == 400


async def test_threads_list_is_for_managers_and_others_threads_are_private(api: Api) -> None:
    fx = api.emu.fixtures
    listed = await api.get("/threads")
    assert fx.thread_id in {t["id"] for t in listed.body["threads"]}
    assert (await api.get("/threads", token=api.emu.tokens["EXPLORER"])).status == 403
    other = await api.get(f"/threads/{fx.thread_id}", token=api.emu.tokens["EXPLORER"])
    assert other.status == 403
    assert (await api.post("/threads", json={"prompt": ""})).status == 400
    assert (await api.get("/threads", params={"source": "EMAIL"})).status == 400


# The keys of Hex's current spec (ListThreads items, GetThread); optional ones included.
SHARED_KEYS = {
    "title", "creditsUsed", "topics", "warnings", "feedback", "model", "auto",
    "effectiveModel", "effortLevel", "userId", "type", "source", "createdAt", "updatedAt",
    "sensitive", "url",
}  # fmt: skip


async def test_thread_shapes_follow_the_current_spec(api: Api) -> None:
    fx = api.emu.fixtures
    [item] = (await api.get("/threads")).body["threads"]
    assert set(item) == SHARED_KEYS | {"id", "orgId"}
    assert item["id"] == fx.thread_id and item["orgId"] == api.emu.workspace.org_id
    thread = (await api.get(f"/threads/{fx.thread_id}")).body
    assert set(thread) == SHARED_KEYS | {"threadId", "status", "error", "resources", "response"}
    project = api.emu.workspace.projects[fx.completing_project_id]
    assert thread["resources"] == [
        {"id": project.id, "resourceType": "PROJECT", "name": project.title}
    ]
    assert thread["topics"] == [{"id": api.emu.workspace.topics[0].id, "name": "Revenue"}]
    assert (thread["type"], thread["sensitive"], thread["creditsUsed"]) == ("NOTEBOOK", False, 1)
    assert thread["updatedAt"] > thread["createdAt"]  # the answer came 30 s later


async def test_attachments_are_an_object_of_ids_that_must_exist(api: Api) -> None:
    fx = api.emu.fixtures
    attachments = {
        "dataConnectionId": fx.data_connection_id,
        "tableIds": ["analytics.public.orders"],
        "projectIds": [fx.params_project_id],
        "semanticDatasetIds": [fx.semantic_dataset_id],
        "semanticViewIds": [fx.semantic_view_id],
    }
    created = await api.post(
        "/threads", json={"prompt": "Churn and pipeline", "attachments": attachments}
    )
    assert created.status == 200 and created.body["projectId"] is None
    thread = (await api.get(f"/threads/{created.body['threadId']}")).body
    assert [(r["resourceType"], r["id"]) for r in thread["resources"]] == [
        ("DATA_CONNECTION", fx.data_connection_id),
        ("TABLE", "analytics.public.orders"),
        ("PROJECT", fx.params_project_id),
        ("SEMANTIC_DATASET", fx.semantic_dataset_id),
        ("SEMANTIC_VIEW", fx.semantic_view_id),
    ]
    assert [t["name"] for t in thread["topics"]] == ["Churn", "Pipeline"]
    assert thread["type"] == "THREADS"


@pytest.mark.parametrize(
    ("attachments", "status", "named"),
    [
        ([{"type": "TABLE", "id": "t"}], 400, "attachments"),
        ({"tables": ["t"]}, 400, "tables"),
        ({"tableIds": "t"}, 400, "attachments.tableIds"),
        ({"dataConnectionId": "x"}, 400, "attachments.dataConnectionId"),
        ({"dataConnectionId": MISSING}, 404, MISSING),
        ({"projectIds": [MISSING]}, 404, MISSING),
        ({"semanticViewIds": ["no-such-view"]}, 404, "no-such-view"),
    ],
)
async def test_bad_attachments_are_refused_naming_the_field(
    api: Api, attachments: object, status: int, named: str
) -> None:
    before = len(api.emu.workspace.threads)
    reply = await api.post("/threads", json={"prompt": "hi", "attachments": attachments})
    assert reply.status == status and named in reply.body["message"]
    followup = await api.post(
        f"/threads/{api.emu.fixtures.thread_id}/followup",
        json={"prompt": "hi", "attachments": attachments},
    )
    assert followup.status == status
    assert len(api.emu.workspace.threads) == before


async def test_threads_are_listed_by_type(api: Api) -> None:
    fx = api.emu.fixtures
    started = await api.post("/threads", json={"prompt": "Top customers"})
    both = await api.post(
        "/threads", json={"prompt": "x", "projectId": fx.completing_project_id, "newProject": True}
    )
    assert both.status == 400 and "newProject" in both.body["message"]
    plain = await api.get("/threads", params={"type": "THREADS"})
    assert [t["id"] for t in plain.body["threads"]] == [started.body["threadId"]]
    notebook = await api.get("/threads", params={"type": "NOTEBOOK"})
    assert [t["id"] for t in notebook.body["threads"]] == [fx.thread_id]


async def test_context_topics(api: Api) -> None:
    reply = await api.get("/context/topics")
    assert reply.status == 200
    assert {t["name"] for t in reply.body["topics"]} == {"Revenue", "Churn", "Pipeline"}


async def test_presigned_url(api: Api) -> None:
    fx = api.emu.fixtures
    reply = await api.post(
        f"/embedding/createPresignedUrl/{fx.completing_project_id}",
        json={
            "hexUserAttributes": {"org": "acme"},
            "scope": ["EXPORT_PDF"],
            "expiresIn": 60000,
            "displayOptions": {"theme": "dark", "anything": 1},
        },
    )
    assert reply.status == 200
    assert reply.body["url"].startswith("https://")
    never = await api.post(f"/embedding/createPresignedUrl/{fx.never_published_project_id}")
    assert never.status == 422 and "reason" in never.body
    too_long = await api.post(
        f"/embedding/createPresignedUrl/{fx.completing_project_id}", json={"expiresIn": 300001}
    )
    assert too_long.status == 400
    guest = await api.post(
        f"/embedding/createPresignedUrl/{fx.completing_project_id}", token=api.emu.tokens["EDITOR"]
    )
    assert guest.status == 403
