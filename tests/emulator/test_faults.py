"""Fault injection: status codes, latency, dropped connections, malformed bodies."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aacflow_hex.emulator import Emulator, FaultRule, run_emulator

from .conftest import Api, fast_config


@pytest.fixture
async def fresh(emu: Emulator) -> AsyncIterator[Api]:
    """A client that never reuses connections, so a drop is never retried silently."""
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as s:
        yield Api(emu, s)


async def test_status_fault_fires_times_then_stops(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    rule = api.emu.faults.add(
        FaultRule(
            "status", path="/projects/*/runs", method="POST", status=503, retry_after=2, times=2
        )
    )
    first = await api.post(f"/projects/{pid}/runs")
    assert first.status == 503
    assert first.headers["Retry-After"] == "2"
    assert first.body["code"] == "SERVICE_UNAVAILABLE"  # RunProject: new family
    assert (await api.post(f"/projects/{pid}/runs")).status == 503
    assert api.emu.runs_started(pid) == 0
    assert (await api.post(f"/projects/{pid}/runs")).status == 201
    assert api.emu.faults.fired(rule) == 2


async def test_status_fault_body_follows_the_endpoint_family(api: Api) -> None:
    api.emu.faults.add(FaultRule("status", path="/projects", status=500))
    reply = await api.get("/projects")
    assert reply.status == 500
    assert set(reply.body) == {"reason", "traceId"}


async def test_method_filter_and_regex_paths(api: Api) -> None:
    api.emu.faults.add(
        FaultRule("status", path=r"/projects/[0-9a-f-]{36}", regex=True, method="PATCH")
    )
    pid = api.emu.fixtures.completing_project_id
    assert (await api.get(f"/projects/{pid}")).status == 200
    assert (await api.patch(f"/projects/{pid}", json={"status": None})).status == 503


async def test_skip_lets_requests_through_first(api: Api) -> None:
    api.emu.faults.add(FaultRule("status", path="/users/me", status=502, skip=1, times=1))
    codes = [(await api.get("/users/me")).status for _ in range(3)]
    assert codes == [200, 502, 200]


async def test_latency_delays_the_answer(api: Api) -> None:
    api.emu.faults.add(FaultRule("latency", path="/users/me", latency=0.3, times=1))
    started = time.perf_counter()
    assert (await api.get("/users/me")).status == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    await api.get("/users/me")
    assert time.perf_counter() - started < 0.3


async def test_drop_before_starts_no_run(fresh: Api) -> None:
    pid = fresh.emu.fixtures.completing_project_id
    fresh.emu.faults.add(FaultRule("drop_before", path="/projects/*/runs", method="POST", times=1))
    with pytest.raises(aiohttp.ClientConnectionError):
        await fresh.post(f"/projects/{pid}/runs")
    assert fresh.emu.runs_started(pid) == 0
    assert fresh.emu.requests.filter(method="POST")[-1].status is None


async def test_drop_after_starts_the_run_but_sends_nothing(fresh: Api) -> None:
    pid = fresh.emu.fixtures.completing_project_id
    fresh.emu.faults.add(FaultRule("drop_after", path="/projects/*/runs", method="POST", times=1))
    with pytest.raises(aiohttp.ClientConnectionError):
        await fresh.post(f"/projects/{pid}/runs")
    assert fresh.emu.runs_started(pid) == 1
    listed = await fresh.get(f"/projects/{pid}/runs", params={"runTriggerFilter": "API"})
    assert listed.body["runs"][0]["status"] in ("PENDING", "RUNNING")


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("html", 502, "text/html"),
        ("truncated_json", None, "application/json"),
        ("text", 200, "text/plain"),
        ("empty", None, "application/json"),
    ],
)
async def test_malformed_bodies(api: Api, body: str, status: int | None, content_type: str) -> None:
    api.emu.faults.add(FaultRule("malformed", path="/projects", body=body, status=status, times=1))  # type: ignore[arg-type]
    reply = await api.get("/projects")
    assert reply.status == (status or 200)
    assert reply.headers["Content-Type"].startswith(content_type)
    assert reply.body is None  # not parseable JSON (or empty)
    assert (await api.get("/projects")).body is not None


async def test_html_error_page_without_running_the_handler(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    api.emu.faults.add(FaultRule("status", path="/projects/*/runs", status=502, body="html"))
    reply = await api.post(f"/projects/{pid}/runs")
    assert reply.status == 502
    assert "<html>" in reply.text
    assert api.emu.runs_started(pid) == 0


async def test_faults_from_config_and_clear(session: aiohttp.ClientSession) -> None:
    config = fast_config(faults=[FaultRule("status", path="/api/v1/users/*", status=500)])
    async with run_emulator(config) as emu:
        api = Api(emu, session)
        assert (await api.get("/users/me")).status == 500
        emu.faults.clear()
        assert (await api.get("/users/me")).status == 200


def test_unknown_fault_kind_is_rejected() -> None:
    from aacflow_hex.emulator.faults import FaultSet

    with pytest.raises(ValueError, match="kind"):
        FaultSet([FaultRule("explode")])  # type: ignore[arg-type]
