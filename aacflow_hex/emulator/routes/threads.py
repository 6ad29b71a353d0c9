"""Agent threads and context topics (ERR-N).

A thread is RUNNING for ``run_duration`` after its prompt (or follow-up), then IDLE with an
answer, so clients can poll it like a run. Prompts take Hex's ``attachments`` object; what
they attach, and the project a thread works in, are the thread's ``resources``. A thread's
topics are the workspace topics its prompts name.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..ids import is_uuid, iso
from ..listing import page_body, paged
from ..params import (
    body_bool,
    json_body,
    path_uuid,
    query_bool,
    query_enum,
    query_int,
    query_str,
    reject_unknown,
    uuid_value,
)
from ..routing import ROLE_RANK, RouteTable
from ..runtime import EmulatorState, json_ok, state_of, user_of
from ..state.models import Thread, ThreadMessage, ThreadResource

routes = RouteTable()

SOURCES = ("HEX", "SLACK", "MCP", "PUBLIC_API")
KINDS = ("THREADS", "NOTEBOOK", "MODELING")
ATTACHMENT_FIELDS = (
    "dataConnectionId",
    "tableIds",
    "projectIds",
    "semanticDatasetIds",
    "semanticViewIds",
)
EMULATED_MODEL = "hex-emulator-agent"


def thread_url(state: EmulatorState, thread: Thread) -> str:
    return f"https://app.hex.tech/{state.workspace.name}/threads/{thread.id}"


def _busy(state: EmulatorState, thread: Thread) -> bool:
    return any(m.created_at > state.now() for m in thread.messages)


def _visible(state: EmulatorState, thread: Thread) -> list[ThreadMessage]:
    return [m for m in thread.messages if m.created_at <= state.now()]


def _answer(state: EmulatorState, thread: Thread, prompt: str) -> None:
    """Queue the assistant's reply: it appears, and the thread turns IDLE, after
    ``run_duration``."""
    reply_at = state.now() + state.run_duration
    thread.messages.append(ThreadMessage(f"Here is what I found about: {prompt}", reply_at))


def _strings(attachments: dict[str, Any], name: str) -> list[str]:
    values = attachments.get(name)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise bad_request(f"attachments.{name} must be an array of non-empty strings")
    return values


def _semantic_resources(state: EmulatorState, attachments: dict[str, Any]) -> list[ThreadResource]:
    projects = state.workspace.semantic_projects.values()
    datasets = {o.id: o for p in projects for o in p.datasets.values()}
    views = {o.id: o for p in projects for o in p.views.values()}
    resources = []
    for field, kind, known in (
        ("semanticDatasetIds", "SEMANTIC_DATASET", datasets),
        ("semanticViewIds", "SEMANTIC_VIEW", views),
    ):
        for object_id in _strings(attachments, field):
            found = known.get(object_id.lower())
            if found is None:
                raise not_found(kind.replace("_", " ").capitalize(), object_id)
            resources.append(ThreadResource(found.id, kind, found.name))
    return resources


def attached_resources(state: EmulatorState, body: dict[str, Any]) -> list[ThreadResource]:
    """The resources a prompt's ``attachments`` object names; every id must exist."""
    attachments = body.get("attachments")
    if attachments is None:
        return []
    if not isinstance(attachments, dict):
        raise bad_request(
            "attachments must be an object {dataConnectionId?, tableIds?, projectIds?, "
            "semanticDatasetIds?, semanticViewIds?}"
        )
    reject_unknown(attachments, ATTACHMENT_FIELDS, where="attachments")
    resources = []
    if attachments.get("dataConnectionId") is not None:
        conn_id = uuid_value(attachments["dataConnectionId"], "attachments.dataConnectionId")
        conn = state.workspace.data_connections.get(conn_id)
        if conn is None:
            raise not_found("Data connection", conn_id)
        resources.append(ThreadResource(conn.id, "DATA_CONNECTION", conn.name))
    resources += [ThreadResource(t, "TABLE", t) for t in _strings(attachments, "tableIds")]
    for project_id in _strings(attachments, "projectIds"):
        project = state.project(uuid_value(project_id, "attachments.projectIds[]"))
        resources.append(ThreadResource(project.id, "PROJECT", project.title))
    return resources + _semantic_resources(state, attachments)


def _take_prompt(
    state: EmulatorState, thread: Thread, prompt: str, resources: list[ThreadResource]
) -> None:
    """Record a prompt: what it attaches and the topics it names; then queue the answer."""
    thread.updated_at = state.now()
    thread.resources += [r for r in dict.fromkeys(resources) if r not in thread.resources]
    lowered = prompt.lower()
    thread.topic_ids += [
        t.id
        for t in state.workspace.topics
        if t.name.lower() in lowered and t.id not in thread.topic_ids
    ]
    _answer(state, thread, prompt)


def _prompt_of(body: dict[str, Any]) -> str:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise bad_request("prompt must be a non-empty string")
    return prompt


def thread_of(request: web.Request) -> Thread:
    state = state_of(request)
    thread_id = path_uuid(request, "threadId")
    thread = state.workspace.threads.get(thread_id)
    user = user_of(request)
    if thread is None:
        raise not_found("Thread", thread_id)
    if thread.user_id != user.id and ROLE_RANK[user.role] < ROLE_RANK["MANAGER"]:
        raise ApiError(403, "You can only read your own threads")
    return thread


def common_json(state: EmulatorState, thread: Thread) -> dict[str, Any]:
    """The fields ListThreads items and GetThread share (Hex's current spec)."""
    visible = _visible(state, thread)
    topics = [t for t in state.workspace.topics if t.id in thread.topic_ids]
    return {
        "title": thread.prompt[:80],
        "creditsUsed": len(visible),
        "topics": [{"id": t.id, "name": t.name} for t in topics],
        "warnings": [],
        "feedback": [],
        "model": "Auto",
        "auto": True,
        "effectiveModel": EMULATED_MODEL,
        "effortLevel": None,
        "userId": thread.user_id,
        "type": thread.kind,
        "source": thread.source,
        "createdAt": iso(thread.created_at),
        "updatedAt": iso(max([thread.updated_at, *(m.created_at for m in visible)])),
        "sensitive": thread.sensitive,
        "url": thread_url(state, thread),
    }


def list_item_json(state: EmulatorState, thread: Thread) -> dict[str, Any]:
    return {"id": thread.id, "orgId": state.workspace.org_id, **common_json(state, thread)}


@routes.route("GET", "/threads", op="ListThreads", family="N", min_role="MANAGER")
async def list_threads(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    source = query_enum(request, "source", SOURCES)
    kind = query_enum(request, "type", KINDS)
    query_bool(request, "hasFeedback")
    user_id = query_str(request, "userId")
    if user_id is not None and not is_uuid(user_id):
        raise bad_request(f"userId must be a UUID, got {user_id!r}")
    num_days = (
        query_int(request, "numDays", default=0, minimum=1)
        if query_str(request, "numDays")
        else None
    )
    now = state.now()
    threads = [
        t
        for t in state.workspace.threads.values()
        if (source is None or t.source == source)
        and (kind is None or t.kind == kind)
        and (user_id is None or t.user_id == user_id.lower())
        and (num_days is None or t.created_at >= now - num_days * 86400.0)
    ]
    page = paged(
        request,
        threads,
        lambda t: (t.created_at, t.id),
        kind="threads",
        max_limit=100,
        descending=True,
    )
    return json_ok(page_body(page, lambda t: list_item_json(state, t), key="threads"))


@routes.route(
    "POST",
    "/threads",
    op="CreateThread",
    family="N",
    group="hex-run-kernel",
    min_role="EXPLORER",
)
async def create_thread(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("prompt", "attachments", "previewId", "projectId", "newProject", "muted"))
    prompt = _prompt_of(body)
    new_project = body_bool(body, "newProject")
    body_bool(body, "muted")
    project = None
    if body.get("projectId") is not None:
        if new_project:
            raise bad_request("projectId and newProject cannot be combined")
        project = state.project(uuid_value(body["projectId"], "projectId"))
    resources = attached_resources(state, body)
    thread = Thread(
        id=state.new_id(),
        user_id=user_of(request).id,
        prompt=prompt,
        created_at=state.now(),
        project_id=project.id if project else None,
        kind="NOTEBOOK" if project or new_project else "THREADS",
    )
    if project is not None:
        resources.insert(0, ThreadResource(project.id, "PROJECT", project.title))
    _take_prompt(state, thread, prompt, resources)
    state.workspace.threads[thread.id] = thread
    return json_ok(
        {
            "threadId": thread.id,
            "url": thread_url(state, thread),
            "createdAt": iso(thread.created_at),
            "projectId": thread.project_id,
        }
    )


@routes.route("GET", "/threads/{threadId}", op="GetThread", family="N", min_role="EXPLORER")
async def get_thread(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    thread = thread_of(request)
    busy = _busy(state, thread)
    answered = [m.text for m in _visible(state, thread)]
    return json_ok(
        {
            **common_json(state, thread),
            "threadId": thread.id,
            "status": "RUNNING" if busy else "IDLE",
            "error": None,
            "resources": [
                {"id": r.id, "resourceType": r.resource_type, "name": r.name}
                for r in thread.resources
            ],
            "response": None if busy else [{"type": "text", "text": t} for t in answered[-1:]],
        }
    )


@routes.route(
    "GET",
    "/threads/{threadId}/messages",
    op="GetThreadMessages",
    family="N",
    min_role="EXPLORER",
)
async def thread_messages(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    thread = thread_of(request)
    query_bool(request, "full")
    visible = list(enumerate(_visible(state, thread)))
    page = paged(request, visible, lambda im: (im[0],), kind=f"messages:{thread.id}", max_limit=50)
    return json_ok(
        page_body(
            page,
            lambda im: {"type": "text", "text": im[1].text, "createdAt": iso(im[1].created_at)},
            key="content",
        )
    )


@routes.route(
    "POST",
    "/threads/{threadId}/followup",
    op="ThreadFollowup",
    family="N",
    group="hex-run-kernel",
    min_role="EXPLORER",
)
async def followup(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    thread = thread_of(request)
    body = await json_body(request, required=True)
    reject_unknown(body, ("prompt", "attachments"))
    prompt = _prompt_of(body)
    resources = attached_resources(state, body)
    if _busy(state, thread):
        raise ApiError(422, f"Thread {thread.id} is still answering; wait until it is IDLE")
    _take_prompt(state, thread, prompt, resources)
    return json_ok({"threadId": thread.id, "url": thread_url(state, thread)})


@routes.route("GET", "/context/topics", op="ListContextTopics", family="N")
async def list_topics(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    page = paged(
        request,
        state.workspace.topics,
        lambda t: (t.name.lower(), t.id),
        kind="topics",
        max_limit=100,
    )
    return json_ok(page_body(page, lambda t: {"id": t.id, "name": t.name}, key="topics"))
