"""The log of requests an emulator received (Authorization header never recorded)."""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from .faults import relative_path


@dataclass
class RecordedRequest:
    method: str
    path: str  # full path, e.g. /api/v1/projects
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]  # without Authorization
    operation: str | None  # e.g. "GetRunStatus", None for unknown routes
    role: str | None = None  # role of the token's user, None if unauthenticated
    status: int | None = None  # None when the connection was dropped
    at: float = 0.0

    def query_value(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)

    @property
    def rel_path(self) -> str:
        return relative_path(self.path)


class RequestLog:
    """Requests in arrival order; with ``maxlen`` the oldest are forgotten first."""

    def __init__(self, maxlen: int | None = None) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=maxlen)

    def append(self, entry: RecordedRequest) -> None:
        self._entries.append(entry)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> RecordedRequest:
        return self._entries[index]

    def clear(self) -> None:
        self._entries.clear()

    def filter(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
    ) -> list[RecordedRequest]:
        """Entries matching all given criteria; ``path`` is a glob on the path relative
        to /api/v1 (or on the full path when it starts with /api/)."""
        out = []
        for entry in self._entries:
            if method is not None and entry.method != method.upper():
                continue
            if operation is not None and entry.operation != operation:
                continue
            if status is not None and entry.status != status:
                continue
            if path is not None:
                target = entry.path if path.startswith("/api/") else entry.rel_path
                if not fnmatch.fnmatchcase(target, path):
                    continue
            out.append(entry)
        return out

    def count(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
    ) -> int:
        return len(self.filter(method=method, path=path, operation=operation, status=status))
