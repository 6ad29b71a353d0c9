"""Where an executor call's CPU goes: each pipeline step, in the I/O loop and alone.

A cProfile run slows every function alike and hides one effect this shows: the same
Python step costs several times more between socket calls (concurrency 1 and 64,
against the fixed-body server in its own process) than in a tight loop with the
network stubbed out, where caches and branch predictors stay warm. So a step's
isolated microseconds understate what it costs a real call.

    python bench/steps.py [--calls 5000]

Prints, per step, microseconds a call: in the loop at concurrency 1 and 64, then
alone; and the client's whole CPU time a call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from _bench import drive, server_process
from servers import RUN_STATUS

import aacflow_hex.engine.executor as executor_module
from aacflow_hex import HexExecutor, load_registry, transport
from aacflow_hex.engine.decode import HttpResponse
from aacflow_hex.engine.redact import Redactor

TOOL = "hex_get_run_status"
STEPS = ("validate_params", "build_request", "decode_response", "map_outputs", "redact")


class StepClock:
    """Wraps the executor's pipeline functions and adds up the time spent in each."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STEPS, 0.0)

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        return wrapper

    def install(self) -> None:
        """Once per process: the wrappers stay for every executor after."""
        for name in ("validate_params", "build_request", "decode_response"):
            setattr(executor_module, name, self.timed(name, getattr(executor_module, name)))
        tool = load_registry().tool(TOOL)  # the registry every executor here uses
        # Tool is frozen; its compiled mapper is a cached_property, kept in __dict__.
        object.__setattr__(tool, "map_outputs", self.timed("map_outputs", tool.map_outputs))
        # The screen of each raw body, and the pass over an output when one needs it.
        Redactor.clean_json = self.timed("redact", Redactor.clean_json)  # type: ignore[method-assign]
        Redactor.value = self.timed("redact", Redactor.value)  # type: ignore[method-assign]

    def per_call(self, calls: int) -> dict[str, float]:
        return {name: seconds / calls * 1e6 for name, seconds in self.seconds.items()}

    def reset(self) -> None:
        self.seconds = dict.fromkeys(STEPS, 0.0)


async def in_loop(
    server: dict[str, Any], clock: StepClock, concurrency: int, calls: int
) -> tuple[dict[str, float], float]:
    params = {"projectId": server["project_id"], "runId": server["run_id"]}
    async with HexExecutor(server["base_url"], server["token"], rate_limits=None) as executor:

        async def call() -> None:
            result = await executor.execute(TOOL, params)
            if not result.success:
                raise RuntimeError(f"{TOOL} failed: {result.error}")

        await drive(call, max(500, calls // 10), concurrency)
        clock.reset()
        cpu = time.process_time()
        await drive(call, calls, concurrency)
        cpu_per_call = (time.process_time() - cpu) / calls * 1e6
        return clock.per_call(calls), cpu_per_call


async def alone(server: dict[str, Any], clock: StepClock, calls: int) -> dict[str, float]:
    """The same calls with transport.send answering at once from memory."""
    response = HttpResponse(
        200, {"Content-Type": "application/json"}, json.dumps(RUN_STATUS).encode()
    )

    async def answer(*_args: Any, **_kwargs: Any) -> HttpResponse:
        return response

    real_send = transport.send
    transport.send = answer  # type: ignore[assignment]
    try:
        per_call, _ = await in_loop(server, clock, 1, calls)
    finally:
        transport.send = real_send
    return per_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    clock = StepClock()
    clock.install()
    columns: dict[str, dict[str, float]] = {}
    cpu: dict[str, float] = {}
    with server_process("static") as server:
        for concurrency in (1, 64):
            name = f"loop, c={concurrency}"
            columns[name], cpu[name] = asyncio.run(in_loop(server, clock, concurrency, args.calls))
        columns["alone"] = asyncio.run(alone(server, clock, args.calls))
    print(f"{TOOL}, microseconds a call ({args.calls} calls each)")
    print(f"{'step':<18}" + "".join(f"{name:>14}" for name in columns))
    for step in STEPS:
        print(f"{step:<18}" + "".join(f"{column[step]:>14.1f}" for column in columns.values()))
    total = {name: sum(column.values()) for name, column in columns.items()}
    print(f"{'these steps':<18}" + "".join(f"{value:>14.1f}" for value in total.values()))
    print(f"{'client CPU a call':<18}" + "".join(f"{value:>14.1f}" for value in cpu.values()))


if __name__ == "__main__":
    main()
