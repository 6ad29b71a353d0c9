"""The run_emulator contract, seeding determinism and the handle's helpers."""

from __future__ import annotations

import re
import uuid

import aiohttp

from aacflow_hex.emulator import DEFAULT_TOKEN, EmulatorConfig, run_emulator

from .conftest import Api, fast_config

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def test_base_url_and_token_follow_the_contract() -> None:
    async with run_emulator(EmulatorConfig(port=0)) as emu:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", emu.base_url)
        assert emu.port > 0
        assert emu.token == DEFAULT_TOKEN
        async with aiohttp.ClientSession() as s:
            headers = {"Authorization": f"Bearer {emu.token}"}
            async with s.get(f"{emu.base_url}/users/me", headers=headers) as resp:
                assert resp.status == 200
                assert (await resp.json())["role"] == "ADMIN"


async def test_custom_token_is_the_admin_token() -> None:
    async with run_emulator(fast_config(token="my-token")) as emu, aiohttp.ClientSession() as s:
        assert emu.token == "my-token" == emu.tokens["ADMIN"]
        api = Api(emu, s)
        assert (await api.get("/users/me")).status == 200


async def test_same_seed_gives_same_workspace_and_other_seed_differs() -> None:
    async with run_emulator(fast_config(seed=7)) as a, run_emulator(fast_config(seed=7)) as b:
        assert list(a.workspace.projects) == list(b.workspace.projects)
        assert a.fixtures == b.fixtures
        assert a.port != b.port
    async with run_emulator(fast_config(seed=8)) as c:
        assert list(c.workspace.projects) != list(a.workspace.projects)


async def test_seeded_ids_are_uuid4_shaped(api: Api) -> None:
    ws = api.emu.workspace
    ids = [*ws.projects, *ws.users, *ws.groups, *ws.collections, *ws.data_connections, *ws.runs]
    assert all(UUID4.match(i) and uuid.UUID(i).version == 4 for i in ids)


async def test_seeded_workspace_covers_what_tests_need(api: Api) -> None:
    ws, fx = api.emu.workspace, api.emu.fixtures
    assert len(ws.projects) == 320
    assert {p.type for p in ws.projects.values()} == {"PROJECT", "COMPONENT"}
    assert {u.role for u in ws.users.values()} >= {
        "ADMIN",
        "MANAGER",
        "EDITOR",
        "EXPLORER",
        "MEMBER",
        "GUEST",
        "EMBEDDED_USER",
        "ANONYMOUS",
    }
    assert {c.type for c in ws.data_connections.values()} >= {
        "snowflake",
        "postgres",
        "bigquery",
        "databricks",
        "redshift",
        "athena",
    }
    assert ws.projects[fx.never_published_project_id].last_published_at is None
    assert ws.projects[fx.erroring_project_id].run_outcome == "ERRORED"
    assert ws.projects[fx.kernel_failure_project_id].run_outcome == "UNABLE_TO_ALLOCATE_KERNEL"
    assert set(fx.param_names) == {"region", "threshold", "include_refunds"}
    assert len(ws.project_runs(fx.big_runs_project_id)) == 1050
    assert fx.completing_project_id in ws.published_project_ids("COMPLETED")
    assert set(api.emu.tokens) == {"ADMIN", "MANAGER", "EDITOR", "EXPLORER", "MEMBER", "GUEST"}


async def test_project_count_and_big_run_count_are_configurable() -> None:
    async with run_emulator(fast_config(projects=1200, runs_for_big_project=10)) as emu:
        assert len(emu.workspace.projects) == 1200
        assert len(emu.workspace.project_runs(emu.fixtures.big_runs_project_id)) == 10


async def test_request_log_records_requests_without_the_token(api: Api) -> None:
    await api.get("/projects", params={"limit": "3"})
    await api.get("/nowhere")
    entries = list(api.emu.requests)
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/api/v1/projects", 200),
        ("GET", "/api/v1/nowhere", 404),
    ]
    assert entries[0].query == (("limit", "3"),)
    assert entries[0].operation == "ListProjects"
    assert entries[0].role == "ADMIN"
    assert all("authorization" not in {k.lower() for k in e.headers} for e in entries)
    assert api.emu.requests.count(path="/projects") == 1
    api.emu.requests.clear()
    assert len(api.emu.requests) == 0
