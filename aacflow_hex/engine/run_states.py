"""Hex's run statuses: which are on the way and which are final.

PENDING and RUNNING are on the way; COMPLETED, ERRORED, KILLED and
UNABLE_TO_ALLOCATE_KERNEL are final (statuses only move forward, so a run seen in a
final status stays in it). A status Hex may add later counts as not final.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TERMINAL_STATUSES = frozenset({"COMPLETED", "ERRORED", "KILLED", "UNABLE_TO_ALLOCATE_KERNEL"})


def is_terminal(status: str | None) -> bool:
    return status in TERMINAL_STATUSES


def is_final_record(record: Mapping[str, Any]) -> bool:
    """A run record whose status is final: true of it for good."""
    status = record.get("status")
    return isinstance(status, str) and is_terminal(status)
