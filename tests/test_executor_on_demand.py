"""The MCP server's executor, imported and opened by the first call: one for all calls."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from aacflow_hex.emulator import EmulatorConfig, run_emulator
from aacflow_hex.engine import executor as executor_module
from aacflow_hex.engine.safety import UnsafeBaseURL
from aacflow_hex.surfaces.executor_on_demand import OnDemandExecutor


class CountingExecutor(executor_module.HexExecutor):
    opened: ClassVar[list[CountingExecutor]] = []
    closed: ClassVar[list[CountingExecutor]] = []

    async def __aenter__(self) -> CountingExecutor:
        await super().__aenter__()
        CountingExecutor.opened.append(self)
        return self

    async def aclose(self) -> None:
        CountingExecutor.closed.append(self)
        await super().aclose()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingExecutor]:
    CountingExecutor.opened, CountingExecutor.closed = [], []
    monkeypatch.setattr(executor_module, "HexExecutor", CountingExecutor)
    return CountingExecutor


async def test_calls_at_once_share_one_executor_closed_at_the_end(
    counting: type[CountingExecutor],
) -> None:
    async with run_emulator(EmulatorConfig(port=0)) as emu:
        async with OnDemandExecutor(base_url=emu.base_url, api_key=emu.token) as on_demand:
            assert counting.opened == []  # nothing opened before a call
            calls = [on_demand.execute("hex_list_projects", {"limit": 1}) for _ in range(4)]
            results = await asyncio.gather(*calls)
            assert [r.success for r in results] == [True] * 4
            assert len(counting.opened) == 1
        assert counting.closed == counting.opened


async def test_a_server_without_calls_opens_nothing(counting: type[CountingExecutor]) -> None:
    async with OnDemandExecutor(base_url="https://app.hex.tech/api/v1") as on_demand:
        await on_demand.warm_up()
    assert counting.opened == [] and counting.closed == []


def test_a_bad_base_url_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnsafeBaseURL, match="plain http"):
        OnDemandExecutor(base_url="http://hex.example.com/api/v1")
    monkeypatch.setenv("HEX_API_BASE_URL", "ftp://hex.example.com")
    with pytest.raises(UnsafeBaseURL):
        OnDemandExecutor()


def test_the_stdio_server_module_imports_no_aiohttp() -> None:
    code = (
        "import sys\nfrom aacflow_hex.surfaces import mcp_stdio\n"
        "mcp_stdio.OnDemandExecutor()\nprint('aiohttp' in sys.modules)"
    )
    done: Any = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_warming_up_imports_the_executor_before_any_call() -> None:
    code = (
        "import asyncio, sys\nfrom aacflow_hex.surfaces import mcp_stdio\n"
        "on_demand = mcp_stdio.OnDemandExecutor()\nasyncio.run(on_demand.warm_up())\n"
        "print('aacflow_hex.engine.executor' in sys.modules, 'aiohttp' in sys.modules)"
    )
    done: Any = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True True"
