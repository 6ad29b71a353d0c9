"""Wire details a user pays for when they slip: headers, bodies, empty answers, trace ids,
Retry-After, run-input errors, where the token may go, and the default timeouts."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN
from hexfake import FakeHex, Reply, fake_hex
from samples import GROUP_ID, PROJECT, PROJECT_ID, RUN_ID, RUN_TRIGGERED

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.engine.retry import NO_RETRY
from aacflow_hex.engine.safety import UnsafeBaseURL

GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
async def other_server() -> AsyncIterator[FakeHex]:
    async with fake_hex() as fake:
        yield fake


# -- headers and bodies ------------------------------------------------------------------


async def test_every_request_asks_for_json(hex_api: FakeHex, executor: HexExecutor) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, PROJECT))
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED))
    hex_api.reply("DELETE", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(204))
    hex_api.reply("PATCH", f"/groups/{GROUP_ID}", Reply(200, {"id": GROUP_ID}))

    await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    await executor.execute("hex_run_project", {"projectId": PROJECT_ID})
    await executor.execute("hex_cancel_run", {"projectId": PROJECT_ID, "runId": RUN_ID})
    await executor.execute("hex_update_group", {"groupId": GROUP_ID, "name": "Analysts"})

    assert [r.method for r in hex_api.received] == ["GET", "POST", "DELETE", "PATCH"]
    for request in hex_api.received:
        assert request.headers.get("Accept") == "application/json", request.method
        assert request.headers.get("User-Agent") == "aacflow-hex"
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"


NOTHING_TO_CHANGE = """\
id: hex_demo_{method_lower}
name: Demo
description: A {method} whose only body param is optional.
params:
  groupId: {{type: string, in: path, required: true}}
  name: {{type: string, in: body}}
request: {{method: {method}, path: "/groups/{{groupId}}"}}
outputs:
  id: {{type: string}}
"""


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
async def test_a_patch_or_put_with_nothing_to_change_still_sends_a_json_body(
    method: str, tmp_path: Path, hex_api: FakeHex
) -> None:
    spec = NOTHING_TO_CHANGE.format(method=method, method_lower=method.lower())
    (tmp_path / f"hex_demo_{method.lower()}.yaml").write_text(spec)
    hex_api.reply(method, f"/groups/{GROUP_ID}", Reply(200, {"id": GROUP_ID}))
    registry = load_registry(tmp_path)
    async with HexExecutor(hex_api.base_url, TOKEN, registry=registry, retry=NO_RETRY) as ex:
        result = await ex.execute(f"hex_demo_{method.lower()}", {"groupId": GROUP_ID})

    assert result.success, result.error
    (request,) = hex_api.received
    assert request.body == {}
    assert request.headers.get("Content-Type", "").startswith("application/json")


async def test_two_params_that_fill_one_body_object_both_arrive(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    path = f"/projects/{PROJECT_ID}/sharing/workspaceAndPublic"
    hex_api.reply("PATCH", path, Reply(200, {"sharing": {}}))
    params = {"projectId": PROJECT_ID, "workspaceAccess": "CAN_VIEW", "publicWebAccess": "NONE"}

    await executor.execute("hex_update_project_workspace_sharing", params)

    assert hex_api.received[0].body == {"sharing": {"workspace": "CAN_VIEW", "publicWeb": "NONE"}}


async def test_three_params_under_one_nested_object_all_arrive(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", "/data-connections", Reply(201, {"id": GROUP_ID}))
    params = {
        "name": "analytics",
        "type": "postgres",
        "connectionDetails": {"hostname": "db.example.com"},
        "password": "pw-0123",
        "workspaceMembersAccess": "QUERY",
        "workspaceGuestsAccess": "VIEW_RESULTS",
        "publicAccess": "NONE",
    }

    await executor.execute("hex_create_data_connection", params)

    body = hex_api.received[0].body
    assert body["sharing"] == {
        "workspace": {"members": "QUERY", "guests": "VIEW_RESULTS", "public": "NONE"}
    }
    assert body["connectionDetails"] == {
        "postgres": {"hostname": "db.example.com", "password": "pw-0123"}
    }


# -- empty answers -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 204])
@pytest.mark.parametrize(
    ("tool", "method", "path", "params"),
    [
        (
            "hex_cancel_run",
            "DELETE",
            f"/projects/{PROJECT_ID}/runs/{RUN_ID}",
            {"projectId": PROJECT_ID, "runId": RUN_ID},
        ),
        ("hex_delete_group", "DELETE", f"/groups/{GROUP_ID}", {"groupId": GROUP_ID}),
    ],
)
async def test_an_empty_answer_is_success_for_the_tools_that_expect_one(
    tool: str,
    method: str,
    path: str,
    params: dict[str, Any],
    status: int,
    hex_api: FakeHex,
    executor: HexExecutor,
) -> None:
    hex_api.reply(method, path, Reply(status))
    result = await executor.execute(tool, params)
    assert result.success, result.error
    assert result.status_code == status
    assert result.output["success"] is True


# -- what an error carries ---------------------------------------------------------------


async def test_the_trace_id_falls_back_to_the_x_trace_id_header(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(500, {"reason": "boom"}, headers={"X-Trace-Id": "hdr-7"}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.trace_id == "hdr-7"


async def test_a_trace_id_in_the_body_wins_over_the_header(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    body = {"reason": "boom", "traceId": "body-1"}
    hex_api.reply(*GET_PROJECT, Reply(500, body, headers={"X-Trace-Id": "hdr-7"}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.trace_id == "body-1"


@pytest.mark.parametrize("value", ["0.25", "0.5", " 1.5 "])
async def test_a_sub_second_retry_after_is_kept_to_the_fraction(
    value: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(429, {"reason": "slow"}, headers={"Retry-After": value}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "rate_limited"
    assert result.error.retry_after == pytest.approx(float(value))


async def test_run_input_errors_name_the_invalid_inputs(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    body = {
        "traceId": "t422",
        "invalid": [{"paramName": "region", "reason": "not an option"}, "start_date"],
        "notFound": [],
    }
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(422, body))
    params = {"projectId": PROJECT_ID, "inputParams": {"region": "Mars", "start_date": 3}}

    result = await executor.execute("hex_run_project", params)

    assert result.error is not None and result.error.kind == "invalid_request"
    assert "invalid input parameters: region, start_date" in result.error.message
    assert "unknown input parameters" not in result.error.message
    assert result.error.trace_id == "t422"


# -- where the token may go --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://evil-localhost.com/api/v1",
        "http://localhost.evil.com/api/v1",
        "http://127.0.0.1.nip.io/api/v1",
        "http://my-localhost/api/v1",
    ],
)
def test_plain_http_to_a_host_that_only_looks_like_loopback_is_refused(url: str) -> None:
    with pytest.raises(UnsafeBaseURL, match="plain http"):
        HexExecutor(url, TOKEN)


@pytest.mark.parametrize(
    "url", ["http://localhost:8765/api/v1", "http://127.0.0.1/api/v1", "http://[::1]:80/api/v1"]
)
def test_plain_http_to_literal_loopback_is_allowed(url: str) -> None:
    assert HexExecutor(url, TOKEN).base_url == url


async def test_a_redirect_to_another_port_of_the_same_host_never_carries_the_token(
    hex_api: FakeHex, other_server: FakeHex
) -> None:
    assert hex_api.base_url.split(":")[1] == other_server.base_url.split(":")[1]  # one host
    hex_api.reply(*GET_PROJECT, Reply(302, b"", headers={"Location": other_server.base_url}))
    other_server.reply("GET", "", Reply(200, PROJECT))
    async with HexExecutor(hex_api.base_url, TOKEN, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "not followed" in result.error.message
    assert other_server.received == []


# -- defaults ----------------------------------------------------------------------------


def test_the_default_connect_timeout_is_the_one_the_docs_give() -> None:
    text = (DOCS / "resilience.md").read_text(encoding="utf-8")
    documented = re.search(r"\*\*Connect\*\*: (\d+(?:\.\d+)?) s per TCP connect", text)
    assert documented is not None
    executor = HexExecutor("https://app.hex.tech/api/v1", TOKEN)
    assert executor.connect_timeout == float(documented.group(1)) == 10.0


async def test_an_error_with_only_a_code_says_the_code(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(403, {"code": "FORBIDDEN_FOR_ROLE"}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "permission"
    assert "403 Forbidden: FORBIDDEN_FOR_ROLE" in result.error.message


@pytest.mark.parametrize(("hops", "followed"), [(3, True), (4, False)])
async def test_up_to_three_same_origin_redirects_of_a_read_are_followed(
    hops: int, followed: bool, hex_api: FakeHex, executor: HexExecutor
) -> None:
    paths = [f"/projects/{PROJECT_ID}"] + [f"/moved/{n}" for n in range(1, hops + 1)]
    for here, there in itertools.pairwise(paths):
        hex_api.reply("GET", here, Reply(307, b"", headers={"Location": f"/api/v1{there}"}))
    hex_api.reply("GET", paths[-1], Reply(200, PROJECT))

    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})

    assert result.success is followed
    if followed:
        assert result.output["title"] == PROJECT["title"]
        assert [r.path for r in hex_api.received] == paths
    else:
        assert result.error is not None and "more than 3 times" in result.error.message
        assert len(hex_api.received) == 4


async def test_a_four_character_secret_is_masked_too(hex_api: FakeHex) -> None:
    """Secrets of 4 characters and more are masked (shorter ones would mask plain text)."""
    echo = {"reason": "token wxyz is not valid", "traceId": "t-wxyz"}
    hex_api.reply(*GET_PROJECT, Reply(401, echo))
    async with HexExecutor(hex_api.base_url, "wxyz", retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None
    assert "wxyz" not in result.model_dump_json()
    assert "token *** is not valid" in result.error.message and result.error.trace_id == "t-***"


# -- only literal loopback, and a JSON body on every write --------------------------------


@pytest.mark.parametrize("url", ["http://evil.localhost/api/v1", "http://a.b.localhost:9/api/v1"])
def test_plain_http_to_a_name_under_localhost_is_refused(url: str) -> None:
    """Only literal loopback counts: a name under .localhost may resolve anywhere."""
    with pytest.raises(UnsafeBaseURL, match="plain http"):
        HexExecutor(url, TOKEN)


async def test_a_post_with_nothing_to_send_still_sends_a_json_object(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, RUN_TRIGGERED))
    result = await executor.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.success, result.error
    (request,) = hex_api.received
    assert request.body == {}
    assert request.headers.get("Content-Type", "").startswith("application/json")


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (401, "(check the API token (HEX_API_KEY or the apiKey param))"),
        (403, "(the token's user lacks the rights for this; a workspace token may be needed)"),
        (429, "(Hex's rate limit was reached; wait before calling again)"),
    ],
)
async def test_an_auth_permission_or_rate_error_says_what_to_do(
    status: int, hint: str, hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(status, {"reason": "no"}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.message.endswith(hint)


async def test_a_refused_redirect_names_where_it_pointed_without_its_query(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    target = "https://elsewhere.example/api/v1/x?signature=s3cr3t-sig&user=ada"
    hex_api.reply(*GET_PROJECT, Reply(302, b"", headers={"Location": target}))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "https://elsewhere.example/api/v1/x" in result.error.message
    assert "signature" not in result.error.message and "s3cr3t" not in result.error.message
