"""Configuration of one emulator instance (plain data, no behaviour)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_TOKEN = "hexemu-admin-token-0000"

FaultKind = Literal["status", "latency", "drop_before", "drop_after", "malformed"]
MalformedBody = Literal["html", "truncated_json", "text", "empty"]


@dataclass(frozen=True)
class RateLimit:
    """Limits for one rate-limit group, per token. ``None`` means no limit for that window."""

    per_minute: int | None = None
    per_hour: int | None = None


# Hex's published limits (see docs/emulator.md, "Rate limits").
HEX_RATE_LIMITS: Mapping[str, RateLimit] = {
    "hex-api": RateLimit(per_minute=30, per_hour=1800),
    "hex-api-30rpm": RateLimit(per_minute=30),
    "hex-run-kernel": RateLimit(per_minute=20, per_hour=60),
    "hex-chart-image": RateLimit(per_minute=20),
}


@dataclass
class FaultRule:
    """One injected fault.

    ``path`` is a glob (``fnmatch``, ``*`` also crosses ``/``) or, with ``regex=True``, a
    regular expression searched with ``re.fullmatch``. It is matched against the request path
    relative to ``/api/v1`` (``/projects/*/runs``); a pattern starting with ``/api/`` is
    matched against the full path instead. ``method`` is an HTTP method or ``*``.

    Kinds:
      - ``status``: answer ``status`` (default 503) without running the handler; the body is an
        error in the endpoint's family, or ``body`` (``html``/``text``/...) when given.
        ``retry_after`` adds a ``Retry-After`` header.
      - ``latency``: sleep ``latency`` seconds, then answer normally.
      - ``drop_before``: close the connection before the handler runs (nothing happened).
      - ``drop_after``: run the handler (state changes, e.g. a run starts), then close the
        connection without sending the response.
      - ``malformed``: run the handler, then replace its body by ``body`` (default
        ``truncated_json``); the status is the handler's unless ``status`` is set.

    ``latency`` (seconds) is applied before any kind. ``skip`` lets that many matching
    requests through first; ``times`` is how often the rule fires (``None`` = always).
    """

    kind: FaultKind
    path: str = "*"
    method: str = "*"
    status: int | None = None
    retry_after: float | None = None
    latency: float = 0.0
    body: MalformedBody | None = None
    times: int | None = None
    skip: int = 0
    regex: bool = False


@dataclass
class EmulatorConfig:
    """Everything that shapes one emulator instance.

    ``rate_limits`` maps a group name to a :class:`RateLimit` (or ``None`` = unlimited group);
    groups not mentioned keep Hex's limits (``HEX_RATE_LIMITS``). ``rate_limits=None`` turns
    limiting off. ``rate_limit_scale`` multiplies the window lengths: ``1/60`` makes a
    "minute" last one second (Hex's limits per second instead of per minute).
    """

    host: str = "127.0.0.1"
    port: int = 0
    token: str = DEFAULT_TOKEN
    seed: int = 0
    workspace_name: str = "emulated-workspace"
    projects: int = 320
    users: int = 40
    groups: int = 8
    collections: int = 12
    data_connections: int = 10
    runs_per_project: int = 3
    runs_for_big_project: int = 1050
    run_duration: float = 2.0
    pending_fraction: float = 0.2
    rate_limits: Mapping[str, RateLimit | None] | None = field(
        default_factory=lambda: dict(HEX_RATE_LIMITS)
    )
    rate_limit_scale: float = 1.0
    fractional_retry_after: bool = False
    operation_groups: Mapping[str, str | None] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    log_requests: bool = True
    max_logged_requests: int | None = 100_000
