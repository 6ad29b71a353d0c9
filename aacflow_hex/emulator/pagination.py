"""Keyset cursors (``after``/``before``) and offset pages, independent of HTTP."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
SortKey = tuple[str | int | float, ...]


class CursorError(ValueError):
    """A cursor that was not issued by this list (or is not a cursor at all)."""


def encode_cursor(kind: str, key: SortKey) -> str:
    raw = json.dumps([kind, list(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> SortKey:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("not a cursor") from exc
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or decoded[0] != kind
        or not isinstance(decoded[1], list)
        or not all(isinstance(part, (str, int, float)) for part in decoded[1])
    ):
        raise CursorError("cursor does not belong to this list")
    return tuple(decoded[1])


@dataclass
class CursorPage(Generic[T]):
    items: list[T]
    after: str | None
    before: str | None


def _comes_before(a: SortKey, b: SortKey, descending: bool) -> bool:
    return a > b if descending else a < b


def cursor_page(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    *,
    kind: str,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    descending: bool = False,
) -> CursorPage[T]:
    """One page of ``items`` (already sorted by ``key``, in ``descending`` order).

    ``after`` gives the ``limit`` items that follow the cursor's item, ``before`` the
    ``limit`` items that precede it. Cursors hold the boundary item's sort key, so they stay
    valid when items are added or removed between requests.
    """
    keys = [key(item) for item in items]
    if after is not None:
        boundary = decode_cursor(after, kind)
        start = sum(1 for k in keys if not _comes_before(boundary, k, descending))
        end = min(len(items), start + limit)
    elif before is not None:
        boundary = decode_cursor(before, kind)
        end = sum(1 for k in keys if _comes_before(k, boundary, descending))
        start = max(0, end - limit)
    else:
        start, end = 0, min(len(items), limit)
    page = list(items[start:end])
    next_cursor = encode_cursor(kind, keys[end - 1]) if page and end < len(items) else None
    prev_cursor = encode_cursor(kind, keys[start]) if page and start > 0 else None
    return CursorPage(items=page, after=next_cursor, before=prev_cursor)


@dataclass
class OffsetPage(Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool


def offset_page(items: Sequence[T], *, limit: int, offset: int) -> OffsetPage[T]:
    page = list(items[offset : offset + limit])
    return OffsetPage(items=page, has_next=offset + limit < len(items), has_previous=offset > 0)
