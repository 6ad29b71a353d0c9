"""What each call in flight is told when the server shuts down: the exact sentence a
client reads, for waits, triggers, reads and writes, stopped at once or after the grace."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from aacflow_hex import load_registry
from aacflow_hex.engine.progress import ProgressCallback, ProgressEvent
from aacflow_hex.engine.results import ToolResult
from aacflow_hex.spec.specs import ToolSpec
from aacflow_hex.surfaces.call_drain import CallDrain, ToolCall

REGISTRY = load_registry()
RUN_ID = "5c8f1a2b-0000-4000-8000-000000000001"


def slow(tool_id: str, seconds: float, events: Sequence[ProgressEvent] = ()) -> ToolCall:
    async def call(progress: ProgressCallback) -> ToolResult:
        for event in events:
            await progress(event)  # type: ignore[misc]
        await asyncio.sleep(seconds)
        return ToolResult(tool_id=tool_id, success=True, output={"done": True})

    return call


def seen(tool_id: str, status: str, elapsed: float = 12.34) -> ProgressEvent:
    return ProgressEvent(tool_id, status, elapsed, f"run {RUN_ID}", run_id=RUN_ID)


async def stopped(
    spec: ToolSpec, call: ToolCall, *, grace: float = 30, after: float = 0.05
) -> tuple[str, CallDrain]:
    drain = CallDrain(grace)
    task = asyncio.ensure_future(drain.run(spec, call, None))
    await asyncio.sleep(after)
    assert drain.in_flight == 1 and not drain.draining
    drain.begin()
    assert drain.draining
    result = await asyncio.wait_for(task, 5)
    assert not result.success and result.error is not None and result.error.kind == "server"
    assert drain.in_flight == 0
    return result.error.message, drain


async def test_a_wait_that_saw_its_run_is_told_which_run_and_how_to_pick_it_up() -> None:
    spec = REGISTRY.get("hex_wait_for_run")
    message, _ = await stopped(spec, slow(spec.id, 60, [seen(spec.id, "RUNNING")]))
    assert message == (
        f"The MCP server is shutting down, so it stopped waiting for run {RUN_ID} after "
        "12.3 s (last seen: RUNNING). The run goes on in Hex: check it with "
        "hex_get_run_status or wait again with hex_wait_for_run."
    )


async def test_a_run_and_wait_past_its_trigger_is_told_not_to_start_the_run_again() -> None:
    spec = REGISTRY.get("hex_run_project_and_wait")
    message, _ = await stopped(spec, slow(spec.id, 60, [seen(spec.id, "PENDING", 0.5)]))
    assert message.endswith(
        "(last seen: PENDING). The run goes on in Hex: check it with hex_get_run_status or "
        "wait again with hex_wait_for_run; do not start it again."
    )


async def test_a_wait_that_saw_no_status_yet_changed_nothing() -> None:
    spec = REGISTRY.get("hex_wait_for_run")
    message, _ = await stopped(spec, slow(spec.id, 60))
    assert message == (
        "The MCP server is shutting down, so it stopped hex_wait_for_run before it saw the "
        "run's status; nothing was changed in Hex. Call it again."
    )


@pytest.mark.parametrize("tool_id", ["hex_list_projects", "hex_deactivate_user"])
async def test_a_read_or_a_repeatable_write_cut_by_the_grace_is_told_to_call_again(
    tool_id: str,
) -> None:
    spec = REGISTRY.get(tool_id)
    message, _ = await stopped(spec, slow(spec.id, 60), grace=0.2)
    assert message == (
        f"The MCP server shut down before {tool_id} finished (grace period 0.2 s). Call it again."
    )


async def test_a_read_in_flight_is_not_stopped_before_the_grace_ends() -> None:
    spec = REGISTRY.get("hex_list_projects")
    drain = CallDrain(grace=0.3)
    task = asyncio.ensure_future(drain.run(spec, slow(spec.id, 60), None))
    await asyncio.sleep(0.05)
    drain.begin()
    drain.begin()  # a second signal changes nothing
    await asyncio.sleep(0.1)
    assert not task.done() and drain.in_flight == 1
    result = await asyncio.wait_for(task, 5)
    assert result.error is not None and "grace period 0.3 s" in result.error.message


async def test_a_trigger_that_reported_its_run_is_told_that_run_was_started() -> None:
    spec = REGISTRY.get("hex_run_project")
    message, _ = await stopped(spec, slow(spec.id, 60, [seen(spec.id, "PENDING")]), grace=0.2)
    assert message == (
        "The MCP server shut down before hex_run_project finished (grace period 0.2 s). "
        f"Run {RUN_ID} was started; check it before starting another."
    )


async def test_a_write_cut_by_the_grace_may_have_taken_effect_and_says_what_to_check() -> None:
    spec = REGISTRY.get("hex_create_collection")
    message, _ = await stopped(spec, slow(spec.id, 60), grace=0.2)
    assert message == (
        "The MCP server shut down before hex_create_collection finished (grace period "
        "0.2 s). The request may have reached Hex and taken effect (a run may have "
        "started). Look for a collection of this name with hex_list_collections before "
        "creating it again."
    )
    assert spec.request is not None
    unhinted = spec.model_copy(
        update={"request": spec.request.model_copy(update={"ambiguous_hint": None})}
    )
    message, _ = await stopped(unhinted, slow(spec.id, 60), grace=0.2)
    assert message.endswith("(a run may have started). Check its state in Hex before trying again.")


async def test_a_run_and_wait_still_triggering_gets_the_grace_then_its_own_hint() -> None:
    spec = REGISTRY.get("hex_run_project_and_wait")
    message, _ = await stopped(spec, slow(spec.id, 60), grace=0.2)
    assert message.endswith(
        "List the project's runs with hex_get_project_runs before triggering it again."
    )


async def test_a_run_and_wait_whose_run_starts_during_the_drain_stops_watching_it() -> None:
    spec = REGISTRY.get("hex_run_project_and_wait")
    drain = CallDrain(grace=30)
    forwarded: list[str] = []

    async def progress(event: ProgressEvent) -> None:
        forwarded.append(event.status)

    async def call(report: ProgressCallback) -> ToolResult:
        await asyncio.sleep(0.1)  # triggering: not stopped by the drain
        await report(seen(spec.id, "PENDING"))  # type: ignore[misc]
        await asyncio.sleep(60)
        return ToolResult(tool_id=spec.id, success=True)

    task = asyncio.ensure_future(drain.run(spec, call, progress))
    await asyncio.sleep(0.02)
    drain.begin()
    await asyncio.sleep(0.03)
    assert not task.done()  # the trigger is allowed to finish
    result = await asyncio.wait_for(task, 5)
    assert result.error is not None
    assert f"stopped waiting for run {RUN_ID}" in result.error.message
    assert forwarded == ["PENDING"]  # the caller saw the run start


async def test_a_finished_call_returns_its_own_result_and_progress() -> None:
    spec = REGISTRY.get("hex_wait_for_run")
    drain = CallDrain(grace=30)
    forwarded: list[str] = []

    async def progress(event: ProgressEvent) -> None:
        forwarded.append(event.status)

    result = await drain.run(spec, slow(spec.id, 0, [seen(spec.id, "RUNNING")]), progress)
    assert result.success and result.output == {"done": True}
    assert forwarded == ["RUNNING"] and drain.in_flight == 0
    drain.begin()
    refused = await drain.run(spec, slow(spec.id, 0), None)
    assert refused.error is not None and refused.error.message == (
        "The MCP server is shutting down and takes no new calls; try again."
    )
    assert (refused.tool_id, refused.error.kind) == (spec.id, "server")


async def test_a_wait_still_cleaning_up_when_the_grace_ends_keeps_its_drain_message() -> None:
    """Stopped by the drain, a wait that takes a moment to wind down is not stopped again
    by the grace period's end: its answer still names the run it was watching."""
    spec = REGISTRY.get("hex_wait_for_run")

    async def call(progress: ProgressCallback) -> ToolResult:
        await progress(seen(spec.id, "RUNNING"))  # type: ignore[misc]
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(0.05)  # winding down (e.g. a last request) past the grace
            raise
        return ToolResult(tool_id=spec.id, success=True)

    message, _ = await stopped(spec, call, grace=0)
    assert message.startswith(
        f"The MCP server is shutting down, so it stopped waiting for run {RUN_ID}"
    )
