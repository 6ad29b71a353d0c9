"""Reading a list tool's pages: follow Hex's pages until enough items are in.

Hex caps each page (100 or 500 items); a tool's ``limit`` may ask for more,
and local filters (values Hex does not know) may thin a page out. The page
fetcher is passed in, so this module does no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .paging import keep_item, local_filters, next_page_params
from .specs import ToolSpec

HEX_DEFAULT_PAGE_SIZE = 25

FetchPage = Callable[[dict[str, Any]], Awaitable[Any]]


async def fetch_list(spec: ToolSpec, params: dict[str, Any], fetch_page: FetchPage) -> Any:
    """The first page's body with the items of every page read, up to ``limit``."""
    assert spec.request is not None and spec.request.pagination is not None
    pagination = spec.request.pagination
    filters = local_filters(spec.params, params)
    # Without a limit, Hex's own default page is the answer, unless local
    # filters thin it out: then pages are followed to fill a default page.
    wanted = params.get("limit") or (HEX_DEFAULT_PAGE_SIZE if filters else None)
    page_params = dict(params)
    items: list[Any] = []
    seen_pages: set[str] = set()
    while True:
        if wanted is not None:
            page_params["limit"] = min(pagination.max_page_size, max(1, wanted - len(items)))
        body = await fetch_page(page_params)
        page = body.get(pagination.items) if isinstance(body, dict) else None
        if not isinstance(page, list):
            return body  # the output mapping reports what is there
        items.extend(item for item in page if keep_item(item, filters))
        following = next_page_params(pagination, body, page_params)
        if wanted is None or len(items) >= wanted or following is None or not page:
            break
        marker = repr(sorted(following.items()))
        if marker in seen_pages:
            break  # Hex handed back a page already read
        seen_pages.add(marker)
        page_params = following
    if wanted is not None:
        items = items[: int(wanted)]
    return {**body, pagination.items: items}
