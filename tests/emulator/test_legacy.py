"""The 2022 run paths keep the 2022 shapes."""

from __future__ import annotations

import asyncio

from .conftest import Api


async def test_legacy_run_status_cancel_and_list(api: Api) -> None:
    api.emu.set_run_duration(5.0)
    pid = api.emu.fixtures.completing_project_id
    started = await api.post(f"/project/{pid}/run", json={"dryRun": False})
    assert started.status == 201
    assert set(started.body) == {"projectId", "runId", "runUrl", "runStatusUrl", "traceId"}
    rid = started.body["runId"]
    assert started.body["runStatusUrl"] == api.emu.url(f"/project/{pid}/run/{rid}")
    status = await api.get(f"/project/{pid}/run/{rid}")
    assert status.status == 200
    assert "projectVersion" not in status.body and "runTrigger" not in status.body
    assert status.body["status"] in ("PENDING", "RUNNING")
    listed = await api.get(f"/project/{pid}/runs", params={"limit": "100"})
    assert rid in {r["runId"] for r in listed.body["runs"]}
    assert {api.emu.get_run(r["runId"]).trigger for r in listed.body["runs"]} == {"API"}  # type: ignore[union-attr]
    assert (await api.delete(f"/project/{pid}/run/{rid}")).status == 204
    assert (await api.get(f"/project/{pid}/run/{rid}")).body["status"] == "KILLED"
    assert api.emu.runs_started(pid) == 1


async def test_legacy_errors_are_tsoa_with_trace_id(api: Api) -> None:
    missing = await api.post("/project/5e2b7d0e-8a43-4b8e-9a5f-0c1d2e3f4a5b/run")
    assert missing.status == 404
    assert set(missing.body) == {"reason", "traceId"}
    pid = api.emu.fixtures.params_project_id
    bad = await api.post(f"/project/{pid}/run", json={"colour": "red"})
    assert bad.status == 400
    assert "colour" in bad.body["reason"]


async def test_the_legacy_trigger_takes_the_fields_current_clients_send(api: Api) -> None:
    fx = api.emu.fixtures
    notify = {"type": "ALL", "includeSuccessScreenshot": False, "userIds": [fx.user_ids["ADMIN"]]}
    bodies = [
        {"useCachedSqlResults": False, "updatePublishedResults": True, "notifications": [notify]},
        {"viewId": fx.params_view_id, "useCachedSqlResults": True},
    ]
    for body, pid in zip(bodies, (fx.completing_project_id, fx.params_project_id), strict=True):
        started = await api.post(f"/project/{pid}/run", json=body)
        assert started.status == 201, started.body
        assert set(started.body) == {"projectId", "runId", "runUrl", "runStatusUrl", "traceId"}


async def test_legacy_run_completes(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    rid = (await api.post(f"/project/{pid}/run")).body["runId"]
    await asyncio.sleep(0.25)
    assert (await api.get(f"/project/{pid}/run/{rid}")).body["status"] == "COMPLETED"
