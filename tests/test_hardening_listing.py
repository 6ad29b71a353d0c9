"""List walks against a hostile or slow server: a walk stopped by pacing or by its
timeout returns what it read and where to read on; resuming there reads the rest; a walk
whose pages bring nothing new stops; a page larger than asked for is refused."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID, RUN, page

from aacflow_hex import HexExecutor
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.spec.ratelimits import RateLimit

TOKEN = "hxtp_listing_token_0123456789abcdef"
RUNS_PATH = f"/projects/{PROJECT_ID}/runs"


def projects(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {**PROJECT, "id": f"{i:08d}-0000-4000-8000-000000000000"}
        for i in range(start, start + count)
    ]


def ids(result: Any) -> list[str]:
    return [p["id"] for p in result.output["projects"]]


THREE_PAGES = [
    Reply(200, page(projects(0, 100), after="c1")),
    Reply(200, page(projects(100, 100), after="c2")),
    Reply(200, page(projects(200, 40))),
]


def paced(hex_api: FakeHex, per_minute: int) -> HexExecutor:
    """An executor whose token may send ``per_minute`` list requests a minute."""
    return HexExecutor(
        hex_api.base_url,
        TOKEN,
        retry=NO_RETRY,
        rate_limits={"hex-api": RateLimit(per_minute=per_minute)},
        rate_limiter=RateLimiter(),
    )


async def test_a_walk_stopped_by_pacing_returns_its_pages_and_the_cursor_to_resume(
    hex_api: FakeHex,
) -> None:
    hex_api.reply("GET", "/projects", *THREE_PAGES)
    async with paced(hex_api, per_minute=2) as executor:
        first = await executor.execute("hex_list_projects", {"fetchAll": True}, timeout=5)
    assert first.success, first.error
    assert ids(first) == [p["id"] for p in projects(0, 200)]
    assert first.output["truncated"] is True and first.output["after"] == "c2"
    assert len(hex_api.received) == 2

    async with paced(hex_api, per_minute=2) as executor:  # a fresh budget, later
        rest = await executor.execute("hex_list_projects", {"fetchAll": True, "after": "c2"})
    assert rest.success and rest.output["truncated"] is False and rest.output["after"] is None
    assert ids(first) + ids(rest) == [p["id"] for p in projects(0, 240)]
    assert ("after", "c2") in hex_api.received[2].query


async def test_a_walk_stopped_by_its_timeout_returns_the_pages_read_in_time(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    slow = Reply(200, page(projects(100, 100), after="c2"), delay=5.0)
    hex_api.reply("GET", "/projects", THREE_PAGES[0], slow, THREE_PAGES[2])
    started = time.monotonic()
    result = await executor.execute("hex_list_projects", {"fetchAll": True}, timeout=1.0)
    assert time.monotonic() - started < 2.0
    assert result.success, result.error
    assert ids(result) == [p["id"] for p in projects(0, 100)]
    assert result.output["truncated"] is True and result.output["after"] == "c1"


async def test_an_offset_walk_stopped_by_pacing_says_the_offset_to_read_on(
    hex_api: FakeHex,
) -> None:
    runs = [{**RUN, "runId": f"{i:08d}-0000-4000-8000-000000000000"} for i in range(150)]
    hex_api.reply(
        "GET",
        RUNS_PATH,
        Reply(200, {"runs": runs[:100], "nextPage": f"{RUNS_PATH}?offset=100"}),
        Reply(200, {"runs": runs[100:], "nextPage": None}),
    )
    async with paced(hex_api, per_minute=1) as executor:
        result = await executor.execute(
            "hex_get_project_runs", {"projectId": PROJECT_ID, "fetchAll": True}, timeout=5
        )
    assert result.success, result.error
    assert result.output["total"] == 100
    assert result.output["truncated"] is True and result.output["nextOffset"] == 100


async def test_a_first_page_that_cannot_be_read_is_still_an_error(hex_api: FakeHex) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page(projects(0, 1)), delay=5.0))
    async with HexExecutor(hex_api.base_url, TOKEN, retry=NO_RETRY) as executor:
        result = await executor.execute("hex_list_projects", {"fetchAll": True}, timeout=0.5)
    assert result.error is not None and result.error.kind == "timeout"
    assert result.error.message == "hex_list_projects did not finish within 0.5 s."


async def test_a_walk_with_time_to_spare_reads_every_page(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    """Pages stop only when the deadline is near, not while a second of the call is left."""
    hex_api.reply("GET", "/projects", *THREE_PAGES)
    result = await executor.execute("hex_list_projects", {"fetchAll": True}, timeout=1.15)
    assert result.success, result.error
    assert ids(result) == [p["id"] for p in projects(0, 240)]
    assert result.output["truncated"] is False and len(hex_api.received) == 3


async def test_a_walk_whose_pages_bring_nothing_new_stops(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    same = projects(0, 100)
    hex_api.reply(
        "GET", "/projects", *[Reply(200, page(same, after=f"c{i}")) for i in range(1, 50)]
    )
    result = await executor.execute("hex_list_projects", {"fetchAll": True})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "held only items of earlier pages" in result.error.message
    assert len(hex_api.received) == 2


@pytest.mark.parametrize("limit", [10, 1])
async def test_a_page_with_more_items_than_asked_for_is_refused(
    hex_api: FakeHex, executor: HexExecutor, limit: int
) -> None:
    hex_api.reply("GET", "/projects", Reply(200, page(projects(0, limit + 1))))
    result = await executor.execute("hex_list_projects", {"limit": limit})
    assert result.error is not None and result.error.kind == "invalid_response"
    said = f"{limit + 1} items on a page that asked for at most {limit}"
    assert said in result.error.message


async def test_a_page_of_millions_of_empty_items_is_refused_quickly(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    body = b'{"values": [' + b"{}," * 1_700_000 + b'{}], "pagination": {}}'  # ~5 MB
    hex_api.reply("GET", "/projects", Reply(200, body))
    result = await executor.execute("hex_list_projects", {})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "far more items on a page that asked for at most 100" in result.error.message
