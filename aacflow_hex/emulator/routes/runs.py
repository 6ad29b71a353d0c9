"""Runs on the current paths: trigger, list (offset pages), status, cancel."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from ..lifecycle import view_run
from ..pagination import offset_page
from ..params import json_body, path_uuid, query_enum, query_int, query_limit
from ..render import run_json, run_state_events
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of, trace_of, user_of
from ..state.models import RUN_STATUSES, Run
from ..triggering import cancel_run, trigger_response, trigger_run

routes = RouteTable()

TRIGGER_FILTERS = ("SCHEDULED", "API", "APP_REFRESH", "ALL")


@routes.route(
    "POST",
    "/projects/{projectId}/runs",
    op="RunProject",
    family="N",
    group="hex-run-kernel",
    min_role="EXPLORER",
)
async def run_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    body = await json_body(request, required=False)
    run = trigger_run(state, project, body, user_of(request), trace_of(request), legacy=False)
    return json_ok(trigger_response(state, run, trace_of(request), legacy=False), status=201)


def list_runs_response(
    request: web.Request, state: EmulatorState, runs: list[Run], path: str, *, legacy: bool
) -> web.Response:
    limit = query_limit(request, 100)
    offset = query_int(request, "offset", default=0, minimum=0)
    status_filter = query_enum(request, "statusFilter", RUN_STATUSES)
    now = state.now()
    if status_filter is not None:
        runs = [r for r in runs if view_run(r, now).status == status_filter]
    page = offset_page(runs, limit=limit, offset=offset)
    extra = {k: v for k, v in request.query.items() if k not in ("limit", "offset")}

    def page_url(at: int) -> str:
        return state.url(path) + "?" + urlencode({"limit": limit, "offset": at, **extra})

    trace = trace_of(request)
    return json_ok(
        {
            "runs": [
                run_json(r, now, state.run_url(r.project_id, r.id), trace, legacy)
                for r in page.items
            ],
            "nextPage": page_url(offset + limit) if page.has_next else None,
            "previousPage": page_url(max(0, offset - limit)) if page.has_previous else None,
            "traceId": trace,
        }
    )


@routes.route("GET", "/projects/{projectId}/runs", op="GetProjectRuns", family="N")
async def get_project_runs(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    trigger = query_enum(request, "runTriggerFilter", TRIGGER_FILTERS, "ALL")
    runs = state.workspace.project_runs(project.id)
    if trigger != "ALL":
        runs = [r for r in runs if r.trigger == trigger]
    return list_runs_response(request, state, runs, f"/projects/{project.id}/runs", legacy=False)


@routes.route("GET", "/projects/{projectId}/runs/{runId}", op="GetRunStatus", family="N")
async def get_run_status(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    run = state.run_of(path_uuid(request, "projectId"), path_uuid(request, "runId"))
    run_url = state.run_url(run.project_id, run.id)
    data = run_json(run, state.now(), run_url, trace_of(request), legacy=False)
    if request.headers.get("enable-expanded-stats", "").strip().lower() == "true":
        data["stateEvents"] = run_state_events(run, state.now())
        data["flagConfigOverride"] = "{}"  # the emulator's runs override no flags
    return json_ok(data)


@routes.route(
    "DELETE",
    "/projects/{projectId}/runs/{runId}",
    op="CancelRun",
    family="T",
    min_role="EXPLORER",
)
async def cancel(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    run = state.run_of(path_uuid(request, "projectId"), path_uuid(request, "runId"))
    cancel_run(state, run)
    return web.Response(status=204)
