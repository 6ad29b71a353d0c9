"""Agent threads and context topics (ERR-N).

A thread is RUNNING for ``run_duration`` after its prompt (or follow-up), then IDLE with an
answer, so clients can poll it like a run.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError, bad_request, not_found
from ..ids import is_uuid, iso
from ..listing import page_body, paged
from ..params import (
    body_bool,
    body_list,
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
from ..state.models import Thread, ThreadMessage

routes = RouteTable()

SOURCES = ("HEX", "SLACK", "MCP", "PUBLIC_API")


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


def summary_json(state: EmulatorState, thread: Thread) -> dict[str, Any]:
    return {
        "threadId": thread.id,
        "title": thread.prompt[:80],
        "url": thread_url(state, thread),
        "createdAt": iso(thread.created_at),
        "source": thread.source,
        "userId": thread.user_id,
        "projectId": thread.project_id,
    }


@routes.route("GET", "/threads", op="ListThreads", family="N", min_role="MANAGER")
async def list_threads(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    source = query_enum(request, "source", SOURCES)
    query_enum(request, "type", ("THREADS", "NOTEBOOK", "MODELING"))
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
    return json_ok(page_body(page, lambda t: summary_json(state, t), key="threads"))


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
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise bad_request("prompt must be a non-empty string")
    body_list(body, "attachments")
    body_bool(body, "newProject")
    body_bool(body, "muted")
    project_id = None
    if body.get("projectId") is not None:
        project_id = state.project(uuid_value(body["projectId"], "projectId")).id
    thread = Thread(
        id=state.new_id(),
        user_id=user_of(request).id,
        prompt=prompt,
        created_at=state.now(),
        project_id=project_id,
    )
    _answer(state, thread, prompt)
    state.workspace.threads[thread.id] = thread
    return json_ok(
        {
            "threadId": thread.id,
            "url": thread_url(state, thread),
            "createdAt": iso(thread.created_at),
            "projectId": project_id,
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
            **summary_json(state, thread),
            "status": "RUNNING" if busy else "IDLE",
            "error": None,
            "resources": (
                [{"type": "PROJECT", "id": thread.project_id}] if thread.project_id else []
            ),
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
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise bad_request("prompt must be a non-empty string")
    if _busy(state, thread):
        raise ApiError(422, f"Thread {thread.id} is still answering; wait until it is IDLE")
    _answer(state, thread, prompt)
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
