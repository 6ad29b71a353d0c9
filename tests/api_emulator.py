"""Shared steps of the end-to-end tests of the whole API (tests/test_api_*_emulator.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from samples import assert_declared_shape

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.emulator import Emulator, EmulatorConfig, Fixtures, run_emulator
from aacflow_hex.engine.results import ToolError
from aacflow_hex.engine.retry import NO_RETRY

REGISTRY = load_registry()
MISSING_ID = "00000000-0000-4000-8000-000000000000"


@asynccontextmanager
async def emulated_hex(**config: Any) -> AsyncIterator[Emulator]:
    """A fresh emulated workspace, without rate limits; threads answer in 0.2 s."""
    settings: dict[str, Any] = {"rate_limits": None, "run_duration": 0.2, **config}
    async with run_emulator(EmulatorConfig(**settings)) as emu:
        yield emu


@asynccontextmanager
async def executor_for(emu: Emulator, role: str = "ADMIN") -> AsyncIterator[HexExecutor]:
    """An executor holding the token of a user with ``role``; no retries, so replies show."""
    token = emu.tokens[role]
    async with HexExecutor(base_url=emu.base_url, api_key=token, retry=NO_RETRY) as ex:
        yield ex


async def call(hex_: HexExecutor, tool_id: str, **params: Any) -> dict[str, Any]:
    """Run a tool that must succeed; its output has every declared key and type."""
    result = await hex_.execute(tool_id, params)
    assert result.success, result.error
    assert_declared_shape(REGISTRY.get(tool_id).outputs, result.output)
    return result.output


async def failure(hex_: HexExecutor, tool_id: str, **params: Any) -> ToolError:
    """Run a tool that must fail after reaching Hex; returns the error."""
    result = await hex_.execute(tool_id, params)
    assert not result.success and result.error is not None, result.output
    assert result.error.kind != "validation", result.error.message
    return result.error


# (tool, params from the fixtures, role of the token, error kind, HTTP status)
Refusal = tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]


def refusal_ids(refusals: list[Refusal]) -> list[str]:
    return [f"{tool}-{role}-{status}" for tool, _, role, _, status in refusals]


async def assert_refused(
    emu: Emulator,
    tool: str,
    params: Callable[[Fixtures], dict[str, Any]],
    role: str,
    kind: str,
    status: int,
) -> ToolError:
    """Hex refuses the call, and the refusal comes back as data of the right kind."""
    async with executor_for(emu, role) as ex:
        error = await failure(ex, tool, **params(emu.fixtures))
    assert (error.kind, error.status_code) == (kind, status), error.message
    return error
