"""What a tool call returns: a ToolResult, with a ToolError when it failed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ErrorKind = Literal[
    "validation",
    "auth",
    "permission",
    "not_found",
    "rate_limited",
    "invalid_request",
    "server",
    "timeout",
    "transport",
    "invalid_response",
]


class ToolError(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ErrorKind
    message: str
    status_code: int | None = None
    trace_id: str | None = None
    retry_after: float | None = None


class Timing(BaseModel):
    model_config = ConfigDict(frozen=True)

    elapsed_ms: float = 0.0
    attempts: int = 0
    requests: int = 0


class ToolResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tool_id: str
    success: bool
    output: dict[str, Any] = Field(default_factory=dict)
    error: ToolError | None = None
    status_code: int | None = None
    timing: Timing = Timing()


class ToolFailure(Exception):
    """Raised inside the pipeline to end a call with ``error``; never escapes execute()."""

    def __init__(self, error: ToolError) -> None:
        super().__init__(error.message)
        self.error = error
