"""Named Python handlers for tools that are more than one request.

A spec with ``handler: NAME`` is run by ``HANDLERS[NAME](ctx, params)``,
which returns the body that the tool's outputs are mapped from, or raises
ToolFailure. Handlers call other tools through ``ctx.execute``, so they get
validation, pacing and retries like any other call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .context import HandlerContext
from .waiting import run_project_and_wait, wait_for_run

Handler = Callable[[HandlerContext, dict[str, Any]], Awaitable[Any]]

HANDLERS: dict[str, Handler] = {
    "wait_for_run": wait_for_run,
    "run_project_and_wait": run_project_and_wait,
}

__all__ = ["HANDLERS", "Handler", "HandlerContext"]
