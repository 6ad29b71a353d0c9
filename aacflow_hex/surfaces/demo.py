"""``aacflow-hex demo``: a real workflow through the executor, on the built-in emulator.

No Hex account is needed: an emulated Hex workspace is started in this
process and every step below is a real tool call over HTTP to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ..emulator import EmulatorConfig, run_emulator
from ..engine.executor import HexExecutor
from ..engine.progress import ProgressEvent
from ..engine.results import ToolResult

SAMPLE_INPUTS = {"string": "EMEA", "number": 42, "boolean": True}


class DemoFailed(RuntimeError):
    pass


def _value(result: ToolResult) -> dict[str, Any]:
    if not result.success or result.error is not None:
        message = result.error.message if result.error else "unknown error"
        raise DemoFailed(f"{result.tool_id} failed: {message}")
    return result.output


async def run_demo(say: Callable[[str], None] = print, run_duration: float = 3.0) -> float:
    """Run the workflow; returns the seconds it took. Raises DemoFailed if a step fails."""
    started = time.monotonic()
    async with run_emulator(EmulatorConfig(port=0, run_duration=run_duration)) as emu:
        say(f"Hex API emulator running at {emu.base_url}\n")
        async with HexExecutor(base_url=emu.base_url, api_key=emu.token) as hex_:
            listed = _value(
                await hex_.execute("hex_list_projects", {"statusFilter": "PUBLISHED", "limit": 5})
            )
            say(f"1. hex_list_projects (published, limit 5): {listed['total']} projects")
            for project in listed["projects"]:
                label = (project["status"] or {}).get("name") or "no status"
                say(f"     {project['id']}  {project['title']}  [{label}]")

            # The emulator knows which project takes inputs; Hex's API does not list them.
            project_id = emu.fixtures.params_project_id
            project = _value(await hex_.execute("hex_get_project", {"projectId": project_id}))
            say(f"\n2. hex_get_project: {project['title']!r}, owner {project['owner']['email']}")

            inputs = {
                name: SAMPLE_INPUTS.get(kind, "x")
                for name, kind in emu.fixtures.param_names.items()
            }
            run = _value(
                await hex_.execute(
                    "hex_run_project", {"projectId": project_id, "inputParams": inputs}
                )
            )
            say(f"\n3. hex_run_project with inputParams {inputs}")
            say(f"     run {run['runId']} (version {run['projectVersion']})")
            say(f"     {run['runUrl']}")

            say("\n4. hex_wait_for_run, reporting each status change as it happens:")

            def show(event: ProgressEvent) -> None:
                if not event.heartbeat:
                    say(f"     {event.elapsed:5.1f} s  {event.status:<9} {event.message}")

            status = _value(
                await hex_.execute(
                    "hex_wait_for_run",
                    {"projectId": project_id, "runId": run["runId"], "pollInterval": 0.5},
                    progress=show,
                )
            )
            say(
                f"     finished {status['status']} after {status['elapsedTime']:.1f} s "
                f"of run time, {status['statusChecks']} status checks "
                "(Hex reports milliseconds; the tool gives seconds)"
            )

            tables = _value(await hex_.execute("hex_get_queried_tables", {"projectId": project_id}))
            say(f"\n5. hex_get_queried_tables: {tables['total']} tables")
            for table in tables["tables"][:5]:
                say(f"     {table['dataConnectionName']}: {table['tableName']}")

            runs = _value(
                await hex_.execute("hex_get_project_runs", {"projectId": project_id, "limit": 5})
            )
            say(f"\n6. hex_get_project_runs (latest {runs['total']}):")
            for item in runs["runs"]:
                say(f"     {item['runId']}  {item['status']:<9} {item['startTime']}")
    took = time.monotonic() - started
    say(f"\nDone in {took:.1f} s. Point HEX_API_KEY and HEX_API_BASE_URL at Hex to do it for real.")
    return took


def main() -> int:
    try:
        asyncio.run(run_demo(lambda line: print(line, flush=True)))
    except DemoFailed as exc:
        print(f"demo failed: {exc}")
        return 1
    return 0
