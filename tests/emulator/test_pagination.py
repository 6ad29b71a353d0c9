"""Cursor walks forward and back over 300+ and 1000+ projects without loss or duplicates."""

from __future__ import annotations

import aiohttp

from aacflow_hex.emulator import run_emulator

from .conftest import Api, fast_config


async def walk_both_ways(
    api: Api, limit: int, extra: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    forward: list[str] = []
    pages: list[dict[str, str | None]] = []
    cursor: str | None = None
    while True:
        params = {"limit": str(limit), **(extra or {}), **({"after": cursor} if cursor else {})}
        reply = await api.get("/projects", params=params)
        assert reply.status == 200
        forward.extend(p["id"] for p in reply.body["values"])
        pages.append(reply.body["pagination"])
        cursor = reply.body["pagination"]["after"]
        if cursor is None:
            break
    assert pages[0]["before"] is None
    backward: list[str] = []
    cursor = pages[-1]["before"]
    last_page = forward[-(len(forward) % limit or limit) :]
    backward[:0] = last_page
    while cursor is not None:
        params = {"limit": str(limit), **(extra or {}), "before": cursor}
        reply = await api.get("/projects", params=params)
        assert reply.status == 200
        backward[:0] = [p["id"] for p in reply.body["values"]]
        cursor = reply.body["pagination"]["before"]
    return forward, backward


async def test_320_projects_forward_and_back(api: Api) -> None:
    forward, backward = await walk_both_ways(api, 25)
    assert len(forward) == len(set(forward)) > 250
    assert backward == forward


async def test_1200_projects_forward_and_back_with_page_size_100(
    session: aiohttp.ClientSession,
) -> None:
    everything = {"includeArchived": "true", "includeTrashed": "true", "includeComponents": "true"}
    async with run_emulator(fast_config(projects=1200)) as emu:
        api = Api(emu, session)
        forward, backward = await walk_both_ways(api, 100, everything)
        assert len(forward) == len(set(forward)) == 1200
        assert backward == forward


async def test_cursor_survives_a_change_between_pages(api: Api) -> None:
    first = await api.get("/projects", params={"limit": "10"})
    seen = [p["id"] for p in first.body["values"]]
    # Hide one project of the first page; the next page must neither skip nor repeat.
    api.emu.workspace.projects[seen[3]].archived_at = 1.0
    second = await api.get(
        "/projects", params={"limit": "10", "after": first.body["pagination"]["after"]}
    )
    ids = [p["id"] for p in second.body["values"]]
    assert not set(ids) & set(seen)
    expected = [
        p["id"]
        for p in (await api.get("/projects", params={"limit": "100"})).body["values"]
        if p["id"] not in seen
    ][:10]
    assert ids == expected
