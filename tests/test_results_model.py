"""What a tool call returns, as a caller handles it: immutable values, JSON as they are."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aacflow_hex import ToolResult
from aacflow_hex.engine.results import ToolError, ToolFailure


def test_a_result_its_error_and_its_timing_cannot_be_changed_after_the_call() -> None:
    error = ToolError(kind="server", message="down")
    result = ToolResult(tool_id="hex_get_project", success=False, error=error)
    with pytest.raises(ValidationError):
        result.success = True  # type: ignore[misc]
    with pytest.raises(ValidationError):
        error.message = "fine"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        result.timing.requests = 3  # type: ignore[misc]
    assert result.success is False and error.message == "down"


def test_a_result_made_without_a_request_reports_no_time_and_nothing_sent() -> None:
    """What a surface returns for a call it refused itself (an unknown tool, a shutdown)."""
    result = ToolResult(tool_id="hex_get_project", success=False)
    assert result.model_dump(mode="json") == {
        "tool_id": "hex_get_project",
        "success": False,
        "output": {},
        "error": None,
        "status_code": None,
        "timing": {"elapsed_ms": 0.0, "attempts": 0, "requests": 0},
    }


def test_a_tool_failure_reads_as_its_error_message_in_a_traceback() -> None:
    failure = ToolFailure(ToolError(kind="timeout", message="hex_get_project ran out of its 1 s"))
    assert str(failure) == "hex_get_project ran out of its 1 s"
    assert failure.error.kind == "timeout"
