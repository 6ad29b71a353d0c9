"""Progress events: delivered to sync and async callbacks, shown on a terminal or a log."""

from __future__ import annotations

import asyncio
import io

from aacflow_hex.engine.progress import ProgressEvent, ProgressPrinter, format_duration, report


def event(status: str, elapsed: float = 1.0, heartbeat: bool = False) -> ProgressEvent:
    return ProgressEvent("hex_wait_for_run", status, elapsed, f"run is {status}", "r1", heartbeat)


async def test_sync_and_async_callbacks_both_receive_the_event() -> None:
    seen: list[str] = []

    async def async_callback(e: ProgressEvent) -> None:
        await asyncio.sleep(0)
        seen.append("async " + e.status)

    await report(lambda e: seen.append("sync " + e.status), event("RUNNING"))
    await report(async_callback, event("COMPLETED"))
    await report(None, event("KILLED"))
    assert seen == ["sync RUNNING", "async COMPLETED"]


async def test_a_failing_callback_does_not_break_the_call() -> None:
    def broken(_: ProgressEvent) -> None:
        raise RuntimeError("display gone")

    await report(broken, event("RUNNING"))  # no exception


def test_durations_read_like_a_clock() -> None:
    assert [format_duration(s) for s in (0.25, 59.9, 65, 3725)] == [
        "0.2s",
        "59.9s",
        "1m05s",
        "1h02m05s",
    ]


async def test_off_a_terminal_each_step_is_one_line_and_heartbeats_are_skipped() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=False) as printer:
        printer(event("PENDING"))
        printer(event("PENDING", 2.0, heartbeat=True))
        printer(event("COMPLETED", 3.0))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert lines[0].startswith("hex_wait_for_run  PENDING  1.0s")
    assert "COMPLETED" in lines[1]


async def test_on_a_terminal_one_line_is_rewritten_and_keeps_ticking() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=True, tick=0.01) as printer:
        printer(event("RUNNING-LONGER-STATUS"))
        printer(event("DONE"))
        await asyncio.sleep(0.05)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    draws = text.rstrip("\n").split("\r")[1:]
    assert len(draws) > 2  # the two events, then ticks
    assert all(d.startswith("hex_wait_for_run") for d in draws)
    # A shorter line blanks out what is left of a longer one.
    assert len(draws[1]) == len(draws[0])
