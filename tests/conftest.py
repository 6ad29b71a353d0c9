from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# First: the parsed-spec cache goes to a temporary folder, removed at the end of the run.
import tempcache
from api_emulator import emulated_hex, executor_for
from hexfake import FakeHex, fake_hex

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator
from aacflow_hex.engine import executor as executor_module
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY

TOKEN = "hxtp_fake_token_0123456789abcdef"


def pytest_unconfigure(config: pytest.Config) -> None:
    tempcache.remove()


@pytest.fixture(autouse=True)
def own_process_limiter(monkeypatch: pytest.MonkeyPatch) -> RateLimiter:
    """Each test gets its own process-wide rate limiter.

    Servers of different tests may get the same port, and emulator tokens are
    fixed, so the real process-wide limiter could carry one test's budget into
    another's lane.
    """
    limiter = RateLimiter()
    monkeypatch.setattr(executor_module, "default_rate_limiter", lambda: limiter)
    return limiter


@pytest.fixture
async def hex_api() -> AsyncIterator[FakeHex]:
    async with fake_hex() as fake:
        yield fake


@pytest.fixture
async def executor(hex_api: FakeHex) -> AsyncIterator[HexExecutor]:
    """An executor on the fake Hex, without retries so each reply is seen as it is."""
    async with HexExecutor(base_url=hex_api.base_url, api_key=TOKEN, retry=NO_RETRY) as ex:
        yield ex


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A fresh emulated workspace without rate limits; runs finish in 0.2 s."""
    async with emulated_hex() as emulator:
        yield emulator


@pytest.fixture
async def hex_(emu: Emulator) -> AsyncIterator[HexExecutor]:
    """An executor on ``emu`` with the admin token, without retries so replies show."""
    async with executor_for(emu) as ex:
        yield ex
