"""The demo a new user runs first: every step succeeds on the emulator."""

from __future__ import annotations

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
