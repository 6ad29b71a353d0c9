"""Cursor-paged list responses (PAGE-T ``values`` / PAGE-N ``<key>``) from a request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

from .errors import bad_request
from .pagination import CursorError, CursorPage, SortKey, cursor_page
from .params import query_cursors, query_limit

T = TypeVar("T")


def paged(
    request: web.Request,
    items: Sequence[T],
    key: Callable[[T], SortKey],
    *,
    kind: str,
    max_limit: int,
    descending: bool = False,
    default_limit: int = 25,
) -> CursorPage[T]:
    """Sort ``items`` by ``key`` and cut the page the request's limit/after/before ask for."""
    limit = query_limit(request, max_limit, default_limit)
    after, before = query_cursors(request)
    ordered = sorted(items, key=key, reverse=descending)
    try:
        return cursor_page(
            ordered,
            key,
            kind=kind,
            limit=limit,
            after=after,
            before=before,
            descending=descending,
        )
    except CursorError as exc:
        raise bad_request(f"Invalid pagination cursor: {exc}") from None


def page_body(
    page: CursorPage[T], render: Callable[[T], Any], key: str = "values"
) -> dict[str, Any]:
    return {
        key: [render(item) for item in page.items],
        "pagination": {"after": page.after, "before": page.before},
    }
