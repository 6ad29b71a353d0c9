"""Hex's own AI agent (threads, follow-ups, messages, topics) end to end (emulator)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from api_emulator import (
    MISSING_ID,
    Refusal,
    assert_refused,
    call,
    failure,
    refusal_ids,
)

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, Fixtures


async def until_idle(hex_: HexExecutor, thread_id: str) -> dict[str, Any]:
    """Poll the thread as a client would, until the agent has answered."""
    for _ in range(100):
        thread = await call(hex_, "hex_get_thread", threadId=thread_id)
        if thread["status"] != "RUNNING":
            return thread
        await asyncio.sleep(0.05)
    raise AssertionError(f"thread {thread_id} still RUNNING")


async def test_a_question_is_answered_and_followed_up(emu: Emulator, hex_: HexExecutor) -> None:
    project_id = emu.fixtures.completing_project_id
    started = await call(
        hex_, "hex_create_thread", prompt="What drove churn in Q3?", projectId=project_id
    )
    thread_id = started["threadId"]
    assert started["projectId"] == project_id and thread_id in started["url"]
    running = await call(hex_, "hex_get_thread", threadId=thread_id)
    assert running["status"] == "RUNNING" and running["response"] == []

    answered = await until_idle(hex_, thread_id)
    assert answered["status"] == "IDLE" and answered["id"] == thread_id
    assert "churn" in answered["response"][0]["text"]

    followed = await call(hex_, "hex_continue_thread", threadId=thread_id, prompt="And in Q4?")
    assert followed["threadId"] == thread_id
    await until_idle(hex_, thread_id)
    messages = await call(hex_, "hex_list_thread_messages", threadId=thread_id)
    assert messages["total"] == 2
    assert "Q4" in messages["messages"][-1]["text"]


async def test_a_follow_up_while_the_agent_works_is_refused(
    emu: Emulator, hex_: HexExecutor
) -> None:
    started = await call(hex_, "hex_create_thread", prompt="Summarize revenue")
    error = await failure(
        hex_, "hex_continue_thread", threadId=started["threadId"], prompt="faster"
    )
    assert (error.kind, error.status_code) == ("invalid_request", 422)
    assert "IDLE" in error.message


async def test_threads_and_topics_are_listed(emu: Emulator, hex_: HexExecutor) -> None:
    started = await call(hex_, "hex_create_thread", prompt="Pipeline by region")
    listed = await call(hex_, "hex_list_threads", limit=10)
    assert listed["total"] == len(emu.workspace.threads) == 2
    recent = await call(hex_, "hex_list_threads", source="PUBLIC_API", numDays=1)
    assert [t["url"] for t in recent["threads"]] == [started["url"]]
    assert recent["threads"][0]["createdAt"] == started["createdAt"]

    topics = await call(hex_, "hex_list_context_topics", fetchAll=True)
    assert [t["name"] for t in topics["topics"]] == sorted(t.name for t in emu.workspace.topics)
    assert topics["truncated"] is False


async def test_listed_threads_carry_their_id(emu: Emulator, hex_: HexExecutor) -> None:
    listed = await call(hex_, "hex_list_threads")
    [seeded] = [t for t in listed["threads"] if t["id"] == emu.fixtures.thread_id]
    assert seeded["type"] == "NOTEBOOK" and seeded["sensitive"] is False
    assert [t["name"] for t in seeded["topics"]] == ["Revenue"]
    assert seeded["updatedAt"] >= seeded["createdAt"]


async def test_a_prompt_can_point_at_a_data_connection_and_tables(
    emu: Emulator, hex_: HexExecutor
) -> None:
    connection = emu.workspace.data_connections[emu.fixtures.data_connection_id]
    started = await call(
        hex_,
        "hex_create_thread",
        prompt="Which tables hold invoices?",
        attachedDataConnectionId=connection.id,
        attachedTableIds=["analytics.public.invoices"],
    )
    thread = await call(hex_, "hex_get_thread", threadId=started["threadId"])
    assert thread["resources"] == [
        {"id": connection.id, "resourceType": "DATA_CONNECTION", "name": connection.name},
        {
            "id": "analytics.public.invoices",
            "resourceType": "TABLE",
            "name": "analytics.public.invoices",
        },
    ]
    assert thread["type"] == "THREADS"


async def test_a_follow_up_can_point_at_semantic_datasets_and_views(
    emu: Emulator, hex_: HexExecutor
) -> None:
    fx = emu.fixtures
    started = await call(hex_, "hex_create_thread", prompt="Revenue by plan")
    await until_idle(hex_, started["threadId"])
    await call(
        hex_,
        "hex_continue_thread",
        threadId=started["threadId"],
        prompt="Use the semantic model",
        attachedSemanticDatasetIds=[fx.semantic_dataset_id],
        attachedSemanticViewIds=[fx.semantic_view_id],
    )
    thread = await call(hex_, "hex_get_thread", threadId=started["threadId"])
    assert [(r["resourceType"], r["name"]) for r in thread["resources"]] == [
        ("SEMANTIC_DATASET", fx.semantic_dataset_name),
        ("SEMANTIC_VIEW", fx.semantic_view_name),
    ]


async def test_topics_need_a_valid_token(emu: Emulator) -> None:
    async with HexExecutor(base_url=emu.base_url, api_key="expired-token") as ex:
        error = await failure(ex, "hex_list_context_topics")
    assert (error.kind, error.status_code) == ("auth", 401)


# (tool, params from the fixtures, token role, error kind, status): each tool's main failure.
ERRORS: list[tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]] = [
    ("hex_create_thread", lambda f: {"prompt": "hi"}, "GUEST", "permission", 403),
    ("hex_create_thread", lambda f: {"prompt": "hi", "projectId": MISSING_ID}, "ADMIN",
     "not_found", 404),
    ("hex_create_thread", lambda f: {"prompt": "hi", "attachedDataConnectionId": MISSING_ID},
     "ADMIN", "not_found", 404),
    ("hex_continue_thread", lambda f: {"threadId": f.thread_id, "prompt": "hi",
                                       "attachedProjectIds": [MISSING_ID]},
     "ADMIN", "not_found", 404),
    ("hex_get_thread", lambda f: {"threadId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_get_thread", lambda f: {"threadId": f.thread_id}, "EXPLORER", "permission", 403),
    ("hex_list_thread_messages", lambda f: {"threadId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_list_thread_messages", lambda f: {"threadId": f.thread_id}, "GUEST",
     "permission", 403),
    ("hex_continue_thread", lambda f: {"threadId": MISSING_ID, "prompt": "hi"}, "ADMIN",
     "not_found", 404),
    ("hex_continue_thread", lambda f: {"threadId": f.thread_id, "prompt": "hi"}, "GUEST",
     "permission", 403),
    ("hex_list_threads", lambda f: {}, "EDITOR", "permission", 403),
]  # fmt: skip


@pytest.mark.parametrize("refusal", ERRORS, ids=refusal_ids(ERRORS))
async def test_each_tool_reports_hex_refusals_as_data(emu: Emulator, refusal: Refusal) -> None:
    await assert_refused(emu, *refusal)
