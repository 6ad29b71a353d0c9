"""The pure rules of waiting for a run: final statuses, poll backoff, the summary line."""

from __future__ import annotations

import pytest

from aacflow_hex.engine.handlers.run_status import (
    TERMINAL_STATUSES,
    is_terminal,
    succeeded,
    wait_summary,
)
from aacflow_hex.engine.handlers.waiting import WaitOptions
from aacflow_hex.engine.run_states import is_final_record
from aacflow_hex.spec.registry import load_registry


@pytest.mark.parametrize(
    ("status", "terminal", "success"),
    [
        ("PENDING", False, False),
        ("RUNNING", False, False),
        ("COMPLETED", True, True),
        ("ERRORED", True, False),
        ("KILLED", True, False),
        ("UNABLE_TO_ALLOCATE_KERNEL", True, False),
        ("SOME_FUTURE_STATUS", False, False),  # waits on (until the timeout), never misread
        (None, False, False),
    ],
)
def test_final_statuses_and_success(status: str | None, terminal: bool, success: bool) -> None:
    assert is_terminal(status) is terminal
    assert succeeded(status) is success


@pytest.mark.parametrize(
    ("record", "final"),
    [
        ({"runId": "r", "status": "COMPLETED"}, True),
        ({"runId": "r", "status": "KILLED"}, True),
        ({"runId": "r", "status": "RUNNING"}, False),
        ({"runId": "r"}, False),
        ({"runId": "r", "status": None}, False),
        ({"runId": "r", "status": ["COMPLETED"]}, False),  # not a status at all
        ({"runId": "r", "status": {"COMPLETED": 1}}, False),
    ],
)
def test_only_a_record_in_a_final_status_is_final_for_good(
    record: dict[str, object], final: bool
) -> None:
    assert is_final_record(record) is final


def test_every_hex_status_is_either_active_or_final() -> None:
    enum = load_registry().get("hex_get_project_runs").params["statusFilter"].enum
    assert enum is not None
    assert set(enum) - TERMINAL_STATUSES == {"PENDING", "RUNNING"}


def test_wait_options_take_the_params_and_fall_back_to_defaults() -> None:
    options = WaitOptions.from_params(
        {"timeout": 0, "pollInterval": 0.5, "maxPollInterval": 2, "cancelOnTimeout": True}
    )
    assert options == WaitOptions(
        timeout=0,  # zero is a real value: look once
        poll_interval=0.5,
        cancel_on_timeout=True,
        max_poll_interval=2.0,
    )
    # Without maxPollInterval the watcher paces by the project's run times (None).
    assert WaitOptions.from_params({}) == WaitOptions(
        timeout=3600, poll_interval=5, cancel_on_timeout=False, max_poll_interval=None
    )


@pytest.mark.parametrize(
    ("status", "kwargs", "expected"),
    [
        ("COMPLETED", {}, "ended COMPLETED after 3.0 s of waiting; it succeeded"),
        ("ERRORED", {}, "ended ERRORED after 3.0 s of waiting; it did not succeed"),
        (
            "KILLED",
            {"timed_out": True, "cancelled": True},
            "cancelled the run; Hex now reports KILLED",
        ),
        ("RUNNING", {"timed_out": True}, "the run is still RUNNING and was not cancelled"),
        ("RUNNING", {"timed_out": True, "cancel_error": "403"}, "cancelling the run failed (403)"),
        ("COMPLETED", {"timed_out": True}, "the run has ended COMPLETED"),
        (None, {"timed_out": True}, "the run is still no status and was not cancelled"),
    ],
)
def test_the_summary_says_how_the_wait_ended(
    status: str, kwargs: dict[str, object], expected: str
) -> None:
    args: dict[str, object] = {"timed_out": False, "cancelled": False, "cancel_error": None}
    args.update(kwargs)
    assert expected in wait_summary(status, waited=3.0, **args)  # type: ignore[arg-type]
