"""Responses validate against the 2025 OpenAPI spec (and the legacy paths against 2022),
except for the drift written down in docs/emulator.md, which is patched in here explicitly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .conftest import Api
from .openapi_schemas import SPEC_2022, SPEC_2025, SchemaSet, load_spec

SPEC = load_spec(SPEC_2025)
LEGACY_SPEC = load_spec(SPEC_2022)

pytestmark = pytest.mark.skipif(
    SPEC is None or LEGACY_SPEC is None,
    reason=f"OpenAPI specs not found in {SPEC_2025.parent} (shared/ must sit beside the repo)",
)

# Drift between the 2025 spec and the current Hex API (docs/emulator.md, "Drift").
RUN_STATUS_DRIFT: list[tuple[list[str], Any]] = [
    (["properties", "projectVersion"], {"type": "string"}),
    (
        ["properties", "runTrigger"],
        {"type": "string", "enum": ["API", "SCHEDULED", "APP_REFRESH"]},
    ),
]


@pytest.fixture
def spec() -> SchemaSet:
    assert SPEC is not None
    schemas = SchemaSet(SPEC)
    for path, value in RUN_STATUS_DRIFT:
        schemas.patch("ProjectStatusResponsePayload", path, value)
    return schemas


@pytest.fixture
def legacy() -> SchemaSet:
    assert LEGACY_SPEC is not None
    return SchemaSet(LEGACY_SPEC)


ALL = {"includeArchived": "true", "includeTrashed": "true", "includeComponents": "true"}


@pytest.mark.parametrize("include_sharing", ["false", "true"])
async def test_list_projects_pages_match_the_spec(
    api: Api, spec: SchemaSet, include_sharing: str
) -> None:
    params = {**ALL, "limit": "100", "includeSharing": include_sharing}
    cursor = None
    while True:
        reply = await api.get(
            "/projects", params={**params, **({"after": cursor} if cursor else {})}
        )
        spec.check("ProjectsListApiResource", reply.body)
        cursor = reply.body["pagination"]["after"]
        if cursor is None:
            break


async def test_get_project_matches_the_spec(api: Api, spec: SchemaSet) -> None:
    fx = api.emu.fixtures
    for pid in (fx.completing_project_id, fx.never_published_project_id, fx.trashed_project_id):
        spec.check("ProjectApiResource", (await api.get(f"/projects/{pid}")).body)


async def test_run_trigger_status_and_list_match_the_spec(api: Api, spec: SchemaSet) -> None:
    fx = api.emu.fixtures
    notification = {
        "type": "ALL",
        "includeSuccessScreenshot": True,
        "userIds": [fx.user_ids["ADMIN"]],
        "groupIds": [fx.group_id],
        "slackChannelIds": ["C1"],
    }
    body = {"notifications": [notification]}
    started = await api.post(f"/projects/{fx.completing_project_id}/runs", json=body)
    spec.check("ProjectRunResponsePayload", started.body)
    runs = []
    for pid in (fx.completing_project_id, fx.erroring_project_id, fx.kernel_failure_project_id):
        reply = await api.post(f"/projects/{pid}/runs")
        spec.check("ProjectRunResponsePayload", reply.body)
        runs.append((pid, reply.body["runId"]))
    killed = await api.post(f"/projects/{fx.completing_project_id}/runs")
    await api.delete(f"/projects/{fx.completing_project_id}/runs/{killed.body['runId']}")
    runs.append((fx.completing_project_id, killed.body["runId"]))
    seen: set[str] = set()
    for _ in range(12):
        for pid, rid in runs:
            status = await api.get(f"/projects/{pid}/runs/{rid}")
            spec.check("ProjectStatusResponsePayload", status.body)
            seen.add(status.body["status"])
        await asyncio.sleep(0.03)
    assert seen >= {"PENDING", "RUNNING", "COMPLETED", "ERRORED", "KILLED"}
    assert "UNABLE_TO_ALLOCATE_KERNEL" in seen
    listed = await api.get(f"/projects/{fx.big_runs_project_id}/runs", params={"limit": "100"})
    spec.check("ProjectRunsResponsePayload", listed.body)


async def test_run_status_drift_is_real(api: Api) -> None:
    """Without the patches, the current shape fails the 2025 schema: the drift is needed."""
    assert SPEC is not None
    fx = api.emu.fixtures
    reply = await api.get(f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}")
    problems = " ".join(SchemaSet(SPEC).errors("ProjectStatusResponsePayload", reply.body))
    assert "projectVersion" in problems and "runTrigger" in problems


async def test_error_bodies_match_the_spec(api: Api, spec: SchemaSet) -> None:
    fx = api.emu.fixtures
    bad_limit = await api.get("/projects", params={"limit": "0"})
    spec.check("TsoaErrorResponsePayload", bad_limit.body)
    cancel_done = await api.delete(
        f"/projects/{fx.completing_project_id}/runs/{fx.finished_run_id}"
    )
    spec.check("TsoaErrorResponsePayload", cancel_done.body)
    unknown_input = await api.post(
        f"/projects/{fx.params_project_id}/runs", json={"inputParams": {"nope": 1}}
    )
    spec.check("InvalidParamPayload", unknown_input.body)


async def test_workspace_resources_match_the_spec(api: Api, spec: SchemaSet) -> None:
    groups = await api.get("/groups", params={"limit": "500"})
    for group in groups.body["values"]:
        spec.check("GroupApiResource", group)
    collections = await api.get("/collections", params={"limit": "100"})
    for coll in collections.body["values"]:
        spec.check("CollectionApiResource", coll)
    conns = await api.get("/data-connections", params={"limit": "100"})
    checked = 0
    for conn in conns.body["values"]:
        if conn["type"] in ("postgres", "bigquery"):  # the only types the 2025 spec knows
            spec.check("DataConnectionApiResource", conn)
            checked += 1
    assert checked >= 2


async def test_legacy_paths_match_the_2022_spec(api: Api, legacy: SchemaSet) -> None:
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


async def test_write_responses_match_the_spec(api: Api, spec: SchemaSet) -> None:
    fx = api.emu.fixtures
    created = await api.post("/projects", json={"title": "Spec check"})
    spec.check("ProjectApiResource", created.body)
    grant = [{"group": {"id": fx.group_id}, "access": "CAN_VIEW"}]
    shared = await api.patch(
        f"/projects/{fx.completing_project_id}/sharing/groups",
        json={"sharing": {"upsert": {"groups": grant}}},
    )
    spec.check("ProjectApiResource", shared.body["project"])
    collection = await api.post("/collections", json={"name": "Spec"})
    spec.check("CollectionApiResource", collection.body)
    edited = await api.patch(f"/collections/{collection.body['id']}", json={"description": "d"})
    spec.check("CollectionApiResource", edited.body)
    group = await api.patch(f"/groups/{fx.group_id}", json={"name": "Renamed"})
    spec.check("GroupApiResource", group.body)
    url = await api.post(f"/embedding/createPresignedUrl/{fx.completing_project_id}")
    spec.check("EmbeddingResponse", url.body)
    refused = await api.post(f"/embedding/createPresignedUrl/{fx.never_published_project_id}")
    spec.check("TsoaErrorResponsePayload", refused.body)
