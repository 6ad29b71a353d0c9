"""Fault rules: matching requests to the configured faults, counting ``skip``/``times``."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import FaultKind, FaultRule, MalformedBody

API_PREFIX = "/api/v1"

MALFORMED_BODIES: dict[MalformedBody, tuple[str, str]] = {
    "html": (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        "<body><h1>502 Bad Gateway</h1><p>The upstream server is unavailable.</p></body></html>",
        "text/html",
    ),
    "truncated_json": ('{"values": [{"id": "', "application/json"),
    "text": ("upstream connect error or disconnect/reset before headers", "text/plain"),
    "empty": ("", "application/json"),
}


def relative_path(path: str) -> str:
    return path[len(API_PREFIX) :] or "/" if path.startswith(API_PREFIX) else path


@dataclass
class _Armed:
    rule: FaultRule
    seen: int = 0
    fired: int = 0
    pattern: re.Pattern[str] | None = field(default=None)

    def matches(self, method: str, path: str) -> bool:
        rule = self.rule
        if rule.method != "*" and rule.method.upper() != method.upper():
            return False
        target = path if rule.path.startswith("/api/") else relative_path(path)
        if rule.regex:
            assert self.pattern is not None
            return self.pattern.fullmatch(target) is not None
        return fnmatch.fnmatchcase(target, rule.path)

    @property
    def exhausted(self) -> bool:
        return self.rule.times is not None and self.fired >= self.rule.times


VALID_KINDS: frozenset[FaultKind] = frozenset(
    {"status", "latency", "drop_before", "drop_after", "malformed"}
)


class FaultSet:
    """The active fault rules of one emulator; the first matching live rule fires."""

    def __init__(self, rules: Iterable[FaultRule] = ()) -> None:
        self._armed: list[_Armed] = []
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> FaultRule:
        if rule.kind not in VALID_KINDS:
            raise ValueError(f"unknown fault kind {rule.kind!r}")
        pattern = re.compile(rule.path) if rule.regex else None
        self._armed.append(_Armed(rule, pattern=pattern))
        return rule

    def remove(self, rule: FaultRule) -> None:
        self._armed = [armed for armed in self._armed if armed.rule is not rule]

    def clear(self) -> None:
        self._armed.clear()

    @property
    def rules(self) -> list[FaultRule]:
        return [armed.rule for armed in self._armed]

    def fired(self, rule: FaultRule) -> int:
        """How many times ``rule`` has fired so far."""
        return next((a.fired for a in self._armed if a.rule is rule), 0)

    def match(self, method: str, path: str) -> FaultRule | None:
        for armed in self._armed:
            if armed.exhausted or not armed.matches(method, path):
                continue
            armed.seen += 1
            if armed.seen <= armed.rule.skip:
                continue
            armed.fired += 1
            return armed.rule
        return None
