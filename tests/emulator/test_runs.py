"""Run lifecycle, trigger rules and cancel on the current run paths."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from aacflow_hex.emulator import Emulator

from .conftest import Api

TERMINAL = {"COMPLETED", "ERRORED", "KILLED", "UNABLE_TO_ALLOCATE_KERNEL"}


async def wait_terminal(api: Api, pid: str, rid: str, timeout: float = 3.0) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        reply = await api.get(f"/projects/{pid}/runs/{rid}")
        assert reply.status == 200
        seen.append(reply.body)
        if reply.body["status"] in TERMINAL:
            return seen
        await asyncio.sleep(0.03)
    raise AssertionError(f"run never finished: {seen[-1]}")


async def start(api: Api, pid: str, body: Any = None) -> dict[str, Any]:
    reply = await api.post(f"/projects/{pid}/runs", json=body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def test_run_goes_pending_running_completed(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    started = await start(api, pid)
    assert set(started) == {
        "projectId",
        "runId",
        "runUrl",
        "runStatusUrl",
        "traceId",
        "projectVersion",
    }
    assert isinstance(started["projectVersion"], int)
    assert started["runStatusUrl"] == api.emu.url(f"/projects/{pid}/runs/{started['runId']}")
    seen = await wait_terminal(api, pid, started["runId"])
    statuses = [s["status"] for s in seen]
    assert statuses[0] == "PENDING"
    assert "RUNNING" in statuses
    assert statuses[-1] == "COMPLETED"
    final = seen[-1]
    assert final["projectVersion"] == str(started["projectVersion"])
    assert final["runTrigger"] == "API"
    assert final["startTime"] and final["endTime"]
    assert final["elapsedTime"] == pytest.approx(0.2 * 0.8 * 1000, abs=1)
    assert seen[0]["startTime"] is None and seen[0]["elapsedTime"] is None


@pytest.mark.parametrize(
    ("fixture", "final"),
    [
        ("erroring_project_id", "ERRORED"),
        ("kernel_failure_project_id", "UNABLE_TO_ALLOCATE_KERNEL"),
    ],
)
async def test_failing_projects_end_in_their_failure(api: Api, fixture: str, final: str) -> None:
    pid = getattr(api.emu.fixtures, fixture)
    started = await start(api, pid)
    seen = await wait_terminal(api, pid, started["runId"])
    assert seen[-1]["status"] == final
    if final == "UNABLE_TO_ALLOCATE_KERNEL":
        assert "RUNNING" not in [s["status"] for s in seen]
        assert seen[-1]["startTime"] is None and seen[-1]["elapsedTime"] is None


async def test_cancel_makes_a_live_run_killed(api: Api) -> None:
    api.emu.set_run_duration(5.0)
    pid = api.emu.fixtures.completing_project_id
    started = await start(api, pid)
    reply = await api.delete(f"/projects/{pid}/runs/{started['runId']}")
    assert reply.status == 204
    assert reply.text == ""
    status = await api.get(f"/projects/{pid}/runs/{started['runId']}")
    assert status.body["status"] == "KILLED"
    assert status.body["endTime"] is not None


async def test_cancel_of_a_finished_run_is_422_tsoa(api: Api) -> None:
    fx = api.emu.fixtures
    reply = await api.delete(f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}")
    assert reply.status == 422
    assert "COMPLETED" in reply.body["reason"]
    assert reply.body["traceId"]


async def test_seeded_running_run_can_be_cancelled(api: Api) -> None:
    fx = api.emu.fixtures
    path = f"/projects/{fx.running_run_project_id}/runs/{fx.running_run_id}"
    assert (await api.get(path)).body["status"] == "RUNNING"
    assert (await api.delete(path)).status == 204
    assert (await api.get(path)).body["status"] == "KILLED"


async def test_unknown_input_names_are_422_naming_each(api: Api) -> None:
    pid = api.emu.fixtures.params_project_id
    reply = await api.post(
        f"/projects/{pid}/runs", json={"inputParams": {"region": "EU", "nope": 1, "zap": 2}}
    )
    assert reply.status == 422
    assert reply.body["code"] == "UNPROCESSABLE_CONTENT"
    assert [i["message"] for i in reply.body["issues"]] == [
        "inputParams.nope: no such input parameter",
        "inputParams.zap: no such input parameter",
    ]
    assert api.emu.runs_started(pid) == 0


async def test_wrongly_typed_inputs_are_422_naming_the_type(api: Api) -> None:
    pid = api.emu.fixtures.params_project_id
    reply = await api.post(f"/projects/{pid}/runs", json={"inputParams": {"threshold": "high"}})
    assert reply.status == 422
    assert reply.body["issues"] == [
        {"message": 'inputParams.threshold: expected a number (SLIDER), got "high"'}
    ]


async def test_the_legacy_path_keeps_the_older_invalid_param_body(api: Api) -> None:
    pid = api.emu.fixtures.params_project_id
    reply = await api.post(
        f"/project/{pid}/run", json={"inputParams": {"threshold": "high", "nope": 1}}
    )
    assert reply.status == 422
    assert reply.body["notFound"] == ["nope"]
    assert reply.body["invalid"] == [
        {
            "dataType": "number",
            "inputCellType": "SLIDER",
            "paramValue": '"high"',
            "paramName": "threshold",
        }
    ]
    assert reply.body["traceId"]


async def test_declared_inputs_start_a_run(api: Api) -> None:
    fx = api.emu.fixtures
    body = {"inputParams": {"region": "EU", "threshold": 3.5, "include_refunds": False}}
    started = await start(api, fx.params_project_id, body)
    run = api.emu.get_run(started["runId"])
    assert run is not None and run.input_params == body["inputParams"]


@pytest.mark.parametrize(
    "body",
    [
        {"inputParams": {"region": "EU"}, "viewId": "5e2b7d0e-8a43-4b8e-9a5f-0c1d2e3f4a5b"},
        {"inputParams": {"region": "EU"}, "updatePublishedResults": True},
        {"dryRun": "yes"},
        {"unknownField": 1},
        {"viewId": "not-a-uuid"},
        [1, 2],
    ],
)
async def test_invalid_run_bodies_are_400_new_family(api: Api, body: Any) -> None:
    pid = api.emu.fixtures.params_project_id
    reply = await api.post(f"/projects/{pid}/runs", json=body)
    assert reply.status == 400
    assert reply.body["code"] == "BAD_REQUEST"
    assert api.emu.runs_started(pid) == 0


async def test_saved_view_runs_and_unknown_view_is_404(api: Api) -> None:
    fx = api.emu.fixtures
    await start(api, fx.params_project_id, {"viewId": fx.params_view_id})
    reply = await api.post(
        f"/projects/{fx.params_project_id}/runs",
        json={"viewId": "5e2b7d0e-8a43-4b8e-9a5f-0c1d2e3f4a5b"},
    )
    assert reply.status == 404


async def test_never_published_project_cannot_run(api: Api) -> None:
    pid = api.emu.fixtures.never_published_project_id
    reply = await api.post(f"/projects/{pid}/runs")
    assert reply.status == 422
    assert reply.body["code"] == "UNPROCESSABLE_CONTENT"
    assert "published" in reply.body["message"]


async def test_dry_run_returns_a_run_without_starting_one(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    started = await start(api, pid, {"dryRun": True})
    assert api.emu.runs_started(pid) == 0
    status = await api.get(f"/projects/{pid}/runs/{started['runId']}")
    assert status.body["status"] == "COMPLETED"
    listed = await api.get(f"/projects/{pid}/runs", params={"limit": "100"})
    assert started["runId"] not in {r["runId"] for r in listed.body["runs"]}


async def test_notifications_are_echoed_as_recipients(api: Api) -> None:
    fx = api.emu.fixtures
    user_id = fx.user_ids["EDITOR"]
    body = {
        "notifications": [
            {"type": "ALL", "includeSuccessScreenshot": True, "userIds": [user_id]},
            {"type": "FAILURE", "includeSuccessScreenshot": False, "slackChannelIds": ["C01"]},
        ]
    }
    started = await start(api, fx.completing_project_id, body)
    kinds = [(n["recipientType"], n["recipient"]["id"]) for n in started["notifications"]]
    assert kinds == [("USER", user_id), ("SLACK_CHANNEL", "C01")]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/projects/5e2b7d0e-8a43-4b8e-9a5f-0c1d2e3f4a5b/runs", 404),
        ("/projects/not-a-uuid/runs", 400),
    ],
)
async def test_run_of_unknown_or_malformed_project(api: Api, path: str, status: int) -> None:
    assert (await api.post(path)).status == status
    assert (await api.get(path)).status == status


async def test_run_status_of_a_run_of_another_project_is_404(api: Api) -> None:
    fx = api.emu.fixtures
    reply = await api.get(f"/projects/{fx.erroring_project_id}/runs/{fx.finished_run_id}")
    assert reply.status == 404
    assert reply.body["code"] == "NOT_FOUND"


async def test_runs_list_walks_by_offset_and_next_page(emu: Emulator, api: Api) -> None:
    pid = emu.fixtures.big_runs_project_id
    seen: list[str] = []
    url: str | None = emu.url(f"/projects/{pid}/runs?limit=100")
    pages = 0
    while url:
        reply = await api.get(url)
        assert reply.status == 200
        seen.extend(r["runId"] for r in reply.body["runs"])
        assert (reply.body["previousPage"] is None) == (pages == 0)
        url = reply.body["nextPage"]
        pages += 1
    assert pages == 11
    assert len(seen) == len(set(seen)) == 1050
    assert seen == [r.id for r in emu.workspace.project_runs(pid)]


async def test_runs_list_filters_by_status_and_trigger(api: Api) -> None:
    pid = api.emu.fixtures.big_runs_project_id
    reply = await api.get(
        f"/projects/{pid}/runs",
        params={"statusFilter": "ERRORED", "runTriggerFilter": "SCHEDULED", "limit": "100"},
    )
    assert reply.status == 200
    assert reply.body["runs"]
    assert {r["status"] for r in reply.body["runs"]} == {"ERRORED"}
    assert {r["runTrigger"] for r in reply.body["runs"]} == {"SCHEDULED"}
    if reply.body["nextPage"]:
        assert "statusFilter=ERRORED" in reply.body["nextPage"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"offset": "-1"},
        {"statusFilter": "DONE"},
        {"runTriggerFilter": "MANUAL"},
    ],
)
async def test_runs_list_rejects_bad_params(api: Api, params: dict[str, str]) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.get(f"/projects/{pid}/runs", params=params)
    assert reply.status == 400
    assert reply.body["code"] == "BAD_REQUEST"
    assert next(iter(params)) in reply.body["message"]


async def test_elapsed_time_is_whole_milliseconds_as_a_node_server_writes_it(api: Api) -> None:
    fx = api.emu.fixtures
    path = f"/projects/{fx.completing_project_id}/runs"
    rid = (await api.post(path)).body["runId"]
    seen = set()
    for _ in range(40):
        reply = await api.get(f"{path}/{rid}")
        elapsed = reply.body["elapsedTime"]
        if elapsed is not None:
            assert type(elapsed) is int
            assert re.search(r'"elapsedTime":\d+[,}]', reply.text), reply.text
        seen.add(reply.body["status"])
        if reply.body["status"] == "COMPLETED":
            break
        await asyncio.sleep(0.02)
    assert {"RUNNING", "COMPLETED"} <= seen
    listed = await api.get(path)
    assert all(type(r["elapsedTime"]) in (int, type(None)) for r in listed.body["runs"])


async def test_expanded_stats_header_adds_state_events_and_flag_override(api: Api) -> None:
    fx = api.emu.fixtures
    path = f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}"
    plain = await api.get(path)
    assert "stateEvents" not in plain.body and "flagConfigOverride" not in plain.body
    expanded = await api.get(path, headers={"enable-expanded-stats": "true"})
    events = expanded.body["stateEvents"]
    assert [e["value"] for e in events] == ["PENDING", "RUNNING", "COMPLETED"]
    assert events[-1]["timestamp"] == expanded.body["endTime"]
    assert events[1]["timestamp"] == expanded.body["startTime"]
    assert isinstance(expanded.body["flagConfigOverride"], str)
    other = await api.get(path, headers={"enable-expanded-stats": "false"})
    assert "stateEvents" not in other.body


async def test_absolute_urls_follow_the_host_the_client_used(api: Api) -> None:
    fx = api.emu.fixtures
    proxied = {"Host": "hex.proxy.test:9443", "X-Forwarded-Proto": "https"}
    started = await api.post(f"/projects/{fx.completing_project_id}/runs", headers=proxied)
    rid = started.body["runId"]
    want = f"https://hex.proxy.test:9443/api/v1/projects/{fx.completing_project_id}/runs/{rid}"
    assert started.body["runStatusUrl"] == want
    listed = await api.get(
        f"/projects/{fx.big_runs_project_id}/runs",
        params={"limit": "5", "offset": "5"},
        headers={"Host": "localhost:1234"},
    )
    assert listed.body["nextPage"].startswith("http://localhost:1234/api/v1/projects/")
    assert listed.body["previousPage"].startswith("http://localhost:1234/api/v1/projects/")
    direct = await api.post(f"/projects/{fx.completing_project_id}/runs")
    assert direct.body["runStatusUrl"].startswith(api.emu.base_url + "/projects/")


NOTIFY = {"type": "ALL", "includeSuccessScreenshot": False}


@pytest.mark.parametrize(
    ("notifications", "status", "named"),
    [
        ("ALL", 400, "notifications must be an array"),
        (["ALL"], 400, "notifications[0] must be an object"),
        ([{"includeSuccessScreenshot": True}], 400, "notifications[0].type"),
        ([{"type": "ALL"}], 400, "notifications[0].includeSuccessScreenshot"),
        ([{**NOTIFY, "screenshotFormat": "gif"}], 400, "notifications[0].screenshotFormat"),
        ([{**NOTIFY, "slackChannelIds": [7]}], 400, "notifications[0].slackChannelIds"),
        ([{**NOTIFY, "userIds": ["u1"]}], 400, "notifications[0].userIds"),
        ([NOTIFY, {**NOTIFY, "cc": "x"}], 400, "notifications[1]: cc"),
        ([{**NOTIFY, "subject": 3}], 400, "subject must be a string"),
        ([{**NOTIFY, "groupIds": ["00000000-0000-4000-8000-000000000000"]}], 422, "groupIds"),
    ],
)
async def test_notifications_are_checked_as_the_specs_list(
    api: Api, notifications: object, status: int, named: str
) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.post(f"/projects/{pid}/runs", json={"notifications": notifications})
    assert reply.status == status
    assert named in reply.body["message"]
    assert api.emu.runs_started(pid) == 0
