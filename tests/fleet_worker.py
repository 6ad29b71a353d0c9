"""One worker of a fleet, run as its own process by the shared-budget tests.

    python fleet_worker.py BASE_URL TOKEN TOOL PARAMS_JSON CALLS SCALE START_AT [REDIS_URL]

Waits until START_AT (a time.time() value, so all workers begin together), makes
CALLS concurrent calls of TOOL with Hex's limits scaled by SCALE, and prints one JSON
line: each call's success and status code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time

from aacflow_hex import HexExecutor
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, scale_rate_limits


async def main(argv: list[str]) -> None:
    base_url, token, tool, params_json, calls, scale, start_at = argv[:7]
    redis_url = argv[7] if len(argv) > 7 else None
    params = json.loads(params_json)
    async with HexExecutor(
        base_url,
        token,
        rate_limits=scale_rate_limits(HEX_RATE_LIMITS, float(scale)),
        redis_url=redis_url,
        timeout=0,
    ) as ex:
        await asyncio.sleep(max(0.0, float(start_at) - time.time()))
        results = await asyncio.gather(*(ex.execute(tool, params) for _ in range(int(calls))))
    print(json.dumps([[r.success, r.status_code] for r in results]))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main(sys.argv[1:]))
