"""The new tools are paced in Hex's own rate-limit groups: bursts get no 429 (emulator).

The emulator enforces Hex's per-group limits; the executor paces each tool by the
group its spec names. Both run time-compressed (a "minute" lasts one second). A tool
in the wrong group is sent too fast and refused, which the last test shows.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from api_emulator import REGISTRY

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits
from aacflow_hex.spec.registry import Registry

SCALE = 1 / 60  # one "minute" per second


def chart_params(emu: Emulator) -> dict[str, Any]:
    return {"cellId": emu.fixtures.chart_cell_id}


def cell_params(emu: Emulator) -> dict[str, Any]:
    return {"cellId": emu.fixtures.cell_id}


def thread_params(emu: Emulator) -> dict[str, Any]:
    return {"prompt": "What changed this week?"}


async def burst(
    tool: str, params_of: Any, calls: int, registry: Registry = REGISTRY
) -> tuple[int, int]:
    """``calls`` concurrent calls of ``tool``; returns (successes, 429s seen by the emulator)."""
    config = EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=SCALE)
    async with run_emulator(config) as emu:
        async with HexExecutor(
            emu.base_url,
            emu.token,
            registry=registry,
            rate_limits=scale_rate_limits(HEX_RATE_LIMITS, SCALE),
            rate_limiter=RateLimiter(),
            retry=NO_RETRY,
            timeout=0,
        ) as ex:
            params = params_of(emu)
            results = await asyncio.gather(*(ex.execute(tool, params) for _ in range(calls)))
        return sum(r.success for r in results), emu.requests.count(status=429)


@pytest.mark.parametrize(
    ("tool", "params_of"),
    [
        ("hex_get_cell_chart_image", chart_params),  # hex-chart-image: 20 a minute
        ("hex_get_cell", cell_params),  # hex-api-30rpm: 30 a minute
        ("hex_create_thread", thread_params),  # hex-run-kernel: 20 a minute
    ],
)
async def test_a_burst_beyond_the_group_limit_waits_instead_of_being_refused(
    tool: str, params_of: Any
) -> None:
    spec = REGISTRY.get(tool)
    assert spec.request is not None
    per_minute = HEX_RATE_LIMITS[spec.request.rate_limit_group].per_minute
    assert per_minute is not None
    calls = per_minute + 3
    successes, refused = await burst(tool, params_of, calls)
    assert (successes, refused) == (calls, 0)


async def test_a_tool_paced_in_the_wrong_group_is_refused_by_hex() -> None:
    spec = REGISTRY.get("hex_get_cell_chart_image")
    assert spec.request is not None
    wrong = spec.model_copy(
        update={"request": spec.request.model_copy(update={"rate_limit_group": "hex-api"})}
    )
    registry = Registry({**{s.id: s for s in REGISTRY.specs()}, wrong.id: wrong})
    successes, refused = await burst("hex_get_cell_chart_image", chart_params, 23, registry)
    assert refused == 3 and successes == 20
