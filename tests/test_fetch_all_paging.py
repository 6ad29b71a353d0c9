"""Following pages without a server: cursors, offsets, fetchAll's cap and loop detection."""

from __future__ import annotations

from typing import Any

import pytest

from aacflow_hex.engine.listing import PAGING_KEY, fetch_list, items_wanted
from aacflow_hex.engine.paging import item_identity, next_page_params, page_position
from aacflow_hex.engine.results import ToolError, ToolFailure
from aacflow_hex.spec.registry import load_registry

USERS = load_registry().get("hex_list_users")  # cursor pages of up to 500
RUNS = load_registry().get("hex_get_project_runs")  # offset pages of up to 100
PROJECTS = load_registry().get("hex_list_projects")  # cursor pages, local filters


def user(n: int) -> dict[str, Any]:
    return {"id": f"u{n:05d}", "email": f"u{n}@example.com"}


class CursorList:
    """Hex-like cursor pages over ``items``; records the params of every page asked for."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.asked: list[dict[str, Any]] = []

    async def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(dict(params))
        limit = int(params.get("limit") or 25)
        if params.get("before"):
            end = int(params["before"][1:])
            start = max(0, end - limit)
        else:
            start = int(params["after"][1:]) if params.get("after") else 0
            end = min(len(self.items), start + limit)
        after = f"c{end}" if end < len(self.items) else None
        before = f"c{start}" if start else None
        return {"values": self.items[start:end], "pagination": {"after": after, "before": before}}


class OffsetList:
    def __init__(self, count: int) -> None:
        self.runs = [{"runId": f"r{n:05d}", "status": "COMPLETED"} for n in range(count)]
        self.asked: list[dict[str, Any]] = []

    async def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(dict(params))
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 25)
        more = offset + limit < len(self.runs)
        next_url = f"https://hex/api/v1/projects/p/runs?limit={limit}&offset={offset + limit}"
        return {"runs": self.runs[offset : offset + limit], "nextPage": next_url if more else None}


def ids(body: dict[str, Any], key: str = "values", field: str = "id") -> list[str]:
    return [item[field] for item in body[key]]


async def test_fetch_all_reads_every_cursor_page_once_with_the_largest_pages() -> None:
    hex_list = CursorList([user(n) for n in range(1234)])
    body = await fetch_list(USERS, {"fetchAll": True, "maxItems": 10_000}, hex_list)
    assert ids(body) == [f"u{n:05d}" for n in range(1234)]
    assert [p["limit"] for p in hex_list.asked] == [500, 500, 500]
    assert body["pagination"]["after"] is None
    assert body[PAGING_KEY]["truncated"] is False and body[PAGING_KEY]["pages"] == 3


async def test_the_cap_stops_the_walk_and_the_cursor_continues_exactly_there() -> None:
    hex_list = CursorList([user(n) for n in range(1234)])
    first = await fetch_list(USERS, {"fetchAll": True, "maxItems": 700}, hex_list)
    assert len(first["values"]) == 700
    assert [p["limit"] for p in hex_list.asked] == [500, 200]  # never more than still wanted
    assert first[PAGING_KEY]["truncated"] is True
    rest = await fetch_list(
        USERS, {"fetchAll": True, "after": first["pagination"]["after"]}, hex_list
    )
    assert ids(first) + ids(rest) == [f"u{n:05d}" for n in range(1234)]
    assert rest[PAGING_KEY]["truncated"] is False


async def test_offset_pages_follow_next_page_and_report_the_next_offset() -> None:
    hex_list = OffsetList(1050)
    body = await fetch_list(RUNS, {"fetchAll": True, "maxItems": 1000}, hex_list)
    assert ids(body, "runs", "runId") == [f"r{n:05d}" for n in range(1000)]
    assert [p.get("offset", 0) for p in hex_list.asked] == list(range(0, 1000, 100))
    assert body[PAGING_KEY] == {"truncated": True, "nextOffset": 1000, "pages": 10}
    rest = await fetch_list(RUNS, {"fetchAll": True, "offset": 1000}, hex_list)
    assert ids(rest, "runs", "runId") == [f"r{n:05d}" for n in range(1000, 1050)]
    assert rest[PAGING_KEY]["nextOffset"] is None and rest["nextPage"] is None


async def test_one_page_without_fetch_all_tells_where_the_next_one_starts() -> None:
    body = await fetch_list(RUNS, {}, OffsetList(60))
    assert len(body["runs"]) == 25
    assert body[PAGING_KEY] == {"truncated": False, "nextOffset": 25, "pages": 1}


async def test_an_item_repeated_on_a_later_page_is_returned_once() -> None:
    async def shifting(params: dict[str, Any]) -> dict[str, Any]:
        # A run started between the two reads shifts the offsets by one.
        if not params.get("offset"):
            return {"runs": [{"runId": "a"}, {"runId": "b"}], "nextPage": "x?offset=2"}
        return {"runs": [{"runId": "b"}, {"runId": "c"}], "nextPage": None}

    body = await fetch_list(RUNS, {"fetchAll": True}, shifting)
    assert ids(body, "runs", "runId") == ["a", "b", "c"]


async def test_a_cursor_seen_twice_ends_the_walk_with_a_clear_error() -> None:
    async def looping(params: dict[str, Any]) -> dict[str, Any]:
        n = int(params["after"][1:]) if params.get("after") else 0
        nxt = "c1" if n >= 2 else f"c{n + 1}"  # c1 -> c2 -> c1 -> ...
        return {"values": [user(n)], "pagination": {"after": nxt, "before": None}}

    with pytest.raises(ToolFailure) as caught:
        await fetch_list(USERS, {"fetchAll": True, "apiKey": "hxtp_secret"}, looping)
    error = caught.value.error
    assert error.kind == "invalid_response"
    assert "after=c1 again" in error.message and "hex_list_users" in error.message
    assert "hxtp_secret" not in error.message


async def test_an_offset_seen_twice_ends_the_walk() -> None:
    async def stuck(params: dict[str, Any]) -> dict[str, Any]:
        return {"runs": [{"runId": f"r{params.get('offset', 0)}"}], "nextPage": "x?offset=5"}

    with pytest.raises(ToolFailure, match="offset=5 again"):
        await fetch_list(RUNS, {"fetchAll": True}, stuck)


async def test_an_empty_page_with_a_cursor_ends_the_walk() -> None:
    async def empty(params: dict[str, Any]) -> dict[str, Any]:
        return {"values": [], "pagination": {"after": "c9", "before": None}}

    body = await fetch_list(USERS, {"fetchAll": True}, empty)
    assert body["values"] == [] and body[PAGING_KEY]["truncated"] is False


async def test_local_filters_apply_across_all_pages() -> None:
    projects = [
        {"id": f"p{n}", "lastPublishedAt": "2024-01-01" if n % 2 else None} for n in range(250)
    ]
    body = await fetch_list(
        PROJECTS, {"fetchAll": True, "statusFilter": "PUBLISHED"}, CursorList(projects)
    )
    assert ids(body) == [f"p{n}" for n in range(1, 250, 2)]


@pytest.mark.parametrize(
    ("params", "filtered", "expected"),
    [
        ({}, False, None),  # Hex's own first page
        ({}, True, 25),  # fill a default page after local filtering
        ({"limit": 150}, False, 150),
        ({"fetchAll": True}, False, 10_000),
        ({"fetchAll": True, "maxItems": 3}, False, 3),
        ({"fetchAll": False, "limit": 7}, False, 7),
    ],
)
def test_how_many_items_a_call_wants(
    params: dict[str, Any], filtered: bool, expected: int | None
) -> None:
    assert items_wanted(params, filtered) == expected


def test_page_positions_name_the_cursor_or_offset_only() -> None:
    assert USERS.request is not None and RUNS.request is not None
    cursor, offset = USERS.request.pagination, RUNS.request.pagination
    assert cursor is not None and offset is not None
    assert page_position(cursor, {"apiKey": "k", "after": "abc"}) == "after=abc"
    assert page_position(cursor, {"apiKey": "k"}) == "the first page"
    assert page_position(offset, {"offset": 200}) == "offset=200"
    assert page_position(offset, {}) == "offset=0"


def test_next_page_params_keep_the_direction_and_read_the_offset_from_next_page() -> None:
    assert USERS.request is not None and RUNS.request is not None
    cursor, offset = USERS.request.pagination, RUNS.request.pagination
    assert cursor is not None and offset is not None
    body = {"values": [], "pagination": {"after": "n1", "before": "p0"}}
    assert next_page_params(cursor, body, {"after": "x", "limit": 5}) == {
        "limit": 5,
        "after": "n1",
    }
    # A walk that started with `before` goes on backwards.
    assert next_page_params(cursor, body, {"before": "x", "limit": 5}) == {
        "limit": 5,
        "before": "p0",
    }
    assert next_page_params(cursor, {"pagination": {"after": None}}, {}) is None
    runs_page = {"runs": [{}, {}], "nextPage": "https://h/api/v1/p/runs?offset=40&limit=20"}
    assert next_page_params(offset, runs_page, {"offset": 20}) == {"offset": 40}
    # A next page URL without an offset: count on from the items read.
    assert next_page_params(
        offset, {**runs_page, "nextPage": "https://h/next"}, {"offset": 20}
    ) == {"offset": 22}


def test_item_identity_uses_ids_and_falls_back_to_the_whole_item() -> None:
    assert item_identity({"id": "a", "name": "x"}) == item_identity({"id": "a", "name": "y"})
    assert item_identity({"runId": "r"}) != item_identity({"runId": "s"})
    table = {"dataConnectionId": "d", "tableName": "t"}
    assert item_identity(table) == item_identity(dict(reversed(table.items())))


async def test_a_before_walk_reads_backwards_and_adds_nothing_at_or_after_its_cursor() -> None:
    hex_list = CursorList([user(n) for n in range(20)])
    page_two = await fetch_list(USERS, {"limit": 4, "after": "c4"}, hex_list)  # u4..u7
    assert ids(page_two) == [f"u{n:05d}" for n in range(4, 8)]
    hex_list.asked.clear()
    # Six before page two: only four exist (page one), none of page two itself.
    body = await fetch_list(
        USERS, {"limit": 6, "before": page_two["pagination"]["before"]}, hex_list
    )
    assert ids(body) == [f"u{n:05d}" for n in range(4)]
    assert [("before" in p, "after" in p) for p in hex_list.asked] == [(True, False)]
    # Six before u12 takes two pages backwards, in list order, nearest the cursor.
    hex_list.asked.clear()
    body = await fetch_list(USERS, {"limit": 6, "before": "c12"}, hex_list)
    assert ids(body) == [f"u{n:05d}" for n in range(6, 12)]
    assert [p.get("before") for p in hex_list.asked] == ["c12"]
    body = await fetch_list(USERS, {"limit": 600, "before": "c12"}, hex_list)
    assert ids(body) == [f"u{n:05d}" for n in range(12)]
    # Its cursors bound what it returns: `after` reads on from the cursor it started at.
    assert body["pagination"] == {"after": "c12", "before": None}


async def test_a_local_filter_follows_with_full_pages() -> None:
    projects = [
        {"id": f"p{n:04d}", "lastPublishedAt": "2024-01-01" if n % 10 else None} for n in range(400)
    ]  # one draft in ten
    hex_list = CursorList(projects)
    body = await fetch_list(PROJECTS, {"statusFilter": "DRAFT", "limit": 25}, hex_list)
    assert ids(body) == [f"p{n:04d}" for n in range(0, 250, 10)]
    # The 25th draft is the 241st project: the first page as asked, then full pages of
    # 100 (asking for the missing count each time took 36 requests).
    assert [p["limit"] for p in hex_list.asked] == [25, 100, 100, 100]


async def test_a_before_walk_over_several_pages_keeps_list_order_and_both_bounds() -> None:
    hex_list = CursorList([user(n) for n in range(1200)])
    body = await fetch_list(USERS, {"fetchAll": True, "maxItems": 700, "before": "c1100"}, hex_list)
    assert ids(body) == [f"u{n:05d}" for n in range(400, 1100)]
    assert [(p.get("before"), p["limit"]) for p in hex_list.asked] == [
        ("c1100", 500),
        ("c600", 200),
    ]
    assert all("after" not in p for p in hex_list.asked)
    # `after` reads on from where the walk began, `before` further back from where it ended.
    assert body["pagination"] == {"after": "c1100", "before": "c400"}
    assert body[PAGING_KEY] == {"truncated": True, "nextOffset": None, "pages": 2}


@pytest.mark.parametrize(("start", "kept"), [({}, range(0, 6)), ({"before": "c20"}, range(4, 10))])
async def test_more_items_than_wanted_keep_the_ones_nearest_where_the_walk_began(
    start: dict[str, str], kept: range
) -> None:
    async def generous(params: dict[str, Any]) -> dict[str, Any]:  # ignores the limit
        return {"values": [user(n) for n in range(10)], "pagination": {}}

    body = await fetch_list(USERS, {"limit": 6, **start}, generous)
    assert ids(body) == [f"u{n:05d}" for n in kept]


async def test_a_run_seen_again_with_a_newer_status_is_returned_once_as_last_seen() -> None:
    async def shifting(params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("offset"):
            page = [{"runId": "a", "status": "RUNNING"}, {"runId": "b", "status": "RUNNING"}]
            return {"runs": page, "nextPage": "x?offset=2"}
        page = [{"runId": "b", "status": "COMPLETED"}, {"runId": "c", "status": "PENDING"}]
        return {"runs": page, "nextPage": None}

    body = await fetch_list(RUNS, {"fetchAll": True}, shifting)
    assert [(r["runId"], r["status"]) for r in body["runs"]] == [
        ("a", "RUNNING"),
        ("b", "COMPLETED"),
        ("c", "PENDING"),
    ]


async def test_a_later_page_that_fails_for_another_reason_fails_the_walk() -> None:
    async def broken(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("after"):
            raise ToolFailure(ToolError(kind="server", message="Hex API answered 500"))
        return {"values": [user(0)], "pagination": {"after": "c1"}}

    with pytest.raises(ToolFailure, match="answered 500"):
        await fetch_list(USERS, {"fetchAll": True}, broken)


async def test_a_page_without_an_items_list_is_passed_on_as_hex_sent_it() -> None:
    async def odd(params: dict[str, Any]) -> dict[str, Any]:
        return {"values": None, "pagination": {"after": "c1"}}

    assert await fetch_list(USERS, {"fetchAll": True}, odd) == {
        "values": None,
        "pagination": {"after": "c1"},
    }


async def test_one_cursor_page_without_fetch_all_is_not_truncated_and_has_no_offset() -> None:
    body = await fetch_list(USERS, {"limit": 3}, CursorList([user(n) for n in range(10)]))
    assert ids(body) == ["u00000", "u00001", "u00002"]
    assert body[PAGING_KEY] == {"truncated": False, "nextOffset": None, "pages": 1}
    assert body["pagination"]["after"] == "c3"


def test_a_cursor_that_is_empty_or_an_id_that_is_empty_counts_as_none() -> None:
    assert USERS.request is not None and USERS.request.pagination is not None
    cursor = USERS.request.pagination
    assert next_page_params(cursor, {"pagination": {"after": ""}}, {"limit": 5}) is None
    assert item_identity({"id": "", "name": "x"}) != item_identity({"id": "", "name": "y"})
    assert item_identity({"runId": "r", "id": ""}) == item_identity({"runId": "r", "n": 1})
    assert item_identity("plain") == item_identity("plain") != item_identity("other")


def test_an_offset_page_counts_on_from_the_start_when_no_offset_was_given() -> None:
    assert RUNS.request is not None and RUNS.request.pagination is not None
    offset = RUNS.request.pagination
    body = {"runs": [{}, {}, {}], "nextPage": "https://h/next"}
    assert next_page_params(offset, body, {"limit": 3}) == {"limit": 3, "offset": 3}
    assert next_page_params(offset, {"runs": "x", "nextPage": "https://h/n"}, {}) == {"offset": 0}
    assert next_page_params(offset, {"runs": [], "nextPage": ""}, {}) is None
    assert next_page_params(offset, ["not", "a", "page"], {}) is None


async def test_a_backward_walk_ending_on_a_page_without_cursors_still_bounds_its_items() -> None:
    async def two_pages(params: dict[str, Any]) -> dict[str, Any]:
        if params["before"] == "c4":
            return {"values": [user(2), user(3)], "pagination": {"after": "c4", "before": "c2"}}
        return {"values": [user(0), user(1)], "pagination": None}

    body = await fetch_list(USERS, {"fetchAll": True, "before": "c4"}, two_pages)
    assert ids(body) == ["u00000", "u00001", "u00002", "u00003"]
    assert body["pagination"] == {"after": "c4"}


async def test_a_body_that_is_not_an_object_is_passed_on_as_hex_sent_it() -> None:
    async def listed(params: dict[str, Any]) -> Any:
        return [user(0)]

    assert await fetch_list(USERS, {"fetchAll": True}, listed) == [user(0)]
