"""serve(): a foreground emulator that prints its URL and token and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = (
    "from aacflow_hex.emulator import EmulatorConfig\n"
    "from aacflow_hex.emulator.serve import serve\n"
    "serve(EmulatorConfig(port=0, token='cli-token', seed=3))\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")
async def test_serve_prints_url_and_token_and_stops_on_sigterm() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        base_url = lines[1].strip().removeprefix("HEX_API_BASE_URL=")
        # Hex's spec server form: clients that follow the spec add /v1 themselves.
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api")
        assert lines[2].strip() == "HEX_API_KEY=cli-token"
        async with aiohttp.ClientSession() as s:
            headers = {"Authorization": "Bearer cli-token"}
            async with s.get(f"{base_url}/v1/users/me", headers=headers) as resp:
                assert resp.status == 200
            async with s.get(f"{base_url}/users/me", headers=headers) as resp:
                assert resp.status == 404
                assert f"{base_url}/v1" in (await resp.json())["reason"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
