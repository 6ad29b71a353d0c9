"""Starting and cancelling runs: the rules RunProject and CancelRun enforce (both paths)."""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError, bad_request, not_found
from .lifecycle import view_run
from .params import body_bool, body_list, body_object, body_str, reject_unknown, uuid_value
from .routing import ROLE_RANK
from .runtime import EmulatorState
from .state.models import InputParam, Project, Run, User

CURRENT_FIELDS = (
    "inputParams",
    "dryRun",
    "updateCache",
    "notifications",
    "updatePublishedResults",
    "useCachedSqlResults",
    "viewId",
)
# The legacy path takes what current clients send there too (Hex serves both alike).
LEGACY_FIELDS = CURRENT_FIELDS
NOTIFICATION_FIELDS = (
    "type",
    "includeSuccessScreenshot",
    "screenshotFormat",
    "slackChannelIds",
    "userIds",
    "groupIds",
    "subject",
    "body",
)


def _param_ok(param: InputParam, value: Any) -> bool:
    if param.data_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if param.data_type == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def check_input_params(
    project: Project, params: dict[str, Any], trace_id: str, *, legacy: bool
) -> None:
    """422 for unknown names or values of the wrong type.

    The current path answers in the newest spec's ``{code, message, issues}``, one issue
    per parameter; the legacy path keeps the older ``{traceId, invalid, notFound}``.
    """
    declared = {p.name: p for p in project.input_params}
    not_found_names = [name for name in params if name not in declared]
    wrong = [
        name
        for name, value in params.items()
        if name in declared and not _param_ok(declared[name], value)
    ]
    if not not_found_names and not wrong:
        return
    if not legacy:
        issues = [f"inputParams.{name}: no such input parameter" for name in not_found_names]
        issues += [
            f"inputParams.{name}: expected a {declared[name].data_type} "
            f"({declared[name].input_cell_type}), got {json.dumps(params[name])}"
            for name in wrong
        ]
        raise ApiError(422, "Invalid input parameters", issues=issues)
    invalid = [
        {
            "dataType": declared[name].data_type,
            "inputCellType": declared[name].input_cell_type,
            "paramValue": json.dumps(params[name]),
            "paramName": name,
        }
        for name in wrong
    ]
    raise ApiError(
        422,
        "Invalid input parameters",
        body={"traceId": trace_id, "invalid": invalid, "notFound": not_found_names},
    )


def _recipients(state: EmulatorState, raw: list[Any]) -> list[dict[str, Any]]:
    ws = state.workspace
    recipients: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"notifications[{index}]"
        if not isinstance(item, dict):
            raise bad_request(f"{where} must be an object")
        reject_unknown(item, NOTIFICATION_FIELDS, where)
        kind = item.get("type")
        if kind not in ("SUCCESS", "FAILURE", "ALL"):
            raise bad_request(f"{where}.type must be one of SUCCESS, FAILURE, ALL")
        screenshot = body_bool(item, "includeSuccessScreenshot")
        if screenshot is None:
            raise bad_request(f"{where}.includeSuccessScreenshot is required")
        fmt = item.get("screenshotFormat")
        if fmt is not None and fmt not in ("png", "pdf"):
            raise bad_request(f"{where}.screenshotFormat must be png or pdf")
        common: dict[str, Any] = {"type": kind, "includeSuccessScreenshot": screenshot}
        for extra in ("subject", "body"):
            if body_str(item, extra) is not None:
                common[extra] = item[extra]
        if screenshot:
            common["screenshotFormat"] = [fmt or "png"]
        for channel in body_list(item, "slackChannelIds") or []:
            if not isinstance(channel, str) or not channel:
                raise bad_request(f"{where}.slackChannelIds must be an array of channel ids")
            recipient = {"id": channel, "name": f"#{channel}", "isPrivate": False}
            recipients.append({**common, "recipientType": "SLACK_CHANNEL", "recipient": recipient})
        for raw_id in body_list(item, "userIds") or []:
            user = ws.users.get(uuid_value(raw_id, f"{where}.userIds"))
            if user is None:
                raise ApiError(422, f"{where}.userIds: user {raw_id} not found")
            recipient = {"id": user.id, "name": user.name or user.email}
            recipients.append({**common, "recipientType": "USER", "recipient": recipient})
        for raw_id in body_list(item, "groupIds") or []:
            group = ws.groups.get(uuid_value(raw_id, f"{where}.groupIds"))
            if group is None:
                raise ApiError(422, f"{where}.groupIds: group {raw_id} not found")
            recipient = {"id": group.id, "name": group.name}
            recipients.append({**common, "recipientType": "GROUP", "recipient": recipient})
    return recipients


def trigger_run(
    state: EmulatorState,
    project: Project,
    body: dict[str, Any],
    user: User,
    trace_id: str,
    *,
    legacy: bool,
) -> Run:
    reject_unknown(body, LEGACY_FIELDS if legacy else CURRENT_FIELDS)
    input_params = body_object(body, "inputParams") or {}
    dry_run = bool(body_bool(body, "dryRun", False))
    body_bool(body, "updateCache")
    body_bool(body, "useCachedSqlResults")
    update_published = bool(body_bool(body, "updatePublishedResults", False))
    view_id = body.get("viewId")
    if view_id is not None:
        view_id = uuid_value(view_id, "viewId")
    if input_params and view_id is not None:
        raise bad_request("inputParams and viewId cannot be combined")
    if update_published and input_params:
        raise bad_request("updatePublishedResults cannot be combined with custom inputParams")
    if update_published and ROLE_RANK[user.role] < ROLE_RANK["EDITOR"]:
        raise ApiError(403, "updatePublishedResults requires Can Edit access to the project")
    recipients = _recipients(state, body_list(body, "notifications") or [])
    if project.trashed_at is not None or project.archived_at is not None:
        raise ApiError(422, f"Project {project.id} is archived or trashed and cannot be run")
    if project.published_version is None:
        raise ApiError(
            422, f"Project {project.id} has no published version; publish it before running"
        )
    if view_id is not None and view_id not in project.view_ids:
        raise not_found("Saved view", view_id)
    check_input_params(project, input_params, trace_id, legacy=legacy)

    now = state.now()
    duration = 0.0 if dry_run else state.run_duration
    run = Run(
        id=state.new_id(),
        project_id=project.id,
        project_version=str(project.published_version),
        trigger="API",
        created_at=now,
        duration=duration,
        outcome="COMPLETED" if dry_run else project.run_outcome,
        pending_seconds=duration * state.config.pending_fraction,
        dry_run=dry_run,
        via_api=True,
        input_params=dict(input_params),
        notifications=recipients,
    )
    if dry_run:
        state.workspace.runs[run.id] = run  # queryable by id, never listed
    else:
        state.workspace.add_run(run)
        state.api_runs_started[project.id] += 1
    return run


def cancel_run(state: EmulatorState, run: Run) -> None:
    now = state.now()
    view = view_run(run, now)
    if view.terminal:
        raise ApiError(422, f"Run {run.id} has already finished with status {view.status}")
    run.killed_at = now


def trigger_response(
    state: EmulatorState, run: Run, trace_id: str, *, legacy: bool
) -> dict[str, Any]:
    status_path = (
        f"/project/{run.project_id}/run/{run.id}"
        if legacy
        else f"/projects/{run.project_id}/runs/{run.id}"
    )
    data: dict[str, Any] = {
        "projectId": run.project_id,
        "runId": run.id,
        "runUrl": state.run_url(run.project_id, run.id),
        "runStatusUrl": state.url(status_path),
        "traceId": trace_id,
    }
    if not legacy:
        data["projectVersion"] = int(run.project_version)
        if run.notifications:
            data["notifications"] = run.notifications
    return data
