"""Emulator answers against Hex's newest OpenAPI spec (and the legacy paths against 2022).

The ``api`` fixture checks every answer of every emulator test against the newest spec
(conformance.py). Here: every operation the emulator serves answers once with success
and once with an error, each checked; the check itself catches a drifted answer; the
emulator's error families are the spec's; the vendored spec copies are the shared ones.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest

from aacflow_hex.emulator import Fixtures
from aacflow_hex.emulator.routes import all_routes

from .conformance import ERR_N, ERR_T, LATEST, SCHEMAS, Recorded, check_reply, family_of
from .conftest import Api, nonconforming
from .openapi_schemas import (
    SPEC_2022,
    SPEC_DIR,
    SPEC_LATEST,
    VENDORED_DIR,
    SchemaSet,
    load_spec,
)
from .test_admin_writes import POSTGRES

LEGACY_SPEC = load_spec(SPEC_2022)

pytestmark = pytest.mark.skipif(
    LATEST is None or LEGACY_SPEC is None,
    reason=f"OpenAPI specs found neither in {SPEC_DIR} nor in {VENDORED_DIR}",
)

MISSING = "00000000-0000-4000-8000-000000000000"

# One request per operation that succeeds, then one that fails with an error the spec
# lists (or, where it lists none that fits, in the operation's family). Each entry:
# (method, path, json body or None, query, expected status).
Call = tuple[str, str, Any, dict[str, str], int]
Scenario = Callable[[Fixtures, dict[str, str]], list[Call]]


def _notify(fx: Fixtures) -> dict[str, Any]:
    return {
        "type": "ALL",
        "includeSuccessScreenshot": True,
        "userIds": [fx.user_ids["ADMIN"]],
        "groupIds": [fx.group_id],
        "slackChannelIds": ["C1"],
        "subject": "s",
        "body": "b",
    }


def _scenario(fx: Fixtures, made: dict[str, str]) -> list[Call]:
    p, r = fx.completing_project_id, fx.finished_run_id
    img = {"width": "300", "height": "200"}
    sharing = {
        "sharing": {"upsert": {"groups": [{"group": {"id": fx.group_id}, "access": "CAN_VIEW"}]}}
    }
    return [
        (
            "GET",
            "/projects",
            None,
            {
                "limit": "100",
                "includeArchived": "true",
                "includeTrashed": "true",
                "includeComponents": "true",
                "includeSharing": "true",
            },
            200,
        ),
        ("GET", "/projects", None, {"limit": "0"}, 400),
        ("GET", f"/projects/{p}", None, {}, 200),
        ("GET", f"/projects/{MISSING}", None, {}, 404),
        ("PATCH", f"/projects/{p}", {"status": "Production"}, {}, 200),
        ("PATCH", f"/projects/{p}", {"status": 3}, {}, 400),
        ("GET", f"/projects/{fx.tables_project_id}/queriedTables", None, {}, 200),
        ("GET", f"/projects/{MISSING}/queriedTables", None, {}, 404),
        ("POST", "/projects", {"title": "Spec check"}, {}, 201),
        ("POST", "/projects", {"title": 1}, {}, 400),
        ("POST", "/projects/export", {"projectId": p}, {}, 200),
        ("POST", "/projects/export", {"projectId": "nope"}, {}, 400),
        (
            "PATCH",
            f"/projects/{p}/sharing/collections",
            {
                "sharing": {
                    "upsert": {
                        "collections": [
                            {"collection": {"id": fx.collection_id}, "access": "CAN_VIEW"}
                        ]
                    }
                }
            },
            {},
            200,
        ),
        ("PATCH", f"/projects/{p}/sharing/collections", {"sharing": {}}, {}, 400),
        ("PATCH", f"/projects/{p}/sharing/groups", sharing, {}, 200),
        ("PATCH", f"/projects/{MISSING}/sharing/groups", sharing, {}, 404),
        (
            "PATCH",
            f"/projects/{p}/sharing/users",
            {
                "sharing": {
                    "upsert": {
                        "users": [{"user": {"id": fx.user_ids["EDITOR"]}, "access": "CAN_EDIT"}]
                    }
                }
            },
            {},
            200,
        ),
        (
            "PATCH",
            f"/projects/{p}/sharing/users",
            {"sharing": {"upsert": {"users": "x"}}},
            {},
            400,
        ),
        (
            "PATCH",
            f"/projects/{p}/sharing/workspaceAndPublic",
            {"sharing": {"workspace": "CAN_VIEW", "publicWeb": "FULL_ACCESS"}},
            {},
            200,
        ),
        (
            "PATCH",
            f"/projects/{p}/sharing/workspaceAndPublic",
            {"sharing": {"workspace": "ALL"}},
            {},
            400,
        ),
        ("POST", f"/projects/{p}/runs", {"notifications": [_notify(fx)]}, {}, 201),
        ("POST", f"/projects/{p}/runs", {"dryRun": True}, {}, 201),
        (
            "POST",
            f"/projects/{fx.params_project_id}/runs",
            {"inputParams": {"nope": 1}},
            {},
            422,
        ),
        ("POST", f"/projects/{fx.never_published_project_id}/runs", None, {}, 422),
        ("POST", f"/projects/{p}/runs", {"colour": "red"}, {}, 400),
        (
            "GET",
            f"/projects/{fx.big_runs_project_id}/runs",
            None,
            {"limit": "100", "offset": "5"},
            200,
        ),
        ("GET", f"/projects/{p}/runs", None, {"statusFilter": "DONE"}, 400),
        ("GET", f"/projects/{p}/runs/{r}", None, {}, 200),
        ("GET", f"/projects/{p}/runs/{MISSING}", None, {}, 404),
        (
            "GET",
            f"/projects/{fx.running_run_project_id}/runs/{fx.running_run_id}",
            None,
            {},
            200,
        ),
        (
            "DELETE",
            f"/projects/{fx.running_run_project_id}/runs/{fx.running_run_id}",
            None,
            {},
            204,
        ),
        ("DELETE", f"/projects/{p}/runs/{r}", None, {}, 422),
        ("GET", "/collections", None, {"limit": "100"}, 200),
        ("GET", "/collections", None, {"limit": "101"}, 400),
        ("GET", f"/collections/{fx.collection_id}", None, {}, 200),
        ("GET", f"/collections/{MISSING}", None, {}, 404),
        ("POST", "/collections", {"name": "Spec"}, {}, 201),
        ("POST", "/collections", {}, {}, 400),
        ("PATCH", f"/collections/{fx.collection_id}", {"description": "d"}, {}, 200),
        ("PATCH", f"/collections/{fx.collection_id}", {"name": 5}, {}, 400),
        ("GET", "/users/me", None, {}, 200),
        (
            "GET",
            "/users",
            None,
            {"limit": "500", "userIds": ",".join(fx.user_ids.values())},
            200,
        ),
        ("GET", "/users", None, {"userIds": "nope"}, 400),
        ("GET", "/groups", None, {"limit": "500"}, 200),
        ("GET", "/groups", None, {"sortBy": "SIZE"}, 400),
        ("GET", f"/groups/{fx.group_id}", None, {}, 200),
        ("GET", "/groups/not-a-uuid", None, {}, 400),
        (
            "POST",
            "/groups",
            {"name": "Spec", "members": {"users": [{"id": fx.user_ids["MEMBER"]}]}},
            {},
            201,
        ),
        ("POST", "/groups", {"members": {}}, {}, 400),
        ("PATCH", f"/groups/{fx.group_id}", {"name": "Renamed"}, {}, 200),
        ("PATCH", f"/groups/{fx.group_id}", {"name": ""}, {}, 400),
        ("DELETE", f"/groups/{made['group']}", None, {}, 204),
        ("DELETE", "/groups/not-a-uuid", None, {}, 400),
        ("POST", f"/users/{fx.user_ids['GUEST']}/deactivate", None, {}, 200),
        ("POST", "/users/not-a-uuid/deactivate", None, {}, 400),
        ("GET", "/data-connections", None, {"limit": "100"}, 200),
        ("GET", "/data-connections", None, {"limit": "0"}, 400),
        ("GET", f"/data-connections/{fx.data_connection_id}", None, {}, 200),
        ("GET", f"/data-connections/{MISSING}", None, {}, 404),
        (
            "POST",
            "/data-connections",
            {"name": "PG", "type": "postgres", "connectionDetails": POSTGRES},
            {},
            201,
        ),
        ("POST", "/data-connections", {"name": "PG", "type": "postgres"}, {}, 400),
        ("PATCH", f"/data-connections/{made['connection']}", {"description": "d"}, {}, 201),
        ("PATCH", f"/data-connections/{MISSING}", {"description": "d"}, {}, 404),
        (
            "PATCH",
            f"/data-connections/{fx.data_connection_id}/schema",
            {"updates": [{"type": "DATABASE", "name": "analytics", "status": None}]},
            {},
            200,
        ),
        (
            "PATCH",
            f"/data-connections/{fx.data_connection_id}/schema",
            {"updates": [{"type": "DATABASE", "name": "nope", "status": None}]},
            {},
            404,
        ),
        (
            "PATCH",
            f"/data-connections/{fx.data_connection_id}/schema",
            {"updates": [{"type": "DATABASE", "name": "analytics", "status": "Nope"}]},
            {},
            400,
        ),
        ("GET", "/cells", None, {"projectId": fx.cell_project_id}, 200),
        ("GET", "/cells", None, {}, 400),
        (
            "POST",
            "/cells",
            {
                "projectId": fx.cell_project_id,
                "cellType": "SQL",
                "contents": {"sqlCell": {"source": "select 1"}},
            },
            {},
            200,
        ),
        ("POST", "/cells", {"projectId": fx.cell_project_id, "cellType": "SQL"}, {}, 400),
        ("GET", f"/cells/{fx.cell_id}", None, {}, 200),
        ("GET", f"/cells/{MISSING}", None, {}, 404),
        (
            "PATCH",
            f"/cells/{made['cell']}",
            {"contents": {"sqlCell": {"source": "select 2"}}},
            {},
            200,
        ),
        ("PATCH", f"/cells/{MISSING}", {"contents": {"sqlCell": {"source": "x"}}}, {}, 404),
        ("DELETE", f"/cells/{made['cell']}", None, {}, 200),
        ("DELETE", f"/cells/{made['cell']}", None, {}, 404),
        ("GET", f"/cells/{fx.cell_id}/output", None, {}, 200),
        ("GET", f"/cells/{MISSING}/output", None, {}, 404),
        ("GET", f"/cells/{fx.chart_cell_id}/image", None, img, 200),
        ("GET", f"/cells/{fx.chart_cell_static_id}/image", None, {}, 200),
        ("GET", f"/cells/{fx.chart_cell_id}/image", None, {"width": "300"}, 400),
        (
            "GET",
            f"/projects/{p}/runs/{r}/cells/{fx.chart_cell_static_id}/image",
            None,
            img,
            200,
        ),
        ("GET", f"/projects/{p}/runs/{r}/cells/{MISSING}/image", None, img, 404),
        ("POST", f"/embedding/createPresignedUrl/{p}", None, {}, 200),
        (
            "POST",
            f"/embedding/createPresignedUrl/{fx.never_published_project_id}",
            None,
            {},
            422,
        ),
        ("GET", "/threads", None, {"limit": "50"}, 200),
        ("GET", "/threads", None, {"limit": "0"}, 400),
        ("POST", "/threads", {"prompt": "Why did churn rise?", "projectId": p}, {}, 200),
        ("POST", "/threads", {"prompt": "x", "projectId": p, "newProject": True}, {}, 400),
        ("GET", f"/threads/{fx.thread_id}", None, {}, 200),
        ("GET", f"/threads/{MISSING}", None, {}, 404),
        ("GET", f"/threads/{fx.thread_id}/messages", None, {}, 200),
        ("GET", f"/threads/{MISSING}/messages", None, {}, 404),
        ("POST", f"/threads/{fx.thread_id}/followup", {"prompt": "more"}, {}, 200),
        ("POST", f"/threads/{fx.thread_id}/followup", {}, {}, 400),
        ("GET", "/context/topics", None, {}, 200),
        ("GET", "/context/topics", None, {"limit": "0"}, 400),
        (
            "PATCH",
            f"/semantic-projects/{fx.semantic_project_id}",
            {"updates": [{"type": "DATASET", "name": fx.semantic_dataset_name, "status": None}]},
            {},
            200,
        ),
        (
            "PATCH",
            f"/semantic-projects/{fx.semantic_project_id}",
            {"updates": [{"type": "DATASET", "name": "nope", "status": None}]},
            {},
            404,
        ),
        (
            "PATCH",
            f"/semantic-models/{fx.semantic_project_id}",
            {"updates": [{"type": "VIEW", "name": fx.semantic_view_name, "status": "Production"}]},
            {},
            200,
        ),
        ("PATCH", f"/semantic-models/{fx.semantic_project_id}", {"updates": []}, {}, 400),
        ("GET", "/no/such/path", None, {}, 404),
    ]


async def _made(api: Api) -> dict[str, str]:
    """Records the scenario writes on, made first so that deleting them changes nothing."""
    fx = api.emu.fixtures
    group = await api.post("/groups", json={"name": "To delete"})
    conn = await api.post(
        "/data-connections",
        json={"name": "Made", "type": "postgres", "connectionDetails": POSTGRES},
    )
    cell = await api.post(
        "/cells",
        json={
            "projectId": fx.cell_project_id,
            "cellType": "SQL",
            "contents": {"sqlCell": {"source": "select 1"}},
        },
    )
    return {"group": group.body["id"], "connection": conn.body["id"], "cell": cell.body["id"]}


async def test_every_operation_answers_success_and_error_as_the_newest_spec_says(
    api: Api,
) -> None:
    calls = _scenario(api.emu.fixtures, await _made(api))
    for method, path, body, query, status in calls:
        reply = await api.call(method, path, json=body, params=query or None)
        assert reply.status == status, (method, path, reply.body)
    # The same paths without a valid token: the 401 of each operation's family.
    for method, path, _, _, _ in calls[::2]:
        assert (await api.call(method, path, token="not-a-token")).status in (401, 404)
    assert nonconforming(api) == []
    served = {r.operation for r in all_routes() if not r.operation.startswith("Legacy.")}
    checked: dict[str, set[bool]] = {}
    for reply in api.recorded:
        spec_op, _ = check_reply(reply)
        if spec_op is not None:
            checked.setdefault(spec_op, set()).add(reply.status < 400)
    spec_ops = {_spec_operation(name) for name in served}
    assert spec_ops <= set(checked), sorted(spec_ops - set(checked))
    assert all(checked[name] == {True, False} for name in spec_ops), {
        name: checked[name] for name in spec_ops if checked[name] != {True, False}
    }


def _spec_operation(emulator_op: str) -> str:
    """The newest spec's operationId of an emulator route (a few are spelled differently)."""
    return {
        "GetMe": "Me",
        "ThreadFollowup": "ContinueThread",
        "ListContextTopics": "ListTopics",
        "EditProjectSharingWorkspaceAndPublic": "EditProjectSharingOrgAndPublic",
        "UpdateSemanticModel": "UpdateSemanticProject",
    }.get(emulator_op, emulator_op)


async def test_run_states_and_the_expanded_stats_conform(api: Api) -> None:
    fx = api.emu.fixtures
    runs = []
    for pid in (fx.completing_project_id, fx.erroring_project_id, fx.kernel_failure_project_id):
        runs.append((pid, (await api.post(f"/projects/{pid}/runs")).body["runId"]))
    killed = (await api.post(f"/projects/{fx.completing_project_id}/runs")).body["runId"]
    await api.delete(f"/projects/{fx.completing_project_id}/runs/{killed}")
    runs.append((fx.completing_project_id, killed))
    seen: set[str] = set()
    expanded = {"enable-expanded-stats": "true"}
    for _ in range(12):
        for pid, rid in runs:
            status = await api.get(f"/projects/{pid}/runs/{rid}", headers=expanded)
            seen.add(status.body["status"])
        await asyncio.sleep(0.03)
    assert seen >= {"PENDING", "RUNNING", "COMPLETED", "ERRORED", "KILLED"}
    assert "UNABLE_TO_ALLOCATE_KERNEL" in seen
    me = await api.get("/users/me", token=api.emu.workspace_token)
    assert set(me.body) == {"org", "token"}
    assert nonconforming(api) == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda run: {**run, "elapsedTime": "40000"}, "elapsedTime"),
        (lambda run: {k: v for k, v in run.items() if k != "runTrigger"}, "runTrigger"),
        (lambda run: {**run, "status": "DONE"}, "status"),
    ],
)
async def test_the_check_catches_an_answer_that_drifts(
    api: Api, change: Callable[[dict[str, Any]], dict[str, Any]], complaint: str
) -> None:
    fx = api.emu.fixtures
    reply = await api.get(f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}")
    path = f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}"
    drifted = Recorded("GET", path, 200, json.dumps(change(reply.body)), "application/json")
    op, problems = check_reply(drifted)
    assert op == "GetRunStatus" and problems and complaint in " ".join(problems)
    wrong_family = Recorded("GET", path, 404, '{"reason": "gone"}', "application/json")
    assert check_reply(wrong_family)[1]  # GetRunStatus errors are {code, message}


def test_the_emulator_uses_each_operations_error_family_from_the_spec() -> None:
    assert SCHEMAS is not None
    for route in all_routes():
        if route.operation.startswith("Legacy."):
            continue
        found = SCHEMAS.operation(route.method, route.path)
        assert found is not None, route.operation
        want = {ERR_T: "T", ERR_N: "N"}[family_of(found[1])]
        assert route.family == want, (route.operation, route.family, want)


def test_the_vendored_specs_are_the_shared_ones() -> None:
    for path in (SPEC_LATEST, SPEC_2022):
        vendored = VENDORED_DIR / (path.name + ".gz")
        assert vendored.is_file(), vendored
        if path.is_file():
            assert gzip.decompress(vendored.read_bytes()) == path.read_bytes(), path.name


async def test_legacy_paths_match_the_2022_spec(api: Api) -> None:
    assert LEGACY_SPEC is not None
    legacy = SchemaSet(LEGACY_SPEC)
    fx = api.emu.fixtures
    started = await api.post(f"/project/{fx.completing_project_id}/run")
    legacy.check("ProjectRunResponsePayload", started.body)
    rid = started.body["runId"]
    status = await api.get(f"/project/{fx.completing_project_id}/run/{rid}")
    legacy.check("ProjectStatusResponsePayload", status.body)
    listed = await api.get(f"/project/{fx.big_runs_project_id}/runs", params={"limit": "100"})
    legacy.check("ProjectRunsResponsePayload", listed.body)
    missing = await api.get(f"/project/{fx.completing_project_id}/run/{fx.finished_run_id[:-1]}0")
    assert missing.status == 404
    legacy.check("TsoaErrorResponsePayload", missing.body)
