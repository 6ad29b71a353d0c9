"""JSON shapes of workspace records, as the current Hex API writes them."""

from __future__ import annotations

from typing import Any

from .ids import iso
from .lifecycle import view_run
from .state.models import Cell, Collection, DataConnection, Group, Project, Run, Schedule, User
from .state.store import Workspace


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    daily = {"timezone": "+00:00", "minute": schedule.minute, "hour": schedule.hour}
    return {
        "cadence": schedule.cadence,
        "enabled": schedule.enabled,
        "hourly": None,
        "daily": daily if schedule.cadence == "DAILY" else None,
        "weekly": None,
        "monthly": None,
        "custom": None,
    }


def sharing_json(project: Project, ws: Workspace) -> dict[str, Any]:
    users = [
        {"access": access, "user": {"email": ws.users[uid].email}}
        for uid, access in project.user_access.items()
        if uid in ws.users
    ]
    groups = [
        {"access": access, "group": {"name": ws.groups[gid].name}}
        for gid, access in project.group_access.items()
        if gid in ws.groups
    ]
    collections = [
        {"access": access, "collection": {"name": ws.collections[cid].name}}
        for cid, access in project.collection_access.items()
        if cid in ws.collections
    ]
    return {
        "users": users,
        "collections": collections,
        "groups": groups,
        "workspace": {"access": project.workspace_access},
        "publicWeb": {"access": project.public_access},
        "support": {"access": "NONE"},
    }


def project_json(project: Project, ws: Workspace, include_sharing: bool = False) -> dict[str, Any]:
    views = project.app_views_all_time
    data: dict[str, Any] = {
        "id": project.id,
        "title": project.title,
        "description": project.description,
        "type": project.type,
        "creator": {"email": project.creator_email},
        "owner": {"email": project.owner_email},
        "status": {"name": project.status} if project.status is not None else None,
        "categories": [{"name": c.name, "description": c.description} for c in project.categories],
        "reviews": {"required": project.reviews_required},
        "analytics": {
            "publishedResultsUpdatedAt": iso(project.last_published_at),
            "lastViewedAt": iso(project.last_viewed_at),
            "appViews": {
                "lastThirtyDays": views // 20,
                "lastFourteenDays": views // 45,
                "lastSevenDays": views // 90,
                "allTime": views,
            },
        },
        "lastEditedAt": iso(project.last_edited_at),
        "lastPublishedAt": iso(project.last_published_at),
        "createdAt": iso(project.created_at),
        "archivedAt": iso(project.archived_at),
        "trashedAt": iso(project.trashed_at),
        "schedules": [schedule_json(s) for s in project.schedules],
    }
    if include_sharing:
        data["sharing"] = sharing_json(project, ws)
    return data


def run_json(run: Run, now: float, run_url: str, trace_id: str, legacy: bool) -> dict[str, Any]:
    """A ProjectRun (current API) or, with ``legacy``, the 2022 ProjectStatusResponsePayload."""
    view = view_run(run, now)
    data: dict[str, Any] = {
        "projectId": run.project_id,
        "runId": run.id,
        "runUrl": run_url,
        "status": view.status,
        "startTime": iso(view.start),
        "endTime": iso(view.end),
        "elapsedTime": view.elapsed_ms,
        "traceId": trace_id,
    }
    if not legacy:
        data["projectVersion"] = run.project_version
        data["runTrigger"] = run.trigger
        if run.notifications:
            data["notifications"] = run.notifications
    return data


def run_state_events(run: Run, now: float) -> list[dict[str, Any]]:
    """The run's status changes so far (``enable-expanded-stats``), oldest first."""
    view = view_run(run, now)
    events = [("PENDING", run.created_at)]
    if view.start is not None:
        events.append(("RUNNING", view.start))
    if view.terminal and view.end is not None:
        events.append((view.status, view.end))
    return [{"type": "STATUS", "value": value, "timestamp": iso(at)} for value, at in events]


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "lastLoginDate": iso(user.last_login),
    }


def group_json(group: Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "createdAt": iso(group.created_at)}


def collection_json(coll: Collection, ws: Workspace) -> dict[str, Any]:
    sharing: dict[str, Any] = {
        "users": [{"access": a, "id": uid} for uid, a in coll.user_access.items()],
        "groups": [{"access": a, "id": gid} for gid, a in coll.group_access.items()],
    }
    if coll.workspace_members_access is not None:
        sharing["workspace"] = {"members": coll.workspace_members_access}
    data: dict[str, Any] = {"id": coll.id, "name": coll.name}
    if coll.description is not None:
        data["description"] = coll.description
    creator = ws.users.get(coll.creator_id)
    if creator is not None:
        data["creator"] = {"email": creator.email, "id": creator.id}
    data["sharing"] = sharing
    return data


def data_connection_json(conn: DataConnection, ws: Workspace) -> dict[str, Any]:
    """Readable details only: secrets given at create/update time are never stored."""
    data: dict[str, Any] = {
        "id": conn.id,
        "name": conn.name,
        "type": conn.type,
        "connectionDetails": conn.details,
        "connectViaSsh": conn.connect_via_ssh,
        "includeMagic": conn.include_magic,
        "allowWritebackCells": conn.allow_writeback_cells,
        "schemaRefreshAccess": conn.schema_refresh_access,
        "sharing": {
            "workspace": dict(conn.workspace_sharing),
            "groups": [
                {"access": access, "group": {"id": gid, "name": ws.groups[gid].name}}
                for gid, access in conn.group_access.items()
                if gid in ws.groups
            ],
        },
    }
    if conn.description is not None:
        data["description"] = conn.description
    if conn.schema_filters is not None:
        data["schemaFilters"] = conn.schema_filters
    if conn.schema_refresh_schedule is not None:
        data["schemaRefreshSchedule"] = conn.schema_refresh_schedule
    return data


def cell_json(cell: Cell) -> dict[str, Any]:
    contents: dict[str, Any] = {"codeCell": None, "sqlCell": None, "markdownCell": None}
    if cell.cell_type == "CODE":
        contents["codeCell"] = {"source": cell.source or ""}
    elif cell.cell_type == "SQL":
        contents["sqlCell"] = {
            "source": cell.source or "",
            "outputDataframe": cell.output_dataframe,
        }
    elif cell.cell_type == "MARKDOWN":
        contents["markdownCell"] = {"source": cell.source or ""}
    return {
        "id": cell.id,
        "staticId": cell.static_id,
        "cellType": cell.cell_type,
        "label": cell.label,
        "dataConnectionId": cell.data_connection_id,
        "contents": contents,
        "projectId": cell.project_id,
    }
