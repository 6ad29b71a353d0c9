"""Starting an emulator in-process, and the handle tests use to steer and inspect it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from aiohttp import web

from .app import build_app
from .config import EmulatorConfig, FaultRule, RateLimit
from .faults import FaultSet
from .ratelimit import RateLimiter, merge_limits
from .requestlog import RequestLog
from .runtime import EmulatorState
from .state.models import Run, RunOutcome
from .state.store import Fixtures, Workspace


class Emulator:
    """A running emulator. See the package docstring for the full tour."""

    def __init__(self, state: EmulatorState, host: str, port: int) -> None:
        self._state = state
        self.host = host
        self.port = port
        # base_url is this package's form; api_url is Hex's spec server (clients that
        # follow the spec, and read HEX_API_BASE_URL as it, add /v1 themselves).
        self.api_url = f"http://{host}:{port}/api"
        self.base_url = f"{self.api_url}/v1"
        state.base_url = self.base_url

    @property
    def config(self) -> EmulatorConfig:
        return self._state.config

    @property
    def token(self) -> str:
        """The ADMIN user's token (``config.token``)."""
        return self._state.config.token

    @property
    def tokens(self) -> Mapping[str, str]:
        """Role -> token for ADMIN, MANAGER, EDITOR, EXPLORER, MEMBER, GUEST."""
        return dict(self._state.tokens)

    @property
    def workspace_token(self) -> str:
        """A workspace token: admin rights, no user (``/users/me`` answers ``{org, token}``)."""
        return self._state.workspace_token

    @property
    def workspace(self) -> Workspace:
        return self._state.workspace

    @property
    def fixtures(self) -> Fixtures:
        return self._state.workspace.fx

    @property
    def requests(self) -> RequestLog:
        return self._state.requests

    @property
    def faults(self) -> FaultSet:
        return self._state.faults

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._state.limiter

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (relative to /api/v1)."""
        return self._state.url(path)

    def now(self) -> float:
        return self._state.now()

    def runs_started(self, project_id: str) -> int:
        """Runs started through RunProject (current or legacy path), dry runs excluded."""
        return self._state.api_runs_started[project_id]

    def total_runs_started(self) -> int:
        return sum(self._state.api_runs_started.values())

    def get_run(self, run_id: str) -> Run | None:
        return self._state.workspace.runs.get(run_id)

    def set_run_duration(self, seconds: float) -> None:
        """Duration of runs started from now on."""
        self._state.run_duration = seconds

    def set_run_outcome(self, project_id: str, outcome: RunOutcome) -> None:
        """How runs of ``project_id`` started from now on end."""
        self._state.project(project_id).run_outcome = outcome

    def set_rate_limits(
        self, limits: Mapping[str, RateLimit | None] | None, scale: float | None = None
    ) -> None:
        """Replace the limits (same merge rules as the config) and forget past requests."""
        self._state.limiter.configure(merge_limits(limits), scale)

    def add_fault(self, rule: FaultRule) -> FaultRule:
        return self._state.faults.add(rule)


@asynccontextmanager
async def run_emulator(config: EmulatorConfig | None = None) -> AsyncIterator[Emulator]:
    """Serve an emulator on ``config.host:config.port`` (0 = a free port) for the block."""
    config = config or EmulatorConfig()
    state = EmulatorState(config)
    runner = web.AppRunner(
        build_app(state), access_log=None, handle_signals=False, shutdown_timeout=0.5
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        port = int(runner.addresses[0][1])
        yield Emulator(state, config.host, port)
    finally:
        await runner.cleanup()
