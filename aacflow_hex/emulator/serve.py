"""Run an emulator in the foreground until Ctrl-C or SIGTERM (``aacflow-hex emulator``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from .config import EmulatorConfig
from .server import run_emulator


async def serve_async(config: EmulatorConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # non-Unix
            loop.add_signal_handler(sig, stop.set)
    async with run_emulator(config) as emu:
        print(f"Hex API emulator listening on {emu.base_url}", flush=True)
        # The form every Hex client reads (this package adds /v1 like the others).
        print(f"HEX_API_BASE_URL={emu.api_url}", flush=True)
        print(f"HEX_API_KEY={emu.token}", flush=True)
        for role, token in emu.tokens.items():
            if role != "ADMIN":
                print(f"  {role.lower()} token: {token}", flush=True)
        await stop.wait()


def serve(config: EmulatorConfig) -> None:
    """Blocking: serve until interrupted. Prints the base URL and the admin token."""
    with contextlib.suppress(KeyboardInterrupt):  # when signal handlers are unavailable
        asyncio.run(serve_async(config))
    print("emulator stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":  # pragma: no cover
    serve(EmulatorConfig(port=8765))
