"""Fixtures: an emulator per test (fast to start) and a tiny JSON client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator

from .conformance import SCHEMAS, Recorded, check_reply


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""


class Api:
    """JSON over HTTP against one emulator; ``token=None`` sends no Authorization."""

    def __init__(self, emu: Emulator, session: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.session = session
        self.recorded: list[Recorded] = []  # every answer, checked against the newest spec

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | bool | None = True,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        all_headers = dict(headers or {})
        if token is True:
            all_headers["Authorization"] = f"Bearer {self.emu.token}"
        elif isinstance(token, str):
            all_headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("http") else self.emu.url(path)
        async with self.session.request(
            method, url, params=params, json=json, data=data, headers=all_headers
        ) as resp:
            text = await resp.text()
            self.recorded.append(
                Recorded(
                    method=method,
                    path=resp.url.path.removeprefix("/api/v1"),
                    status=resp.status,
                    text=text,
                    content_type=resp.headers.get("Content-Type", ""),
                    faulted=bool(self.emu.faults.rules),
                )
            )
            try:
                body = await resp.json(content_type=None) if text else None
            except ValueError:
                body = None
            return Reply(resp.status, body, dict(resp.headers), text)

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Reply:
        return await self.call("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> Reply:
        return await self.call("PATCH", path, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.call("DELETE", path, **kw)


def fast_config(**overrides: Any) -> EmulatorConfig:
    """Small, quick runs, no rate limits unless asked for."""
    values: dict[str, Any] = {"run_duration": 0.2, "rate_limits": None}
    values.update(overrides)
    return EmulatorConfig(**values)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(fast_config()) as running:
        yield running


def nonconforming(api: Api) -> list[str]:
    """What the answers ``api`` received break in Hex's newest spec."""
    return [problem for reply in api.recorded for problem in check_reply(reply)[1]]


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[Api]:
    """A client of ``emu``; every answer it got must conform to Hex's newest spec."""
    async with aiohttp.ClientSession() as session:
        client = Api(emu, session)
        yield client
    if SCHEMAS is not None:
        problems = nonconforming(client)
        assert not problems, "\n".join(problems[:10])


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s
