"""Keep secrets out of messages, logs and outputs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_BEARER_START = r"(?i:bearer\s)"  # where _BEARER can match
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary text


class Redactor:
    def __init__(self, secrets: Iterable[str | None]) -> None:
        found = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted(found, key=len, reverse=True)
        # One search says whether a string needs masking at all; almost none does, and
        # outputs (a page of projects) hold thousands of strings.
        self._needle = re.compile("|".join([*map(re.escape, self._secrets), _BEARER_START]))

    def text(self, value: str) -> str:
        if self._needle.search(value) is None:
            return value
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return _BEARER.sub(r"\1" + MASK, value)

    def value(self, data: Any) -> Any:
        """A deep copy of ``data`` with every string redacted."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: self.value(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.value(v) for v in data]
        return data
