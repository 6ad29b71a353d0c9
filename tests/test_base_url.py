"""One HEX_API_BASE_URL for every Hex client: the bare host, ``.../api`` and ``.../api/v1``
all reach the API, and a 404 on a path Hex does not have names the base URL to fix."""

from __future__ import annotations

import aiohttp
import pytest

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator
from aacflow_hex.engine.baseurl import is_missing_route, normalize_base_url
from aacflow_hex.engine.retry import NO_RETRY

ID = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("https://app.hex.tech", "https://app.hex.tech/api/v1"),
        ("https://app.hex.tech/", "https://app.hex.tech/api/v1"),
        ("https://app.hex.tech/api", "https://app.hex.tech/api/v1"),
        ("https://app.hex.tech/api/", "https://app.hex.tech/api/v1"),
        ("https://app.hex.tech/api/v1", "https://app.hex.tech/api/v1"),
        ("https://app.hex.tech/api/v1/", "https://app.hex.tech/api/v1"),
        ("https://eu.hex.tech:8443/api", "https://eu.hex.tech:8443/api/v1"),
        ("https://proxy.example/hex/api", "https://proxy.example/hex/api/v1"),
        ("https://proxy.example/hex-gateway", "https://proxy.example/hex-gateway"),
    ],
)
def test_every_base_url_form_means_the_api_v1_root(given: str, used: str) -> None:
    assert normalize_base_url(given) == used
    assert HexExecutor(base_url=given, api_key="k" * 20).base_url == used


def test_the_environment_variable_takes_the_same_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEX_API_BASE_URL", "https://app.hex.tech/api")
    assert HexExecutor(api_key="k" * 20).base_url == "https://app.hex.tech/api/v1"


def _host(emu: Emulator) -> str:
    return f"http://{emu.host}:{emu.port}"


@pytest.mark.parametrize("suffix", ["", "/api", "/api/", "/api/v1"])
async def test_each_form_reaches_the_emulator(emu: Emulator, suffix: str) -> None:
    base = _host(emu) + suffix
    async with HexExecutor(base_url=base, api_key=emu.token, retry=NO_RETRY) as hex_:
        result = await hex_.execute("hex_list_projects", {"limit": 2})
    assert result.success, result.error
    assert len(result.output["projects"]) == 2


async def test_the_emulators_printed_url_works_here_and_for_clients_adding_v1(
    emu: Emulator,
) -> None:
    assert emu.api_url == _host(emu) + "/api" and emu.base_url == emu.api_url + "/v1"
    async with HexExecutor(base_url=emu.api_url, api_key=emu.token, retry=NO_RETRY) as hex_:
        assert (await hex_.execute("hex_get_current_user", {})).success
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(emu.api_url + "/v1/users/me") as reply,
    ):
        assert reply.status == 200


@pytest.mark.parametrize("wrong", ["/api/projects", "/v1/projects", "/api/v1/v1/projects"])
async def test_the_emulator_names_the_right_prefix_on_a_wrong_one(
    emu: Emulator, wrong: str
) -> None:
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(_host(emu) + wrong) as reply,
    ):
        body = await reply.json()
    assert reply.status == 404
    assert body["reason"].startswith(f"Cannot GET {wrong}")
    if not wrong.startswith("/api/v1/"):
        assert f"{_host(emu)}/api/v1" in body["reason"]


async def test_a_404_on_a_missing_path_names_the_base_url_used(emu: Emulator) -> None:
    base = _host(emu) + "/hex-gateway/api/v1"
    async with HexExecutor(base_url=base, api_key=emu.token, retry=NO_RETRY) as hex_:
        listed = await hex_.execute("hex_list_projects", {"limit": 2})
        one = await hex_.execute("hex_get_project", {"projectId": ID})
    for result in (listed, one):
        assert result.error is not None and result.error.kind == "not_found"
        message = result.error.message
        assert f"the base URL used was {base}" in message
        assert "https://<host>/api or https://<host>/api/v1" in message
        assert emu.token not in message


async def test_a_404_for_a_record_says_nothing_about_the_base_url(
    hex_: HexExecutor,
) -> None:
    result = await hex_.execute("hex_get_project", {"projectId": ID})
    assert result.error is not None and result.error.kind == "not_found"
    assert "base URL" not in result.error.message


@pytest.mark.parametrize(
    ("body", "path", "missing"),
    [
        (b'{"reason": "Project x not found"}', "/projects", True),
        (b'{"message": "Project 6f1c2d3e-4a5b not found"}', f"/projects/{ID}", False),
        (b'{"reason": "Not found"}', f"/projects/{ID}", True),
        (b"Cannot GET /x/projects/" + ID.encode(), f"/projects/{ID}", True),
        (b"<html>404</html>", f"/projects/{ID}", True),
        (b"", f"/projects/{ID}/runs", True),
    ],
)
def test_what_counts_as_a_missing_path(body: bytes, path: str, missing: bool) -> None:
    assert is_missing_route(404, body, path) is missing
    assert is_missing_route(400, body, path) is False
