"""The demo a new user runs first: every step succeeds on the emulator."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from collections.abc import Callable

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator
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


async def test_the_demo_shows_what_the_emulated_workspace_holds() -> None:
    """Each step's lines against the same seeded workspace read through the executor."""
    lines: list[str] = []
    await run_demo(lines.append, run_duration=0.3)
    async with (
        run_emulator(EmulatorConfig(port=0, rate_limits=None)) as twin,
        HexExecutor(base_url=twin.base_url, api_key=twin.token) as hex_,
    ):
        listed = await hex_.execute("hex_list_projects", {"statusFilter": "PUBLISHED", "limit": 5})
        project_id = twin.fixtures.params_project_id
        project = await hex_.execute("hex_get_project", {"projectId": project_id})
        tables = await hex_.execute("hex_get_queried_tables", {"projectId": project_id})
        inputs = twin.fixtures.param_names
    first = lines.index(
        f"1. hex_list_projects (published, limit 5): {listed.output['total']} projects"
    )
    shown = lines[first + 1 : first + 1 + len(listed.output["projects"])]
    labels = [(p["status"] or {}).get("name", "no status") for p in listed.output["projects"]]
    assert "no status" in labels and len(set(labels)) > 1  # both kinds are seen
    assert shown == [
        f"     {p['id']}  {p['title']}  [{label}]"
        for p, label in zip(listed.output["projects"], labels, strict=True)
    ]
    owner = project.output["owner"]["email"]
    assert f"\n2. hex_get_project: {project.output['title']!r}, owner {owner}" in lines
    sent = {"string": "'EMEA'", "number": "42", "boolean": "True"}
    said = ", ".join(f"'{name}': {sent[kind]}" for name, kind in inputs.items())
    assert f"\n3. hex_run_project with inputParams {{{said}}}" in lines
    fifth = lines.index(f"\n5. hex_get_queried_tables: {tables.output['total']} tables")
    assert lines[fifth + 1 : fifth + 1 + min(5, tables.output["total"])] == [
        f"     {t['dataConnectionName']}: {t['tableName']}" for t in tables.output["tables"][:5]
    ]


async def test_the_wait_step_reports_each_status_change_and_the_run_time_in_seconds() -> None:
    lines: list[str] = []
    await run_demo(lines.append, run_duration=0.3)
    fourth = lines.index("\n4. hex_wait_for_run, reporting each status change as it happens:")
    steps = lines[fourth + 1 :]
    end = next(i for i, line in enumerate(steps) if line.startswith("     finished "))
    changes = steps[:end]
    assert changes and all(re.fullmatch(r"     +\d+\.\d s  [A-Z]+ +run is .+", c) for c in changes)
    assert changes[-1].split()[2] == "COMPLETED"
    finished = re.fullmatch(
        r"     finished COMPLETED after (\d+\.\d) s of run time, (\d+) status checks "
        r"\(Hex reports milliseconds; the tool gives seconds\)",
        steps[end],
    )
    assert finished is not None
    assert 0.2 <= float(finished.group(1)) < 2  # the run takes 0.3 s: seconds, not ms
    assert int(finished.group(2)) >= len(changes)
    sixth = lines.index(next(x for x in lines if x.startswith("\n6. hex_get_project_runs")))
    runs = [line for line in lines[sixth + 1 :] if line.startswith("     ")]
    assert lines[sixth] == f"\n6. hex_get_project_runs (latest {len(runs)}):"
    assert all(re.fullmatch(r"     \S{36}  [A-Z_]+ *\S+Z", line) for line in runs)


async def test_two_demos_run_side_by_side_each_on_a_free_port() -> None:
    first: list[str] = []
    second: list[str] = []
    await asyncio.gather(
        run_demo(first.append, run_duration=0.2), run_demo(second.append, run_duration=0.2)
    )
    assert first[0] != second[0]  # each its own emulator, at its own address
    assert all(lines[-1].startswith("\nDone in ") for lines in (first, second))
