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


def test_durations_change_unit_exactly_at_a_minute_and_an_hour() -> None:
    seconds = (-3.0, 0.0, 59.94, 60.0, 61.5, 3599.0, 3600.0, 86399.0)
    assert [format_duration(s) for s in seconds] == [
        "0.0s",  # a clock that went backwards shows no negative time
        "0.0s",
        "59.9s",
        "1m00s",
        "1m01s",
        "59m59s",
        "1h00m00s",
        "23h59m59s",
    ]


async def test_off_a_terminal_the_lines_are_exactly_tool_status_time_message() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=False) as printer:
        printer(event("PENDING", 0.5))
        printer(event("PENDING", 70.0, heartbeat=True))
        printer(ProgressEvent("hex_run_project_and_wait", "KILLED", 3725.0, "run is KILLED"))
    assert out.getvalue() == (
        "hex_wait_for_run  PENDING  0.5s  run is PENDING\n"
        "hex_run_project_and_wait  KILLED  1h02m05s  run is KILLED\n"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_a_terminal_is_told_apart_from_a_pipe_by_the_stream_itself() -> None:
    pipe, terminal = io.StringIO(), _Terminal()
    for stream in (pipe, terminal):
        async with ProgressPrinter(stream, tick=60) as printer:
            printer(event("RUNNING"))
    assert pipe.getvalue() == "hex_wait_for_run  RUNNING  1.0s  run is RUNNING\n"
    assert terminal.getvalue() == "\rhex_wait_for_run  RUNNING  1.0s  run is RUNNING\n"


async def test_on_a_terminal_a_shorter_line_blanks_out_the_longer_one_exactly() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=True, tick=60) as printer:
        printer(event("PENDING"))
        printer(event("RUNNING-A-WHILE"))
        printer(event("DONE"))
    short, longer, last = (
        "hex_wait_for_run  PENDING  1.0s  run is PENDING",
        "hex_wait_for_run  RUNNING-A-WHILE  1.0s  run is RUNNING-A-WHILE",
        "hex_wait_for_run  DONE  1.0s  run is DONE",
    )
    padding = " " * (len(longer) - len(last))
    assert out.getvalue() == f"\r{short}\r{longer}\r{last}{padding}\n"


async def test_a_terminal_that_was_never_drawn_on_is_left_untouched() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=True, tick=60):
        pass
    assert out.getvalue() == ""


async def test_the_ticking_clock_counts_on_from_the_events_elapsed_time() -> None:
    out = io.StringIO()
    async with ProgressPrinter(out, live=True, tick=0.01) as printer:
        printer(event("RUNNING", 5.0))
        await asyncio.sleep(0.05)
    draws = out.getvalue().rstrip("\n").split("\r")[1:]
    assert len(draws) >= 2
    for draw in draws[1:]:  # the ticks: 5 s and the little time since the event
        tool, status, clock, message = draw.rstrip().split("  ")
        assert (tool, status, message) == ("hex_wait_for_run", "RUNNING", "run is RUNNING")
        assert 5.0 <= float(clock.removesuffix("s")) < 59.0, draw
