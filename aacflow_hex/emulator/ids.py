"""Deterministic uuid4-shaped identifiers and timestamp formatting."""

from __future__ import annotations

import functools
import random
import re
import uuid
from datetime import datetime, timezone

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def uuid4_from(rng: random.Random) -> str:
    """A version-4, RFC 4122 variant UUID drawn from ``rng`` (so seeds reproduce it)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


@functools.lru_cache(maxsize=8192)  # a page of projects formats the same few hundred times
def iso(ts: float | None) -> str | None:
    """ISO 8601 UTC with milliseconds and a ``Z`` suffix, as Hex writes timestamps."""
    if ts is None:
        return None
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
