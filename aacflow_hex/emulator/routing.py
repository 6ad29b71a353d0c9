"""Route declarations: each endpoint with its operation id, error family, rate-limit group
and the minimum role that may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from .errors import Family

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Higher rank = more rights. EMBEDDED_USER and ANONYMOUS cannot hold API tokens here.
ROLE_RANK: dict[str, int] = {
    "ANONYMOUS": 0,
    "EMBEDDED_USER": 1,
    "GUEST": 2,
    "MEMBER": 3,
    "EXPLORER": 4,
    "EDITOR": 5,
    "MANAGER": 6,
    "ADMIN": 7,
}


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # relative to /api/v1
    handler: Handler
    operation: str
    family: Family
    group: str | None  # rate-limit group
    min_role: str


class RouteTable:
    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        op: str,
        family: Family,
        group: str | None = "hex-api",
        min_role: str = "GUEST",
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, handler, op, family, group, min_role))
            return handler

        return register
