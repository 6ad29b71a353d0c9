"""How each way Hex (or the network) can fail reaches the user: a classified ToolError."""

from __future__ import annotations

import socket

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID, RUN_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.decode import (
    HttpResponse,
    classify_error,
    decode_response,
    retry_after_seconds,
)
from aacflow_hex.engine.results import ToolFailure
from aacflow_hex.engine.retry import NO_RETRY, RetryPolicy
from aacflow_hex.spec.registry import Registry, load_registry

GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")

TSOA = {"reason": "Project not found", "traceId": "trace-404"}
NEW = {"code": "UNPROCESSABLE_CONTENT", "message": "Invalid input", "issues": [{"message": "bad"}]}


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "says", "trace"),
    [
        (400, {"reason": "limit must be <= 100", "traceId": "t400"}, {}, "invalid_request",
         "limit must be <= 100", "t400"),
        (401, {"code": "UNAUTHORIZED", "message": "Invalid token"}, {}, "auth",
         "Invalid token", None),
        (403, {"reason": "Forbidden", "traceId": "t403"}, {}, "permission", "lacks the rights",
         "t403"),
        (404, TSOA, {}, "not_found", "Project not found", "trace-404"),
        (422, NEW, {}, "invalid_request", "Invalid input; bad", None),
        (429, {"reason": "Too many requests"}, {"Retry-After": "7"}, "rate_limited",
         "Too many requests", None),
        (500, {"code": "INTERNAL_SERVER_ERROR", "message": "boom"}, {}, "server", "boom", None),
        (503, {"code": "SERVICE_UNAVAILABLE", "message": "down"}, {}, "server", "down", None),
    ],
)  # fmt: skip
async def test_http_errors_are_classified_from_both_hex_error_families(
    status: int,
    body: dict[str, object],
    headers: dict[str, str],
    kind: str,
    says: str,
    trace: str | None,
    hex_api: FakeHex,
    executor: HexExecutor,
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(status, body, headers))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert not result.success and result.error is not None
    assert result.error.kind == kind
    assert result.error.status_code == status == result.status_code
    assert says in result.error.message
    assert str(status) in result.error.message
    assert result.error.trace_id == trace
    if status == 429:
        assert result.error.retry_after == 7


async def test_run_input_errors_name_the_unknown_inputs(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    body = {"traceId": "t", "invalid": [], "notFound": [{"paramName": "regoin"}]}
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(422, body))
    result = await executor.execute(
        "hex_run_project", {"projectId": PROJECT_ID, "inputParams": {"regoin": "EU"}}
    )
    assert result.error is not None and result.error.kind == "invalid_request"
    assert "unknown input parameters: regoin" in result.error.message


async def test_a_non_json_error_page_is_still_classified(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    hex_api.reply(*GET_PROJECT, Reply(502, page, content_type="text/html"))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "server"
    assert "502 Bad Gateway" in result.error.message and "text/html" in result.error.message


async def test_a_non_json_success_body_is_an_invalid_response(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, "{not json", content_type="application/json"))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"
    assert "not JSON" in result.error.message


async def test_an_empty_204_is_a_success_for_cancel(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("DELETE", f"/projects/{PROJECT_ID}/runs/{RUN_ID}", Reply(204))
    result = await executor.execute("hex_cancel_run", {"projectId": PROJECT_ID, "runId": RUN_ID})
    assert result.success and result.output["success"] is True and result.status_code == 204


async def test_an_empty_200_where_a_body_is_due_is_an_invalid_response(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, b""))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "invalid_response"


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_a_refused_connection_is_a_transport_error() -> None:
    base_url = f"http://127.0.0.1:{_unused_port()}/api/v1"
    async with HexExecutor(base_url=base_url, api_key="k" * 20, retry=NO_RETRY) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "transport"
    assert "could not connect" in result.error.message


async def test_a_slow_answer_is_a_timeout(hex_api: FakeHex, executor: HexExecutor) -> None:
    hex_api.reply(*GET_PROJECT, Reply(200, {}, delay=2))
    result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=0.2)
    assert result.error is not None and result.error.kind == "timeout"
    assert "0.2 s" in result.error.message


async def test_a_run_trigger_that_times_out_says_the_run_may_have_started(
    hex_api: FakeHex, executor: HexExecutor
) -> None:
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(201, {}, delay=2))
    result = await executor.execute("hex_run_project", {"projectId": PROJECT_ID}, timeout=0.2)
    assert result.error is not None and result.error.kind == "timeout"
    assert "may have reached Hex" in result.error.message
    assert "hex_get_project_runs" in result.error.message


async def test_idempotent_calls_are_retried_on_503(hex_api: FakeHex) -> None:
    hex_api.reply(*GET_PROJECT, Reply(503, {"message": "down"}), Reply(200, PROJECT))
    policy = RetryPolicy(base_delay=0.01)
    async with HexExecutor(base_url=hex_api.base_url, api_key="k" * 20, retry=policy) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.success and result.timing.attempts == 2
    assert len(hex_api.received) == 2


async def test_a_run_trigger_is_not_retried_after_a_server_error(hex_api: FakeHex) -> None:
    hex_api.reply("POST", f"/projects/{PROJECT_ID}/runs", Reply(503, {"message": "down"}))
    policy = RetryPolicy(base_delay=0.01)
    async with HexExecutor(base_url=hex_api.base_url, api_key="k" * 20, retry=policy) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "server"
    assert len(hex_api.received) == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("12", now) == 12
    assert retry_after_seconds("Sat, 28 Nov 2026 09:00:30 GMT", now) == 30
    assert retry_after_seconds("Sat, 28 Nov 2026 08:59:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None


def test_decoding_is_pure_and_raises_the_classified_error() -> None:
    with pytest.raises(ToolFailure) as caught:
        decode_response(HttpResponse(404, {}, b'{"reason": "gone"}'))
    assert caught.value.error.kind == "not_found"
    assert classify_error(HttpResponse(418, {}, b"")).kind == "invalid_request"
    assert decode_response(HttpResponse(201, {}, b""), empty_ok=True) == {}


RUNS_PATH = f"/projects/{PROJECT_ID}/runs"
RUN_HINT = "List the project's runs with hex_get_project_runs before triggering it again."
HTML = "<html>oops</html>"


@pytest.mark.parametrize(
    ("status", "reason"), [(200, "200 OK"), (201, "201 Created"), (299, "299")]
)
async def test_an_unreadable_success_of_a_run_trigger_says_the_run_most_likely_started(
    hex_api: FakeHex, executor: HexExecutor, status: int, reason: str
) -> None:
    hex_api.reply("POST", RUNS_PATH, Reply(status, HTML, content_type="text/html"))
    hex_api.reply(*GET_PROJECT, Reply(status, HTML, content_type="text/html"))
    trigger = await executor.execute("hex_run_project", {"projectId": PROJECT_ID})
    read = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    said = f"Hex API answered {reason} with a body that is not JSON (text/html, 17 bytes)"
    assert trigger.error is not None and trigger.error.kind == "invalid_response"
    assert trigger.error.message == (
        f"{said}. The request has most likely reached Hex and taken effect. {RUN_HINT}"
    )
    assert read.error is not None and read.error.message == said  # a read started nothing


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (
            Reply(300, HTML, content_type="text/html"),
            "Hex API answered 300 Multiple Choices: the body was not Hex's JSON error (text/html)",
        ),
        (Reply(404, TSOA), "Project not found"),
    ],
    ids=["300", "404"],
)
async def test_a_refused_run_trigger_says_nothing_about_a_run_having_started(
    hex_api: FakeHex, executor: HexExecutor, reply: Reply, said: str
) -> None:
    hex_api.reply("POST", RUNS_PATH, reply)
    result = await executor.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.status_code == reply.status
    assert said in result.error.message and "reached Hex" not in result.error.message


def _registry_with(tool_id: str, **changes: object) -> Registry:
    spec = load_registry().get(tool_id)
    return Registry({tool_id: spec.model_copy(update=changes)})


async def test_a_read_is_never_said_to_have_acted_even_if_its_spec_forgets_it_is_idempotent(
    hex_api: FakeHex,
) -> None:
    """GET is idempotent whatever the spec's annotations say: retried, and no warning."""
    spec = load_registry().get("hex_get_project")
    annotations = spec.annotations.model_copy(update={"idempotent": False})
    registry = _registry_with("hex_get_project", annotations=annotations)
    hex_api.reply(*GET_PROJECT, Reply(503, {"message": "down"}), Reply(200, PROJECT, delay=2))
    policy = RetryPolicy(base_delay=0.01)
    async with HexExecutor(hex_api.base_url, "k" * 20, retry=policy, registry=registry) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=0.5)
    assert len(hex_api.received) == 2  # the 503 was retried
    assert result.error is not None
    assert result.error.message == "hex_get_project did not finish within 0.5 s."


async def test_a_write_whose_spec_has_no_hint_of_its_own_gets_the_general_one(
    hex_api: FakeHex,
) -> None:
    spec = load_registry().get("hex_create_collection")
    assert spec.request is not None
    request = spec.request.model_copy(update={"ambiguous_hint": None})
    registry = _registry_with("hex_create_collection", request=request)
    hex_api.reply("POST", "/collections", Reply(503, {"message": "down"}))
    async with HexExecutor(hex_api.base_url, "k" * 20, retry=NO_RETRY, registry=registry) as ex:
        result = await ex.execute("hex_create_collection", {"name": "Finance"})
    assert result.error is not None and result.error.kind == "server"
    assert result.error.message.endswith(
        ". The request may have reached Hex and taken effect. "
        "Check its state in Hex before trying again."
    )


@pytest.mark.parametrize("tool_id", ["hex_export_project", "hex_deactivate_user"])
async def test_a_post_marked_idempotent_is_retried_and_not_said_to_have_acted(
    hex_api: FakeHex, tool_id: str
) -> None:
    spec = load_registry().get(tool_id)
    assert spec.request is not None and spec.request.method == "POST"
    params = {"projectId": PROJECT_ID, "userId": PROJECT_ID}
    wanted = {k: v for k, v in params.items() if k in spec.params}
    path = spec.request.path.format(**wanted)
    hex_api.reply("POST", path, Reply(503, {"message": "down"}))
    async with HexExecutor(hex_api.base_url, "k" * 20, retry=RetryPolicy(base_delay=0.01)) as ex:
        result = await ex.execute(tool_id, wanted)
    assert result.error is not None and result.error.kind == "server"
    assert result.error.message == "Hex API answered 503 Service Unavailable: down"
    assert result.timing.attempts == len(hex_api.received) == 4
