"""Following Hex's list pages: cursors (``after``) and offsets (``nextPage``). Pure."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..spec.specs import PaginationSpec, ParamSpec

# Body fields that name one item, in the order they are tried (a run has no ``id``).
_IDENTITY_FIELDS = ("id", "runId")


def next_page_params(
    pagination: PaginationSpec, body: Any, params: dict[str, Any]
) -> dict[str, Any] | None:
    """The params of the page after ``body``, or None on the last page."""
    if not isinstance(body, dict):
        return None
    if pagination.style == "cursor":
        # A walk that started with `before` reads backwards: the page before this one.
        direction, other = ("before", "after") if params.get("before") else ("after", "before")
        facts = body.get("pagination")
        cursor = facts.get(direction) if isinstance(facts, dict) else None
        if not isinstance(cursor, str) or not cursor:
            return None
        return {**{k: v for k, v in params.items() if k != other}, direction: cursor}
    next_url = body.get("nextPage")
    if not next_url:
        return None
    offsets = parse_qs(urlsplit(str(next_url)).query).get("offset")
    if offsets and offsets[0].isascii() and offsets[0].isdigit():  # not "²" or other digits
        offset = int(offsets[0])
    else:
        items = body.get(pagination.items)
        offset = int(params.get("offset", 0)) + (len(items) if isinstance(items, list) else 0)
    return {**params, "offset": offset}


def page_position(pagination: PaginationSpec, params: dict[str, Any]) -> str:
    """Where in the list a page starts: its cursor or offset (never a secret)."""
    if pagination.style == "cursor":
        for direction in ("after", "before"):
            if params.get(direction):
                return f"{direction}={params[direction]}"
        return "the first page"
    return f"offset={int(params.get('offset') or 0)}"


def item_identity(item: Any) -> str:
    """A key that is equal for the same item seen on two pages."""
    if isinstance(item, dict):
        for name in _IDENTITY_FIELDS:
            value = item.get(name)
            if isinstance(value, str) and value:
                return f"{name}:{value}"
    return "item:" + json.dumps(item, sort_keys=True, default=str)


def keep_item(item: Any, filters: list[tuple[str | None, bool]]) -> bool:
    """Whether ``item`` passes every local filter (field, must be present)."""
    for field, present in filters:
        if field is None:
            continue
        has_value = isinstance(item, dict) and item.get(field) is not None
        if has_value != present:
            return False
    return True


def local_filters(
    params_spec: dict[str, ParamSpec], params: dict[str, Any]
) -> list[tuple[str | None, bool]]:
    """The local filters chosen by the given params (values the API does not know)."""
    chosen = []
    for name, param in params_spec.items():
        value = params.get(name)
        if isinstance(value, str) and value in param.local_filters:
            rule = param.local_filters[value]
            chosen.append((rule.field, rule.present))
    return chosen
