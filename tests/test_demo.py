"""The demo a new user runs first: every step succeeds on the emulator."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest

from aacflow_hex.engine.results import ToolResult
from aacflow_hex.surfaces.demo import run_demo


async def test_the_demo_runs_the_whole_workflow() -> None:
    lines: list[str] = []
    took = await run_demo(lines.append, run_duration=0.3)
    text = "\n".join(lines)
    for step in (
        "1. hex_list_projects",
        "2. hex_get_project",
        "3. hex_run_project",
        "4. hex_wait_for_run",
        "5. hex_get_queried_tables",
        "6. hex_get_project_runs",
    ):
        assert step in text
    assert "finished COMPLETED" in text
    assert took < 20


async def test_the_demo_shows_the_run_it_started_from_trigger_to_the_list() -> None:
    lines: list[str] = []
    await run_demo(lines.append, run_duration=0.3)
    [started] = [line for line in lines if line.startswith("     run ")]
    run_id = started.split()[1]
    assert started == f"     run {run_id} (version {started.split('version ')[1][:-1]})"
    after = lines[lines.index(started) + 1].strip()
    assert after.startswith("http") and run_id in after  # the run's URL
    assert "'EMEA'" in "\n".join(lines)  # the sample inputs sent
    progress = [line for line in lines if line.strip().endswith(run_id) or " s  " in line]
    assert any("COMPLETED" in line for line in progress)
    listed = lines[lines.index(next(x for x in lines if "6. hex_get_project_runs" in x)) + 1 :]
    assert any(line.split()[:2] == [run_id, "COMPLETED"] for line in listed if line.strip())
    assert lines[-1].startswith("\nDone in ")


def test_a_failed_step_ends_the_demo_with_its_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aacflow_hex.surfaces import demo

    async def failing(say: object, run_duration: float = 3.0) -> float:
        demo._value(ToolResult(tool_id="hex_list_projects", success=False))
        return 0.0

    monkeypatch.setattr(demo, "run_demo", failing)
    assert demo.main() == 1
    assert capsys.readouterr().out == ("demo failed: hex_list_projects failed: unknown error\n")


async def test_each_step_lists_what_it_read() -> None:
    lines: list[str] = []
    await run_demo(lines.append, run_duration=0.3)
    assert lines[0].startswith("Hex API emulator running at http://127.0.0.1:")
    first = lines.index(next(x for x in lines if x.startswith("1. hex_list_projects")))
    assert lines[first].startswith("1. hex_list_projects (published, limit 5): ")
    projects = []
    for line in lines[first + 1 :]:
        if not line.startswith("     "):
            break
        projects.append(line)
    assert 1 <= len(projects) <= 5
    assert all(line.rstrip().endswith("]") and "[" in line for line in projects)
    assert "\n4. hex_wait_for_run, reporting each status change as it happens:" in lines
    fifth = lines.index(next(x for x in lines if x.startswith("\n5. hex_get_queried_tables")))
    total = int(lines[fifth].split(": ")[1].split()[0])
    tables = []
    for line in lines[fifth + 1 :]:
        if not line.startswith("     "):
            break
        tables.append(line)
    assert len(tables) == min(total, 5) > 0
    assert all(": " in line for line in tables)


def test_a_demo_that_ran_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    from aacflow_hex.surfaces import demo

    async def ran(say: object, run_duration: float = 3.0) -> float:
        return 1.0

    monkeypatch.setattr(demo, "run_demo", ran)
    assert demo.main() == 0


class Terminal(io.StringIO):
    """Standard output that keeps what had reached it at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def test_the_demo_shows_each_line_the_moment_it_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped (`aacflow-hex demo | tee demo.log`), each step must show as it happens."""
    from aacflow_hex.surfaces import demo

    async def two_steps(say: Callable[[str], None], run_duration: float = 3.0) -> float:
        say("1. first")
        say("2. second")
        return 1.0

    terminal = Terminal()
    monkeypatch.setattr(demo, "run_demo", two_steps)
    monkeypatch.setattr(sys, "stdout", terminal)
    assert demo.main() == 0
    assert terminal.flushed[:2] == ["1. first\n", "1. first\n2. second\n"]
