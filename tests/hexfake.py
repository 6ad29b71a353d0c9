"""A scripted Hex API on 127.0.0.1 that records every request it receives.

Tests tell it what to answer for (method, path) and then check what arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class Received:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    headers: dict[str, str]


class FakeHex:
    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], list[Reply]] = {}
        self.received: list[Received] = []
        self.base_url = ""

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        """Answer (method, path) with these replies in turn; the last one repeats."""
        self.replies[(method, path)] = list(replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        path = request.path.removeprefix("/api/v1")
        self.received.append(
            Received(request.method, path, list(request.query.items()), body, dict(request.headers))
        )
        queue = self.replies.get((request.method, path))
        if not queue:
            return web.json_response({"reason": f"no reply scripted for {path}"}, status=404)
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if isinstance(reply.body, (dict, list)):
            data = json.dumps(reply.body).encode()
        elif isinstance(reply.body, str):
            data = reply.body.encode()
        else:
            data = reply.body or b""
        headers = dict(reply.headers)
        if data:
            headers.setdefault("Content-Type", reply.content_type)
        return web.Response(status=reply.status, body=data, headers=headers)


@asynccontextmanager
async def fake_hex() -> AsyncIterator[FakeHex]:
    fake = FakeHex()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake._handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("/api/v1"))
    try:
        yield fake
    finally:
        await server.close()
