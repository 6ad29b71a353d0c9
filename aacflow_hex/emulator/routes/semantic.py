"""Semantic projects: status labels on their datasets and views (ERR-T).

Hex serves the path as ``/v1/semantic-(projects|models)/{id}``; both spellings are routes
here, the older one under the operation id ``UpdateSemanticModel``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..params import body_list, json_body, path_uuid, reject_unknown
from ..routing import RouteTable
from ..runtime import EmulatorState, json_ok, state_of, trace_of
from ..state.models import SemanticObject, SemanticProject

routes = RouteTable()

KINDS = ("DATASET", "VIEW")
UPDATE_FIELDS = ("type", "name", "status")


def semantic_project(state: EmulatorState, project_id: str) -> SemanticProject:
    project = state.workspace.semantic_projects.get(project_id)
    if project is None:
        raise not_found("Semantic project", project_id)
    return project


def _parse_update(index: int, update: Any) -> tuple[str, str, Any]:
    """``(type, name, status)`` of one well-formed update; a malformed one is a 400."""
    where = f"updates[{index}]"
    if not isinstance(update, dict):
        raise bad_request(f"{where} must be an object {{type, name, status}}")
    reject_unknown(update, UPDATE_FIELDS, where=where)
    if update.get("type") not in KINDS:
        raise bad_request(f"{where}.type must be DATASET or VIEW")
    name = update.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request(f"{where}.name must be a non-empty string")
    if "status" not in update:
        raise bad_request(f"{where}.status is required (null removes the status)")
    return update["type"], name, update["status"]


def _problem(
    state: EmulatorState, objects: dict[str, SemanticObject], kind: str, name: str, status: Any
) -> dict[str, str] | None:
    if name not in objects:
        return {"name": name, "type": kind, "reason": "not_found"}
    if status is not None and status not in state.workspace.status_labels:
        return {"name": name, "type": kind, "reason": "invalid_status", "value": str(status)}
    return None


@routes.route(
    "PATCH",
    "/semantic-models/{semanticProjectId}",
    op="UpdateSemanticModel",
    family="T",
    min_role="ADMIN",
)
@routes.route(
    "PATCH",
    "/semantic-projects/{semanticProjectId}",
    op="UpdateSemanticProject",
    family="T",
    min_role="ADMIN",
)
async def update_semantic_project(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = semantic_project(state, path_uuid(request, "semanticProjectId"))
    body = await json_body(request, required=True)
    reject_unknown(body, ("updates",))
    updates = body_list(body, "updates")
    if not updates:
        raise bad_request("updates must be a non-empty array")
    stores = {"DATASET": project.datasets, "VIEW": project.views}
    parsed = [_parse_update(index, update) for index, update in enumerate(updates)]
    problems = [
        problem
        for kind, name, status in parsed
        if (problem := _problem(state, stores[kind], kind, name, status)) is not None
    ]
    if problems:  # atomic: nothing is applied
        reason = "Semantic project update rejected; no changes were applied"
        not_found_only = all(p["reason"] == "not_found" for p in problems)
        raise ApiError(
            404 if not_found_only else 400,
            reason,
            body={"reason": reason, "traceId": trace_of(request), "details": problems},
        )
    updated: dict[str, list[dict[str, str | None]]] = {"views": [], "datasets": []}
    for kind, name, status in parsed:
        stores[kind][name].status = status
        key = "datasets" if kind == "DATASET" else "views"
        updated[key].append({"status": status, "name": name})
    return json_ok({"updated": updated})
