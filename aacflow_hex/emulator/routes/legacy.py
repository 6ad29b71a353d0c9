"""The 2022 run paths (``/project/{id}/run...``) still called by airflow/dagster providers.

Same behaviour as the current run endpoints, with the 2022 shapes: no ``projectVersion`` or
``runTrigger``, ERR-T bodies, only API-triggered runs listed.
"""

from __future__ import annotations

from aiohttp import web

from ..params import json_body, path_uuid
from ..render import run_json
from ..routing import RouteTable
from ..runtime import json_ok, state_of, trace_of, user_of
from ..triggering import cancel_run, trigger_response, trigger_run
from .runs import list_runs_response

routes = RouteTable()


@routes.route(
    "POST",
    "/project/{projectId}/run",
    op="Legacy.RunProject",
    family="T",
    group="hex-run-kernel",
    min_role="EXPLORER",
)
async def legacy_run(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    body = await json_body(request, required=False)
    run = trigger_run(state, project, body, user_of(request), trace_of(request), legacy=True)
    return json_ok(trigger_response(state, run, trace_of(request), legacy=True), status=201)


@routes.route("GET", "/project/{projectId}/run/{runId}", op="Legacy.GetRunStatus", family="T")
async def legacy_status(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    run = state.run_of(path_uuid(request, "projectId"), path_uuid(request, "runId"))
    run_url = state.run_url(run.project_id, run.id)
    return json_ok(run_json(run, state.now(), run_url, trace_of(request), legacy=True))


@routes.route(
    "DELETE",
    "/project/{projectId}/run/{runId}",
    op="Legacy.CancelRun",
    family="T",
    min_role="EXPLORER",
)
async def legacy_cancel(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    run = state.run_of(path_uuid(request, "projectId"), path_uuid(request, "runId"))
    cancel_run(state, run)
    return web.Response(status=204)


@routes.route("GET", "/project/{projectId}/runs", op="Legacy.GetProjectRuns", family="T")
async def legacy_runs(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    runs = [r for r in state.workspace.project_runs(project.id) if r.trigger == "API"]
    return list_runs_response(request, state, runs, f"/project/{project.id}/runs", legacy=True)
