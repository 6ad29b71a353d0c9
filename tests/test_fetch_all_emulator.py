"""fetchAll against the emulator: 1,000+ projects, users and runs, each exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, EmulatorConfig, run_emulator

BIG = 1100
# A sixth of the seeded projects are archived, trashed or components.
PROJECTS = 1300


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    config = EmulatorConfig(
        projects=PROJECTS, users=BIG, runs_for_big_project=BIG, rate_limits=None
    )
    async with run_emulator(config) as running:
        yield running


@pytest.fixture
async def ex(emu: Emulator) -> AsyncIterator[HexExecutor]:
    async with HexExecutor(base_url=emu.base_url, api_key=emu.token, rate_limits=None) as executor:
        yield executor


def expected_ids(emu: Emulator, what: str) -> list[str]:
    ws = emu.workspace
    if what == "projects":  # listed with includeArchived: all but trashed and components
        return [p.id for p in ws.projects.values() if p.trashed_at is None and p.type == "PROJECT"]
    if what == "users":
        return list(ws.users)
    return [r.id for r in ws.project_runs(emu.fixtures.big_runs_project_id)]


CASES = [
    ("hex_list_projects", {"includeArchived": True}, "projects", "id"),
    ("hex_list_users", {}, "users", "id"),
    ("hex_get_project_runs", {"projectId": None}, "runs", "runId"),
]


def call_params(emu: Emulator, params: dict[str, Any]) -> dict[str, Any]:
    if "projectId" in params:
        return {**params, "projectId": emu.fixtures.big_runs_project_id}
    return dict(params)


@pytest.mark.parametrize(("tool", "params", "key", "field"), CASES, ids=[c[0] for c in CASES])
async def test_fetch_all_returns_every_item_exactly_once(
    tool: str, params: dict[str, Any], key: str, field: str, emu: Emulator, ex: HexExecutor
) -> None:
    expected = expected_ids(emu, key)
    assert len(expected) >= 1000
    result = await ex.execute(tool, {**call_params(emu, params), "fetchAll": True})

    assert result.success, result.error
    got = [item[field] for item in result.output[key]]
    assert len(got) == len(set(got)) == len(expected) == result.output["total"]
    assert set(got) == set(expected)
    assert result.output["truncated"] is False
    page_size = 500 if key == "users" else 100  # the largest pages Hex allows
    assert len(emu.requests) == -(-len(expected) // page_size)


@pytest.mark.parametrize(("tool", "params", "key", "field"), CASES, ids=[c[0] for c in CASES])
async def test_max_items_truncates_and_the_next_call_reads_on_from_there(
    tool: str, params: dict[str, Any], key: str, field: str, emu: Emulator, ex: HexExecutor
) -> None:
    base = call_params(emu, params)
    first = await ex.execute(tool, {**base, "fetchAll": True, "maxItems": 450})
    assert first.success, first.error
    assert len(first.output[key]) == 450 and first.output["truncated"] is True

    if field == "runId":
        assert first.output["nextOffset"] == 450 and first.output["nextPage"]
        follow = {"offset": first.output["nextOffset"]}
    else:
        assert first.output["after"]
        follow = {"after": first.output["after"]}
    rest = await ex.execute(tool, {**base, "fetchAll": True, **follow})
    assert rest.success, rest.error
    assert rest.output["truncated"] is False
    got = [item[field] for item in first.output[key] + rest.output[key]]
    assert len(got) == len(set(got))
    assert set(got) == set(expected_ids(emu, key))


async def test_one_page_tells_the_cursor_of_the_next(emu: Emulator, ex: HexExecutor) -> None:
    first = await ex.execute("hex_list_users", {"limit": 10})
    second = await ex.execute("hex_list_users", {"limit": 10, "after": first.output["after"]})
    back = await ex.execute("hex_list_users", {"limit": 10, "before": second.output["before"]})
    ids = [[u["id"] for u in r.output["users"]] for r in (first, second, back)]
    assert not set(ids[0]) & set(ids[1])
    assert ids[2] == ids[0]
    assert first.output["truncated"] is False  # only fetchAll truncates


async def test_fetch_all_with_limit_is_refused_before_any_request(
    emu: Emulator, ex: HexExecutor
) -> None:
    result = await ex.execute("hex_list_projects", {"fetchAll": True, "limit": 10})
    assert not result.success and result.error is not None
    assert result.error.kind == "validation"
    assert "fetchAll and limit" in result.error.message
    assert len(emu.requests) == 0
