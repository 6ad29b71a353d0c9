"""The mutable state of one running emulator, shared by its middleware and handlers."""

from __future__ import annotations

import json
import random
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .config import EmulatorConfig
from .errors import ApiError, not_found
from .faults import API_PREFIX, FaultSet
from .ids import uuid4_from
from .ratelimit import RateLimiter, merge_limits
from .requestlog import RecordedRequest, RequestLog
from .routing import RouteSpec
from .seed import TOKEN_ROLES, build_workspace, role_token
from .state.models import Project, Run, User
from .state.store import Workspace


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.started_at = self.clock()
        self.workspace: Workspace = build_workspace(config, self.started_at)
        # Ids minted at runtime (runs, traces) come from their own seeded stream.
        self.rng = random.Random(f"runtime-{config.seed}")
        self.run_duration = config.run_duration
        self.limiter = RateLimiter(merge_limits(config.rate_limits), config.rate_limit_scale)
        self.faults = FaultSet(config.faults)
        self.requests = RequestLog(config.max_logged_requests)
        self.routes: dict[str, RouteSpec] = {}
        self.base_url = ""
        self.tokens: dict[str, str] = {role: role_token(config, role) for role in TOKEN_ROLES}
        fx = self.workspace.fx
        self.token_users: dict[str, str] = {
            token: fx.token_user_ids[role] for role, token in self.tokens.items()
        }
        self.api_runs_started: Counter[str] = Counter()
        # A workspace token acts for the workspace, not for a user: admin rights, and
        # /users/me answers {org, token} only. Its stand-in is never listed.
        self.workspace_token = f"hexemu-workspace-token-{config.seed}"
        self.workspace_token_user = User(
            id=uuid4_from(random.Random(f"workspace-token-{config.seed}")),
            name=None,
            email=f"workspace-token@{self.workspace.name}.hex.invalid",
            role="ADMIN",
            last_login=None,
            workspace_token=True,
        )

    def now(self) -> float:
        return self.clock()

    def new_id(self) -> str:
        return uuid4_from(self.rng)

    def user_for_token(self, token: str) -> User | None:
        if token == self.workspace_token:
            return self.workspace_token_user
        user_id = self.token_users.get(token)
        user = self.workspace.users.get(user_id) if user_id else None
        return user if user is not None and user.active else None

    def project(self, project_id: str) -> Project:
        project = self.workspace.projects.get(project_id)
        if project is None:
            raise not_found("Project", project_id)
        return project

    def run_of(self, project_id: str, run_id: str) -> Run:
        self.project(project_id)
        run = self.workspace.runs.get(run_id)
        if run is None or run.project_id != project_id:
            raise not_found("Run", run_id)
        return run

    def url(self, path: str) -> str:
        """An absolute URL of ``path`` (relative to /api/v1).

        While a request is handled, on the origin that request named (its Host and
        scheme), so links work behind a proxy or on another port; else on ``base_url``.
        """
        context = _REQUEST_CONTEXT.get(None)
        if context is not None and context.origin:
            return f"{context.origin}{API_PREFIX}{path}"
        return f"{self.base_url}{path}"

    def run_url(self, project_id: str, run_id: str) -> str:
        ws = self.workspace.name
        return f"https://app.hex.tech/{ws}/hex/{project_id}/draft/logic?runId={run_id}"


STATE_KEY: web.AppKey[EmulatorState] = web.AppKey("emulator_state", EmulatorState)


@dataclass
class RequestContext:
    """What the middleware learnt about the request being handled."""

    trace_id: str
    entry: RecordedRequest
    user: User | None = None
    origin: str = ""  # "scheme://host[:port]" the client used, for absolute URLs


# Per-request (per-task) context: the middleware sets it before calling the handler, in the
# same task, so it never leaks between requests or between emulator instances. A ContextVar
# instead of request[...] storage keeps this independent of the aiohttp version's key types.
_REQUEST_CONTEXT: ContextVar[RequestContext] = ContextVar("hex_emulator_request")


def request_origin(request: web.Request) -> str:
    """``scheme://host`` as the client addressed it (a proxy may say so in X-Forwarded-*)."""
    scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
    return f"{scheme or request.scheme}://{host or request.host}"


def set_context(context: RequestContext) -> None:
    _REQUEST_CONTEXT.set(context)


def context_of(request: web.Request) -> RequestContext:
    return _REQUEST_CONTEXT.get()


def state_of(request: web.Request) -> EmulatorState:
    return request.app[STATE_KEY]


def user_of(request: web.Request) -> User:
    user = context_of(request).user
    if user is None:  # only reachable from a route that skipped authentication
        raise ApiError(401, "Not authenticated")
    return user


def trace_of(request: web.Request) -> str:
    return context_of(request).trace_id


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def json_ok(data: Any, status: int = 200) -> web.Response:
    """A JSON answer without the optional spaces: smaller pages to send and to read."""
    return web.json_response(data, status=status, dumps=_compact)
