"""Load: many concurrent callers on one token, paced under Hex's limits.

Starts the emulator with Hex's published rate limits, fires CALLS concurrent
hex_get_run_status calls with one token through one executor, and prints: calls,
answered, 429 responses the emulator sent, elapsed time, the theoretical minimum
the limits allow, and their ratio.

    python bench/load_pacing.py                 # full scale: real minutes (about 3 min)
    python bench/load_pacing.py --scale 0.0167  # a "minute" lasts one second
    python bench/load_pacing.py --calls 300 --group-tool hex_list_users

The emulator and the client pacer use the same time scale, so the ratios hold.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import deque
from dataclasses import dataclass

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, RateLimit, scale_rate_limits


@dataclass(frozen=True)
class LoadFigures:
    calls: int
    answered: int
    succeeded: int
    responses_429: int
    elapsed: float
    theoretical_minimum: float

    @property
    def ratio(self) -> float:
        return self.elapsed / self.theoretical_minimum if self.theoretical_minimum else 0.0

    def lines(self) -> list[str]:
        return [
            f"calls                {self.calls}",
            f"answered             {self.answered}",
            f"succeeded            {self.succeeded}",
            f"429 responses        {self.responses_429}",
            f"elapsed              {self.elapsed:.2f} s",
            f"theoretical minimum  {self.theoretical_minimum:.2f} s",
            f"ratio                {self.ratio:.3f}",
        ]


def theoretical_minimum(calls: int, limit: RateLimit) -> float:
    """When the last of ``calls`` instant requests can start under ``limit`` (sliding windows)."""
    windows = limit.windows()
    admitted: deque[float] = deque()
    now = 0.0
    for _ in range(calls):
        while True:
            waits = []
            for count, span in windows:
                recent = [t for t in admitted if t > now - span]
                if len(recent) >= count:
                    waits.append(recent[len(recent) - count] + span - now)
            if not waits:
                break
            now += max(waits)
        admitted.append(now)
    return now


async def measure(calls: int, scale: float, tool: str = "hex_get_run_status") -> LoadFigures:
    async with run_emulator(
        EmulatorConfig(rate_limits=dict(HEX_RATE_LIMITS), rate_limit_scale=scale)
    ) as emu:
        fx = emu.fixtures
        params = {
            "hex_get_run_status": {
                "projectId": fx.completing_project_id,
                "runId": fx.finished_run_id,
            },
            "hex_get_project": {"projectId": fx.completing_project_id},
            "hex_list_users": {"limit": 5},
        }[tool]
        async with HexExecutor(
            emu.base_url,
            emu.token,
            rate_limits=scale_rate_limits(HEX_RATE_LIMITS, scale),
            rate_limiter=RateLimiter(),
            timeout=0,  # no cap: the calls wait for their turn as long as it takes
        ) as ex:
            spec = ex.registry.get(tool)
            assert spec.request is not None
            limit = HEX_RATE_LIMITS[spec.request.rate_limit_group].scaled(scale)
            started = time.monotonic()
            results = await asyncio.gather(*(ex.execute(tool, params) for _ in range(calls)))
            elapsed = time.monotonic() - started
        return LoadFigures(
            calls=calls,
            answered=len(results),
            succeeded=sum(r.success for r in results),
            responses_429=emu.requests.count(status=429),
            elapsed=elapsed,
            theoretical_minimum=theoretical_minimum(calls, limit),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--scale", type=float, default=1.0, help="window length multiplier")
    parser.add_argument(
        "--tool",
        default="hex_get_run_status",
        choices=["hex_get_run_status", "hex_get_project", "hex_list_users"],
    )
    args = parser.parse_args()
    figures = asyncio.run(measure(args.calls, args.scale, args.tool))
    print(f"tool {args.tool}, time scale {args.scale:g}")
    print("\n".join(figures.lines()))


if __name__ == "__main__":
    main()
