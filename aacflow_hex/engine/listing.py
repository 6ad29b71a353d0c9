"""Reading a list tool's pages: one page, ``limit`` items, or every page (``fetchAll``).

Hex caps each page (100 or 500 items); a tool's ``limit`` may ask for more, local
filters (values Hex does not know) may thin a page out, and ``fetchAll`` follows pages
to the end, up to ``maxItems``. Each page asks for no more items than are still wanted,
so the last page's cursor (or offset) continues exactly where the result stops; with a
local filter the pages after the first are full ones (fewer requests), and the cursor
continues after the last page read. A walk that starts at ``before`` reads backwards and
never past its cursor. Each item is returned once, as last seen, even when Hex repeats
it on a later page; a cursor or offset seen twice ends the walk with an error instead of
reading forever. The page fetcher is passed in, so this module does no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..spec.specs import PaginationSpec, ToolSpec
from .paging import item_identity, keep_item, local_filters, next_page_params, page_position
from .results import ToolError, ToolFailure

HEX_DEFAULT_PAGE_SIZE = 25
DEFAULT_MAX_ITEMS = 10_000
# The walk's own facts, set beside Hex's body keys; outputs read them by this path.
PAGING_KEY = "_paging"

# Failures that end a walk with the pages read so far (and the cursor to read on)
# instead of nothing: the token's budget or the call's time ran out.
_STOPS_A_WALK = frozenset({"rate_limited", "timeout"})

FetchPage = Callable[[dict[str, Any]], Awaitable[Any]]


def items_wanted(params: dict[str, Any], filtered: bool) -> int | None:
    """How many items the call returns; None: Hex's own first page, as it comes."""
    if params.get("fetchAll") is True:
        return int(params.get("maxItems") or DEFAULT_MAX_ITEMS)
    limit = params.get("limit")
    if limit:
        return int(limit)
    # Local filters thin a page out; then pages are followed to fill a default page.
    return HEX_DEFAULT_PAGE_SIZE if filtered else None


def _stale_page_error(spec: ToolSpec, position: str, items: int, pages: int) -> ToolFailure:
    return ToolFailure(
        ToolError(
            kind="invalid_response",
            message=(
                f"Hex's page at {position} held only items of earlier pages while {spec.id} "
                f"was reading page {pages} ({items} items so far); stopped so as not to read "
                "in a loop. Try again later, or read fewer items with limit."
            ),
        )
    )


def _loop_error(spec: ToolSpec, position: str, items: int, pages: int) -> ToolFailure:
    return ToolFailure(
        ToolError(
            kind="invalid_response",
            message=(
                f"Hex sent the page at {position} again while {spec.id} was reading page "
                f"{pages + 1} ({items} items so far); stopped so as not to read in a loop. "
                "Try again later, or read fewer items with limit."
            ),
        )
    )


async def fetch_list(spec: ToolSpec, params: dict[str, Any], fetch_page: FetchPage) -> Any:
    """The last page's body with the items of every page read, and ``PAGING_KEY`` facts."""
    assert spec.request is not None and spec.request.pagination is not None
    pagination: PaginationSpec = spec.request.pagination
    filters = local_filters(spec.params, params)
    wanted = items_wanted(params, bool(filters))
    page_params = dict(params)
    items: list[Any] = []
    seen_items: set[str] = set()
    newer: dict[str, Any] = {}  # an item's identity -> its copy on a later page
    visited = {page_position(pagination, page_params)}
    pages = 0
    backward = pagination.style == "cursor" and bool(params.get("before"))
    first_body: Any = None
    stopped = False  # by pacing or the call's deadline, with pages still to read
    following: dict[str, Any] | None = None
    while True:
        if wanted is not None:
            missing = max(1, wanted - len(items))
            # A local filter thins pages out by an unknown share: after the first page,
            # full pages reach `limit` in the fewest requests.
            size = pagination.max_page_size if filters and pages else missing
            page_params["limit"] = min(pagination.max_page_size, size)
        try:
            page_body = await fetch_page(page_params)
        except ToolFailure as exc:
            if pages == 0 or exc.error.kind not in _STOPS_A_WALK:
                raise
            following, stopped = page_params, True  # what was read, and where to read on
            break
        body = page_body
        if first_body is None:
            first_body = body
        pages += 1
        page = body.get(pagination.items) if isinstance(body, dict) else None
        if not isinstance(page, list):
            return body  # the output mapping reports what is there
        # Items of earlier pages are not added again: offsets shift when runs start while
        # a list is read, so a page can repeat the last items of the one before. The later
        # copy is kept to replace the earlier one (a run's newer status). Within a page,
        # items are passed on as Hex sent them.
        identities = [item_identity(item) for item in page]
        kept = []
        for item, identity in zip(page, identities, strict=True):
            if keep_item(item, filters):
                if identity not in seen_items:
                    kept.append(item)
                else:
                    newer[identity] = item
        if page and seen_items.issuperset(identities):
            raise _stale_page_error(spec, page_position(pagination, page_params), len(items), pages)
        # Backwards, each page holds the items before the ones already read.
        items = kept + items if backward else items + kept
        seen_items.update(identities)
        following = next_page_params(pagination, body, page_params) if page else None
        if following is None or wanted is None or len(items) >= wanted:
            break
        position = page_position(pagination, following)
        if position in visited:
            raise _loop_error(spec, position, len(items), pages)
        visited.add(position)
        page_params = following
    if newer:
        items = [newer.get(item_identity(item), item) for item in items]
    if wanted is not None and len(items) > wanted:
        # Only when Hex (or a filtered full page) sent more than wanted; backwards, the
        # items nearest the cursor stay.
        items = items[-wanted:] if backward else items[:wanted]
    more = following is not None
    facts = {
        "truncated": (params.get("fetchAll") is True or stopped) and more,
        "nextOffset": (
            following["offset"] if following is not None and pagination.style == "offset" else None
        ),
        "pages": pages,
    }
    if backward and isinstance(first_body, dict) and first_body is not body:
        # The items run from the last page read up to the first: its cursors bound them.
        first_facts, last_facts = first_body.get("pagination"), body.get("pagination")
        after = first_facts.get("after") if isinstance(first_facts, dict) else None
        last = last_facts if isinstance(last_facts, dict) else {}
        body = {**body, "pagination": {**last, "after": after}}
    return {**body, pagination.items: items, PAGING_KEY: facts}
